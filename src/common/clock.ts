// The one clock every process of a run shares, and the one place its times become wall-clock
// times for display. Lifecycle events and output are stamped with CLOCK_MONOTONIC (what
// `process.hrtime` reads on Linux), the same in every process of the machine, so times taken in
// different processes compare directly; a wall-clock time (`performance.timeOrigin + now()`,
// `Date.now()`) is mapped per process and can differ between them by more than an IPC hop.

/** Milliseconds (sub-ms) of CLOCK_MONOTONIC, as `process.hrtime.bigint()` reads it here. */
export function monotonicMilliseconds(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * The same reading as an expression for another process (Runtime.evaluate, a breakpoint
 * condition): only `globalThis` is sure to be in scope there.
 */
export const monotonicMillisecondsExpression = 'Number(globalThis.process.hrtime.bigint()) / 1e6';

let wallClockOffset: number | undefined;

/** A monotonic time (as above) as wall-clock milliseconds since the epoch, for display only. */
export function wallClockMilliseconds(time: number): number {
  // Sampled once in this (the controller's) process: every time maps through the same offset,
  // so their order and the distances between them stay those of the shared clock.
  wallClockOffset ??= performance.timeOrigin + performance.now() - monotonicMilliseconds();
  return time + wallClockOffset;
}
