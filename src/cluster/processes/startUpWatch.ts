// Waits out the start-up of a planned launch's processes (see observeAfter in runtime.ts): the
// controller connects to a process only once the program has gone quiet, and never to one that
// ends before. Start-up is when a connection costs the most: every process is busy loading, on
// the same cores.
//
// One timer for every waiting process. Each tick sends each a signal 0, to know at once when it
// has ended (no /proc read: at a 10 ms tick that cost the tracer about 17 ms of CPU over a
// 9-process start-up). A signal 0 reaches a zombie too, which its parent normally reaps at
// once; but a worker that outlives its primary is reaped by init, late or never, so once the
// launched program has ended (`programEnded`) every look reads /proc and takes a zombie as
// ended. Every few ticks the CPU of the program's processes (the launched process and its
// descendants, and every waiting process) is read from /proc: when together they used almost
// none since the last reading, and none has appeared meanwhile, start-up is over for every
// waiting process. (The waiting ones alone would not do: a primary that has forked its workers
// waits for them while they boot, before they have said who they are.) A process that never goes
// quiet (a server loaded from its first moment) is connected to after a while anyway.
import type { Disposable } from '../../common/disposable';
import { signalQuietly } from './knownProcesses';
import { childrenOf, startTimeOf, statOf } from './procfs';

export interface StartUpTimes {
  /** How often each waiting process is looked at (signal 0). */
  tickMilliseconds: number;
  /** Every this many ticks, the CPU of the waiting processes is read. */
  cpuEveryTicks: number;
  /** Quiet: at most this many clock ticks of CPU (10 ms each) used by all the waiting processes together since the last reading. */
  quietCpuTicks: number;
  /** Start-up is over for a process after this long, quiet or not. */
  longestMilliseconds: number;
}

/** How a process's start-up ended. */
export type StartUpEnd = 'ended' | 'over';

interface Waiter {
  pid: number;
  until: number;
  settle: (end: StartUpEnd) => void;
}

export class StartUpWatch implements Disposable {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private disposed = false;
  private thorough = false;
  private root: number | undefined;
  /** The CPU of each of the program's processes at the last reading. */
  private lastCpu = new Map<number, number>();

  constructor(private readonly times: StartUpTimes) {}

  /**
   * 'ended' as soon as the process has ended (or is a zombie, once the program has ended), or
   * when this watch is disposed; 'over' once the waiting processes are quiet, or after the
   * longest start-up.
   */
  startUpOf(pid: number): Promise<StartUpEnd> {
    if (this.disposed || !signalable(pid)) {
      return Promise.resolve('ended');
    }
    return new Promise((settle) => {
      this.waiters.add({ pid, until: performance.now() + this.times.longestMilliseconds, settle });
      this.schedule();
    });
  }

  /** The launched process: it and its descendants are the program whose quiet ends start-up. */
  watchProgram(pid: number): void {
    this.root = pid;
  }

  /** The launched program has ended: look at every waiting process now, and from now on in /proc. */
  programEnded(): void {
    this.thorough = true;
    this.check();
  }

  dispose(): void {
    this.disposed = true;
    for (const waiter of this.waiters) {
      this.settle(waiter, 'ended');
    }
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    for (const waiter of this.waiters) {
      if (!signalable(waiter.pid)) {
        this.settle(waiter, 'ended');
      }
    }
    this.ticks += 1;
    // Once the program has ended, at every tick: the reading also takes a zombie for ended.
    if (this.ticks % this.times.cpuEveryTicks === 0 || this.thorough) {
      this.readCpu();
    }
    const now = performance.now();
    for (const waiter of this.waiters) {
      if (now >= waiter.until) {
        this.settle(waiter, startTimeOf(waiter.pid) === undefined ? 'ended' : 'over');
      }
    }
    this.schedule();
  }

  /** Reads the CPU of the program's processes; when together they used almost none since the last reading, start-up is over. */
  private readCpu(): void {
    // One read of /proc/<pid>/stat per process: it tells both the CPU and whether it has ended.
    const cpu = new Map<number, number>();
    for (const pid of new Set([...(this.root === undefined ? [] : descendantsOf(this.root)), ...[...this.waiters].map((waiter) => waiter.pid)])) {
      const stat = statOf(pid);
      if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') {
        cpu.set(pid, stat.cpuTicks);
      }
    }
    for (const waiter of this.waiters) {
      if (!cpu.has(waiter.pid)) {
        this.settle(waiter, 'ended');
      }
    }
    let used = 0;
    let appeared = false;
    for (const [pid, ticks] of cpu) {
      const before = this.lastCpu.get(pid);
      if (before === undefined) {
        appeared = true;
      } else {
        used += ticks - before;
      }
    }
    this.lastCpu = cpu;
    if (!appeared && used <= this.times.quietCpuTicks && !this.thorough) {
      for (const waiter of this.waiters) {
        this.settle(waiter, 'over');
      }
    }
  }

  private settle(waiter: Waiter, end: StartUpEnd): void {
    if (this.waiters.delete(waiter)) {
      waiter.settle(end);
    }
  }

  private schedule(): void {
    if (this.waiters.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.check();
      }, this.times.tickMilliseconds);
    }
  }
}

/** The pid still names a process (a zombie too: see `check`); one of another user's counts. */
function signalable(pid: number): boolean {
  try {
    return signalQuietly(pid, 0);
  } catch {
    return true; // EPERM: it exists
  }
}

/** The process and all its descendants (forked from their main threads, as cluster's workers are). */
function descendantsOf(root: number): number[] {
  const found = [root];
  for (let index = 0; index < found.length; index += 1) {
    found.push(...childrenOf(found[index]));
  }
  return found;
}
