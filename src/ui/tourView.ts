// The Tour view: the stops of the current tour, done ✓ / current ▶ / pending ○, each with the
// process it pauses in and its explanation as tooltip. The TourStore drives it through its change
// event; the stop shown is revealed and its explanation is the view's message.
import * as vscode from 'vscode';
import { commands } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import type { TourStopEntry } from '../adapter/tourProtocol';
import type { TourStore } from './tourStore';
import { explanationMarkdown, plainText, stopHeading, stopProcess } from './tourText';

const icons = {
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  current: new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('debugIcon.pauseForeground')),
  pending: new vscode.ThemeIcon('circle-large-outline'),
};

class TourTree implements vscode.TreeDataProvider<TourStopEntry> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly store: TourStore) {}

  refresh(): void {
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  getChildren(stop?: TourStopEntry): TourStopEntry[] {
    return stop ? [] : (this.store.tour?.stops ?? []);
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(stop: TourStopEntry): vscode.TreeItem {
    const total = this.store.tour?.stops.length ?? 0;
    const shown = this.store.shown === stop.index;
    const item = new vscode.TreeItem(`${stop.index + 1}. ${stop.title.replace(/ · (primary|worker)$/, '')}`);
    item.id = `${this.store.tour?.tourId}:${stop.index}`;
    item.description = `${stopProcess(stop)}${shown ? ' · shown' : ''}`;
    item.iconPath = icons[stop.status];
    item.accessibilityInformation = { label: `${stopHeading(stop, total)}, ${stop.status}${shown ? ', shown' : ''}: ${stop.title}` };
    const tooltip = new vscode.MarkdownString(explanationMarkdown(stop, total));
    item.tooltip = tooltip;
    item.contextValue = `clusterTour.stop.${stop.status}`;
    item.command = { command: commands.revealStop, title: 'Show Stop', arguments: [stop.index] };
    return item;
  }
}

/** Registers the Tour view over the store; the result owns the view and its listeners. */
export function registerTourView(viewId: string, store: TourStore): vscode.Disposable {
  const disposables = new DisposableStore();
  const tree = disposables.add(new TourTree(store));
  const view = disposables.add(vscode.window.createTreeView(viewId, { treeDataProvider: tree }));
  let revealed: string | undefined;
  disposables.add(
    store.onChange(() => {
      tree.refresh();
      const tour = store.tour;
      const shown = store.shown === null ? undefined : store.stop(store.shown);
      view.title = tour ? `Tour: ${tour.title}` : 'Tour';
      view.message = tour ? (shown ? plainText(explanationMarkdown(shown, tour.stops.length)) : `${tour.title}: ${tour.state === 'starting' ? 'the program runs towards the first stop…' : tour.state}`) : undefined;
      view.badge = tour && store.inTour && tour.current !== null ? { value: tour.current + 1, tooltip: `Stop ${tour.current + 1} of ${tour.stops.length}` } : undefined;
      // Reveal once per newly shown stop: the view opens there, as CodeTour's does.
      const key = shown && tour ? `${tour.tourId}:${shown.index}:${tour.state}` : undefined;
      if (shown && key !== revealed) {
        revealed = key;
        void Promise.resolve(view.reveal(shown, { select: true, focus: false })).catch((error: unknown) => console.warn(`Cluster Tour: could not reveal the stop in the Tour view: ${String(error)}`));
      }
    }),
  );
  return toDisposable(() => disposables.dispose());
}
