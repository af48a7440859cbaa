// The Processes view's state: the adapter's clusterTour.process and clusterTour.stage events of one
// session merged per process (pid, port, run state, stage, connections), on hand-made events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessEventBody } from '../../src/adapter/viewProtocol';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import type { SyscallDetail, SyscallEvent } from '../../src/common/syscalls';
import { ProcessStore } from '../../src/ui/processStore';

const primary = (stage: AnyLifecycleEvent['stage'], time: number, detail: object): AnyLifecycleEvent =>
  ({ stage, process: 'primary', workerId: null, pid: 100, time, detail }) as AnyLifecycleEvent;
const worker = (id: number, stage: AnyLifecycleEvent['stage'], time: number, detail: object): AnyLifecycleEvent =>
  ({ stage, process: 'worker', workerId: id, pid: 100 + id, time, detail }) as AnyLifecycleEvent;
const process = (workerId: number | null, state: ProcessEventBody['state'], reason?: string): ProcessEventBody => ({
  pid: 100 + (workerId ?? 0),
  role: workerId === null ? 'primary' : 'worker',
  workerId,
  inspectorPort: 9229 + (workerId ?? 0),
  threadId: 1 + (workerId ?? 0),
  state,
  ...(reason === undefined ? {} : { reason }),
});

describe('ProcessStore', () => {
  it('lists the primary first, then workers by id, each with its pid, port, run state and stage', () => {
    const store = new ProcessStore();
    store.applyProcess(process(2, 'attached'));
    store.applyProcess(process(null, 'attached'));
    store.applyProcess(process(1, 'attached'));
    store.applyStage(worker(1, 'listening', 10, { workerId: 1, address: '127.0.0.1', port: 8000 }));
    store.applyProcess(process(2, 'paused', 'breakpoint'));
    const entries = store.entries();
    assert.deepEqual(
      entries.map((entry) => [entry.key, entry.pid, entry.inspectorPort, entry.state, entry.stage ?? null]),
      [
        ['primary', 100, 9229, 'running', null],
        ['worker:1', 101, 9230, 'running', 'listening'],
        ['worker:2', 102, 9231, 'paused', null],
      ],
    );
    assert.equal(entries[2].reason, 'breakpoint');
  });

  it('shows a worker the primary reported before the worker attached, and counts its connections', () => {
    const store = new ProcessStore();
    store.applyStage(primary('fork', 1, { workerId: 3 }));
    store.applyStage(primary('online', 2, { workerId: 3, workerPid: 103 }));
    assert.deepEqual(store.entries().find((entry) => entry.key === 'worker:3')?.pid, 103);
    assert.equal(store.entries().find((entry) => entry.key === 'worker:3')?.state, 'unknown', 'no run state until the adapter attaches it');
    store.applyStage(worker(3, 'connection', 5, { connection: 1 }));
    store.applyStage(worker(3, 'connection', 6, { connection: 2 }));
    const entry = store.entries().find((each) => each.key === 'worker:3');
    assert.equal(entry?.connections, 2);
    assert.deepEqual(
      entry?.history.map((event) => event.stage),
      ['connection', 'connection', 'online', 'fork'],
      'newest first',
    );
    assert.equal(store.sinceStart(entry!.history[0]), 5, 'times count from the first event of the session');
  });

  it('marks every process exited when the session ends, and forgets them all on reset', () => {
    const store = new ProcessStore();
    let changes = 0;
    store.onChange(() => changes++);
    store.applyProcess(process(null, 'attached'));
    store.applyProcess(process(1, 'attached'));
    store.applyProcess(process(1, 'exited', 'terminated'));
    assert.deepEqual(store.entries().map((entry) => entry.state), ['running', 'exited']);
    store.end();
    assert.deepEqual(store.entries().map((entry) => entry.state), ['exited', 'exited']);
    store.reset();
    assert.deepEqual(store.entries(), []);
    assert.equal(changes, 5, 'every change is announced');
  });

  it('keeps each process\'s recent syscalls that tell the story, newest first, and not the bookkeeping', () => {
    const store = new ProcessStore();
    const call = (time: number, detail: SyscallDetail): SyscallEvent => ({ stage: 'syscall', process: 'worker', workerId: 1, pid: 101, time, detail });
    store.applyStage(worker(1, 'listening', 1, { workerId: 1, address: '127.0.0.1', port: 8000 }));
    store.applySyscall(call(3, { call: 'recvmsg', fd: 3, socket: 11, result: 129, passedFds: [{ fd: 19, socket: 42 }] }));
    store.applySyscall(call(4, { call: 'close', fd: 19, socket: 42, result: 0 }));
    store.applySyscall(call(5, { call: 'epoll_ctl', fd: 19, socket: 42, result: 0, op: 'ADD' }));
    store.applySyscall(call(6, { call: 'epoll_ctl', fd: 19, socket: 42, result: -1, error: 'ENOENT', op: 'DEL' }));
    const [entry] = store.entries();
    assert.deepEqual(
      entry.syscalls.map((event) => event.detail.call),
      ['epoll_ctl', 'recvmsg'],
    );
    assert.equal(store.entries().find((each) => each.role === 'primary'), undefined, 'a worker\'s calls stay with the worker');
  });
});
