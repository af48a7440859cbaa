// The anatomy of a net connection, as a tour: the server side (socket, bind, listen, then a
// worker's 'connection') and the client side (net.createConnection → Socket.prototype.connect →
// lookup → internalConnect → connect() → writable → afterConnect → 'connect'), in one cluster app
// whose primary is also the client.
import type { Tour } from './tour';

export const netConnectionTour: Tour = {
  id: 'net-connection',
  title: 'The anatomy of a net connection',
  summary:
    "Both ends of one TCP connection in Node's `net`: the server's socket, bind and listen, the client's `net.createConnection` down to the `connect()` syscall and back up to `'connect'`, and the server's `'connection'`. With syscalls on, each step shows the kernel's side.",
  program: 'samples/net-connection.js',
  schedulingPolicy: 'rr',
  stops: [
    {
      id: 'server-bind',
      callSite: 'net:createServerHandle',
      role: 'primary',
      title: 'Make the server socket and bind it · primary',
      explanation:
        "The worker called `server.listen(0, '127.0.0.1')`; under round-robin the **primary** listens for it, with a `net.Server` of its own inside the round-robin handle. `createServerHandle` makes a `TCP` handle and binds it: `handle.bind(address, port)` is where libuv creates the socket (`socket()`) and binds it (`bind()`). Port 0 lets the kernel pick a free port.\n\n" +
        '**Next:** `setupListenHandle` makes it a listening socket.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'address', expected: '127.0.0.1', description: 'it binds 127.0.0.1' },
        { kind: 'expression', expression: 'port', expected: 0, description: 'port 0: the kernel picks the port' },
      ],
    },
    {
      id: 'server-listen',
      callSite: 'net:setupListenHandle',
      role: 'primary',
      title: 'Listen · primary',
      explanation:
        "`this._handle.listen(backlog || 511)` calls `listen()` on the bound socket: from now on the kernel completes TCP handshakes on its own and queues the new connections (511 at most) until someone `accept()`s them. libuv registers the socket in the primary's epoll, and calls `onconnection` for each new connection.\n\n" +
        "**Next:** the client side: the primary's own `net.createConnection()`.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'backlog || 511', expected: 511, description: 'the default backlog: 511 pending connections' },
        { kind: 'expression', expression: 'typeof this._handle.listen', expected: 'function', description: 'the handle is a real TCP handle (a worker gets a faux one)' },
      ],
    },
    {
      id: 'client-create-connection',
      callSite: 'net:connect',
      role: 'primary',
      title: 'net.createConnection() · client (primary)',
      explanation:
        "Every worker listens: the primary is now a client. `net.createConnection(options)` (the same function as `net.connect`) normalises its arguments, creates a `new Socket(options)` (no file descriptor yet) and calls `socket.connect(...)`.\n\n" +
        '**Next:** `Socket.prototype.connect`.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'args[0].host', expected: '127.0.0.1', description: 'connecting to 127.0.0.1' },
      ],
    },
    {
      id: 'client-socket-connect',
      callSite: 'net:Socket.prototype.connect',
      role: 'primary',
      title: 'socket.connect() · client',
      explanation:
        "`Socket.prototype.connect` makes the socket's `TCP` handle (libuv's `socket()` comes later, at connect), sets `this.connecting = true`, and for a TCP address calls `lookupAndConnect`.\n\n" +
        '**Next:** the lookup.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'this.connecting', expected: false, description: 'not connecting yet' },
      ],
    },
    {
      id: 'client-lookup',
      callSite: 'net:lookupAndConnect',
      role: 'primary',
      title: 'Look the host up · client',
      explanation:
        "`lookupAndConnect` checks the port and the host. The host is already an IP address (`isIP(host)` is 4), so there is no DNS lookup: on the next tick it calls `internalConnect` directly. A host name would go through `dns.lookup` first, in libuv's thread pool.\n\n" +
        '**Next:** `internalConnect`.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'options.host', expected: '127.0.0.1', description: 'the host is an IP address: no DNS lookup' },
        { kind: 'expression', expression: 'self.connecting', expected: true, description: 'the socket is connecting' },
      ],
    },
    {
      id: 'client-internal-connect',
      callSite: 'net:internalConnect',
      role: 'primary',
      title: 'connect() · client',
      explanation:
        "`internalConnect` makes a `TCPConnectWrap` request whose `oncomplete` is `afterConnect`, then `self._handle.connect(req, address, port)`. libuv creates the socket (`socket()`, non-blocking) and calls `connect()`, which returns at once with `EINPROGRESS`: the handshake goes on in the kernel. libuv registers the socket in epoll to learn when it becomes writable.\n\n" +
        '**Next:** the socket becomes writable, and libuv calls `afterConnect`.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'address', expected: '127.0.0.1', description: 'connecting to 127.0.0.1' },
        { kind: 'expression', expression: 'addressType', expected: 4, description: 'an IPv4 address' },
      ],
    },
    {
      id: 'client-after-connect',
      callSite: 'net:afterConnect',
      role: 'primary',
      title: "Connected: 'connect' · client",
      explanation:
        "The socket became writable. libuv read its result with `getsockopt(SO_ERROR)` (0: connected) and called the request's `oncomplete`, `afterConnect(status, handle, req, readable, writable)`. It has set `connecting = false`, and now emits `'connect'`: the sample's listener writes \"ping\".\n\n" +
        "Meanwhile, on the server side, the primary's listening socket became readable: it `accept()`ed the connection and handed it to a worker (see the connection tours).\n\n" +
        "**Next:** the worker's server emits `'connection'`.",
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'status', expected: 0, description: 'connected (SO_ERROR 0)' },
        { kind: 'expression', expression: 'self.connecting', expected: false, description: 'no longer connecting' },
      ],
    },
    {
      id: 'server-connection',
      callSite: 'net:onconnection',
      role: 'worker',
      title: "The server emits 'connection' · worker 1",
      explanation:
        "In the worker, `onconnection(err, clientHandle)` wraps the handle that came over IPC in a `net.Socket` and emits `'connection'`: the sample's handler will answer \"pong\". The socket is registered in the **worker**'s epoll when it starts reading.\n\n" +
        'This ends the tour; the client reads "pong" and closes.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'err', expected: 0, description: 'no error' },
        { kind: 'expression', expression: 'typeof clientHandle.fd', expected: 'number', description: 'the connection has a file descriptor of its own in the worker' },
      ],
    },
  ],
};
