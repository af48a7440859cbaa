// The primary's process as a launch holds it: spawned here (a ChildProcess), or started before this
// process had booted by bin/cluster-tour, which then became this process (exec keeps the pid, so
// the program is our child, though not one Node knows). For the latter its end is read from
// /proc (a zombie's stat holds its exit status) when SIGCHLD comes, and its output from the two
// FIFOs the launcher gave it for stdout and stderr.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { Disposable } from '../../common/disposable';
import { ClusterTourError } from '../../common/errors';
import { statOf } from '../processes/procfs';
import type { EndEvent, StartedProgram } from '../runtimeTypes';

export interface ProgramProcess extends Disposable {
  readonly pid: number;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Its exit status once it has ended; undefined while it runs. */
  readonly end: EndEvent | undefined;
  /** Calls `listener` once, when it ends. */
  onceEnded(listener: (end: EndEvent) => void): void;
}

/** A process spawned here: Node reaps it and reports its end. */
export function spawnedProcess(child: ChildProcess & { pid: number }): ProgramProcess {
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    get end(): EndEvent | undefined {
      return child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode };
    },
    onceEnded(listener) {
      child.once('exit', (code, signal) => listener({ code, signal }));
    },
    dispose() {
      // Node owns the child's pipes and its end.
    },
  };
}

/** How often the end of a started process is looked for besides SIGCHLD (which may coalesce). */
const endCheckMilliseconds = 100;

/** A process bin/cluster-tour started before this one booted (see the top). */
export class StartedProcess implements ProgramProcess {
  readonly stdout: net.Socket;
  readonly stderr: net.Socket;
  private ended: EndEvent | undefined;
  private readonly listeners: Array<(end: EndEvent) => void> = [];
  /** Listeners are about to be told (see tellEnded). */
  private telling = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onChild = (): void => this.check();

  private constructor(readonly pid: number, output: StartedProgram['output']) {
    // The launcher's own descriptors, read and write: a FIFO keeps what was written while one is
    // open, so what the program wrote before this process booted is there even if it has ended.
    // Being writers too, they never see an end of file; nothing waits for one (the end is the exit).
    this.stdout = new net.Socket({ fd: output.stdout, readable: true, writable: false });
    this.stderr = new net.Socket({ fd: output.stderr, readable: true, writable: false });
    process.on('SIGCHLD', this.onChild);
    this.timer = setInterval(this.onChild, endCheckMilliseconds);
    this.timer.unref();
  }

  /**
   * Takes over the started process: it must be our child, leading a session of its own, with its
   * session folder in place. Anything else means the launcher and this process disagree.
   */
  static adopt(started: StartedProgram): StartedProcess {
    const problem = whyNotAdoptable(started);
    if (problem !== undefined) {
      throw new ClusterTourError('E_STARTED', `The program that bin/cluster-tour started (pid ${started.pid}) cannot be taken over: ${problem}.`);
    }
    const adopted = new StartedProcess(started.pid, started.output);
    adopted.check();
    return adopted;
  }

  get end(): EndEvent | undefined {
    return this.ended;
  }

  onceEnded(listener: (end: EndEvent) => void): void {
    this.listeners.push(listener);
    if (this.ended) {
      this.tellEnded();
    }
  }

  dispose(): void {
    process.removeListener('SIGCHLD', this.onChild);
    clearInterval(this.timer);
    this.stdout.destroy();
    this.stderr.destroy();
  }

  private check(): void {
    if (this.ended) {
      return;
    }
    const stat = statOf(this.pid);
    // Gone without a zombie: someone else reaped it (we are its parent, so nobody should).
    if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') {
      return;
    }
    this.ended = stat === undefined ? { code: null, signal: null } : decodeStatus(stat.exitStatus);
    process.removeListener('SIGCHLD', this.onChild);
    clearInterval(this.timer);
    this.tellEnded();
  }

  /**
   * Tells the listeners after this turn's I/O, as Node reports a child's exit: what the FIFOs
   * hold is read first, and whoever took this process over (even right now, ended already) has
   * subscribed.
   */
  private tellEnded(): void {
    if (this.telling) {
      return;
    }
    this.telling = true;
    setImmediate(() => {
      this.telling = false;
      const end = this.ended as EndEvent;
      this.listeners.splice(0).forEach((listener) => listener(end));
    });
  }
}

/** Why the started process is not ours to take over, or undefined when it is. */
function whyNotAdoptable(started: StartedProgram): string | undefined {
  const stat = statOf(started.pid);
  if (stat === undefined) {
    return 'it is gone';
  }
  if (stat.ppid !== process.pid) {
    return `its parent is ${stat.ppid}, not this process`;
  }
  if (stat.state !== 'Z' && stat.processGroup !== started.pid) {
    return `it does not lead its own process group (${stat.processGroup})`;
  }
  if (!fs.existsSync(started.sessionDirectory)) {
    return `its session folder ${started.sessionDirectory} is missing`;
  }
  return undefined;
}

/** waitpid's status as Node's 'exit' event gives it: a code, or the signal that ended it. */
function decodeStatus(status: number): EndEvent {
  const signalNumber = status & 0x7f;
  if (signalNumber === 0) {
    return { code: (status >> 8) & 0xff, signal: null };
  }
  const name = Object.entries(os.constants.signals).find(([, number]) => number === signalNumber)?.[0];
  return { code: null, signal: (name as NodeJS.Signals | undefined) ?? null };
}

/**
 * A started program this process will not take over (the launch failed before its plan was
 * written): its group is killed while it is still our child's, and its session folder removed.
 */
export function abandonStarted(started: StartedProgram): void {
  const stat = statOf(started.pid);
  if (stat !== undefined && stat.ppid === process.pid && stat.processGroup === started.pid) {
    try {
      process.kill(-started.pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw error;
      }
    }
  }
  fs.rmSync(started.sessionDirectory, { recursive: true, force: true });
}
