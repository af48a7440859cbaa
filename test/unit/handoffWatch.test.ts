// The lost-handoff rule on events alone: handoff-lost only when a worker exits with a handle
// still un-ACKed and a newconn it never received; its exit then says 'disconnect' never came.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { HandoffWatch } from '../../src/cluster/tracking/handoffWatch';

const sent = (connection: number, workerId: number, time: number): AnyLifecycleEvent => ({
  stage: 'newconn-sent', process: 'primary', workerId: null, pid: 1, time, detail: { seq: connection, workerId, fd: 20 + connection, handleType: 'net.Native' },
});
const received = (connection: number, workerId: number, time: number): AnyLifecycleEvent => ({
  stage: 'newconn-received', process: 'worker', workerId, pid: 10 + workerId, time, detail: { seq: connection, fd: 30 },
});
const exit = (workerId: number, time: number, handleUnacknowledged: boolean, disconnected: boolean): AnyLifecycleEvent => ({
  stage: 'exit', process: 'primary', workerId: null, pid: 1, time, detail: { workerId, code: 0, signal: null, disconnected, handleUnacknowledged },
});

function run(events: AnyLifecycleEvent[]): AnyLifecycleEvent[] {
  const out: AnyLifecycleEvent[] = [];
  const watch = new HandoffWatch((event) => out.push(event));
  for (const event of events) watch.observe(event);
  return out;
}

describe('HandoffWatch', () => {
  it('reports a newconn never received by a worker that exited with the handle un-ACKed', () => {
    const out = run([sent(1, 1, 1), exit(1, 5, true, false)]);
    assert.deepEqual(out.map((event) => event.stage), ['newconn-sent', 'exit', 'handoff-lost']);
    assert.deepEqual(out[2].detail, { workerId: 1, seq: 1, fd: 21 });
    assert.equal(out[2].process, 'primary');
    assert.ok(out[2].time > out[1].time, 'after the exit');
    assert.equal((out[1].detail as { neverDisconnected?: boolean }).neverDisconnected, true);
  });

  it('reports nothing when the worker received it, or every handle was ACKed, or it disconnected', () => {
    for (const events of [
      [sent(1, 1, 1), received(1, 1, 2), exit(1, 5, true, false)],
      [sent(1, 1, 1), exit(1, 5, false, false)],
      [sent(1, 1, 1), exit(1, 5, true, true)],
      [sent(1, 2, 1), exit(1, 5, true, false)],
    ]) {
      const out = run(events);
      assert.deepEqual(out.filter((event) => event.stage === 'handoff-lost'), [], JSON.stringify(events));
      assert.equal((out.find((event) => event.stage === 'exit')?.detail as { neverDisconnected?: boolean }).neverDisconnected, undefined);
    }
  });
});
