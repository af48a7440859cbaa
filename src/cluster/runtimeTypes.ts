// The options the cluster runtime (runtime.ts) takes and the events it emits: the contract its
// users (debug adapter, CLI, benchmarks, tests) rely on, apart from how it is fulfilled.
import type { ProcessRole } from '../common/stages';
import type { SourceLocation } from './tracking/breakpoints';
import type { ResolvedCallSite } from './callSites/callSite';
import type { PauseOnExceptions } from './session/debugOperations';
import type { PausedEvent } from './session/processSession';
import type { PresetDefinition } from './callSites/presets';

export interface LaunchOptions {
  program: string;
  args?: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** `node` from PATH unless given. */
  runtimeExecutable?: string;
  runtimeArgs?: readonly string[];
  schedulingPolicy?: 'rr' | 'none';
  /** Stop presets armed from the start: built-in ids or ids of `presetDefinitions`. */
  presets?: readonly string[];
  /** Presets people defined (e.g. read from .vscode/cluster-tour.json with readPresetFile). */
  presetDefinitions?: readonly PresetDefinition[];
  /** Where the preload is; found next to the bundle or in the sources when absent. */
  preloadPath?: string;
  /** Breakpoints in place before any process runs its own code. */
  breakpoints?: readonly BreakpointRequest[];
  /** Record lifecycle stages (default true). Off: attached only, the baseline of benchmarks. */
  tracking?: boolean;
  /** Pause the primary and each worker running the program at its first line (stop owner `entry`). */
  stopOnEntry?: boolean;
  /** Options a debugger needs; see DebuggerOptions. */
  debugging?: DebuggerOptions;
  /**
   * Run the program under strace and report its socket syscalls (onSyscall). Where strace cannot
   * run, a problem `E_SYSCALLS_UNAVAILABLE` says why in one line and the run goes on without.
   */
  syscalls?: boolean;
  /** The strace to use (default: strace on PATH). */
  straceExecutable?: string;
  /**
   * The run is only watched (a trace): it never pauses, and its breakpoints never change. Each
   * process then sets its tracepoints itself, from a plan written before the program starts
   * (launch/launchPlan.ts), and runs on without waiting for the controller, which only connects
   * to collect the reports. Presets, breakpoints, stopOnEntry and debugging are refused with it,
   * and so are the calls that would change a process (setPreset, addBreakpoint, pause…).
   */
  observeOnly?: boolean;
  /**
   * The program is running already: bin/cluster-tour started it, as this launch would have, before
   * this process had booted (a trace's fast start), and is now this process. It is taken over
   * instead of spawned; its primary waits in the preload for the plan. Only with observeOnly.
   */
  started?: StartedProgram;
}

/** What bin/cluster-tour started (CLUSTER_TOUR_STARTED: "pid stdout-fd stderr-fd session-folder"). */
export interface StartedProgram {
  pid: number;
  /** This process's descriptors of the FIFOs the program's stdout and stderr go to (open read and write). */
  output: { stdout: number; stderr: number };
  sessionDirectory: string;
}

/** What a debugger asks of every process: blackboxing, exceptions, output labelled per process. */
export interface DebuggerOptions {
  pauseOnExceptions?: PauseOnExceptions;
  /** Capture each process's stdout/stderr (onProcessOutput); launch: no longer through the pipes. */
  captureOutput?: boolean;
}

export interface AttachOptions {
  host: string;
  port: number;
  presets?: readonly string[];
  presetDefinitions?: readonly PresetDefinition[];
  preloadPath?: string;
  breakpoints?: readonly BreakpointRequest[];
  debugging?: DebuggerOptions;
}

export interface RuntimePausedEvent extends PausedEvent {
  /** The call sites whose stops made it pause, if it paused at one. */
  callSites: ResolvedCallSite[];
}

export interface OutputEvent {
  stream: 'stdout' | 'stderr';
  text: string;
  /** When the controller read it from the program's pipe: CLOCK_MONOTONIC ms, as lifecycle events. */
  time: number;
}

export interface ProblemEvent {
  code: string;
  message: string;
  pid?: number;
}

export interface EndEvent {
  /** Exit code of the launched program (null when it died of a signal or was attached to). */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A user's breakpoint, applied in every process (now and later) of the matching role. */
export interface BreakpointRequest {
  location: SourceLocation;
  condition?: string;
  /** The caller's id: the stop owner becomes `bp:<id>` (otherwise `user:<n>`, returned). */
  id?: string;
  /** Only in processes of these roles (all when absent). */
  roles?: readonly ProcessRole[];
}

/** The stop owner of the launch's stop-on-entry breakpoint. */
export const entryOwner = 'entry';

/** A stop preset as it stands in a run: armed or not, and whether each of its stops is in place. */
export interface PresetState {
  id: string;
  title: string;
  /** Shipped with Cluster Tour (`presetIds`), not defined by people. */
  builtIn: boolean;
  /** Armed: its stops are set in every process of their role, now and later. */
  enabled: boolean;
  callSites: PresetCallSiteState[];
}

/** One stop of a preset in the running Node. */
export interface PresetCallSiteState {
  /** Catalogue id (`rr:RoundRobinHandle.prototype.distribute`) or `function:<module>:<path>`. */
  id: string;
  title: string;
  /** Script URL as the inspector names it (`node:internal/cluster/round_robin_handle`). */
  url: string;
  /** 0-based line in the running Node's source; null when the call site is not found in it. */
  lineNumber: number | null;
  /** The processes it stops in: a call site runs in one kind, a named function in any. */
  role: ProcessRole | 'any';
  /**
   * True when the call site is found in this Node, its preset is armed, and the inspector bound
   * its breakpoint in at least one attached process.
   */
  bound: boolean;
  /** Why it is not bound. */
  reason?: string;
}
