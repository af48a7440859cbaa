// The sequence-diagram model of a cluster run: lanes (clients, the primary, each worker, the OS
// when syscall events exist) and arrows (every cluster message, each connection's path), built
// from lifecycle events. Pure data: no vscode, no DOM, no I/O; the CLI and the webview share it.
import type { AnyLifecycleEvent } from '../stages';
import type { SyscallEvent } from '../syscalls';
import { DiagramBuilder } from './builder';

export type { SyscallEvent } from '../syscalls';
export { DiagramBuilder, arrowCallSites, defaultConnectionLimit } from './builder';

export type DiagramEvent = AnyLifecycleEvent | SyscallEvent;

export type LaneKind = 'client' | 'primary' | 'worker' | 'os';

export interface Lane {
  /** `clients`, `primary`, `worker:<id>`, `os`. */
  id: string;
  kind: LaneKind;
  title: string;
  pid: number | null;
  /** The row its lifeline starts at (a worker's fork); 0 for lanes there from the start. */
  startRow: number;
  /** The row it ended at (exit), with what it exited with. */
  end?: { row: number; text: string };
}

export type ArrowKind = 'message' | 'reply' | 'connection' | 'self' | 'syscall' | 'note';

export interface Arrow {
  id: string;
  row: number;
  from: string;
  to: string;
  kind: ArrowKind;
  label: string;
  /** The stage of the event it comes from (`syscall` for the OS lane). */
  stage: string;
  time: number;
  /** The connection it belongs to, for following one connection across lanes. */
  connection?: string;
  /** A catalogue call-site id (src/cluster/callSites/callSites.ts): where in Node's source this happens. */
  callSite?: string;
}

export interface Diagram {
  lanes: Lane[];
  arrows: Arrow[];
  rows: number;
  /**
   * Connections drawn one by one, and those only counted past `connectionLimit` (with their
   * arrows); once connections are counted, the OS lane's syscalls are counted too.
   */
  connections: { drawn: number; aggregated: number; arrowsNotDrawn: number; syscallsNotDrawn: number };
}

export interface DiagramOptions {
  /** Connections drawn arrow by arrow; later ones are counted in one note. Default `defaultConnectionLimit` (40). */
  connectionLimit?: number;
}

/** The whole diagram of the events given (in any order: they are sorted by `time`). */
export function buildDiagram(events: readonly DiagramEvent[], options: DiagramOptions = {}): Diagram {
  return new DiagramBuilder(options).add(events).diagram();
}
