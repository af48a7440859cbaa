// The extension's entry point: wiring only, and the owner of every disposable. It registers the
// terminal trace, the debug adapter (inline) with its configuration provider, and the Processes
// view; the tour comes with its own issue.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands, views } from './common/contributions';
import { registerDebugAdapter } from './ui/debugAdapter';
import { registerProcessesView } from './ui/processesView';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerDebugAdapter(),
    registerProcessesView(views.processes),
    vscode.commands.registerCommand(commands.traceSample, () => {
      const terminal = vscode.window.createTerminal({ name: 'Cluster Tour trace' });
      terminal.show();
      terminal.sendText(`node ${JSON.stringify(path.join(context.extensionPath, 'dist', 'cli.js'))} trace`);
      context.subscriptions.push(terminal);
    }),
  );
}

export function deactivate(): void {
  // Every registration is owned by context.subscriptions; VS Code disposes them.
}
