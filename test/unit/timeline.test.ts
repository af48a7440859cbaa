// The trace's timeline (src/cli/timeline.ts): items are written in time order once every process
// has reported past them, and no round of reports is asked for while a process not yet reached
// holds every held item back (each round interrupts every process of the program).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Timeline } from '../../src/cli/timeline';

const turns = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('timeline', () => {
  it('writes in time order what every process has reported past', async () => {
    const written: number[] = [];
    const timeline = new Timeline<{ time: number }>((item) => written.push(item.time), { reportedUntil: async () => 25, roundMilliseconds: 5 });
    timeline.push({ time: 20 });
    timeline.push({ time: 10 });
    timeline.push({ time: 30 });
    await turns(30);
    assert.deepEqual(written, [10, 20]);
    timeline.flush();
    assert.deepEqual(written, [10, 20, 30]);
  });

  it('asks for no round while a process not yet reached holds every item back, and asks once it no longer does', async () => {
    let rounds = 0;
    let heldUntil = 100;
    const written: number[] = [];
    const timeline = new Timeline<{ time: number }>((item) => written.push(item.time), {
      reportedUntil: async () => {
        rounds += 1;
        return Math.min(1000, heldUntil);
      },
      heldUntil: () => heldUntil,
      roundMilliseconds: 5,
    });
    timeline.push({ time: 150 });
    timeline.push({ time: 120 });
    await turns(40);
    assert.equal(rounds, 0, 'no round could have released an item');
    assert.deepEqual(written, []);
    heldUntil = Number.POSITIVE_INFINITY;
    await turns(40);
    assert.ok(rounds >= 1);
    assert.deepEqual(written, [120, 150]);
    timeline.flush();
  });

  it('loses no item whose time cannot be ordered: it is written at once, in the order it came', async () => {
    const written: string[] = [];
    const timeline = new Timeline<{ time: number; name: string }>((item) => written.push(item.name), { reportedUntil: async () => 25, roundMilliseconds: 5 });
    timeline.push({ time: 30, name: 'later' });
    timeline.push({ time: Number.NaN, name: 'unordered' });
    timeline.push({ time: 10, name: 'earlier' });
    await turns(30);
    const released = [...written];
    timeline.flush();
    assert.deepEqual(released, ['unordered', 'earlier']);
    assert.deepEqual(written, ['unordered', 'earlier', 'later']);
  });
});
