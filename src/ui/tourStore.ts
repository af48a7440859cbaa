// The state behind the tour's views, status bar and commands: the TourBody the adapter sent last
// (clusterTour.tour events and answers) and the stop being shown, which Previous/Next Stop move
// among the stops already reached while the program stays at the one it holds. No vscode here.
import { Emitter } from '../common/emitter';
import type { TourBody, TourStopEntry } from '../adapter/tourProtocol';

/** What Next Stop does now. */
export type NextAction =
  /** Show a stop already reached (after Previous Stop). */
  | { kind: 'show'; index: number }
  /** Leave the stop held now: the adapter resumes to the next one. */
  | { kind: 'resume' }
  /** Nothing to do; say why. */
  | { kind: 'none'; reason: string };

export class TourStore {
  private body: TourBody | undefined;
  private shownIndex: number | null = null;
  private running = false;
  private readonly changeEmitter = new Emitter<void>();
  /** The tour, the stop shown or whether a tour runs changed. */
  readonly onChange = this.changeEmitter.event;

  /** The tour as the adapter sent it last; undefined before the first event. */
  get tour(): TourBody | undefined {
    return this.body;
  }

  /** The index of the stop shown (its source, line and explanation); null before the first stop. */
  get shown(): number | null {
    return this.shownIndex;
  }

  /** A tour session runs (from its start to its end, whatever the tour's state). */
  get inTour(): boolean {
    return this.running;
  }

  /** The stop the program is held at, or null when it is not paused at one. */
  get held(): number | null {
    return this.body?.state === 'paused' ? this.body.current : null;
  }

  /** A tour session starts: forget the last tour. */
  start(): void {
    this.body = undefined;
    this.shownIndex = null;
    this.running = true;
    this.changeEmitter.fire();
  }

  /** A new body from the adapter. Reaching a new stop shows it; otherwise the shown stop stays. */
  apply(body: TourBody): void {
    const heldBefore = this.held;
    if (this.body && this.body.tourId !== body.tourId) {
      this.shownIndex = null;
    }
    this.body = body;
    this.running = true;
    const held = this.held;
    if (held !== null && held !== heldBefore) {
      this.shownIndex = held;
    }
    if (this.shownIndex !== null && !this.isReached(this.shownIndex)) {
      this.shownIndex = null;
    }
    this.changeEmitter.fire();
  }

  /** The tour's session ended: the stops stay listed, nothing is held. */
  end(): void {
    this.running = false;
    this.changeEmitter.fire();
  }

  isReached(index: number): boolean {
    return this.body?.stops[index]?.place !== undefined;
  }

  stop(index: number): TourStopEntry | undefined {
    return this.body?.stops[index];
  }

  /** Shows a reached stop; false (and nothing changes) for one not reached yet. */
  show(index: number): boolean {
    if (!this.isReached(index)) {
      return false;
    }
    this.shownIndex = index;
    this.changeEmitter.fire();
    return true;
  }

  nextAction(): NextAction {
    const body = this.body;
    if (!body || !this.running) {
      return { kind: 'none', reason: 'No tour is running: start one with Cluster Tour: Start Guided Tour.' };
    }
    const held = this.held;
    if (this.shownIndex !== null) {
      const later = body.stops.find((stop) => stop.index > (this.shownIndex as number) && stop.place !== undefined && (held === null || stop.index <= held));
      if (later) {
        return { kind: 'show', index: later.index };
      }
    }
    if (held !== null) {
      return { kind: 'resume' };
    }
    if (body.current !== null) {
      return { kind: 'none', reason: `The program is on its way to stop ${body.current + 1} of ${body.stops.length}.` };
    }
    return { kind: 'none', reason: 'The tour is over: there is no next stop.' };
  }

  /** The reached stop before the one shown, if any. */
  previousIndex(): number | undefined {
    if (!this.body || this.shownIndex === null) {
      return undefined;
    }
    const earlier = this.body.stops.filter((stop) => stop.index < (this.shownIndex as number) && stop.place !== undefined);
    return earlier.at(-1)?.index;
  }
}
