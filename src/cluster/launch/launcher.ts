// Starting a cluster app so that every process of it can be observed, and stopping all of it:
// the app runs in a process group of its own, a preload makes each process report its inspector
// in a session folder, and a watchdog process kills the group if the controller dies.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Disposable, toDisposable } from '../../common/disposable';
import { Emitter } from '../../common/emitter';
import { ClusterTourError } from '../../common/errors';
import type { ProcessRole } from '../../common/stages';
import { startTimeOf, statOf } from '../processes/procfs';
import { groupIsOurs, isRunning, KnownProcess, knowProcess, membersOf, signalKnown, signalQuietly } from '../processes/knownProcesses';
import type { RunningNode } from '../session/processSession';

/** What the preload writes for each process it holds at its gate. */
export interface ProcessReport {
  pid: number;
  ppid: number;
  role: ProcessRole;
  workerId: number | null;
  url: string;
  /** The Node it runs (`process.version`, `process.execPath`); from preloads of this version on. */
  node?: RunningNode;
  /** The root only: `process.argv` after the executable, and `process.execArgv`. */
  argv?: string[];
  execArgv?: string[];
  /** The root of an early start only: where its plan came from (see preload.js's cachedPlan). */
  planSource?: 'session' | 'cache';
}

export interface SpawnOptions {
  runtimeExecutable: string;
  runtimeArgs: readonly string[];
  program: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string | undefined>;
  preloadPath: string;
  schedulingPolicy?: 'rr' | 'none';
  /** A command the program runs under (strace): its executable and arguments before the program's own. */
  wrapper?: { executable: string; args: readonly string[] };
}

/** Watches a session folder for the preload's reports. */
export class ReportWatcher implements Disposable {
  private readonly seen = new Set<string>();
  private readonly watcher: fs.FSWatcher;
  private readonly reportEmitter = new Emitter<ProcessReport>();
  readonly onReport = this.reportEmitter.event;

  constructor(readonly directory: string) {
    this.watcher = fs.watch(directory, (_event, name) => {
      if (name) {
        this.consider(name.toString());
      }
    });
  }

  /** Reads the reports already present (call once after subscribing). */
  scan(): void {
    for (const name of fs.readdirSync(this.directory)) {
      this.consider(name);
    }
  }

  private consider(name: string): void {
    // `<pid>.json` only: the folder also holds a planned launch's plan.json, journals and FIFOs.
    if (!/^\d+\.json$/.test(name) || this.seen.has(name)) {
      return;
    }
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.directory, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return; // renamed away between the event and the read; its own event follows
      }
      throw error;
    }
    this.seen.add(name);
    this.reportEmitter.fire(JSON.parse(text) as ProcessReport);
  }

  dispose(): void {
    this.watcher.close();
    this.reportEmitter.clear();
  }
}

export function createSessionDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tour-'));
}

/** What withPreload appends to NODE_OPTIONS (the preload takes exactly this out again when inert). */
export function preloadOptions(preloadPath: string): string {
  return `--inspect-publish-uid=http --require ${JSON.stringify(preloadPath)}`;
}

/** Adds the preload to NODE_OPTIONS, quoted so that paths with spaces survive. */
export function withPreload(nodeOptions: string | undefined, preloadPath: string): string {
  return [nodeOptions?.trim(), preloadOptions(preloadPath)].filter(Boolean).join(' ');
}

/** This process, as the preload and the guest know their controller: pid and start time. */
export interface ControllerIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat; null where there is no /proc. */
  startTime: string | null;
}

export function controllerIdentity(): ControllerIdentity {
  return { pid: process.pid, startTime: startTimeOf(process.pid) ?? null };
}

/**
 * The variables besides NODE_OPTIONS that observed processes inherit: the session folder and the
 * controller, which the preload checks before it does anything (see preload.js).
 */
export function sessionEnvironment(sessionDirectory: string): Record<string, string> {
  const controller = controllerIdentity();
  return { CLUSTER_TOUR_SESSION: sessionDirectory, CLUSTER_TOUR_CONTROLLER: `${controller.pid}:${controller.startTime ?? ''}` };
}

export function spawnObserved(options: SpawnOptions, sessionDirectory: string): ChildProcess {
  const env: Record<string, string | undefined> = {
    ...options.env,
    NODE_OPTIONS: withPreload(options.env.NODE_OPTIONS, options.preloadPath),
    ...sessionEnvironment(sessionDirectory),
    CLUSTER_TOUR_ROOT: 'next',
  };
  if (options.schedulingPolicy) {
    env.NODE_CLUSTER_SCHED_POLICY = options.schedulingPolicy;
  }
  const command = [options.runtimeExecutable, ...options.runtimeArgs, options.program, ...options.args];
  const [executable, ...args] = options.wrapper ? [options.wrapper.executable, ...options.wrapper.args, ...command] : command;
  return spawn(executable, args, {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv,
    // A process group of its own, so that stopping reaches every worker.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// The lifelines below are POSIX shell, not Node: one starts beside every launch, and a second
// Node booting then took CPU from the app's own start-up. Each runs in a session of its own,
// reads its stdin from the controller until that end closes (the controller exited, even by
// SIGKILL), then does its work and ends its whole group (itself, its reader and its poller).
// dash's kill takes `--` only after `-s`.

// A launch's: kills the app's process group and removes the session folder, which nobody else
// is left to remove. It leaves when the group is gone.
const watchdogScript = `
killGroup() { kill -s KILL -- "-$1" 2>/dev/null; rm -rf -- "$2"; }
exec 3<&0 </dev/null
cat <&3 >/dev/null &
reader=$!
exec 3<&-
( while kill -s 0 -- "-$1" 2>/dev/null; do sleep 0.5; done; kill "$reader" 2>/dev/null ) &
wait "$reader"
if kill -s 0 -- "-$1" 2>/dev/null; then killGroup "$1" "$2"; fi
kill -s KILL 0
`;

/** Starts the lifeline of a process group. Dispose to end it (after the group is stopped). */
export function startWatchdog(processGroup: number, sessionDirectory: string): Disposable {
  return spawnLifeline(watchdogScript, 'cluster-tour-watchdog', [String(processGroup), sessionDirectory]);
}

// An attach's: removes the session folder, which tells every guest and preload in the app that
// the session is over (they also check the controller's pid themselves). It leaves when the
// folder is gone (a clean detach removed it).
const attachWatchdogScript = `
exec 3<&0 </dev/null
cat <&3 >/dev/null &
reader=$!
exec 3<&-
( while [ -d "$1" ]; do sleep 1; done; kill "$reader" 2>/dev/null ) &
wait "$reader"
rm -rf -- "$1"
kill -s KILL 0
`;

/** Starts the lifeline of an attach's session folder. Dispose to end it (after a clean detach). */
export function startAttachWatchdog(sessionDirectory: string): Disposable {
  return spawnLifeline(attachWatchdogScript, 'cluster-tour-attach-watchdog', [sessionDirectory]);
}

/** A detached shell that reads its stdin from us until we exit; disposing it kills its group. */
function spawnLifeline(script: string, name: string, args: readonly string[]): Disposable {
  const watchdog = spawn('/bin/sh', ['-c', script, name, ...args], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  return toDisposable(() => {
    // Not yet reaped, so its pid (and so its group's id) is still its own.
    if (watchdog.exitCode === null && watchdog.signalCode === null && watchdog.pid !== undefined) {
      killQuietly(-watchdog.pid, 'SIGKILL');
    }
  });
}

/**
 * True while any process of the group is alive. Zombies do not count: they hold nothing, and an
 * init that reaps orphans late (or never) would otherwise make every stop wait for it.
 */
export function groupAlive(processGroup: number): boolean {
  try {
    process.kill(-processGroup, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
    throw error;
  }
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true; // no /proc: the signal test above is all there is
  }
  return entries.some((entry) => /^\d+$/.test(entry) && liveMemberOf(entry, processGroup));
}

function liveMemberOf(pid: string, processGroup: number): boolean {
  const stat = statOf(Number(pid)); // undefined: gone meanwhile
  return stat !== undefined && stat.processGroup === processGroup && stat.state !== 'Z';
}

function killQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

/** What `stopProcessGroup` needs besides the group and the processes it knows. */
export interface StopOptions {
  /** `NAME=value` in the environment of the group's processes (our session folder): proof they are ours. */
  mark?: string;
  graceMilliseconds?: number;
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after the grace time, and also the known processes
 * one by one (a process may have left the group). Only what is still ours is signalled (see
 * knownProcesses.ts): the group while a known member, or one with `mark`, lives in it; a known
 * process while it is the very one seen, not a later one with its pid. Resolves when all are gone.
 */
export async function stopProcessGroup(processGroup: number, known: readonly KnownProcess[], options: StopOptions = {}): Promise<void> {
  const { mark, graceMilliseconds = 1500 } = options;
  // A trace's usual end: nothing left alive, in the group or known. Said with one look at /proc
  // at most, for a group that still holds a zombie (a program bin/cluster-tour started, whose
  // primary only its parent, this process, could reap, and Node reaps only its own spawns).
  const members = signalQuietly(-processGroup, 0) ? membersOf(processGroup) : [];
  if (members.length === 0 && !known.some(isRunning)) {
    return;
  }
  // Members now, while the group is ours, stay ours after the last process we knew has ended.
  const ours = groupIsOurs(processGroup, known, mark) ? [...known, ...members.map(knowProcess)] : [...known];
  const ourGroupAlive = (): boolean => groupAlive(processGroup) && groupIsOurs(processGroup, ours, mark);
  const signalAll = (signal: NodeJS.Signals): void => {
    if (groupIsOurs(processGroup, ours, mark)) {
      signalQuietly(-processGroup, signal);
    }
    ours.forEach((each) => signalKnown(each, signal));
  };
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMilliseconds;
  while (Date.now() < deadline && (ourGroupAlive() || ours.some(isRunning))) {
    await delay(25);
  }
  signalAll('SIGKILL');
  const hardDeadline = Date.now() + 5000;
  while (ourGroupAlive() || ours.some(isRunning)) {
    if (Date.now() > hardDeadline) {
      throw new ClusterTourError('E_STOP', `Processes of group ${processGroup} did not exit after SIGKILL`);
    }
    await delay(25);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers; it holds no resources and its parent reaps it.
    const stat = statOf(pid);
    return stat !== undefined && stat.state !== 'Z';
  } catch {
    return false;
  }
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Finds an executable on PATH (or checks a path), as spawn would. */
export function findExecutable(name: string, cwd: string, env: Record<string, string | undefined>): string {
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (env.PATH ?? process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((directory) => path.join(directory, name));
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // not this one: try the next directory of PATH
    }
  }
  throw new ClusterTourError('E_RUNTIME_NOT_FOUND', `Cannot find the runtime executable "${name}"${name.includes('/') ? '' : ' on PATH'}. Set runtimeExecutable to the path of a node binary.`);
}
