// The shared clock: CLOCK_MONOTONIC milliseconds as process.hrtime reads it, the same reading as an
// expression for other processes, and the one mapping to wall-clock time.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { monotonicMilliseconds, monotonicMillisecondsExpression, wallClockMilliseconds } from '../../src/common/clock';

describe('the shared clock', () => {
  it('reads the same clock in another process (the expression the agent and tours evaluate)', () => {
    const before = monotonicMilliseconds();
    const other = Number(execFileSync(process.execPath, ['-p', monotonicMillisecondsExpression], { encoding: 'utf8' }));
    const after = monotonicMilliseconds();
    assert.ok(before <= other && other <= after, `${before} <= ${other} <= ${after}`);
    assert.ok(!Number.isInteger(before) || !Number.isInteger(after), 'sub-millisecond');
  });

  it('maps a time to wall-clock milliseconds with one offset, keeping distances', () => {
    const now = monotonicMilliseconds();
    const wall = wallClockMilliseconds(now);
    assert.ok(Math.abs(wall - Date.now()) < 1000, `${wall} is not about ${Date.now()}`);
    assert.ok(Math.abs(wallClockMilliseconds(now + 12.5) - wall - 12.5) < 1e-6);
  });
});
