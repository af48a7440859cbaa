// What the editor learns of a guided tour over DAP, so that the Tour view, the status bar and
// Next/Previous Stop work with the inline and the stdio adapter alike: the body of the
// clusterTour.tour event and of the answers to the clusterTour.tour / clusterTour.nextStop
// requests. A session runs a tour when its launch configuration names one (`tour`). The event
// comes when the tour starts, at each stop (right after its `stopped` event), when a stop's
// claims are decided, on leaving a stop, and when the tour finishes or ends.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ProcessRole } from '../common/stages';

/** done: left behind; current: held now (or armed, waiting for the program to get there); pending: later. */
export type TourStopStatus = 'done' | 'current' | 'pending';

/**
 * starting: the program runs towards the first stop; paused: held at `current`; running: left a
 * stop, on the way to `current`; finished: the last stop was left; ended: the program ended (or
 * the session stopped) before the last stop.
 */
export type TourState = 'starting' | 'paused' | 'running' | 'finished' | 'ended';

/** One claim of a reached stop, as checked in the paused frame (or after it, for what comes next). */
export interface TourClaimEntry {
  description: string;
  /** null while undecided (a claim about the next lifecycle event is decided after leaving the stop). */
  ok: boolean | null;
  /** What was found, when it differs or is worth showing (JSON text or a stage name). */
  actual?: string;
}

/** Where a reached stop paused. */
export interface TourStopPlace {
  pid: number;
  role: ProcessRole;
  /** Cluster worker id; null for the primary. */
  workerId: number | null;
  /** The DAP thread of the process (gone once the process exited). */
  threadId: number;
  /** The paused top frame's source: `node:internal/...` with a sourceReference, as in stack traces. */
  source: DebugProtocol.Source;
  /** The top frame's line and column in the client's numbering (linesStartAt1 as the client asked). */
  line: number;
  column: number;
}

export interface TourStopEntry {
  index: number;
  id: string;
  /** e.g. "The primary accepts the connection · primary". */
  title: string;
  /** Markdown: what happens here, in which process, and what comes next. */
  explanation: string;
  /** The process the stop pauses in. */
  role: ProcessRole;
  /** The catalogue id of the call site (callSites.ts). */
  callSite: string;
  status: TourStopStatus;
  /** Once reached: where it paused. */
  place?: TourStopPlace;
  /** Once reached: its claims, in the stop's order. */
  claims?: TourClaimEntry[];
  /**
   * With `syscalls`: the socket syscalls its stage caused in its process, as lines such as
   * `sendmsg(fd 26 socket:[66409], SCM_RIGHTS [fd 29 socket:[66721]]) = 129`.
   */
  syscalls?: string[];
}

/** Body of the clusterTour.tour event and of the answers to clusterTour.tour / clusterTour.nextStop. */
export interface TourBody {
  tourId: string;
  title: string;
  summary: string;
  state: TourState;
  /**
   * Index of the stop held now (paused) or armed (starting, running); null once finished or
   * ended, and while running after the last stop was left (its claims are still being decided).
   */
  current: number | null;
  stops: TourStopEntry[];
}
