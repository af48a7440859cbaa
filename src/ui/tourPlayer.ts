// Plays the tour of a cluster-tour session in the editor: feeds the TourStore from the adapter's
// clusterTour.tour events, keeps the clusterTour.inTour context key and the status bar item, shows
// each stop's explanation at its line, and runs Next / Previous / End Tour and Show Stop.
import * as vscode from 'vscode';
import { commands, contextKeys, customEvents, customRequests, debugType } from '../common/contributions';
import { DisposableStore } from '../common/disposable';
import { messageOf } from '../common/errors';
import type { TourBody } from '../adapter/tourProtocol';
import { sourceColumn } from './sourceColumn';
import { StopExplanation } from './stopExplanation';
import { TourStore } from './tourStore';
import { completionMessage, statusText } from './tourText';

/** Whether a session walks a tour: its launch configuration names one. */
export const isTourSession = (session: vscode.DebugSession): boolean => session.type === debugType && typeof session.configuration.tour === 'string';

export class TourPlayer implements vscode.Disposable {
  readonly store = new TourStore();
  private readonly disposables = new DisposableStore();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly explanation: StopExplanation;
  private tourSession: vscode.DebugSession | undefined;
  private announced: string | undefined;
  /** Set when the person shows a stop themselves: its source is opened by us, not by VS Code. */
  private openOnShow = false;

  constructor() {
    this.statusItem = this.disposables.add(vscode.window.createStatusBarItem('clusterTour.stop', vscode.StatusBarAlignment.Left, 50));
    this.statusItem.name = 'Cluster Tour stop';
    this.statusItem.command = commands.nextStop;
    this.explanation = this.disposables.add(new StopExplanation());
    this.disposables.add(this.store.onChange(() => this.update()));
    this.disposables.add(
      vscode.debug.onDidStartDebugSession((session) => {
        if (isTourSession(session)) {
          this.tourSession = session;
          this.announced = undefined;
          this.store.start();
        }
      }),
    );
    this.disposables.add(
      vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
        if (event.session.type === debugType && event.event === customEvents.tour) {
          this.tourSession = event.session;
          this.store.apply(event.body as TourBody);
        }
      }),
    );
    this.disposables.add(
      vscode.debug.onDidTerminateDebugSession((session) => {
        if (session.id === this.tourSession?.id) {
          this.tourSession = undefined;
          this.store.end();
        }
      }),
    );
    this.disposables.add(vscode.commands.registerCommand(commands.nextStop, () => this.next()));
    this.disposables.add(vscode.commands.registerCommand(commands.previousStop, () => this.previous()));
    this.disposables.add(vscode.commands.registerCommand(commands.endTour, () => this.end()));
    this.disposables.add(vscode.commands.registerCommand(commands.revealStop, (index: unknown) => this.reveal(Number(index))));
  }

  /** The session walking the tour now, if any. */
  get session(): vscode.DebugSession | undefined {
    return this.tourSession;
  }

  /** Ends the tour's session; resolves once VS Code was asked to stop it. */
  async end(): Promise<void> {
    const session = this.tourSession;
    if (!session) {
      void vscode.window.showInformationMessage('Cluster Tour: no tour is running.');
      return;
    }
    await vscode.debug.stopDebugging(session);
  }

  private async next(): Promise<void> {
    const action = this.store.nextAction();
    if (action.kind === 'show') {
      this.openOnShow = true;
      this.store.show(action.index);
      return;
    }
    if (action.kind === 'none') {
      void vscode.window.showInformationMessage(`Cluster Tour: ${action.reason}`);
      return;
    }
    const session = this.tourSession;
    if (!session) {
      return;
    }
    try {
      this.store.apply((await session.customRequest(customRequests.nextStop)) as TourBody);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: could not go on to the next stop: ${messageOf(error)}`);
    }
  }

  private previous(): void {
    const index = this.store.previousIndex();
    if (index === undefined) {
      void vscode.window.showInformationMessage(this.store.shown === null ? 'Cluster Tour: no stop reached yet.' : 'Cluster Tour: this is the first stop.');
      return;
    }
    this.openOnShow = true;
    this.store.show(index);
  }

  private reveal(index: number): void {
    const stop = this.store.stop(index);
    if (!stop) {
      return;
    }
    if (!this.store.isReached(index)) {
      void vscode.window.showInformationMessage(`Cluster Tour: stop ${index + 1} (${stop.title}) is not reached yet.`);
      return;
    }
    this.openOnShow = true;
    this.store.show(index);
  }

  private update(): void {
    const tour = this.store.tour;
    const inTour = this.store.inTour;
    void vscode.commands.executeCommand('setContext', contextKeys.inTour, inTour);
    if (!inTour || !tour) {
      this.statusItem.hide();
    } else {
      this.statusItem.text = statusText(tour, this.store.shown);
      this.statusItem.tooltip = `${tour.title}: Next Stop (${process.platform === 'darwin' ? '⌘→' : 'Ctrl+→'})`;
      this.statusItem.show();
    }
    const shown = this.store.shown === null ? undefined : this.store.stop(this.store.shown);
    const session = this.tourSession;
    if (inTour && tour && shown?.place && session) {
      const uri = vscode.debug.asDebugSourceUri(shown.place.source, session);
      this.explanation.show({ uri, line: shown.place.line }, shown, tour.stops.length);
      if (this.openOnShow) {
        this.openOnShow = false;
        void this.open(uri, shown.place.line);
      }
    } else {
      this.explanation.clear();
    }
    const message = tour ? completionMessage(tour) : undefined;
    if (tour && message && this.announced !== tour.tourId) {
      this.announced = tour.tourId;
      void vscode.window.showInformationMessage(message);
    }
  }

  /** Opens a stop's internal source (read-only, as VS Code's own debug: documents are) at its line. */
  private async open(uri: vscode.Uri, line: number): Promise<void> {
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const range = new vscode.Range(line - 1, 0, line - 1, 0);
      await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false, preview: true, viewColumn: sourceColumn() });
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: could not open the stop's source: ${messageOf(error)}`);
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

