// strace prints wall-clock times (`-ttt`); lifecycle events carry the clock every process shares
// (CLOCK_MONOTONIC, common/clock.ts). The controller samples both clocks once and converts with
// the offset.
import { monotonicMilliseconds } from '../../common/clock';

/**
 * Milliseconds to add to a wall-clock time to put it on the event clock. Date.now() moves in
 * whole milliseconds, so each sample waits for it to tick and reads the event clock on both
 * sides of the tick; the tightest of a few samples wins (a few microseconds on an idle core).
 */
export function sampleClockOffset(samples = 5): number {
  let best: { offset: number; width: number } | undefined;
  for (let sample = 0; sample < samples; sample++) {
    const start = Date.now();
    let before = monotonicMilliseconds();
    let wall = Date.now();
    // Spins at most about a millisecond, until Date.now() ticks.
    while (wall === start) {
      before = monotonicMilliseconds();
      wall = Date.now();
    }
    const after = monotonicMilliseconds();
    const width = after - before;
    if (!best || width < best.width) {
      best = { offset: (before + after) / 2 - wall, width };
    }
  }
  return best?.offset ?? monotonicMilliseconds() - Date.now();
}

/** strace's `-ttt` seconds on the event clock. */
export function wallSecondsToEventTime(seconds: number, offset: number): number {
  return seconds * 1000 + offset;
}
