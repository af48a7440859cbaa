// The Presets view and Toggle Preset: each preset with a checkbox and its call sites, bound or
// not (with the reason). During a cluster-tour session it shows the session's presets
// (clusterTour.presets) and a toggle arms or disarms one at once (clusterTour.setPreset); with no
// session it shows what the next session would arm, and a toggle changes the clusterTour.presets setting.
import * as vscode from 'vscode';
import { RefreshableTree } from './refreshableTree';
import { commands, customEvents, customRequests, debugType, settings } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import { messageOf } from '../common/errors';
import type { PresetCallSiteEntry, PresetEntry, PresetsBody, SetPresetArguments } from '../adapter/viewProtocol';
import { callSiteDescription, presetDescription, presetsWithoutSession, toggled } from './presetsModel';
import { armedPresets, definedPresets, setArmedPresets } from './settings';
import type { ShowInternalSourceArguments } from './internalSource';

type Node = { kind: 'preset'; preset: PresetEntry } | { kind: 'callSite'; preset: PresetEntry; site: PresetCallSiteEntry };

class PresetsTree extends RefreshableTree<Node> {
  /** The running session's presets; undefined with no session. */
  live: PresetEntry[] | undefined;
  problems: string[] = [];

  presets(): PresetEntry[] {
    if (this.live) {
      return this.live;
    }
    const { definitions, problems } = definedPresets();
    this.problems = problems;
    return presetsWithoutSession(armedPresets(), definitions);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return this.presets().map((preset) => ({ kind: 'preset', preset }));
    }
    return node.kind === 'preset' ? node.preset.callSites.map((site) => ({ kind: 'callSite', preset: node.preset, site })) : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'preset') {
      const { preset } = node;
      const item = new vscode.TreeItem(preset.title, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `preset:${preset.id}`;
      item.description = presetDescription(preset, this.live !== undefined);
      item.checkboxState = preset.enabled ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
      item.contextValue = 'clusterTour.preset';
      item.tooltip = `${preset.title} (${preset.id}): ${preset.enabled ? 'armed' : 'not armed'} ${this.live ? 'in the running session' : 'for the next sessions (setting clusterTour.presets)'}`;
      item.accessibilityInformation = { label: `${preset.title} ${item.description} ${preset.enabled ? 'armed' : 'not armed'}` };
      return item;
    }
    const { site, preset } = node;
    const item = new vscode.TreeItem(site.title, vscode.TreeItemCollapsibleState.None);
    item.id = `preset:${preset.id}:${site.id}`;
    item.description = callSiteDescription(site);
    item.iconPath = site.bound ? new vscode.ThemeIcon('debug-breakpoint', new vscode.ThemeColor('debugIcon.breakpointForeground')) : new vscode.ThemeIcon('debug-breakpoint-unverified');
    item.tooltip = `${site.title}\n${site.url}${site.line === null ? '' : `:${site.line}`} · ${site.role}\n${site.bound ? 'bound' : `not bound: ${site.reason ?? 'unknown reason'}`}`;
    item.contextValue = 'clusterTour.callSite';
    item.accessibilityInformation = { label: `${site.title} ${item.description}` };
    const argument: ShowInternalSourceArguments = { callSite: site.id, url: site.url, line: site.line };
    item.command = { command: commands.showInternalSource, title: 'Show Internal Source', arguments: [argument] };
    return item;
  }
}

/** The Presets view and the Toggle Preset command; the result owns both and their listeners. */
export function registerPresetsView(viewId: string): vscode.Disposable {
  const disposables = new DisposableStore();
  const tree = disposables.add(new PresetsTree());
  const view = disposables.add(vscode.window.createTreeView(viewId, { treeDataProvider: tree, manageCheckboxStateManually: true }));
  let session: vscode.DebugSession | undefined;
  const redraw = (): void => {
    tree.refresh();
    view.description = session ? session.name : 'next sessions';
    view.message = tree.problems.length > 0 ? tree.problems.join('\n') : undefined;
  };
  const apply = (from: vscode.DebugSession, body: PresetsBody): void => {
    session = from;
    tree.live = body.presets;
    redraw();
  };
  const toggle = async (id: string, enabled: boolean): Promise<void> => {
    try {
      if (session) {
        const args: SetPresetArguments = { id, enabled };
        apply(session, (await session.customRequest(customRequests.setPreset, args)) as PresetsBody);
      } else {
        await setArmedPresets(toggled(armedPresets(), id, enabled));
        redraw();
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: could not ${enabled ? 'arm' : 'disarm'} the preset "${id}": ${messageOf(error)}`);
      redraw();
    }
  };
  disposables.add(
    view.onDidChangeCheckboxState(async (event) => {
      for (const [node, state] of event.items) {
        if (node.kind === 'preset') {
          await toggle(node.preset.id, state === vscode.TreeItemCheckboxState.Checked);
        }
      }
    }),
  );
  disposables.add(
    vscode.commands.registerCommand(commands.togglePreset, async (given?: unknown) => {
      if (given && typeof given === 'object' && typeof (given as SetPresetArguments).id === 'string') {
        const { id, enabled } = given as Partial<SetPresetArguments>;
        const current = tree.presets().find((preset) => preset.id === id);
        return toggle(id as string, enabled ?? !current?.enabled);
      }
      const picked = await vscode.window.showQuickPick(
        tree.presets().map((preset) => ({ label: preset.title, description: presetDescription(preset, session !== undefined), picked: preset.enabled, preset })),
        { title: session ? `Presets armed in ${session.name}` : 'Presets armed in the next sessions', canPickMany: true },
      );
      if (!picked) {
        return;
      }
      const wanted = new Set(picked.map((each) => each.preset.id));
      for (const preset of tree.presets()) {
        if (preset.enabled !== wanted.has(preset.id)) {
          await toggle(preset.id, wanted.has(preset.id));
        }
      }
    }),
  );
  disposables.add(
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type === debugType && event.event === customEvents.presets) {
        apply(event.session, event.body as PresetsBody);
      }
    }),
  );
  disposables.add(
    vscode.debug.onDidTerminateDebugSession((ended) => {
      if (ended.id === session?.id) {
        session = undefined;
        tree.live = undefined;
        redraw();
      }
    }),
  );
  disposables.add(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!session && (event.affectsConfiguration(settings.presets) || event.affectsConfiguration(settings.userPresets))) {
        redraw();
      }
    }),
  );
  redraw();
  return toDisposable(() => disposables.dispose());
}
