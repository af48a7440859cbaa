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

/** What the preload writes for each process it holds at its gate. */
export interface ProcessReport {
  pid: number;
  ppid: number;
  role: ProcessRole;
  workerId: number | null;
  url: string;
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
    if (!name.endsWith('.json') || this.seen.has(name)) {
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

// Runs as its own process: when the controller's end of its stdin closes (the controller
// exited, even by SIGKILL), it kills the app's process group and removes the session folder,
// which nobody else is left to remove. It leaves when the group is gone.
const watchdogSource = `
const group = Number(process.argv[1]);
const sessionDirectory = process.argv[2];
const killGroup = () => {
  try { process.kill(-group, 'SIGKILL'); } catch (error) { /* already gone */ }
  try { require('fs').rmSync(sessionDirectory, { recursive: true, force: true }); } catch (error) { /* best effort */ }
  process.exit(0);
};
process.stdin.on('end', killGroup);
process.stdin.on('error', killGroup);
process.stdin.resume();
setInterval(() => { try { process.kill(-group, 0); } catch (error) { process.exit(0); } }, 500);
`;

/** Starts the lifeline of a process group. Dispose to end it (after the group is stopped). */
export function startWatchdog(nodeExecutable: string, processGroup: number, sessionDirectory: string): Disposable {
  return spawnLifeline(nodeExecutable, ['-e', watchdogSource, String(processGroup), sessionDirectory]);
}

/** A detached process that reads its stdin from us until we exit; disposing it kills it. */
function spawnLifeline(nodeExecutable: string, args: readonly string[]): Disposable {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const watchdog = spawn(nodeExecutable, args, {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  return toDisposable(() => {
    if (watchdog.exitCode === null && watchdog.pid !== undefined) {
      killQuietly(watchdog.pid, 'SIGKILL');
    }
  });
}

// The lifeline of an attach: when the controller's end of its stdin closes (the controller
// exited, even by SIGKILL), it removes the session folder, which tells every guest and preload
// in the app that the session is over (they also check the controller's pid themselves).
const attachWatchdogSource = `
const sessionDirectory = process.argv[1];
const end = () => {
  try { require('fs').rmSync(sessionDirectory, { recursive: true, force: true }); } catch (error) { /* best effort */ }
  process.exit(0);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
setInterval(() => { if (!require('fs').existsSync(sessionDirectory)) process.exit(0); }, 1000);
`;

/** Starts the lifeline of an attach's session folder. Dispose to end it (after a clean detach). */
export function startAttachWatchdog(nodeExecutable: string, sessionDirectory: string): Disposable {
  return spawnLifeline(nodeExecutable, ['-e', attachWatchdogSource, sessionDirectory]);
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
  // Members now, while the group is ours, stay ours after the last process we knew has ended.
  const ours = groupIsOurs(processGroup, known, mark) ? [...known, ...membersOf(processGroup).map(knowProcess)] : [...known];
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
