// The shape of a call site: where in Node's own source a stage happens, as data. The catalogue
// (callSites.ts) lists them; the resolver (resolver.ts) turns each into a line of the running
// Node's source. No line numbers live in code.
import type { PresetId, ProcessRole, StageName } from '../../common/stages';

/** How a call site feeds stage tracking (stops are separate: see `presets`). */
export type TrackingKind =
  /** A breakpoint whose condition records the event and never pauses; for rare stages. */
  | 'tracepoint'
  /** Plain JS installed once in the process (see cluster/agent); for per-connection stages. */
  | 'hook'
  /** Only a place to stop. */
  | 'none';

export interface CallSite {
  /** Stable id, `module-short-name:function`, unique in the catalogue. */
  id: string;
  stage: StageName;
  /** The process whose code runs here. */
  role: ProcessRole;
  /** Builtin module id as in `process.binding('natives')`, e.g. `internal/cluster/primary`. */
  module: string;
  /**
   * Nested function names, outermost first. A name is what the source calls the function: a
   * declaration's name, the assignment target (`RoundRobinHandle.prototype.distribute`,
   * `target._send`), an object-literal path (`handleConversion.net.Native.send`), or a callback
   * named by its call (`worker.process.once('exit')`).
   */
  functionPath: string[];
  /**
   * Text of the statement to stop at inside the innermost function, compared with all white
   * space removed. Absent: the function's first statement.
   */
  statement?: string;
  /** Stop presets this call site belongs to. */
  presets: PresetId[];
  tracking: TrackingKind;
  /** For tracepoints: the event's detail, as an object-literal expression over the frame's names. */
  capture?: string;
  /** For tracepoints and stops: only when this expression over the frame's names is true. */
  filter?: string;
  /**
   * For tracepoints: which agent hooks to install from this frame (`this` / `worker` there):
   * `round-robin` wraps the round-robin prototype, `worker` watches a worker's IPC channel.
   */
  installs?: 'round-robin' | 'worker';
  /** One line for people: what happens here and in which process. */
  title: string;
}

/** A call site found in a given Node's source. Lines and columns are 0-based (as in CDP). */
export interface ResolvedCallSite {
  site: CallSite;
  /** Script URL as the inspector names it, e.g. `node:internal/cluster/primary`. */
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export type CallSiteResolution =
  | ({ resolved: true } & ResolvedCallSite)
  | { resolved: false; site: CallSite; reason: string };
