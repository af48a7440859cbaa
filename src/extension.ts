// The extension's entry point: wiring only, and the owner of every disposable. For now it only
// makes the terminal trace reachable from the editor; views, the tour and the debug adapter
// come with their own issues.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands } from './common/contributions';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
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
