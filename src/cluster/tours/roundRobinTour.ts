// One connection under round-robin, as a tour: the primary accepts it, picks a worker, and sends
// the socket's fd with a `newconn` message; the worker turns the fd back into a socket and its
// server emits 'connection'.
import type { Tour } from './tour';

export const roundRobinTour: Tour = {
  id: 'connection-round-robin',
  title: 'One connection under round-robin',
  summary:
    'The primary accepts every connection and passes its file descriptor to a worker in a `newconn` message: follow the first request from accept() to the worker\'s `\'connection\'` event.',
  program: 'samples/tour-cluster.js',
  schedulingPolicy: 'rr',
  stops: [
    {
      id: 'primary-accepts',
      callSite: 'rr:RoundRobinHandle.prototype.distribute',
      role: 'primary',
      title: 'The primary accepts the connection · primary',
      explanation:
        "A client connected (here the app's primary sends the request itself). The **primary**'s listening socket accepted it: libuv called `onconnection`, which the round-robin handle set to `distribute(err, handle)`. `handle` is the new connection's TCP handle, with its own file descriptor in the primary. `distribute` appends it to the pending connections (`this.handles`), takes the first worker of `this.free` (idle workers, in the order they became free) and calls `handoff(worker)`.\n\n" +
        '**Next:** the connection is handed to that worker.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'err', expected: 0, description: 'accept() succeeded' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'the accepted connection has a file descriptor in the primary' },
        { kind: 'expression', expression: 'this.free.size', expected: 2, description: 'both workers are idle, waiting in the free queue' },
        { kind: 'next-stage', stage: 'newconn-sent' },
      ],
    },
    {
      id: 'handoff',
      callSite: 'rr:RoundRobinHandle.prototype.handoff',
      role: 'primary',
      title: 'Hand the connection to worker 1 · primary',
      explanation:
        "`handoff(worker)` checks that the worker still serves this handle, takes the oldest pending connection off `this.handles` and builds `{ act: 'newconn', key }`. It calls `sendHelper(worker.process, message, handle, callback)`; the callback runs when the worker answers: if it `accepted`, the primary closes **its** copy of the connection (the worker has its own fd by then); if not — the worker no longer has that server (it is closing), or its server is at `maxConnections` — it distributes the connection again. Either way it calls `handoff(worker)` again for the next pending connection.\n\n" +
        '**Next:** `sendHelper` sends the message with the handle.',
      claims: [
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 was first in the free queue' },
        { kind: 'expression', expression: 'message.act', expected: 'newconn', description: "the message is 'newconn'" },
        { kind: 'next-stage', stage: 'newconn-sent' },
      ],
    },
    {
      id: 'send-newconn',
      callSite: 'utils:sendHelper',
      role: 'primary',
      title: "Send 'newconn' with the socket · primary",
      explanation:
        "`sendHelper` turns the message into `{ cmd: 'NODE_CLUSTER', act: 'newconn', key, seq }` — the `NODE_` prefix makes it internal, so the app's `'message'` listeners never see it; `seq` pairs the worker's answer with the callback — and calls `proc.send(message, handle)` on the worker's `ChildProcess`.\n\n" +
        '**Next:** `child_process` packs the handle with the message.',
      claims: [
        { kind: 'expression', expression: 'message.cmd', expected: 'NODE_CLUSTER', description: 'an internal cluster message' },
        { kind: 'expression', expression: 'message.act', expected: 'newconn', description: "'newconn'" },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'sent together with the connection handle' },
        { kind: 'next-stage', stage: 'newconn-sent' },
      ],
    },
    {
      id: 'native-send',
      callSite: 'child_process:handleConversion.net.Native.send',
      role: 'primary',
      title: 'Wrap the message for a handle · primary',
      explanation:
        "`target._send`, the IPC side of `ChildProcess.send`, wraps a message that comes with a handle: `{ cmd: 'NODE_HANDLE', type: 'net.Native', msg: <the newconn message> }`; `type` says what to rebuild on the other side. `handleConversion['net.Native'].send` returns the raw TCP handle as it is (for a `net.Socket` it would take `socket._handle`).\n\n" +
        '**Next:** the message and the fd are written to the IPC channel.',
      claims: [
        { kind: 'expression', expression: 'message.cmd', expected: 'NODE_HANDLE', description: 'the message is wrapped as NODE_HANDLE' },
        { kind: 'expression', expression: 'message.type', expected: 'net.Native', description: 'a raw TCP handle' },
        { kind: 'expression', expression: 'message.msg.act', expected: 'newconn', description: 'around the newconn message' },
        { kind: 'next-stage', stage: 'newconn-received', role: 'worker', description: 'the next event is in the worker' },
      ],
    },
    {
      id: 'write-channel',
      callSite: 'child_process:setupChannel>target._send',
      role: 'primary',
      title: 'Write the message and the fd to the IPC channel · primary',
      explanation:
        "`writeChannelMessage(channel, req, message, handle)` serialises the message — a line of JSON by default, the V8 serializer with `serialization: 'advanced'` — and writes it to the IPC channel (a Unix domain socket pair on Linux and macOS) together with the handle: libuv passes its file descriptor in the same `sendmsg()` call as `SCM_RIGHTS` ancillary data. The fd travels with the message: the worker gets a descriptor of its own only when its `recvmsg()` reads this message; a message never read is dropped with its fd when the socket closes (the lost-disconnect tour). Until the worker acknowledges the handle (`NODE_HANDLE_ACK`), every later message to this worker, a `disconnect` included, waits in `_handleQueue`: one un-ACKed handle per worker, which keeps today's `worker.disconnect()` behind any connection in flight and makes the primary hand each worker at most one connection per round trip.\n\n" +
        '**Next:** the message arrives in **worker 1**.',
      claims: [
        { kind: 'expression', expression: 'message.msg.act', expected: 'newconn', description: 'the newconn message goes out' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'with the connection’s file descriptor' },
        { kind: 'expression', expression: 'this._handleQueue', expected: null, description: 'no earlier handle awaits an ack, so it goes now' },
        { kind: 'next-stage', stage: 'newconn-received', role: 'worker', description: 'the next event is in the worker' },
      ],
    },
    {
      id: 'read-channel',
      callSite: 'child_process:setupChannel>channel.onread',
      role: 'worker',
      title: 'Read the message and the fd · worker 1',
      explanation:
        "In worker 1, libuv read the bytes and the fd from the IPC socket. `channel.onread` finds the fd in `channel.pendingHandle`, already wrapped in a TCP handle, parses the chunk's JSON messages and sees `cmd: 'NODE_HANDLE'`: the handle belongs to this message (a chunk carries at most one: `SCM_RIGHTS` messages are not coalesced). `handleMessage` emits it as `'internalMessage'` on `process`, on the next tick.\n\n" +
        "**Next:** `child_process`'s own listener handles it.",
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'message.msg.act', expected: 'newconn', description: 'the newconn message arrived' },
        { kind: 'expression', expression: 'pendingHandle.fd > 0', expected: true, description: 'with a file descriptor of its own in the worker' },
        { kind: 'next-stage', stage: 'newconn-received' },
      ],
    },
    {
      id: 'convert-handle',
      callSite: "child_process:setupChannel>target.on('internalMessage')",
      role: 'worker',
      title: 'Acknowledge and convert the handle · worker 1',
      explanation:
        "`child_process`'s `'internalMessage'` listener handles `NODE_HANDLE`: it has already acknowledged the handle (`NODE_HANDLE_ACK`, which lets the primary send its next queued handle) and now calls `handleConversion[message.type].got` to turn the handle into what the sender had, then emits the inner message, `msg`, with it.\n\n" +
        '**Next:** the `net.Native` conversion.',
      claims: [
        { kind: 'expression', expression: 'message.type', expected: 'net.Native', description: 'a raw TCP handle' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'the received handle' },
        { kind: 'next-stage', stage: 'newconn-received' },
      ],
    },
    {
      id: 'native-got',
      callSite: 'child_process:handleConversion.net.Native.got',
      role: 'worker',
      title: 'The TCP handle, as it came · worker 1',
      explanation:
        "For `net.Native` there is nothing to rebuild: `got` passes the TCP handle straight to `emit`, which calls `handleMessage(message.msg, handle, true)`: the inner `{ cmd: 'NODE_CLUSTER', act: 'newconn', … }` is emitted as `'internalMessage'` with the handle, on the next tick.\n\n" +
        "**Next:** cluster's listener in the worker.",
      claims: [
        { kind: 'expression', expression: 'message.msg.act', expected: 'newconn', description: 'the inner message is newconn' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'the TCP handle is passed on as it is' },
        { kind: 'next-stage', stage: 'newconn-received' },
      ],
    },
    {
      id: 'worker-newconn',
      callSite: 'child:cluster._setupWorker>onmessage:newconn',
      role: 'worker',
      title: "'newconn' reaches cluster · worker 1",
      explanation:
        "Cluster's `internal(worker, onmessage)` listener passes `NODE_CLUSTER` messages to the worker's `onmessage` (messages with an `ack` go to their callbacks instead). `act: 'newconn'` goes to `onconnection(message, handle)`.\n\n" +
        '**Next:** `onconnection` finds the server and accepts.',
      claims: [
        { kind: 'expression', expression: 'message.act', expected: 'newconn', description: "'newconn'" },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'with the connection handle' },
        { kind: 'next-stage', stage: 'connection' },
      ],
    },
    {
      id: 'worker-accepts',
      callSite: 'child:onconnection',
      role: 'worker',
      title: 'Accept and pass the socket to the server · worker 1',
      explanation:
        "`onconnection` finds the server's faux handle under the message's `key` and refuses the connection if the server is gone or at `maxConnections` — the test differs: Node 20 refuses when `maxConnections` is non-zero and reached, 22 and 24 when it is set (0 included) and reached, unless the server's `dropMaxConnection` is set. Then it answers the primary `{ ack: message.seq, accepted: true }`: on that answer the primary's `handoff` callback closes the primary's copy of the connection. Then it calls `server.onconnection(0, handle)`, the faux handle's `onconnection`, which `net` set when the server started listening: from here on it is as if the worker had accepted the connection itself.\n\n" +
        "**Next:** `net` makes a socket and emits `'connection'`.",
      claims: [
        { kind: 'expression', expression: 'accepted', expected: true, description: 'the worker accepts the connection' },
        {
          kind: 'expression',
          expression: "typeof server[owner_symbol].maxConnections",
          expected: 'undefined',
          description: 'the app set no maxConnections',
        },
        {
          kind: 'expression',
          expression: "onconnection.toString().includes('dropMaxConnection')",
          expected: false,
          expectedByNode: [{ fromMajor: 22, expected: true }],
          description: "this Node's refusal test knows dropMaxConnection (22 and later) or not (20)",
        },
        { kind: 'expression', expression: 'server === handles.get(key)', expected: true, description: "the server is found by the handle's key" },
        { kind: 'next-stage', stage: 'connection' },
      ],
    },
    {
      id: 'connection-event',
      callSite: 'net:onconnection',
      role: 'worker',
      title: "The server emits 'connection' · worker 1",
      explanation:
        "`net`'s `onconnection(err, clientHandle)` wrapped the TCP handle in a `net.Socket`, counted it (`self._connections++`) and now emits `'connection'` on the app's server; `http` turns that into a `'request'`. `this` is the faux handle: worker 1 never accepted on a socket of its own. From here on the connection is an ordinary socket of worker 1; the response goes from worker 1 straight to the client, without the primary.\n\n" +
        '**Next:** the request is served. The next connection goes to worker 2, now first in the free queue.',
      claims: [
        { kind: 'expression', expression: 'handle.fd === undefined', expected: true, description: 'the server’s handle is the faux handle: no fd' },
        { kind: 'expression', expression: 'clientHandle.fd > 0', expected: true, description: 'the connection has its fd in the worker' },
        { kind: 'expression', expression: 'self._connections', expected: 1, description: "it is the server's first connection" },
        { kind: 'next-stage', stage: 'connection' },
      ],
    },
  ],
};
