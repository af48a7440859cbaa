// The lifecycle model and the breakpoint merge: pure logic, on hand-made events and parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as vm from 'node:vm';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { mergeBreakpoints } from '../../src/cluster/tracking/breakpoints';
import { LifecycleModel } from '../../src/cluster/tracking/lifecycle';
import { OutputFilter } from '../../src/cluster/launch/outputFilter';

const primary = (stage: AnyLifecycleEvent['stage'], time: number, detail: object): AnyLifecycleEvent =>
  ({ stage, process: 'primary', workerId: null, pid: 100, time, detail }) as AnyLifecycleEvent;
const worker = (id: number, stage: AnyLifecycleEvent['stage'], time: number, detail: object): AnyLifecycleEvent =>
  ({ stage, process: 'worker', workerId: id, pid: 100 + id, time, detail }) as AnyLifecycleEvent;

describe('LifecycleModel', () => {
  it('keeps each process at its newest stage, also for events the primary reports about a worker', () => {
    const model = new LifecycleModel();
    model.apply(primary('fork', 1, { workerId: 1 }));
    model.apply(primary('online', 2, { workerId: 1, workerPid: 101 }));
    assert.equal(model.get('worker:1')?.stage, 'online');
    assert.equal(model.get('worker:1')?.pid, 101);
    model.apply(worker(1, 'listen-requested', 3, { address: null, port: 0, addressType: 4 }));
    model.apply(worker(1, 'connection', 5, { connection: 1 }));
    // Arrives late but happened earlier: history stays in time order, the stage stays the newest.
    model.apply(worker(1, 'listening', 4, { workerId: 1, address: null, port: 80 }));
    const state = model.get('worker:1');
    assert.deepEqual(state?.history.map((event) => event.stage), ['fork', 'online', 'listen-requested', 'listening', 'connection']);
    assert.equal(state?.stage, 'connection');
    assert.equal(state?.connections, 1);
    model.apply(primary('exit', 6, { workerId: 1, code: 0, signal: null }));
    assert.equal(model.get('worker:1')?.exited, true);
    assert.equal(model.get('primary')?.exited, false, 'a worker exit is not the primary exit');
    model.apply(primary('exit', 7, { workerId: null, code: 0, signal: null }));
    assert.equal(model.get('primary')?.exited, true);
  });

  it('bounds the history', () => {
    const model = new LifecycleModel(3);
    for (let index = 0; index < 10; index++) {
      model.apply(worker(2, 'connection', index, { connection: index }));
    }
    assert.deepEqual(model.get('worker:2')?.history.map((event) => event.time), [7, 8, 9]);
    assert.equal(model.get('worker:2')?.connections, 10);
  });
});

describe('mergeBreakpoints', () => {
  const location = { url: 'node:net', lineNumber: 10, columnNumber: 2 };
  it('makes one breakpoint per location: traces run first, any stop decides', () => {
    const merged = mergeBreakpoints(
      [
        { kind: 'trace', owner: 'site:a', location, code: 'record(1)' },
        { kind: 'stop', owner: 'site:a', location, condition: 'message.act === "newconn"' },
        { kind: 'stop', owner: 'user:1', location: { ...location, lineNumber: 11 } },
      ],
      'primary',
    );
    assert.equal(merged.length, 2);
    const [first, second] = merged;
    assert.deepEqual(first.stopOwners, ['site:a']);
    assert.match(first.condition ?? '', /^try \{ record\(1\) \} catch/);
    assert.equal(pausesAt(first.condition, { message: { act: 'newconn' }, record: () => undefined }), true);
    assert.equal(pausesAt(first.condition, { message: { act: 'online' }, record: () => undefined }), false);
    assert.equal(second.condition, undefined, 'a plain stop needs no condition');
  });

  it('never pauses at a trace-only location, and honours roles', () => {
    const parts = [{ kind: 'trace' as const, owner: 'site:b', location, roles: ['worker' as const], code: 'record(2)' }];
    assert.deepEqual(mergeBreakpoints(parts, 'primary'), []);
    const [only] = mergeBreakpoints(parts, 'worker');
    assert.match(only.condition ?? '', /false;$/);
  });

  it('still runs a logpoint where another stop already decided to pause', () => {
    const logged: string[] = [];
    const logpoint = 'globalThis.log.push(`hit ${message.act}`), false';
    for (const other of [undefined, 'message.act === "newconn"']) {
      const [merged] = mergeBreakpoints(
        [
          { kind: 'stop', owner: 'preset:accept', location, condition: other },
          { kind: 'stop', owner: 'bp:7', location, condition: logpoint },
        ],
        'primary',
      );
      assert.equal(pausesAt(merged.condition, { message: { act: 'newconn' }, log: logged }), true, `pauses for the other stop (${other ?? 'unconditional'})`);
    }
    assert.deepEqual(logged, ['hit newconn', 'hit newconn'], 'the logpoint logged both times');
  });

  it('does not pause for a condition that throws, nor lets it undo another stop', () => {
    const [merged] = mergeBreakpoints(
      [
        { kind: 'stop', owner: 'bp:1', location, condition: 'missing.property' },
        { kind: 'stop', owner: 'bp:2', location, condition: 'ready' },
      ],
      'primary',
    );
    assert.equal(pausesAt(merged.condition, { ready: true }), true);
    assert.equal(pausesAt(merged.condition, { ready: false }), false);
  });
});

/** Whether V8 would pause: a condition is run as a script and its completion value decides. */
function pausesAt(condition: string | undefined, scope: Record<string, unknown>): boolean {
  if (condition === undefined) {
    return true;
  }
  const context = vm.createContext({ ...scope });
  (context as { globalThis: unknown }).globalThis = context;
  return Boolean(vm.runInContext(condition, context));
}

describe('OutputFilter', () => {
  it("drops the inspector's chatter and keeps the program's lines, across chunk borders", () => {
    const filter = new OutputFilter();
    const kept = filter.push('hello\nDebugger att') + filter.push('ached.\nworld\nWaiting for the debugger to disconnect...\npartial');
    assert.equal(kept, 'hello\nworld\n');
    assert.equal(filter.end(), 'partial');
  });
});
