// The trace's one story: lifecycle events and the program's output, from several processes, arrive
// late (per-connection events are batched) and in no causal order. The timeline holds them and
// writes them in the order of the clock every process shares, each once every process has
// reported past its time, so an effect never prints before its cause.

/** Something to print at a time of the shared clock (CLOCK_MONOTONIC ms). */
export interface Timed {
  time: number;
}

export interface TimelineOptions {
  /** Resolves with a time before which every process has reported everything (see ClusterRuntime.reportedUntil). */
  reportedUntil: () => Promise<number>;
  /** The least time between two rounds of reports, so a busy program is not asked on every event. */
  roundMilliseconds?: number;
  /**
   * A time no round could answer past now (see ClusterRuntime.heldUntil): a process not yet
   * reached may still tell of anything after it. While every item held is at or after it, no
   * round could release one, and none is asked for: each costs every process an interruption.
   */
  heldUntil?: () => number;
}

export class Timeline<T extends Timed> {
  private held: T[] = [];
  private asking = false;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly write: (item: T) => void,
    private readonly options: TimelineOptions,
  ) {}

  push(item: T): void {
    if (this.ended) {
      this.write(item);
      return;
    }
    this.held.push(item);
    this.ask();
  }

  /** Writes everything still held, in time order; later items are written at once. */
  flush(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.release(Number.POSITIVE_INFINITY);
  }

  private ask(): void {
    if (this.asking || this.timer !== undefined || this.ended || this.held.length === 0) {
      return;
    }
    const heldUntil = this.options.heldUntil?.() ?? Number.POSITIVE_INFINITY;
    if (this.held.every((item) => item.time >= heldUntil)) {
      this.wait();
      return;
    }
    this.asking = true;
    this.options.reportedUntil().then(
      (until) => this.answered(until),
      // The runtime could not ask (it is stopping): hold on; the end of the run flushes.
      () => this.answered(undefined),
    );
  }

  private answered(until: number | undefined): void {
    this.asking = false;
    if (this.ended) {
      return;
    }
    if (until !== undefined) {
      this.release(until);
    }
    if (this.held.length > 0) {
      this.wait();
    }
  }

  /** Asks again after a round's interval. */
  private wait(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ask();
    }, this.options.roundMilliseconds ?? 20);
  }

  private release(until: number): void {
    // An item whose time is not a number cannot be ordered: it goes out now, not never (both
    // comparisons are false for NaN).
    const ready = this.held.filter((item) => !(item.time >= until));
    if (ready.length === 0) {
      return;
    }
    this.held = this.held.filter((item) => item.time >= until);
    // Stable: items of the same time keep the order they arrived in; unordered ones go first.
    const unordered = ready.filter((item) => Number.isNaN(item.time));
    const ordered = ready.filter((item) => !Number.isNaN(item.time)).sort((a, b) => a.time - b.time);
    for (const item of [...unordered, ...ordered]) {
      this.write(item);
    }
  }
}
