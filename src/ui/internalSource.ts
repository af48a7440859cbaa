// Show Internal Source: a call site's module of Node's own library (lib/net.js,
// lib/internal/cluster/*), read from the node binary of clusterTour.runtimeExecutable, opened
// read-only through a content provider of its own scheme at the call site's line, highlighted.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { commands } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import { ClusterTourError, messageOf } from '../common/errors';
import type { CallSiteResolution } from '../cluster/callSites/callSite';
import { callSites } from '../cluster/callSites/callSites';
import { findExecutable } from '../cluster/launch/launcher';
import { callSiteModules, readNodeSources } from '../cluster/callSites/nodeSources';
import { resolveCallSites } from '../cluster/callSites/resolver';
import { runtimeExecutable } from './settings';
import { sourceColumn } from './sourceColumn';

export const internalScheme = 'cluster-tour-internal';

/** What the command takes from the Presets view or a test: a catalogue id, or a module URL and a line. */
export interface ShowInternalSourceArguments {
  callSite?: string;
  /** `node:internal/cluster/round_robin_handle` */
  url?: string;
  /** 1-based. */
  line?: number | null;
  /** The editor group to open it in; when not given, the active one unless it shows the diagram (see sourceColumn.ts). */
  viewColumn?: vscode.ViewColumn;
}

/** The node binary whose library is shown: the setting, or node on PATH. */
function executable(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  return findExecutable(runtimeExecutable() ?? 'node', folder, process.env);
}

/** `cluster-tour-internal:/internal/cluster/primary.js?/usr/bin/node` */
export function internalUri(moduleId: string, node: string): vscode.Uri {
  return vscode.Uri.from({ scheme: internalScheme, path: `/${moduleId}.js`, query: node });
}

class InternalSourceProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const moduleId = uri.path.replace(/^\//, '').replace(/\.js$/, '');
    const node = await readNodeSources(uri.query, [moduleId]);
    const source = node.sources.get(moduleId);
    if (source === undefined) {
      throw new ClusterTourError('E_NO_INTERNAL_SOURCE', `${uri.query} (${node.version}) has no module node:${moduleId}.`);
    }
    return source;
  }
}

async function resolutions(node: string): Promise<CallSiteResolution[]> {
  const read = await readNodeSources(node, callSiteModules(callSites));
  return resolveCallSites(read.sources, callSites);
}

async function pickCallSite(found: readonly CallSiteResolution[]): Promise<CallSiteResolution | undefined> {
  const picked = await vscode.window.showQuickPick(
    found.map((resolution) => ({
      label: resolution.site.title,
      description: `${resolution.site.stage} · node:${resolution.site.module}${resolution.resolved ? `:${resolution.lineNumber + 1}` : ''}`,
      detail: resolution.resolved ? undefined : `not found in this Node: ${resolution.reason}`,
      resolution,
    })),
    { title: 'Show Internal Source', placeHolder: 'A call site of Node’s cluster and net code', matchOnDescription: true },
  );
  return picked?.resolution;
}

export function registerInternalSource(): vscode.Disposable {
  const disposables = new DisposableStore();
  disposables.add(vscode.workspace.registerTextDocumentContentProvider(internalScheme, new InternalSourceProvider()));
  const highlight = disposables.add(
    vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground') }),
  );
  const show = async (given?: ShowInternalSourceArguments): Promise<void> => {
    try {
      const node = executable();
      let moduleId: string;
      let line: number | undefined;
      const site = given?.callSite === undefined ? undefined : callSites.find((each) => each.id === given.callSite);
      if (site || !given?.url?.startsWith('node:')) {
        // A catalogue call site, or none given: resolve in this Node's source.
        const found = await resolutions(node);
        const resolution = site ? found.find((each) => each.site.id === site.id) : await pickCallSite(found);
        if (!resolution) {
          return;
        }
        moduleId = resolution.site.module;
        line = resolution.resolved ? resolution.lineNumber + 1 : undefined;
        if (!resolution.resolved) {
          void vscode.window.showWarningMessage(`Cluster Tour: ${resolution.site.title} is not found in this Node: ${resolution.reason}`);
        }
      } else {
        // A place the session found (a named function of a preset): its module and line.
        moduleId = given.url.slice('node:'.length);
        line = given.line ?? undefined;
      }
      const document = await vscode.workspace.openTextDocument(internalUri(moduleId, node));
      await vscode.languages.setTextDocumentLanguage(document, 'javascript');
      const range = new vscode.Range((line ?? 1) - 1, 0, (line ?? 1) - 1, 0);
      const editor = await vscode.window.showTextDocument(document, { selection: range, preview: true, viewColumn: given?.viewColumn ?? sourceColumn() });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
      editor.setDecorations(highlight, line === undefined ? [] : [range]);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: could not show the internal source: ${messageOf(error)}`);
    }
  };
  disposables.add(vscode.commands.registerCommand(commands.showInternalSource, show));
  return toDisposable(() => disposables.dispose());
}
