// The puzzle of 2015, "no 'disconnect' at the primary: why?", answered on the running Node: a
// `newconn` queued behind io.js's bare disconnect message is never read, its ACK never comes, and
// child_process holds the primary's disconnect back for ever. Then the same moment with today's
// worker.disconnect(), which takes the worker out of the handle first (nodejs/node #3677).
import type { Tour } from './tour';

/** libuv's UV_EOF, the same number on every platform: a read that found the peer's clean end. */
const endOfFile = -4095;

export const lostDisconnectTour: Tour = {
  id: 'lost-disconnect',
  title: "The lost 'disconnect' (2015) and its fix",
  summary:
    "In 2015, `test-cluster-worker-wait-server-close.js` sometimes saw `'exit'` but never `'disconnect'` at the primary. Replay that ordering deterministically on today's Node — a connection handed to a worker behind io.js's bare disconnect message — then the same moment with today's `worker.disconnect()`.",
  program: 'samples/lost-disconnect.js',
  schedulingPolicy: 'rr',
  stops: [
    {
      id: 'worker-reads-disconnect',
      callSite: 'child:cluster._setupWorker>onmessage:disconnect',
      role: 'worker',
      title: "Worker 1 reads the bare 'disconnect' first · worker 1",
      explanation:
        "The sample's primary did what io.js's `worker.disconnect()` did (`this.suicide = true; send(this, { act: 'disconnect' })`) and nothing more: it did **not** take worker 1 out of the round-robin handle, so worker 1 is still in its free list. Worker 1 read the message; cluster's `onmessage` calls `_disconnect(true)`, which closes the app's server. This sample's worker holds inside `server.close()` — before cluster's `'close'` message goes out, without returning to its event loop, so it reads nothing more from its IPC socket — until the primary has handed it a connection: the 2015 race (the `newconn` landing after the worker read `disconnect` and before it closed its channel), made deterministic.\n\n" +
        "**Next:** `_disconnect` starts closing, and the primary accepts a connection.",
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'message.act', expected: 'disconnect', description: "the primary's 'disconnect' message" },
        { kind: 'expression', expression: 'message.cmd', expected: 'NODE_CLUSTER', description: 'an internal cluster message, as sendHelper would build it' },
        { kind: 'next-stage', stage: 'disconnect', description: "the worker's next event: _disconnect starts closing" },
      ],
    },
    {
      id: 'primary-hands-off',
      callSite: 'rr:RoundRobinHandle.prototype.handoff',
      role: 'primary',
      title: 'The connection goes to worker 1 anyway · primary',
      explanation:
        "A client connected; the primary accepted it and `distribute` took the first free worker: worker 1, which was told to disconnect but never left the handle. `handoff` builds `{ act: 'newconn', key }` and calls `sendHelper` with the connection's handle. Its callback — close the primary's copy if the worker `accepted`, hand it to another worker if not — runs only when the worker answers.\n\n" +
        "**Next:** `child_process` writes the message and the fd to worker 1's IPC socket.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 gets the connection' },
        { kind: 'expression', expression: 'worker.exitedAfterDisconnect', expected: true, description: "it was told to disconnect (io.js's `suicide` flag)" },
        { kind: 'expression', expression: 'this.all.has(worker.id)', expected: true, description: 'yet it is still in the round-robin handle' },
        { kind: 'expression', expression: 'message.act', expected: 'newconn', description: "a 'newconn' message" },
        { kind: 'next-stage', stage: 'newconn-sent' },
      ],
    },
    {
      id: 'primary-writes-fd',
      callSite: 'child_process:setupChannel>target._send',
      role: 'primary',
      title: "The 'newconn' and its fd go out, behind the disconnect · primary",
      explanation:
        "`writeChannelMessage` writes `{ cmd: 'NODE_HANDLE', msg: { act: 'newconn', … } }` and passes the connection's fd with it (`SCM_RIGHTS`). Both now sit in worker 1's IPC socket, unread: the worker gets its own fd only when its `recvmsg()` reads this message. From here `_handleQueue` is `[]`: **one un-ACKed handle per channel**, and every later message to worker 1 — a `disconnect` included — waits for the worker's `NODE_HANDLE_ACK`.\n\n" +
        "**Next:** the primary lets worker 1 go on (this sample's pipe).",
      claims: [
        { kind: 'expression', expression: 'message.msg.act', expected: 'newconn', description: 'the newconn message goes out' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: "with the connection's file descriptor" },
        { kind: 'expression', expression: 'this._handleQueue', expected: null, description: 'no handle awaits an ACK yet: it is written now' },
        { kind: 'expression', expression: 'this.connected', expected: true, description: "the primary's side of the channel is still connected" },
      ],
    },
    {
      id: 'worker-closes-channel-unread',
      callSite: 'child_process:setupChannel>target._disconnect',
      role: 'worker',
      title: 'Worker 1 closes its channel with the message unread · worker 1',
      explanation:
        "Worker 1 went on in the same tick chain that read `disconnect`: the server closed (its faux handle sent `'close'`), `checkWaitingCount` reached 0 and called `process.disconnect()`. The worker itself sent no handle, so its `_handleQueue` is `null` and `_disconnect()` runs at once: the channel is dropped and closed on the next tick, before libuv reads the socket again. The `newconn` and its fd are never read: closing the socket drops them, and the worker never sends the ACK.\n\n" +
        "**Next:** the primary's read fails; then worker 1 exits.",
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'this.connected', expected: false, description: 'process.disconnect() was called' },
        { kind: 'expression', expression: 'this._handleQueue', expected: null, description: 'the worker waits for no ACK of its own, so it disconnects now' },
        { kind: 'next-stage', stage: 'exit', role: 'primary', description: "the primary's next event is worker 1's exit, with no 'disconnect' before it" },
      ],
    },
    {
      id: 'primary-read-fails',
      callSite: 'child_process:setupChannel>channel.onread:closed',
      role: 'primary',
      title: 'The primary reads an error, not end-of-file · primary',
      explanation:
        "The primary's read of worker 1's channel returned no data. Not end-of-file: the worker closed a socket with unread data in it, and the kernel reports that to the peer as an error (`ECONNRESET` on Linux). `channel.onread` now calls `target.disconnect()`, then closes the channel and sets `target.channel = null`.\n\n" +
        '**Next:** `disconnect()` finds a handle still waiting for its ACK.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'arrayBuffer', expected: undefined, description: 'the read returned no data' },
        { kind: 'expression', expression: `streamBaseState[kReadBytesOrError] !== ${endOfFile}`, expected: true, description: 'an error, not end-of-file: the worker closed with a message unread' },
      ],
    },
    {
      id: 'primary-disconnect-held',
      callSite: 'child_process:setupChannel>target.disconnect',
      role: 'primary',
      title: 'The disconnect is held back for ever · primary',
      explanation:
        "`target.disconnect()` sets `connected = false` and calls `_disconnect()` only if `_handleQueue` is empty. It is not: the `newconn` still waits for its `NODE_HANDLE_ACK`. The deferred disconnect runs only when an ACK arrives (`if (!target.connected && target.channel && !target._handleQueue) target._disconnect()`), and right after this call `onread` sets `target.channel = null`: no ACK can come, and `'disconnect'` is never emitted. The `handoff` callback never runs either, so the primary's copy of the client's fd is never closed.\n\n" +
        "**Next:** worker 1 exits.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'this.connected', expected: true, description: 'not disconnected yet' },
        { kind: 'expression', expression: 'this._handleQueue !== null', expected: true, description: 'a sent handle still waits for its ACK, so _disconnect() is deferred' },
      ],
    },
    {
      id: 'exit-without-disconnect',
      callSite: "primary:cluster.fork>worker.process.once('exit')",
      role: 'primary',
      condition: 'worker.id === 1',
      title: "'exit' without 'disconnect' · primary",
      explanation:
        "**This is the 2015 trace's \"NO DISCONNECT EVENT AT MASTER\".** Worker 1 exited; cluster's `'exit'` listener runs, and its state was never set to `'disconnected'`. The test was changed to dodge the race — it waits for data from the worker before disconnecting (io.js #1953) — and the fix came in Node v5.1.0 (nodejs/node #3677): `worker.disconnect()` now takes the worker out of every handle (`removeHandlesForWorker`) and out of `cluster.workers` (`removeWorker`) as soon as it sends the message. The `child_process` deferral is unchanged: a plain `child.send(message, handle)` whose receiver closes its channel without reading it still gives `'exit'` without `'disconnect'` on today's Node.\n\n" +
        '**Next:** the primary forks worker 2 for the same moment with `worker.disconnect()`.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 exited' },
        { kind: 'expression', expression: 'worker.state', expected: 'listening', description: "never 'disconnected'" },
        { kind: 'expression', expression: 'worker.process.channel', expected: null, description: 'the channel is gone' },
        { kind: 'expression', expression: 'worker.process._handleQueue !== null', expected: true, description: 'and the ACK it waits for can never come' },
        { kind: 'next-stage', stage: 'fork', description: 'the sample forks worker 2' },
      ],
    },
    {
      id: 'today-removes-worker',
      callSite: 'rr:RoundRobinHandle.prototype.remove',
      role: 'primary',
      condition: 'worker.id === 2',
      title: "Today's worker.disconnect(): out of the handle first · primary",
      explanation:
        "The primary calls `worker.disconnect()` on worker 2. It sets `exitedAfterDisconnect`, sends `{ act: 'disconnect' }` and, in the same call, `removeHandlesForWorker` asks each handle to `remove` the worker: from now on no connection can be handed to it. Worker 2 was the handle's only worker, so the handle closes the primary's listening socket too.\n\n" +
        "**Next:** worker 2 closes its server and its channel; the sample's client is refused.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 2, description: 'worker 2 leaves the handle' },
        { kind: 'expression', expression: 'this.all.has(worker.id)', expected: true, description: 'it was in the handle until now' },
        { kind: 'expression', expression: 'worker.process._handleQueue', expected: null, description: 'no handle in flight: the disconnect message went out at once' },
        { kind: 'next-stage', stage: 'disconnect', role: 'primary', description: "the primary's next event is worker 2's 'disconnect'" },
      ],
    },
    {
      id: 'today-worker-closes-channel',
      callSite: 'child_process:setupChannel>target._disconnect',
      role: 'worker',
      title: 'Worker 2 closes its channel, nothing unread · worker 2',
      explanation:
        "Worker 2 held in `server.close()` as worker 1 did, while the primary's client was refused (no worker, no listening socket). Then it closed its server and called `process.disconnect()`: the channel closes with nothing left in it.\n\n" +
        "**Next:** the primary reads end-of-file.",
      claims: [
        { kind: 'process', role: 'worker', workerId: 2 },
        { kind: 'expression', expression: 'this._handleQueue', expected: null, description: 'nothing to wait for' },
        { kind: 'next-stage', stage: 'disconnect', role: 'primary', description: "the primary's next event is worker 2's 'disconnect'" },
      ],
    },
    {
      id: 'today-primary-reads-end-of-file',
      callSite: 'child_process:setupChannel>channel.onread:closed',
      role: 'primary',
      title: 'The primary reads end-of-file · primary',
      explanation:
        "This time the read finds a clean end of file (libuv's `UV_EOF`): nothing was left unread. `onread` calls `target.disconnect()`.\n\n" +
        '**Next:** `disconnect()` with no handle waiting.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: `streamBaseState[kReadBytesOrError]`, expected: endOfFile, description: 'UV_EOF: end-of-file' },
      ],
    },
    {
      id: 'today-disconnect-now',
      callSite: 'child_process:setupChannel>target.disconnect',
      role: 'primary',
      title: 'Nothing awaits an ACK: disconnect now · primary',
      explanation:
        "`_handleQueue` is `null`, so `disconnect()` calls `_disconnect()` at once, which emits `'disconnect'` on the worker's `ChildProcess` on the next tick.\n\n" +
        "**Next:** cluster's `'disconnect'` listener.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'this._handleQueue', expected: null, description: 'no handle awaits an ACK' },
        { kind: 'next-stage', stage: 'disconnect', description: "the primary's next event is 'disconnect'" },
      ],
    },
    {
      id: 'today-disconnect-event',
      callSite: "primary:cluster.fork>worker.process.once('disconnect')",
      role: 'primary',
      title: "'disconnect' comes · primary",
      explanation:
        "Cluster's listener sets `worker.state = 'disconnected'` and emits `'disconnect'` on the worker and on `cluster`. Here it comes before `'exit'`, as it usually does; Node promises no order between the two, which arrive from different sources (the channel and the process's exit).\n\n" +
        '**Next:** worker 2 exits.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 2, description: 'worker 2 disconnected' },
        { kind: 'expression', expression: 'worker.exitedAfterDisconnect', expected: true, description: 'a planned disconnect' },
        { kind: 'next-stage', stage: 'exit', description: 'then worker 2 exits' },
      ],
    },
    {
      id: 'today-exit',
      callSite: "primary:cluster.fork>worker.process.once('exit')",
      role: 'primary',
      condition: 'worker.id === 2',
      title: 'Worker 2 exited, disconnected · primary',
      explanation:
        "Worker 2 exited after its `'disconnect'`. The sample closes its clients and the primary exits.\n\n" +
        '**Next:** the tour ends.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.state', expected: 'disconnected', description: "it was 'disconnected' before it exited" },
        { kind: 'expression', expression: 'exitCode', expected: 0, description: 'a clean exit' },
      ],
    },
  ],
};
