// Waits for processes to end, up to a time: one timer for all of them, a signal 0 per process
// per tick (no /proc read: that cost the tracer about 17 ms of CPU over a 9-process start-up at
// a 10 ms tick). A signal 0 reaches a zombie too, which its parent normally reaps at once; but a
// worker that outlives its primary is reaped by init, late or never. So once the launched
// program has ended (`programEnded`), every look reads /proc and takes a zombie as ended.
import type { Disposable } from '../../common/disposable';
import { startTimeOf } from './procfs';

interface Waiter {
  pid: number;
  until: number;
  settle: (runs: boolean) => void;
}

export class EndWatch implements Disposable {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private thorough = false;

  constructor(private readonly tickMilliseconds: number) {}

  /**
   * True if the process still runs `milliseconds` from now; false as soon as it has ended (or
   * is a zombie, at the last look), or when this watch is disposed.
   */
  outlives(pid: number, milliseconds: number): Promise<boolean> {
    if (this.disposed || !signalable(pid)) {
      return Promise.resolve(false);
    }
    return new Promise((settle) => {
      this.waiters.add({ pid, until: performance.now() + milliseconds, settle });
      this.schedule();
    });
  }

  /** The launched program has ended: look at every waiting process now, and from now on in /proc. */
  programEnded(): void {
    this.thorough = true;
    this.check();
  }

  private check(): void {
    const now = performance.now();
    for (const waiter of this.waiters) {
      if (!signalable(waiter.pid) || (this.thorough && startTimeOf(waiter.pid) === undefined)) {
        this.settle(waiter, false);
      } else if (now >= waiter.until) {
        this.settle(waiter, startTimeOf(waiter.pid) !== undefined);
      }
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    for (const waiter of this.waiters) {
      this.settle(waiter, false);
    }
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(waiter: Waiter, runs: boolean): void {
    this.waiters.delete(waiter);
    waiter.settle(runs);
  }

  private schedule(): void {
    if (this.waiters.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.check();
      }, this.tickMilliseconds);
    }
  }
}

/** The pid still names a process (a zombie too: see `check` for the last look). */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
