// Events from different processes arrive in no causal order; the trace holds each one for a
// short window and writes them in the order of the time taken in their process.
import type { AnyLifecycleEvent } from '../common/stages';

export class ReorderBuffer<T extends { time: number } = AnyLifecycleEvent> {
  private held: Array<{ event: T; arrived: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (event: T) => void,
    private readonly windowMilliseconds = 150,
  ) {}

  push(event: T): void {
    this.held.push({ event, arrived: Date.now() });
    this.timer ??= setInterval(() => this.release(false), this.windowMilliseconds / 2);
  }

  /** Writes everything still held, in time order. */
  flush(): void {
    this.release(true);
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private release(all: boolean): void {
    const cutoff = Date.now() - this.windowMilliseconds;
    const ready = all ? this.held : this.held.filter((entry) => entry.arrived <= cutoff);
    if (ready.length === 0) {
      return;
    }
    this.held = all ? [] : this.held.filter((entry) => entry.arrived > cutoff);
    ready.sort((a, b) => a.event.time - b.event.time);
    for (const entry of ready) {
      this.write(entry.event);
    }
  }
}
