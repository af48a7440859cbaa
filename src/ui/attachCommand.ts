// The "Cluster Tour: Attach to Cluster…" command: picks a local Node.js process (primaries with
// their workers first) and starts a cluster-tour attach session by its pid, which opens its
// inspector if needed and follows all its workers, existing and future.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands, debugType } from '../common/contributions';
import { messageOf } from '../common/errors';
import { listNodeProcesses } from '../cluster/attach/nodeProcesses';
import { AttachChoice, attachChoices } from './attachChoices';

/** What other commands and tests may pass to skip the picker. */
export interface AttachCommandArgument {
  processId?: number;
}

const sectionTitles: Record<AttachChoice['section'], string> = {
  primaries: 'Cluster primaries',
  workers: 'Cluster primaries',
  others: 'Other Node.js processes',
};

/** Registers clusterTour.attach; it resolves to whether a session started. */
export function registerAttachCommand(): vscode.Disposable {
  return vscode.commands.registerCommand(commands.attach, (argument?: AttachCommandArgument) => attach(argument));
}

async function attach(argument: AttachCommandArgument | undefined): Promise<boolean> {
  try {
    const processId = argument?.processId ?? (await pickProcess());
    if (processId === undefined) {
      return false;
    }
    // A failed attach (not node, no permission, port taken…) is reported by VS Code with the
    // adapter's message; startDebugging then resolves false.
    return await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
      type: debugType,
      request: 'attach',
      name: `Cluster Tour: attach to ${processId}`,
      processId,
    });
  } catch (error) {
    void vscode.window.showErrorMessage(`Cluster Tour could not attach: ${messageOf(error)}`);
    return false;
  }
}

type ChoiceItem = vscode.QuickPickItem & { processId?: number };

/** Shows the picker at once, busy while /proc is read; resolves the chosen pid or undefined. */
async function pickProcess(): Promise<number | undefined> {
  const picker = vscode.window.createQuickPick<ChoiceItem>();
  picker.title = 'Attach to a Node.js cluster';
  picker.placeholder = 'Pick the primary of a cluster app (picking a worker attaches to its primary)';
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.busy = true;
  picker.show();
  try {
    const chosen = new Promise<number | undefined>((resolve) => {
      picker.onDidAccept(() => resolve(picker.selectedItems[0]?.processId));
      picker.onDidHide(() => resolve(undefined));
    });
    const processes = await listNodeProcesses({ excludeAncestorsOf: process.pid, excludeProgramsUnder: editorFolders() });
    if (processes.length === 0) {
      picker.hide();
      void vscode.window.showInformationMessage(
        'No Node.js process to attach to. Start your cluster app in a terminal (e.g. `node app.js`), then run "Cluster Tour: Attach to Cluster…" again.',
      );
      return undefined;
    }
    picker.items = withSeparators(attachChoices(processes));
    picker.busy = false;
    return await chosen;
  } finally {
    picker.dispose();
  }
}

function withSeparators(choices: readonly AttachChoice[]): ChoiceItem[] {
  const items: ChoiceItem[] = [];
  let title: string | undefined;
  for (const choice of choices) {
    if (sectionTitles[choice.section] !== title) {
      title = sectionTitles[choice.section];
      items.push({ label: title, kind: vscode.QuickPickItemKind.Separator });
    }
    items.push({ label: choice.label, description: choice.description, detail: choice.detail, processId: choice.processId });
  }
  return items;
}

/**
 * Folders whose node programs are the editor's own: VS Code's install (its servers and built-in
 * extensions' language servers) and every other extension's folder. This extension's own folder
 * is kept, so its bundled sample can be picked.
 */
function editorFolders(): string[] {
  const own = path.resolve(__dirname, '..');
  const extensions = vscode.extensions.all.map((extension) => extension.extensionPath).filter((folder) => path.resolve(folder) !== own);
  return [vscode.env.appRoot, ...extensions];
}
