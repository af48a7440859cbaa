// The disconnect of a worker whose server is closing while a connection is in flight, message by
// message: disconnect → _disconnect → the server closes → 'close' → the connection ends →
// checkWaitingCount → process.disconnect() → 'disconnect' in the primary → exit.
import type { Tour } from './tour';

export const disconnectTour: Tour = {
  id: 'disconnect-in-flight',
  title: 'Disconnect with a connection in flight',
  summary:
    "The primary disconnects a worker in the middle of a request. Follow every message until the worker exits — and see that the primary does get `'disconnect'`, here before `'exit'` (the usual order; Node promises none).",
  program: 'samples/tour-disconnect.js',
  schedulingPolicy: 'rr',
  stops: [
    {
      id: 'primary-disconnects',
      callSite: 'primary:Worker.prototype.disconnect',
      role: 'primary',
      title: 'worker.disconnect() · primary',
      explanation:
        "The app's primary calls `worker.disconnect()` while worker 1 is serving a request: the primary started a POST and has sent only half of its body. The primary's `Worker.prototype.disconnect` sets `exitedAfterDisconnect = true`, sends `{ act: 'disconnect' }` to the worker, and at once removes the worker from every handle (`removeHandlesForWorker`) and from `cluster.workers` (`removeWorker`): that removal came in Node v5.1.0 (nodejs/node #3677); before it, a connection could still be handed to a worker told to disconnect (the lost-disconnect tour). No new connection goes to worker 1 from now on; it was the only worker, so the round-robin handle closes and the primary stops listening. The connection already handed over belongs to the worker and stays open there.\n\n" +
        "**Next:** `'disconnect'` reaches worker 1.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'this.id', expected: 1, description: 'worker 1 is disconnected' },
        { kind: 'expression', expression: 'this.state', expected: 'listening', description: 'it was listening' },
        { kind: 'expression', expression: 'this.isConnected()', expected: true, description: 'its IPC channel is still open' },
        { kind: 'next-stage', stage: 'disconnect', role: 'worker', description: 'the worker starts closing' },
      ],
    },
    {
      id: 'worker-gets-disconnect',
      callSite: 'child:cluster._setupWorker>onmessage:disconnect',
      role: 'worker',
      title: "'disconnect' arrives · worker 1",
      explanation:
        "In worker 1, cluster's `onmessage` receives `act: 'disconnect'` and calls `_disconnect` with `primaryInitiated = true` and the worker as `this`.\n\n" +
        '**Next:** `_disconnect` closes the servers.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'message.act', expected: 'disconnect', description: "the primary's 'disconnect' message" },
        { kind: 'next-stage', stage: 'disconnect' },
      ],
    },
    {
      id: 'worker-closes-servers',
      callSite: 'child:_disconnect',
      role: 'worker',
      title: 'Close every server, then disconnect · worker 1',
      explanation:
        "`_disconnect` sets `exitedAfterDisconnect = true` (in the worker, this stops cluster's own `'disconnect'` listener from exiting the process as soon as the channel closes) and counts what it must wait for: `waitingCount` starts at 1, plus one per server in `handles` — here the app's HTTP server, which still has one connection in flight. It calls each server's `close(checkWaitingCount)`: the server stops accepting at once, but emits `'close'`, and so calls `checkWaitingCount`, only when its last connection has ended. Then it calls `checkWaitingCount()` once itself, for the initial 1.\n\n" +
        "**Next:** `server.close()` reaches the faux handle, which tells the primary.",
      claims: [
        { kind: 'expression', expression: 'primaryInitiated', expected: true, description: 'the primary asked for this disconnect' },
        { kind: 'expression', expression: 'handles.size', expected: 1, description: 'one server to close' },
        { kind: 'expression', expression: 'handles.values().next().value[owner_symbol]._connections', expected: 1, description: 'that server still has a connection in flight' },
      ],
    },
    {
      id: 'worker-sends-close',
      callSite: 'child:rr>close',
      role: 'worker',
      title: "The server's faux handle closes: send 'close' · worker 1",
      explanation:
        "`server.close()` closed the server's handle, which in a round-robin worker is the faux handle. Its `close()` stops the faux handle's `ref()` interval (`unref()`) and sends `{ act: 'close', key }`: this worker no longer serves that key. (Node's comment notes the window: until the primary has processed it, the primary may still send connections, which the worker refuses with `accepted: false`, and the primary gives them to another worker.) The app's server no longer listens, but the in-flight connection is untouched; `'close'` waits for it.\n\n" +
        "**Next:** the primary receives `'close'`. (This app's worker wraps `server.close` to send the primary a `'closing'` message right after, and the primary finishes the request only then, so each step shows up on its own.)",
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'typeof key', expected: 'string', description: 'the key of the handle being closed' },
        { kind: 'expression', expression: 'handles.has(key)', expected: true, description: 'still registered; forgotten right after the send' },
      ],
    },
    {
      id: 'primary-gets-close',
      callSite: 'primary:close',
      role: 'primary',
      title: "'close' arrives · primary",
      explanation:
        "The primary's `close(worker, message)` would remove worker 1 from the handle with that key; but `worker.disconnect()` already did, and as worker 1 was the last worker it closed the round-robin handle, so there is nothing left to do. (Had the worker closed its server on its own, this message is how the primary would learn it.)\n\n" +
        "**Next:** the primary finishes the request, the worker answers and the connection ends.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'message.act', expected: 'close', description: "the worker's 'close' message" },
        { kind: 'expression', expression: 'handles.has(message.key)', expected: false, description: 'the handle is already gone: disconnect() removed it' },
        { kind: 'next-stage', stage: 'disconnect', description: "the primary's next event is the worker's disconnect" },
      ],
    },
    {
      id: 'server-closed',
      callSite: 'child:_disconnect>checkWaitingCount',
      role: 'worker',
      condition: 'waitingCount === 1',
      title: "The server's last connection ended · worker 1",
      explanation:
        "The response went out and the connection closed, so the server, with no connection left, emitted `'close'` and called `checkWaitingCount`. (Its first call, from `_disconnect` itself, took `waitingCount` from 2 to 1; this stop skips it.) Now it drops to 0: everything is closed. The disconnect came from the primary (`primaryInitiated`), so the worker calls `process.disconnect()` at once; a disconnect the worker started would first send `exitedAfterDisconnect` and wait for the primary's ack.\n\n" +
        '**Next:** `process.disconnect()` closes the IPC channel.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'waitingCount', expected: 1, description: 'one thing left to wait for: this server' },
        { kind: 'expression', expression: 'primaryInitiated', expected: true, description: 'so process.disconnect() is called directly' },
        { kind: 'next-stage', stage: 'disconnect', role: 'primary', description: "next, the primary sees the disconnect" },
      ],
    },
    {
      id: 'worker-closes-channel',
      callSite: 'child_process:setupChannel>target._disconnect',
      role: 'worker',
      title: 'Close the IPC channel · worker 1',
      explanation:
        "`process.disconnect()` set `connected = false` (nothing more can be sent) and, with no handle awaiting an ack, called `_disconnect()`: it drops the channel (`channel = null`) and, on the next tick, closes the channel handle and emits `'disconnect'` on `process`; cluster passes it on to `cluster.worker` and does **not** exit the process, because `exitedAfterDisconnect` is true. Closing its end of the socket pair is what the primary notices: its next read gets end-of-file.\n\n" +
        "**Next:** `'disconnect'` in the **primary**.",
      claims: [
        { kind: 'expression', expression: 'this.connected', expected: false, description: 'no more messages can be sent' },
        { kind: 'expression', expression: 'this.channel !== null', expected: true, description: 'the channel itself is about to be dropped' },
        { kind: 'next-stage', stage: 'disconnect', role: 'primary', description: 'the primary sees the channel close' },
      ],
    },
    {
      id: 'primary-disconnect-event',
      callSite: "primary:cluster.fork>worker.process.once('disconnect')",
      role: 'primary',
      title: "Yes, the primary gets 'disconnect' · primary",
      explanation:
        "**The primary does get `'disconnect'`.** Its end of the channel read end-of-file; `child_process` disconnected that end too and emitted `'disconnect'` on the worker's `ChildProcess`. This listener, registered by `cluster.fork()`, removes the worker's handles (none left), sets `worker.state = 'disconnected'` and emits `'disconnect'` on the worker and on `cluster`. Here it comes **before** `'exit'`, with a server that was closing while a connection was in flight: the primary has not processed the worker's exit yet (the process itself may already have ended, a zombie not yet reaped). That is the usual order, not a promise: the primary learns the two from different sources (end-of-file on the channel, and the child's exit status), Node promises no order between them, and `'disconnect'` can fail to come at all (see the lost-disconnect tour). The disconnect only waited for the connection to end.\n\n" +
        '**Next:** the worker, with no server, channel or timer left, exits by itself.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 disconnected' },
        { kind: 'expression', expression: 'worker.isDead()', expected: false, description: "the primary has not processed the worker's exit yet" },
        { kind: 'expression', expression: 'worker.exitedAfterDisconnect', expected: true, description: 'a planned disconnect' },
        { kind: 'next-stage', stage: 'exit', description: 'then the worker exits' },
      ],
    },
    {
      id: 'primary-exit-event',
      callSite: "primary:cluster.fork>worker.process.once('exit')",
      role: 'primary',
      title: 'Worker 1 exited · primary',
      explanation:
        "Worker 1 exited with code 0. The `'exit'` listener of `cluster.fork()` finds the worker disconnected, cleans up, sets `worker.state = 'dead'` and emits `'exit'` on the worker and on `cluster` with `exitedAfterDisconnect` true: a planned exit, not a crash. The primary has no worker, server or request left, so it exits too.\n\n" +
        '**Next:** the primary exits; the tour ends.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'exitCode', expected: 0, description: 'the worker exited normally' },
        { kind: 'expression', expression: 'signalCode', expected: null, description: 'not killed by a signal' },
        { kind: 'expression', expression: 'worker.state', expected: 'disconnected', description: "it disconnected before it exited ('dead' is set just below)" },
        { kind: 'next-stage', stage: 'exit', description: 'the primary itself exits' },
      ],
    },
  ],
};
