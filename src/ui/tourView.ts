// The Tour view: the stops of the current tour, done ✓ / current ▶ / pending ○, each with the
// process it pauses in and its explanation as tooltip. The TourStore drives it through its change
// event; the stop shown is revealed and its explanation is the view's message.
import * as vscode from 'vscode';
import { RefreshableTree } from './refreshableTree';
import { commands } from '../common/contributions';
import { DisposableStore, toDisposable } from '../common/disposable';
import type { TourBody, TourStopEntry } from '../adapter/tourProtocol';
import type { TourStore } from './tourStore';
import { completionMessage, explanationMarkdown, plainText, stopHeading, stopProcess } from './tourText';

const icons = {
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  current: new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('debugIcon.pauseForeground')),
  pending: new vscode.ThemeIcon('circle-large-outline'),
};

class TourTree extends RefreshableTree<TourStopEntry> {

  constructor(private readonly store: TourStore) {
    super();
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

/**
 * The view's message: which stop is shown and its title, or how the tour ended. The explanation
 * itself is at the stop's line (a comment) and in each stop's tooltip: in the message it pushed
 * the stops out of sight.
 */
function messageOf(tour: TourBody, shown: TourStopEntry | undefined, inTour: boolean): string {
  const over = completionMessage(tour);
  if (over || !inTour) {
    return over ?? `The tour "${tour.title}" ended.`;
  }
  if (shown) {
    return `${stopHeading(shown, tour.stops.length)}: ${plainText(shown.title)}`;
  }
  return `${tour.title}: the program runs towards stop ${(tour.current ?? 0) + 1}…`;
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
      view.message = tour ? messageOf(tour, shown, store.inTour) : undefined;
      view.badge = tour && store.inTour && tour.current !== null ? { value: tour.current + 1, tooltip: `Stop ${tour.current + 1} of ${tour.stops.length}` } : undefined;
      // Reveal once per newly shown stop: the view opens there, as CodeTour's does.
      const key = shown && tour ? `${tour.tourId}:${shown.index}:${tour.state}` : undefined;
      if (shown && store.inTour && key !== revealed) {
        revealed = key;
        void Promise.resolve(view.reveal(shown, { select: true, focus: false })).catch((error: unknown) => console.warn(`Cluster Tour: could not reveal the stop in the Tour view: ${String(error)}`));
      }
    }),
  );
  return toDisposable(() => disposables.dispose());
}
