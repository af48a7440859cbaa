// The Processes view: the primary and every worker of the cluster-tour session, each with its run
// state and current lifecycle stage, and its recent lifecycle events as children. A ProcessStore
// fed by the adapter's custom DAP events drives the tree through onDidChangeTreeData.
import * as vscode from 'vscode';
import { RefreshableTree } from './refreshableTree';
import { customEvents, debugType } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import type { AnyLifecycleEvent } from '../common/stages';
import { describeSyscall, type SyscallEvent } from '../common/syscalls';
import type { ProcessEventBody } from '../adapter/viewProtocol';
import { processContextValue, registerProcessControls } from './processControls';
import { ProcessEntry, ProcessStore } from './processStore';

type Node =
  | { kind: 'process'; entry: ProcessEntry }
  | { kind: 'event'; entry: ProcessEntry; event: AnyLifecycleEvent }
  | { kind: 'syscalls'; entry: ProcessEntry }
  | { kind: 'syscall'; entry: ProcessEntry; event: SyscallEvent };

const stateIcons: Record<ProcessEntry['state'], vscode.ThemeIcon> = {
  paused: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('debugIcon.pauseForeground')),
  running: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('debugIcon.startForeground')),
  exited: new vscode.ThemeIcon('circle-outline'),
  unknown: new vscode.ThemeIcon('circle-outline'),
};

export function processLabel(entry: ProcessEntry): string {
  return entry.role === 'primary' ? 'Primary' : `Worker ${entry.workerId}`;
}

/** `pid 123 · :9230 · listening · running · 4 connections` */
export function processDescription(entry: ProcessEntry): string {
  const parts = [entry.pid === null ? 'pid ?' : `pid ${entry.pid}`];
  if (entry.inspectorPort !== null) {
    parts.push(`:${entry.inspectorPort}`);
  }
  if (entry.stage) {
    parts.push(entry.stage);
  }
  if (entry.state !== 'unknown') {
    parts.push(entry.state);
  }
  if (entry.role === 'worker') {
    parts.push(entry.connections === 1 ? '1 connection' : `${entry.connections} connections`);
  }
  return parts.join(' · ');
}

/** `connection seq 5`, `exit (code 0)`, `listening 127.0.0.1:8000`… */
export function eventLabel(event: AnyLifecycleEvent): string {
  switch (event.stage) {
    case 'accepted':
    case 'newconn-sent':
    case 'newconn-received':
    case 'connection':
      return event.detail.seq === null ? event.stage : `${event.stage} seq ${event.detail.seq}`;
    case 'fork':
    case 'online':
    case 'query-server':
      return event.process === 'primary' ? `${event.stage} (worker ${event.detail.workerId})` : event.stage;
    case 'listening':
    case 'listen-requested':
      return event.detail.port === null ? event.stage : `${event.stage} :${event.detail.port}`;
    case 'exit':
      return `exit (${event.detail.signal ?? `code ${event.detail.code}`})`;
    case 'disconnect':
      return `disconnect (${event.detail.step})`;
    default:
      return event.stage;
  }
}

class ProcessesTree extends RefreshableTree<Node> {

  constructor(private readonly store: ProcessStore) {
    super();
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return this.store.entries().map((entry) => ({ kind: 'process', entry }));
    }
    if (node.kind === 'syscalls') {
      return node.entry.syscalls.map((event) => ({ kind: 'syscall', entry: node.entry, event }));
    }
    if (node.kind !== 'process') {
      return [];
    }
    const syscalls: Node[] = node.entry.syscalls.length > 0 ? [{ kind: 'syscalls', entry: node.entry }] : [];
    return [...syscalls, ...node.entry.history.map((event): Node => ({ kind: 'event', entry: node.entry, event }))];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'syscalls') {
      const item = new vscode.TreeItem('Syscalls', vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.entry.key}:syscalls`;
      item.description = `${node.entry.syscalls.length} recent`;
      item.iconPath = new vscode.ThemeIcon('terminal-linux');
      item.tooltip = 'The kernel\'s side: this process\'s recent socket syscalls (strace), newest first';
      return item;
    }
    if (node.kind === 'syscall') {
      const item = new vscode.TreeItem(describeSyscall(node.event.detail), vscode.TreeItemCollapsibleState.None);
      item.description = `+${this.store.sinceStart(node.event).toFixed(1)} ms`;
      item.accessibilityInformation = { label: `${item.label} ${item.description}` };
      item.tooltip = `${node.event.detail.call} in pid ${node.event.pid}\n${JSON.stringify(node.event.detail)}`;
      return item;
    }
    if (node.kind === 'event') {
      const { event } = node;
      const item = new vscode.TreeItem(eventLabel(event), vscode.TreeItemCollapsibleState.None);
      item.description = `+${this.store.sinceStart(event).toFixed(1)} ms`;
      item.accessibilityInformation = { label: `${item.label} ${item.description}` };
      item.tooltip = `${event.stage} in the ${event.process === 'primary' ? 'primary' : `worker ${event.workerId}`} (pid ${event.pid})\n${JSON.stringify(event.detail)}`;
      return item;
    }
    const { entry } = node;
    const item = new vscode.TreeItem(processLabel(entry), entry.history.length + entry.syscalls.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = entry.key;
    item.description = processDescription(entry);
    item.accessibilityInformation = { label: `${item.label} ${item.description}` };
    item.iconPath = stateIcons[entry.state];
    item.contextValue = processContextValue(entry);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${processLabel(entry)}**\n\n`);
    tooltip.appendMarkdown(`- pid: ${entry.pid ?? 'unknown'}\n`);
    tooltip.appendMarkdown(`- inspector port: ${entry.inspectorPort ?? 'unknown'}\n`);
    tooltip.appendMarkdown(`- state: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}\n`);
    tooltip.appendMarkdown(`- stage: ${entry.stage ?? 'none yet'}\n`);
    if (entry.role === 'worker') {
      tooltip.appendMarkdown(`- connections handled: ${entry.connections}\n`);
    }
    item.tooltip = tooltip;
    return item;
  }
}

/**
 * Registers the Processes view and feeds its store from every cluster-tour session's custom
 * events. The result owns the tree view, the listeners and the emitter.
 */
export function registerProcessesView(viewId: string): vscode.Disposable {
  const disposables = new DisposableStore();
  const store = new ProcessStore();
  const tree = disposables.add(new ProcessesTree(store));
  disposables.add(store.onChange(() => tree.refresh()));
  disposables.add(vscode.window.createTreeView(viewId, { treeDataProvider: tree, showCollapseAll: true }));
  let current: vscode.DebugSession | undefined;
  disposables.add(registerProcessControls(() => current));
  const follow = (session: vscode.DebugSession): void => {
    if (current?.id !== session.id) {
      current = session;
      store.reset();
    }
  };
  disposables.add(
    vscode.debug.onDidStartDebugSession((session) => {
      if (session.type === debugType) {
        follow(session);
      }
    }),
  );
  disposables.add(
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== debugType) {
        return;
      }
      follow(event.session);
      if (event.event === customEvents.stage) {
        store.applyStage(event.body as AnyLifecycleEvent);
      } else if (event.event === customEvents.syscall) {
        store.applySyscall(event.body as SyscallEvent);
      } else if (event.event === customEvents.process) {
        store.applyProcess(event.body as ProcessEventBody);
      }
    }),
  );
  disposables.add(
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.id === current?.id) {
        store.end();
      }
    }),
  );
  return toDisposable(() => disposables.dispose());
}
