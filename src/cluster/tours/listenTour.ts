// The listen path, as a tour: worker 1's `server.listen()` becomes a `queryServer` message, the
// primary creates the one listening socket (a round-robin handle) and answers with no fd at all,
// and the worker listens on a faux handle.
import type { Tour } from './tour';

export const listenTour: Tour = {
  id: 'listen',
  title: 'How a worker listens',
  summary:
    "Worker 1 calls `server.listen()`, but the socket is created in the primary: follow the `queryServer` request, the round-robin handle and the faux handle the worker ends up listening on.",
  program: 'samples/tour-cluster.js',
  schedulingPolicy: 'rr',
  stops: [
    {
      id: 'worker-calls-listen',
      callSite: 'net:Server.prototype.listen',
      role: 'worker',
      title: "The app calls server.listen() · worker 1",
      explanation:
        "Worker 1 runs the app's `server.listen(0, '127.0.0.1')`. This is the ordinary `net.Server.prototype.listen` of every Node server; nothing here knows about cluster yet. It normalises the arguments and, a few calls later, reaches `listenInCluster`, where a worker parts ways with a plain process.\n\n" +
        "**Next:** `listenInCluster` asks the primary for a handle instead of binding a socket itself.",
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'args[0]', expected: 0, description: 'the app asks for port 0: any free port' },
        { kind: 'expression', expression: 'args[1]', expected: '127.0.0.1', description: 'on the loopback address' },
        {
          kind: 'expression',
          expression: "this.listen.toString().includes('options.reusePort === true')",
          expected: false,
          expectedByNode: [{ fromMajor: 22, expected: true }],
          description: 'this Node turns `reusePort: true` into an exclusive listen (22 and later) or knows no such option (20)',
        },
        { kind: 'next-stage', stage: 'listen-requested' },
      ],
    },
    {
      id: 'listen-in-cluster',
      callSite: 'net:listenInCluster',
      role: 'worker',
      title: 'Not the primary: ask it for a handle · worker 1',
      explanation:
        "`listenInCluster` checks `cluster.isPrimary || exclusive`: a primary, or a server listening with `exclusive: true`, binds its own socket (`server._listen2`) and cluster is bypassed. From Node 22, `listen({ port, reusePort: true })` sets `exclusive` too (in `Server.prototype.listen`), so such a worker binds its own socket with `SO_REUSEPORT`. This is a worker and the listen is not exclusive, so it packs address, port and address type into `serverQuery` and calls `cluster._getServer(server, serverQuery, listenOnPrimaryHandle)`. `listenOnPrimaryHandle` runs when the primary has answered.\n\n" +
        '**Next:** `_getServer` sends the request to the primary.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'cluster.isPrimary', expected: false, description: 'this process is a worker' },
        { kind: 'expression', expression: 'exclusive', expected: false, description: 'the listen is not exclusive, so the primary owns the socket' },
        { kind: 'expression', expression: 'port', expected: 0, description: 'the requested port is still 0' },
        { kind: 'next-stage', stage: 'query-server', role: 'primary', description: 'the primary receives queryServer' },
      ],
    },
    {
      id: 'send-query-server',
      callSite: 'child:cluster._getServer',
      role: 'worker',
      title: "Send 'queryServer' · worker 1",
      explanation:
        "`cluster._getServer` builds `{ act: 'queryServer', index, address, port, addressType, … }` and sends it to the primary over the IPC channel; `sendHelper` adds `cmd: 'NODE_CLUSTER'` (an internal message, never seen by the app's `'message'` listeners) and a `seq` number, and the primary's reply will come back as an `ack` of that `seq`. The callback given to `send` chooses later between the two policies: a reply that carries a handle means a shared listen socket (`shared()`), a reply without one means round-robin (`rr()`).\n\n" +
        "**Next:** the message crosses to the **primary**.",
      claims: [
        { kind: 'expression', expression: 'message.act', expected: 'queryServer', description: "the message is a 'queryServer' request" },
        { kind: 'expression', expression: 'message.address', expected: '127.0.0.1', description: 'for the address the app asked for' },
        { kind: 'expression', expression: 'index', expected: 0, description: "the worker's first server on that address" },
        { kind: 'next-stage', stage: 'query-server', role: 'primary', description: 'the primary receives queryServer' },
      ],
    },
    {
      id: 'primary-query-server',
      callSite: 'primary:queryServer',
      role: 'primary',
      title: "'queryServer' arrives · primary",
      explanation:
        "The primary's `onmessage` dispatches `act: 'queryServer'` to `queryServer(worker, message)`. It builds a key from address, port, address type and fd, and then the worker's `index` (its count of servers on that address): on Node 20 always, from Node 22 only when the port is 0. It looks the key up in its `handles` map: a second worker listening on the same address finds the handle there and only joins it. This is the first request, so the map is empty.\n\n" +
        '**Next:** the primary creates the handle all workers will share.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'the request comes from worker 1' },
        { kind: 'expression', expression: 'handles.size', expected: 0, description: 'no server handle exists yet in the primary' },
        { kind: 'next-stage', stage: 'handle-created' },
      ],
    },
    {
      id: 'choose-round-robin',
      callSite: 'primary:queryServer:new-RoundRobinHandle',
      role: 'primary',
      title: 'Round-robin it is · primary',
      explanation:
        "`schedulingPolicy` is `SCHED_RR`, the default everywhere but Windows: there the default is `SCHED_NONE`, because round-robin \"doesn't perform well on Windows due to the way IOCP is wired up\" (Node's comment). `NODE_CLUSTER_SCHED_POLICY=rr` or `none` overrides the default. The app may still set `cluster.schedulingPolicy` until the first `cluster.setupPrimary()` — which `cluster.fork()` calls — freezes it. The address is TCP, not UDP, so the primary calls `new RoundRobinHandle(key, address, message)`. Under `SCHED_NONE`, or for UDP, it would create a `SharedHandle` instead: see the SCHED_NONE tour.\n\n" +
        '**Next:** the round-robin handle is built.',
      claims: [
        { kind: 'expression', expression: 'schedulingPolicy === SCHED_RR', expected: true, description: 'the policy is round-robin' },
        { kind: 'expression', expression: 'handle === undefined', expected: true, description: 'no handle for this key yet' },
        { kind: 'expression', expression: 'key', expected: '127.0.0.1:0:4:undefined:0', description: 'the key: address, port, address type, fd and (port 0) index' },
        { kind: 'next-stage', stage: 'handle-created' },
      ],
    },
    {
      id: 'round-robin-handle',
      callSite: 'rr:RoundRobinHandle',
      role: 'primary',
      title: 'The one listening socket is the primary’s · primary',
      explanation:
        "The `RoundRobinHandle` constructor creates an ordinary `net.Server` **in the primary** (`net.createServer(assert.fail)`: it must never emit `'connection'`) and calls its `listen()` with the requested address. So the only real listening socket of a round-robin cluster belongs to the primary. When it listens, the constructor takes its native handle and sets `onconnection` to `this.distribute(err, handle)`: every accepted connection will be handed to a worker (see the round-robin connection tour).\n\n" +
        '**Next:** `queryServer` adds worker 1 to the handle.',
      claims: [
        { kind: 'expression', expression: 'address', expected: '127.0.0.1', description: 'the primary will listen on the address the worker asked for' },
        { kind: 'expression', expression: 'port', expected: 0, description: 'still port 0: the kernel picks the port when the primary binds' },
        { kind: 'next-stage', stage: 'listening', description: "the primary's next event is worker 1 listening" },
      ],
    },
    {
      id: 'add-worker',
      callSite: 'rr:RoundRobinHandle.prototype.add',
      role: 'primary',
      title: 'Add worker 1 to the round-robin · primary',
      explanation:
        "`add(worker, send)` records worker 1 in `this.all`. The primary's server is still binding (its `listen()` looks the address up asynchronously), so the answer waits for its `'listening'` event. Then `done()` replies `{ errno, key, sockname }` — **without a handle**: round-robin workers never get the listening socket — and calls `handoff(worker)`, which, with no connection pending, puts the worker in `this.free`, the queue of workers ready for a connection.\n\n" +
        '**Next:** the reply reaches worker 1.',
      claims: [
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 joins the handle' },
        { kind: 'expression', expression: 'this.all.size', expected: 0, description: 'it is the first worker of this handle' },
        { kind: 'expression', expression: 'this.server !== null', expected: true, description: "the primary's server is still binding, so the reply waits for 'listening'" },
        { kind: 'next-stage', stage: 'listening' },
      ],
    },
    {
      id: 'worker-rr',
      callSite: 'child:rr',
      role: 'worker',
      title: 'A reply without a handle: the faux handle · worker 1',
      explanation:
        "Back in worker 1: the reply came without a handle, so `_getServer`'s callback called `rr()`. It builds a **faux handle**: an object with `close` (tells the primary), `listen` (does nothing: the primary listens), `ref`/`unref` (`ref()` starts `setInterval(noop, TIMEOUT_MAX)`: a round-robin worker's event loop — epoll on Linux — watches no listening socket at all, and this interval is what keeps a listening worker alive) and `getsockname` (reports the primary's address, so `server.address()` works). It registers it in `handles` under the key and passes it to `listenOnPrimaryHandle`.\n\n" +
        '**Next:** `net` takes the faux handle as the server’s own.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'message.errno', expected: null, description: 'the primary reports no error' },
        { kind: 'expression', expression: 'message.sockname.address', expected: '127.0.0.1', description: "the reply carries the primary's socket address instead of a socket" },
        { kind: 'expression', expression: 'message.sockname.port > 0', expected: true, description: 'with the port the kernel chose' },
        { kind: 'next-stage', stage: 'listening' },
      ],
    },
    {
      id: 'listen-on-primary-handle',
      callSite: 'net:listenInCluster>listenOnPrimaryHandle',
      role: 'worker',
      title: "Listen on the primary's handle · worker 1",
      explanation:
        "In `net`, `listenOnPrimaryHandle(err, handle)` makes `handle` the server's `_handle` and calls `server._listen2`, as a plain server does with a socket it bound itself. The handle has no `fd`: it is the faux handle, whose `listen()` does nothing. On the next tick the app's server emits `'listening'`.\n\n" +
        "**Next:** `_getServer`'s `'listening'` callback tells the primary.",
      claims: [
        { kind: 'expression', expression: 'err', expected: 0, description: 'no error' },
        { kind: 'expression', expression: 'handle.fd === undefined', expected: true, description: 'the handle has no file descriptor: it is the faux handle' },
        { kind: 'next-stage', stage: 'listening' },
      ],
    },
    {
      id: 'tell-primary-listening',
      callSite: "child:cluster._getServer>obj.once('listening')",
      role: 'worker',
      title: "Tell the primary: 'listening' · worker 1",
      explanation:
        "The app's server emitted `'listening'`. The `once('listening')` callback that `_getServer` registered sets `cluster.worker.state = 'listening'`, reuses the request message with `act: 'listening'` and the port from `server.address()` — the primary's port, since the app asked for 0 — and sends it.\n\n" +
        "**Next:** the primary's `listening()`.",
      claims: [
        { kind: 'expression', expression: 'message.act', expected: 'listening', description: "the message is now a 'listening' notice" },
        { kind: 'expression', expression: 'message.port > 0', expected: true, description: 'with the real port' },
        { kind: 'next-stage', stage: 'listening', role: 'primary', description: 'the primary learns that worker 1 listens' },
      ],
    },
    {
      id: 'primary-listening',
      callSite: 'primary:listening',
      role: 'primary',
      title: "Worker 1 is listening · primary",
      explanation:
        "The primary's `listening(worker, message)` sets `worker.state = 'listening'` and emits `'listening'` on the worker and on `cluster`: the event apps wait for. This app forks worker 2 from that event; worker 2's `queryServer` will find the round-robin handle in `handles` and only be `add`ed to it.\n\n" +
        '**Next:** `cluster.fork()` for worker 2.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'worker 1 is listening' },
        { kind: 'expression', expression: 'worker.state', expected: 'online', description: "its state becomes 'listening' just below" },
        { kind: 'next-stage', stage: 'fork', description: 'this app forks the next worker once one listens' },
      ],
    },
  ],
};
