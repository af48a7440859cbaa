// The Processes view's run controls: Pause All / Continue All in its title bar, and per process
// Pause, Continue and Kill Worker. Each sends one of the adapter's run-control requests
// (viewProtocol.ts) to the cluster-tour session the view shows.
import * as vscode from 'vscode';
import { commands, customRequests } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import { messageOf } from '../common/errors';
import type { KillWorkerArguments, RunControlArguments } from '../adapter/viewProtocol';
import type { ProcessEntry } from './processStore';

/** What a per-process command gets from the tree: the process node. */
export interface ProcessNode {
  kind: 'process';
  entry: ProcessEntry;
}

/** The process's context value: menus show Pause on running ones, Continue on paused ones, Kill Worker on live workers. */
export function processContextValue(entry: ProcessEntry): string {
  return `clusterTour.process.${entry.state}.${entry.role}`;
}

export function registerProcessControls(session: () => vscode.DebugSession | undefined): vscode.Disposable {
  const disposables = new DisposableStore();
  const send = async (what: string, command: string, args: RunControlArguments | KillWorkerArguments): Promise<void> => {
    const current = session();
    if (!current) {
      void vscode.window.showInformationMessage(`Cluster Tour: ${what}: no cluster app is being debugged.`);
      return;
    }
    try {
      await current.customRequest(command, args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: ${what}: ${messageOf(error)}`);
    }
  };
  const pidsOf = (node: ProcessNode | undefined): RunControlArguments => (node?.entry.pid ? { pids: [node.entry.pid] } : {});
  disposables.add(vscode.commands.registerCommand(commands.pauseAll, () => send('Pause All', customRequests.pauseProcesses, {})));
  disposables.add(vscode.commands.registerCommand(commands.continueAll, () => send('Continue All', customRequests.continueProcesses, {})));
  disposables.add(vscode.commands.registerCommand(commands.pauseProcess, (node?: ProcessNode) => send('Pause', customRequests.pauseProcesses, pidsOf(node))));
  disposables.add(vscode.commands.registerCommand(commands.continueProcess, (node?: ProcessNode) => send('Continue', customRequests.continueProcesses, pidsOf(node))));
  disposables.add(
    vscode.commands.registerCommand(commands.killWorker, async (node?: ProcessNode) => {
      if (node?.entry.role !== 'worker' || !node.entry.pid) {
        void vscode.window.showInformationMessage('Cluster Tour: Kill Worker: choose a worker in the Processes view.');
        return;
      }
      await send(`Kill Worker ${node.entry.workerId}`, customRequests.killWorker, { pid: node.entry.pid });
    }),
  );
  return toDisposable(() => disposables.dispose());
}
