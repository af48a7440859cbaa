// Waits for the fixture's `LISTENING <port>` line, from whichever stream carries the program's
// output (a child's stdout for bare node, the runtime's onOutput when observed), so that both
// are timed by the same signal.
import { performance } from 'node:perf_hooks';

export interface Listening {
  port: number;
  /** `performance.now()` when the line arrived. */
  time: number;
}

export class ListeningWatcher {
  private text = '';
  private settled = false;
  private resolveListening!: (listening: Listening) => void;
  private rejectListening!: (error: Error) => void;
  private readonly timer: NodeJS.Timeout;
  readonly listening: Promise<Listening>;

  constructor(timeoutMilliseconds = 60_000) {
    this.listening = new Promise<Listening>((resolve, reject) => {
      this.resolveListening = resolve;
      this.rejectListening = reject;
    });
    // Whoever awaits `listening` sees the failure; this only keeps an unawaited one from
    // ending the benchmark as an unhandled rejection.
    this.listening.catch(() => undefined);
    this.timer = setTimeout(() => this.fail(`no LISTENING line after ${timeoutMilliseconds} ms`), timeoutMilliseconds);
    this.timer.unref();
  }

  /** Takes a chunk of the program's standard output. */
  push(chunk: string): void {
    if (this.settled) {
      return;
    }
    const time = performance.now();
    this.text += chunk;
    const match = /^LISTENING (\d+)$/m.exec(this.text);
    if (match) {
      this.settled = true;
      clearTimeout(this.timer);
      this.resolveListening({ port: Number(match[1]), time });
    }
  }

  /** The program cannot get there (it exited, the launch failed). */
  fail(reason: string): void {
    if (!this.settled) {
      this.settled = true;
      clearTimeout(this.timer);
      this.rejectListening(new Error(reason));
    }
  }
}
