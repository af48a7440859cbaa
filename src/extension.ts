// The extension's entry point: wiring only, and the owner of every disposable. It registers the
// terminal trace, the debug adapter (inline) with its configuration provider, the Processes,
// Tour and Presets views, the tour player with Start Guided Tour, Show Internal Source, Attach to
// Cluster… and the sequence diagram.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands, views } from './common/contributions';
import { registerAttachCommand } from './ui/attachCommand';
import { registerDiagramView } from './ui/diagramView';
import { registerDebugAdapter } from './ui/debugAdapter';
import { registerInternalSource } from './ui/internalSource';
import { registerPresetsView } from './ui/presetsView';
import { registerProcessesView } from './ui/processesView';
import { registerStartTour } from './ui/startTour';
import { TourPlayer } from './ui/tourPlayer';
import { registerTourView } from './ui/tourView';

export function activate(context: vscode.ExtensionContext): void {
  const player = new TourPlayer();
  context.subscriptions.push(
    registerDebugAdapter(),
    registerProcessesView(views.processes),
    player,
    registerTourView(views.tour, player.store),
    registerStartTour(player),
    registerPresetsView(views.presets),
    registerInternalSource(),
    registerAttachCommand(),
    registerDiagramView(context.extensionUri, player.store),
    vscode.commands.registerCommand(commands.traceSample, () => {
      const terminal = vscode.window.createTerminal({ name: 'Cluster Tour trace' });
      terminal.show();
      // The command as installed (bin/cluster-tour starts the sample before its tracer boots); through
      // sh, as a packaged extension need not keep the file's executable bit.
      terminal.sendText(`sh ${JSON.stringify(path.join(context.extensionPath, 'bin', 'cluster-tour'))} trace`);
      context.subscriptions.push(terminal);
    }),
  );
}

export function deactivate(): void {
  // Every registration is owned by context.subscriptions; VS Code disposes them.
}
