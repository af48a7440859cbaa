// One launched cluster app: its primary started with the preload (found here), or taken over from
// bin/cluster-tour, in a process group of its own; a watchdog and an exit hook that kill the group
// if this process dies first; the output of its pipes; and stopping the whole group.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monotonicMilliseconds } from '../../common/clock';
import { Disposable, DisposableStore, toDisposable } from '../../common/disposable';
import { Emitter } from '../../common/emitter';
import { ClusterTourError } from '../../common/errors';
import { groupIsOurs, KnownProcess, knowProcess } from '../processes/knownProcesses';
import { delay, findExecutable, groupAlive, SpawnOptions, spawnObserved, startWatchdog, stopProcessGroup } from './launcher';
import { OutputFilter } from './outputFilter';
import type { EndEvent, LaunchOptions, OutputEvent, StartedProgram } from '../runtimeTypes';
import { ProgramProcess, spawnedProcess, StartedProcess } from './programProcess';

/** A launch's paths, checked, and its environment: what `spawnObserved` needs besides the preload. */
export interface CheckedLaunch {
  cwd: string;
  program: string;
  env: Record<string, string | undefined>;
  runtimeExecutable: string;
}

/** Checks what a launch names (working directory, program, runtime) before anything is created. */
export function checkLaunch(options: LaunchOptions): CheckedLaunch {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (!isDirectory(cwd)) {
    throw new ClusterTourError('E_CWD_NOT_FOUND', `The working directory ${cwd} does not exist.`);
  }
  const program = path.resolve(cwd, options.program);
  if (!fs.existsSync(program)) {
    throw new ClusterTourError('E_PROGRAM_NOT_FOUND', `The program ${program} does not exist.`);
  }
  const env = { ...editorless(process.env), ...options.env };
  const runtimeExecutable = findExecutable(options.runtimeExecutable ?? 'node', cwd, env);
  return { cwd, program, env, runtimeExecutable };
}

/**
 * The controller's environment without the editor's own variables: VSCODE_* (IPC handles, NLS,
 * the extension host's settings) and ELECTRON_RUN_AS_NODE mean something only to the editor's
 * processes, and would change how a node or electron program under debug behaves.
 */
export function editorless(environment: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !name.startsWith('VSCODE_') && name !== 'ELECTRON_RUN_AS_NODE'));
}

export class LaunchedProgram implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly output = { stdout: new OutputFilter(), stderr: new OutputFilter() };
  private readonly outputEmitter = new Emitter<OutputEvent>();
  private readonly exitEmitter = new Emitter<EndEvent>();
  /** What the app writes to its pipes (filtered of the inspector's own messages). */
  readonly onOutput = this.outputEmitter.event;
  /** The primary exited; other processes of the group may still be running. */
  readonly onExit = this.exitEmitter.event;

  /** The primary as started: it stays our child (its pid ours) until it is reaped. */
  private readonly leader: KnownProcess;
  /** In the environment of every process of the app, and of no other: proof that a group is ours. */
  private readonly mark: string;

  private constructor(
    private readonly child: ProgramProcess,
    /** The primary's pid; it leads the process group. */
    readonly pid: number,
    sessionDirectory: string,
  ) {
    this.leader = knowProcess(pid);
    this.mark = `CLUSTER_TOUR_SESSION=${sessionDirectory}`;
  }

  /** Starts the app; its processes wait in the preload until the controller releases them. */
  static start(options: SpawnOptions, sessionDirectory: string): LaunchedProgram {
    const child = spawnObserved(options, sessionDirectory);
    if (child.pid === undefined) {
      // spawn reports why only later, as an 'error' event: without a listener that would crash
      // this process, and E_SPAWN below already says what failed.
      child.once('error', () => undefined);
      throw new ClusterTourError('E_SPAWN', `Could not start ${options.runtimeExecutable}.`);
    }
    const program = new LaunchedProgram(spawnedProcess(child as typeof child & { pid: number }), child.pid, sessionDirectory);
    program.watch(sessionDirectory);
    return program;
  }

  /** Takes over an app bin/cluster-tour started (see programProcess.ts); its primary waits for the plan. */
  static adopt(started: StartedProgram): LaunchedProgram {
    const program = new LaunchedProgram(StartedProcess.adopt(started), started.pid, started.sessionDirectory);
    program.watch(started.sessionDirectory);
    return program;
  }

  /** Emits what the pipes still hold back (a partial line); call once the program has ended. */
  flushOutput(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.emitOutput(stream, this.output[stream].end());
    }
  }

  /**
   * Stops every process of the group (and `known` ones, which may have left it), leaving alone
   * any that took a pid or group number of ours since; resolves when all are gone.
   */
  async stop(known: readonly KnownProcess[]): Promise<void> {
    await stopProcessGroup(this.pid, [this.leader, ...known], { mark: this.mark });
    // The child's own 'exit' may still be queued; give it a turn so `onExit` fires.
    if (this.child.end === undefined) {
      await new Promise<void>((resolve) => this.child.onceEnded(() => resolve()));
    }
    await delay(0);
  }

  /** Ends the watchdog and the exit hook; call after `stop`. */
  dispose(): void {
    this.disposables.dispose();
  }

  private watch(sessionDirectory: string): void {
    const child = this.child;
    this.disposables.add(child);
    this.disposables.add(startWatchdog(this.pid, sessionDirectory));
    // Last resort when the controller exits without stopping (a crash, process.exit): the
    // 'exit' handler may only do synchronous work, and a SIGKILL to the group is that.
    const onExit = (): void => {
      if (groupAlive(this.pid) && groupIsOurs(this.pid, [this.leader], this.mark)) {
        process.kill(-this.pid, 'SIGKILL');
      }
    };
    process.on('exit', onExit);
    this.disposables.add(toDisposable(() => process.removeListener('exit', onExit)));
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => this.emitOutput(stream, this.output[stream].push(chunk)));
    }
    child.onceEnded((end) => this.exitEmitter.fire(end));
  }

  private emitOutput(stream: 'stdout' | 'stderr', text: string): void {
    if (text) {
      this.outputEmitter.fire({ stream, text, time: monotonicMilliseconds() });
    }
  }
}

/** The preload next to the bundle (dist/), or in the sources when running from out/. */
export function findPreload(): string {
  const candidates = [
    path.join(__dirname, 'preload.js'),
    path.resolve(__dirname, '..', '..', '..', '..', 'src', 'cluster', 'agent', 'preload.js'),
    path.resolve(__dirname, '..', 'agent', 'preload.js'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new ClusterTourError('E_PRELOAD_NOT_FOUND', `The preload script is missing (looked in ${candidates.join(', ')}). Rebuild with npm run build.`);
  }
  return found;
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}
