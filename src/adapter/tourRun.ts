// A guided tour walked in a debug session: the tour engine (cluster/tours/engine.ts) over the
// session's runtime, its stops shown as DAP stopped events and its progress as clusterTour.tour
// events (tourProtocol.ts). The engine decides which pauses are the tour's and lets the others go.
import { Event, OutputEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { customEvents } from '../common/contributions';
import { DisposableStore, type Disposable } from '../common/disposable';
import { ClusterTourError } from '../common/errors';
import { describeClaim, type ClaimResult } from '../cluster/tours/claims';
import { TourEngine, type TourFinishedEvent, type TourStopEvent } from '../cluster/tours/engine';
import type { Tour } from '../cluster/tours/tour';
import type { ClusterRuntime, RuntimePausedEvent } from '../cluster/runtime';
import { monotonicMilliseconds } from '../common/clock';
import { StopSyscalls } from '../cluster/syscalls/stopSyscalls';
import { claimedSocket, matchSyscallClaim, syscallClaims } from '../cluster/syscalls/syscallClaims';
import { describeSyscall } from '../common/syscalls';
import type { TourBody, TourClaimEntry, TourState, TourStopEntry, TourStopPlace } from './tourProtocol';

/** What the tour needs of the debug session. */
export interface TourHost {
  send(event: DebugProtocol.Event): void;
  /** Sends the stopped event of a pause held back so far; `describe` rewords it. */
  announce(event: RuntimePausedEvent, describe: (stopped: DebugProtocol.StoppedEvent, threadName: string) => void): void;
  /** The DAP thread of a process, while it is attached. */
  threadId(pid: number): number | undefined;
  /** The top frame of a paused process, as a stackTrace request answers it. */
  topFrame(pid: number): DebugProtocol.StackFrame | undefined;
}

interface ReachedStop {
  place?: TourStopPlace;
  claims: TourClaimEntry[];
}

/** True when only this tour's breakpoints made the process pause. */
export function isTourPause(tourId: string, event: RuntimePausedEvent): boolean {
  return event.stopOwners.length > 0 && event.stopOwners.every((owner) => owner.startsWith(`bp:tour:${tourId}:`));
}

export class TourRun implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly engine: TourEngine;
  private state: TourState = 'starting';
  private current: number | null = 0;
  private readonly reached = new Map<number, ReachedStop>();
  /** The last pause of each process at this tour's breakpoints, to announce when the engine holds it. */
  private readonly pauses = new Map<number, RuntimePausedEvent>();
  private heldPid: number | undefined;
  private readonly stopSyscalls = new StopSyscalls();
  private readonly tracesSyscalls: boolean;
  /** When the tour stopped moving: syscalls still on their way get a moment before claims about them fail. */
  private overSince: number | undefined;

  constructor(
    readonly tour: Tour,
    runtime: ClusterRuntime,
    private readonly host: TourHost,
  ) {
    this.engine = this.disposables.add(new TourEngine(runtime, tour));
    this.tracesSyscalls = runtime.tracesSyscalls;
    this.disposables.add(
      runtime.onPaused((event) => {
        if (isTourPause(tour.id, event)) {
          this.pauses.set(event.process.pid, event);
        }
      }),
    );
    this.disposables.add(
      runtime.onSyscall((event) => {
        if (this.stopSyscalls.add(event) !== undefined) {
          this.sendBody();
        }
      }),
    );
    this.disposables.add(this.engine.onStop((event) => this.stopped(event)));
    this.disposables.add(this.engine.onStopSettled((event) => this.settled(event)));
    this.disposables.add(this.engine.onFinished((event) => this.finished(event)));
    this.disposables.add(this.engine.onProblem((problem) => host.send(new OutputEvent(`Cluster Tour: ${problem.message} (${problem.code})\n`, 'console'))));
  }

  /** Arms the first stop (already in the launch options) and says the tour started. */
  async start(): Promise<void> {
    this.sendBody();
    await this.engine.start();
  }

  /** True when the tour holds this process at its current stop. */
  holds(pid: number): boolean {
    return this.engine.isPaused && this.heldPid === pid;
  }

  /** Leaves the stop held now for the next one; answers the tour as it is then. */
  async next(): Promise<TourBody> {
    const index = this.current;
    if (!this.engine.isPaused || index === null) {
      throw new ClusterTourError('E_TOUR_NOT_PAUSED', this.notPausedMessage());
    }
    this.heldPid = undefined;
    this.state = 'running';
    this.current = index + 1 < this.tour.stops.length ? index + 1 : null;
    this.sendBody();
    await this.engine.next();
    return this.body();
  }

  body(): TourBody {
    const stops = this.tour.stops.map((stop, index): TourStopEntry => {
      const reached = this.reached.get(index);
      const syscalls = this.stopSyscalls.syscallsOf(index).map((call) => describeSyscall(call.detail));
      return {
        index,
        id: stop.id,
        title: stop.title,
        explanation: stop.explanation,
        role: stop.role,
        callSite: stop.callSite,
        status: this.statusOf(index),
        ...(reached ? { place: reached.place, claims: [...reached.claims, ...this.syscallClaimEntries(index)] } : {}),
        ...(syscalls.length > 0 ? { syscalls } : {}),
      };
    });
    return { tourId: this.tour.id, title: this.tour.title, summary: this.tour.summary, state: this.state, current: this.current, stops };
  }

  /** Claims about the syscalls of a reached stop, when syscalls are traced: decided when its call arrives. */
  private syscallClaimEntries(index: number): TourClaimEntry[] {
    const claims = this.tracesSyscalls ? (syscallClaims[this.tour.id]?.[this.tour.stops[index].id] ?? []) : [];
    const late = this.overSince !== undefined && Date.now() - this.overSince >= syscallGraceMilliseconds;
    return claims.map((claim) => {
      const match = matchSyscallClaim(claim, this.stopSyscalls.syscallsOf(index), (stopId) => this.claimedSocketOf(stopId));
      return { description: claim.description, ok: match ? true : late ? false : null, ...(match ? { actual: describeSyscall(match.detail) } : {}) };
    });
  }

  /** The socket the first syscall claim of a stop matched (claims refer to earlier stops only). */
  private claimedSocketOf(stopId: string): number | undefined {
    const index = this.tour.stops.findIndex((stop) => stop.id === stopId);
    const first = syscallClaims[this.tour.id]?.[stopId]?.[0];
    if (index < 0 || !first || first.sameSocketAs !== undefined) {
      return undefined;
    }
    const match = matchSyscallClaim(first, this.stopSyscalls.syscallsOf(index), () => undefined);
    return match ? claimedSocket(match) : undefined;
  }

  /** The tour stopped moving: decide what syscalls have not shown by the end of the grace. */
  private settleSyscallClaims(): void {
    this.overSince = Date.now();
    if (this.tracesSyscalls) {
      const timer = setTimeout(() => this.sendBody(), syscallGraceMilliseconds);
      this.disposables.add({ dispose: () => clearTimeout(timer) });
    }
  }

  /** The session stops: a tour not finished by then has ended. */
  dispose(): void {
    this.end();
    this.disposables.dispose();
  }

  private statusOf(index: number): TourStopEntry['status'] {
    if (this.current !== null) {
      return index < this.current ? 'done' : index === this.current ? 'current' : 'pending';
    }
    return this.reached.has(index) ? 'done' : 'pending';
  }

  private stopped(event: TourStopEvent): void {
    const { pid } = event.process;
    this.heldPid = pid;
    this.state = 'paused';
    this.current = event.stopIndex;
    this.reached.set(event.stopIndex, { place: this.placeOf(event), claims: event.claimResults.map(claimEntry) });
    this.stopSyscalls.reach(event.stopIndex, pid, monotonicMilliseconds());
    const pause = this.pauses.get(pid);
    if (pause) {
      const total = this.tour.stops.length;
      this.host.announce(pause, (stopped, threadName) => {
        stopped.body.reason = 'breakpoint';
        stopped.body.description = `Tour stop ${event.stopIndex + 1}/${total}: ${event.stop.title}`;
        stopped.body.text = threadName;
      });
    }
    this.sendBody();
  }

  private placeOf(event: TourStopEvent): TourStopPlace | undefined {
    const { pid, role, workerId } = event.process;
    const frame = this.host.topFrame(pid);
    const threadId = this.host.threadId(pid);
    if (!frame?.source || threadId === undefined) {
      return undefined;
    }
    return { pid, role, workerId, threadId, source: frame.source, line: frame.line, column: frame.column };
  }

  private settled(event: TourStopEvent): void {
    const reached = this.reached.get(event.stopIndex);
    if (reached) {
      reached.claims = event.claimResults.map(claimEntry);
    }
    this.sendBody();
  }

  private finished(event: TourFinishedEvent): void {
    for (const stop of event.stops) {
      const reached = this.reached.get(stop.stopIndex);
      if (reached) {
        reached.claims = stop.claimResults.map(claimEntry);
      }
    }
    this.state = event.completed ? 'finished' : 'ended';
    this.current = null;
    this.heldPid = undefined;
    this.settleSyscallClaims();
    this.sendBody();
  }

  private end(): void {
    if (this.state === 'finished' || this.state === 'ended') {
      return;
    }
    this.state = 'ended';
    this.current = null;
    this.heldPid = undefined;
    this.overSince ??= Date.now() - syscallGraceMilliseconds;
    this.sendBody();
  }

  private notPausedMessage(): string {
    const name = `The tour "${this.tour.id}"`;
    if (this.state === 'finished' || this.state === 'ended') {
      return `${name} has ${this.state}: there is no next stop.`;
    }
    const armed = this.current === null ? undefined : this.tour.stops[this.current];
    return armed
      ? `${name} is not paused at a stop: the program runs towards stop ${(this.current ?? 0) + 1} ("${armed.title}"). Next Stop works once it pauses there.`
      : `${name} is not paused at a stop: it left the last one.`;
  }

  private sendBody(): void {
    this.host.send(new Event(customEvents.tour, this.body()));
  }
}

/** How long syscalls may take to arrive (through strace's FIFO) after the tour stopped moving. */
const syscallGraceMilliseconds = 1500;

function claimEntry(result: ClaimResult): TourClaimEntry {
  const ok = result.ok ?? null;
  const entry: TourClaimEntry = { description: describeClaim(result.claim), ok };
  if (ok === null) {
    return entry;
  }
  if (result.claim.kind === 'next-stage') {
    const actual = result.actual as { stage?: string } | string;
    entry.actual = typeof actual === 'string' ? actual : actual.stage;
  } else if (!ok) {
    entry.actual = typeof result.actual === 'string' ? result.actual : JSON.stringify(result.actual);
  }
  return entry;
}
