// The tour engine: walks one tour over a running cluster. It arms a breakpoint at the current
// stop's call site only, holds the first pause there in the stop's role, checks the stop's claims
// in that frame, and on `next()` disarms, arms the next stop and resumes. Pauses at the tour's own
// breakpoints anywhere else are let go at once. Knows nothing of VS Code or DAP.
import { monotonicMilliseconds } from '../../common/clock';
import { Disposable, DisposableStore } from '../../common/disposable';
import { Emitter } from '../../common/emitter';
import { ClusterTourError, messageOf } from '../../common/errors';
import type { AnyLifecycleEvent } from '../../common/stages';
import type { CallSiteResolution, ResolvedCallSite } from '../callSites/callSite';
import type { DebugOperations } from '../session/debugOperations';
import type { ProcessIdentity } from '../session/processSession';
import type { BreakpointRequest, ClusterRuntime, ProblemEvent, RuntimePausedEvent } from '../runtime';
import { checkExpressionClaim, checkProcessClaim, ClaimResult, clockAndFlush, decideNextStage, isCandidate, NextStageWindow } from './claims';
import type { Claim, Tour, TourStop } from './tour';

/** What the engine needs of the runtime (ClusterRuntime has it; tests may fake it). */
export type TourRuntime = Pick<
  ClusterRuntime,
  'resolutions' | 'addBreakpoint' | 'removeBreakpoint' | 'resume' | 'session' | 'onPaused' | 'onStage' | 'onEnd' | 'reportedUntil'
> & { readonly nodeVersion?: string };

export interface TourStopEvent {
  tourId: string;
  stopIndex: number;
  stop: TourStop;
  process: ProcessIdentity;
  /** One per claim, in the stop's order. */
  claimResults: ClaimResult[];
}

export interface TourFinishedEvent {
  tourId: string;
  /** Every stop reached, with all its claims decided. */
  stops: TourStopEvent[];
  /** False when the program ended (or the engine was disposed) before the last stop. */
  completed: boolean;
}

type State =
  | { kind: 'idle' }
  | { kind: 'armed'; index: number; owner: string }
  | { kind: 'checking'; index: number; owner: string }
  | { kind: 'paused'; index: number; owner: string; process: ProcessIdentity; pausedAt: number }
  | { kind: 'done' };

interface PendingStop {
  event: TourStopEvent;
  window: NextStageWindow | undefined;
  candidates: AnyLifecycleEvent[];
  /** Set once a candidate came: every process is asked to report up to now before deciding. */
  settling: boolean;
}

/** The breakpoint of one stop of a tour, from the call sites the running Node resolved. */
export function stopBreakpoint(tour: Tour, index: number, resolutions: readonly CallSiteResolution[]): BreakpointRequest {
  const stop = tour.stops[index];
  const resolved = resolutionOf(stop, resolutions);
  const conditions = [resolved.site.filter, stop.condition].filter((part): part is string => part !== undefined);
  return {
    id: `tour:${tour.id}:${index}`,
    location: { url: resolved.url, lineNumber: resolved.lineNumber, columnNumber: resolved.columnNumber },
    condition: conditions.length > 0 ? conditions.map((part) => `(${part})`).join(' && ') : undefined,
    // Only where the stop happens: processes of the other role never pause for it.
    roles: [stop.role],
  };
}

function resolutionOf(stop: TourStop, resolutions: readonly CallSiteResolution[]): ResolvedCallSite {
  const resolution = resolutions.find((candidate) => candidate.site.id === stop.callSite);
  if (!resolution) {
    throw new ClusterTourError('E_TOUR_UNKNOWN_CALL_SITE', `The stop "${stop.id}" names "${stop.callSite}", which is not in the catalogue.`);
  }
  if (!resolution.resolved) {
    throw new ClusterTourError('E_TOUR_UNRESOLVED', `The stop "${stop.id}" cannot be placed in this Node: ${resolution.reason}.`);
  }
  return resolution;
}

export class TourEngine implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly stopEmitter = new Emitter<TourStopEvent>();
  private readonly settledEmitter = new Emitter<TourStopEvent>();
  private readonly finishedEmitter = new Emitter<TourFinishedEvent>();
  private readonly problemEmitter = new Emitter<ProblemEvent>();
  private state: State = { kind: 'idle' };
  private readonly pending = new Set<PendingStop>();
  private readonly settled: TourStopEvent[] = [];
  private ended = false;
  private finished = false;
  private disposed = false;

  /** The tour paused at a stop; `next-stage` claims are still undecided (`ok: undefined`). */
  readonly onStop = this.stopEmitter.event;
  /** Every claim of a stop is decided (after resuming from it, for `next-stage` claims). */
  readonly onStopSettled = this.settledEmitter.event;
  /** The last stop was left and every claim decided, or the program ended first. */
  readonly onFinished = this.finishedEmitter.event;
  /** Something failed (a resume, a breakpoint) but the tour goes on if it can. */
  readonly onProblem = this.problemEmitter.event;

  constructor(
    private readonly runtime: TourRuntime,
    readonly tour: Tour,
  ) {
    this.disposables.add(runtime.onPaused((event) => this.onPaused(event)));
    this.disposables.add(runtime.onStage((event) => this.onStage(event)));
    this.disposables.add(runtime.onEnd(() => this.onEnd()));
  }

  /** The index of the stop armed or held now; undefined before `start()` and after the end. */
  get currentIndex(): number | undefined {
    return this.state.kind === 'idle' || this.state.kind === 'done' ? undefined : this.state.index;
  }

  get isPaused(): boolean {
    return this.state.kind === 'paused';
  }

  /** Arms the first stop (a no-op if the launch already carried `stopBreakpoint(tour, 0, …)`). */
  async start(): Promise<void> {
    if (this.state.kind !== 'idle') {
      throw new ClusterTourError('E_TOUR_STARTED', `The tour "${this.tour.id}" has already started.`);
    }
    await this.arm(0);
  }

  /** Leaves the stop held now: disarms it, arms the next one (if any) and resumes the process. */
  async next(): Promise<void> {
    const held = this.state;
    if (held.kind !== 'paused') {
      throw new ClusterTourError('E_TOUR_NOT_PAUSED', `The tour "${this.tour.id}" is not paused at a stop.`);
    }
    await this.changeBreakpoints(() => this.runtime.removeBreakpoint(held.owner));
    const following = held.index + 1;
    if (following < this.tour.stops.length) {
      await this.arm(following);
    } else {
      this.state = { kind: 'done' };
    }
    const entry = [...this.pending].find((candidate) => candidate.event.stopIndex === held.index);
    if (entry) {
      entry.window = { process: held.process, pausedAt: held.pausedAt, resumedAt: monotonicMilliseconds() };
    }
    try {
      await this.runtime.resume(held.process.pid);
    } catch (error) {
      this.report('E_TOUR_RESUME', `Could not resume pid ${held.process.pid}: ${messageOf(error)}`, held.process.pid);
    }
    this.maybeFinish();
  }

  dispose(): void {
    this.disposed = true;
    this.disposables.dispose();
  }

  private async arm(index: number): Promise<void> {
    const request = stopBreakpoint(this.tour, index, this.runtime.resolutions);
    this.state = { kind: 'armed', index, owner: `bp:${request.id}` };
    await this.changeBreakpoints(() => this.runtime.addBreakpoint(request));
  }

  /**
   * A process that exits while breakpoints change (a worker at the end of a disconnect) fails the
   * whole change, and the other processes may not be done yet: change again (the same request
   * is idempotent), by then without the process that went away.
   */
  private async changeBreakpoints(change: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await change();
        return;
      } catch (error) {
        if (attempt === 3) {
          this.report('E_TOUR_BREAKPOINT', `Could not move the tour's breakpoint: ${messageOf(error)}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private onPaused(event: RuntimePausedEvent): void {
    const ours = event.stopOwners.filter((owner) => owner.startsWith(`bp:tour:${this.tour.id}:`));
    if (ours.length === 0) {
      return; // someone else's pause (a person's breakpoint, a preset): not ours to resume
    }
    const state = this.state;
    const stop = state.kind === 'armed' ? this.tour.stops[state.index] : undefined;
    if (state.kind !== 'armed' || !stop || !ours.includes(state.owner) || event.process.role !== stop.role) {
      // A stop already left, the wrong role, or a second process at the stop held now. A pause
      // that another owner wanted too (a person's breakpoint at the same place) stays paused.
      if (event.stopOwners.length === ours.length) {
        this.letGo(event.process);
      }
      return;
    }
    this.state = { kind: 'checking', index: state.index, owner: state.owner };
    void this.hold(event, state.index, state.owner).catch((error: unknown) => {
      this.report('E_TOUR_CLAIMS', `Could not check the claims of stop "${stop.id}": ${messageOf(error)}`, event.process.pid);
    });
  }

  private async hold(event: RuntimePausedEvent, index: number, owner: string): Promise<void> {
    const stop = this.tour.stops[index];
    const session = this.runtime.session(event.process.pid);
    const frame = event.callFrames[0];
    if (!session || !frame) {
      throw new ClusterTourError('E_TOUR_NO_FRAME', `pid ${event.process.pid} paused without a session or a frame.`);
    }
    const pausedAt = await clockAndFlush(session.debug, frame.callFrameId).catch((error: unknown) => {
      // Without the process's clock, `next-stage` claims count its events from our own: the stop still shows.
      this.report('E_TOUR_CLOCK', `Could not read the clock of pid ${event.process.pid} at stop "${stop.id}": ${messageOf(error)}`, event.process.pid);
      return performance.timeOrigin + performance.now();
    });
    const claimResults: ClaimResult[] = [];
    for (const claim of stop.claims) {
      claimResults.push(await this.checkSafely(claim, event.process, session.debug, frame.callFrameId));
    }
    const stopEvent: TourStopEvent = { tourId: this.tour.id, stopIndex: index, stop, process: event.process, claimResults };
    this.state = { kind: 'paused', index, owner, process: event.process, pausedAt };
    const entry: PendingStop = { event: stopEvent, window: undefined, candidates: [], settling: false };
    this.pending.add(entry);
    this.stopEmitter.fire(stopEvent);
    this.maybeSettle(entry);
  }

  /** A check that throws is a failed claim that says why: the stop is shown all the same. */
  private async checkSafely(claim: Claim, process: ProcessIdentity, debug: DebugOperations, callFrameId: string): Promise<ClaimResult> {
    try {
      return await this.check(claim, process, debug, callFrameId);
    } catch (error) {
      return { claim, ok: false, actual: `threw: ${messageOf(error)}` };
    }
  }

  private check(claim: Claim, process: ProcessIdentity, debug: DebugOperations, callFrameId: string): Promise<ClaimResult> | ClaimResult {
    switch (claim.kind) {
      case 'process':
        return checkProcessClaim(claim, process);
      case 'expression':
        return checkExpressionClaim(claim, debug, callFrameId, this.runtime.nodeVersion);
      case 'next-stage':
        return { claim, ok: undefined, actual: undefined };
      default:
        // Tours are data: one written for another version may carry a kind this one cannot check.
        throw new ClusterTourError('E_TOUR_CLAIM_KIND', `the claim kind "${(claim as { kind?: unknown }).kind}" is not one this Cluster Tour can check (process, expression, next-stage)`);
    }
  }

  private onStage(event: AnyLifecycleEvent): void {
    for (const entry of this.pending) {
      const window = entry.window;
      if (!window) continue;
      const wanted = entry.event.stop.claims.some((claim) => claim.kind === 'next-stage' && isCandidate(claim, window, event));
      if (wanted) {
        entry.candidates.push(event);
        if (!entry.settling) {
          // Another process's earlier event may still be on its way (batched, or in flight): decide
          // once every process has reported past this one. This event was stamped before it
          // arrived, so before the round asks, and any earlier one is in when the round is done.
          entry.settling = true;
          void this.runtime.reportedUntil().then(
            () => this.settle(entry),
            (error: unknown) => {
              this.report('E_TOUR_SETTLE', `Could not collect the lifecycle events after stop "${entry.event.stop.id}": ${messageOf(error)}`);
              this.settle(entry);
            },
          );
        }
      }
    }
  }

  /** A stop with no `next-stage` claim is settled at once. */
  private maybeSettle(entry: PendingStop): void {
    if (!entry.event.stop.claims.some((claim) => claim.kind === 'next-stage')) {
      this.settle(entry);
    }
  }

  private settle(entry: PendingStop): void {
    if (this.disposed || !this.pending.delete(entry)) return;
    const window = entry.window;
    const claimResults = entry.event.claimResults.map((result): ClaimResult => {
      if (result.claim.kind !== 'next-stage' || result.ok !== undefined) {
        return result;
      }
      if (!window) {
        // The program ended while held at this stop: what comes next never had a chance to happen.
        return { claim: result.claim, ok: undefined, actual: 'the tour ended at this stop' };
      }
      const claim = result.claim;
      return decideNextStage(claim, entry.candidates.filter((event) => isCandidate(claim, window, event)));
    });
    const settled = { ...entry.event, claimResults };
    this.settled.push(settled);
    this.settledEmitter.fire(settled);
    this.maybeFinish();
  }

  private onEnd(): void {
    this.ended = true;
    // Nothing more will be recorded: decide every claim still waiting with what arrived.
    for (const entry of [...this.pending]) {
      this.settle(entry);
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || this.pending.size > 0) return;
    const completed = this.state.kind === 'done';
    if (!completed && !this.ended) return;
    this.finished = true;
    const stops = [...this.settled].sort((a, b) => a.stopIndex - b.stopIndex);
    this.finishedEmitter.fire({ tourId: this.tour.id, stops, completed });
  }

  private letGo(process: ProcessIdentity): void {
    this.runtime.resume(process.pid).catch((error: unknown) => this.report('E_TOUR_RESUME', `Could not resume pid ${process.pid}: ${messageOf(error)}`, process.pid));
  }

  private report(code: string, message: string, pid?: number): void {
    this.problemEmitter.fire({ code, message, pid });
  }
}
