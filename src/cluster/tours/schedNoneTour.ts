// One connection under SCHED_NONE, as a tour: the primary binds the socket and gives its fd to
// each worker once; the workers listen and accept on it themselves, and the primary never sees a
// connection.
import type { Tour } from './tour';

export const schedNoneTour: Tour = {
  id: 'connection-sched-none',
  title: 'One connection under SCHED_NONE',
  summary:
    'With `SCHED_NONE` the primary only creates and binds the socket and gives it to every worker; each worker accepts connections itself. Follow the handle to worker 1, then the first connection.',
  program: 'samples/tour-cluster.js',
  schedulingPolicy: 'none',
  stops: [
    {
      id: 'primary-query-server',
      callSite: 'primary:queryServer',
      role: 'primary',
      title: "'queryServer' arrives · primary",
      explanation:
        "Worker 1's `server.listen()` became a `queryServer` message, as under round-robin (see the listen tour). The primary looks the key up in `handles`: empty, this is the first server.\n\n" +
        '**Next:** with `SCHED_NONE`, the primary creates a shared handle.',
      claims: [
        { kind: 'process', role: 'primary' },
        { kind: 'expression', expression: 'worker.id', expected: 1, description: 'the request comes from worker 1' },
        { kind: 'expression', expression: 'schedulingPolicy === SCHED_RR', expected: false, description: 'the policy is not round-robin (SCHED_NONE)' },
        { kind: 'expression', expression: 'handles.size', expected: 0, description: 'no server handle yet' },
        { kind: 'next-stage', stage: 'handle-created' },
      ],
    },
    {
      id: 'shared-handle',
      callSite: 'shared:SharedHandle',
      role: 'primary',
      title: 'Create and bind the socket, nothing more · primary',
      explanation:
        "`SharedHandle` calls `net._createServerHandle(address, port, addressType)`: it creates a TCP socket and **binds** it in the primary, but does not `listen()` on it and never accepts on it. `add(worker, send)` then answers the worker at once and passes this handle with the answer: its fd goes to the worker as `SCM_RIGHTS` data, like a connection under round-robin — but once per worker and server, not once per connection.\n\n" +
        '**Next:** the answer, with the socket, reaches worker 1.',
      claims: [
        { kind: 'expression', expression: 'address', expected: '127.0.0.1', description: 'the address the worker asked for' },
        { kind: 'expression', expression: 'port', expected: 0, description: 'port 0: the kernel picks the port on bind' },
        { kind: 'next-stage', stage: 'listening', description: "the primary's next event is worker 1 listening" },
      ],
    },
    {
      id: 'worker-shared',
      callSite: 'child:shared',
      role: 'worker',
      title: 'A reply with a socket · worker 1',
      explanation:
        "In worker 1 the answer to `queryServer` came with a handle, so `_getServer`'s callback called `shared()`. The handle is a real TCP handle holding the worker's own duplicate of the primary's fd. `shared()` patches its `close()` so that closing it also tells the primary (`act: 'close'`), registers it in `handles` and passes it to `listenOnPrimaryHandle`.\n\n" +
        '**Next:** the worker listens on it.',
      claims: [
        { kind: 'process', role: 'worker', workerId: 1 },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'the handle has a real file descriptor in the worker' },
        { kind: 'expression', expression: 'typeof message.key', expected: 'string', description: "the reply names the primary's handle by its key" },
        { kind: 'next-stage', stage: 'listening' },
      ],
    },
    {
      id: 'listen-on-shared-handle',
      callSite: 'net:listenInCluster>listenOnPrimaryHandle',
      role: 'worker',
      title: 'Listen on the shared socket · worker 1',
      explanation:
        "`listenOnPrimaryHandle` makes the shared socket the server's `_handle`, and `_listen2` calls `listen()` on it, in the worker. Every worker does the same with its own copy of the same socket: one listening socket in the kernel, several processes polling and accepting on it. On Linux libuv registers it in each worker's epoll without `EPOLLEXCLUSIVE`, so a new connection wakes every worker polling it; which one wins is up to timing, and the load is often uneven (one reason round-robin is the default).\n\n" +
        '**Next:** the first connection, accepted by a worker directly.',
      claims: [
        { kind: 'expression', expression: 'err', expected: 0, description: 'no error' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'a real socket, unlike the round-robin faux handle' },
        { kind: 'next-stage', stage: 'listening' },
      ],
    },
    {
      id: 'worker-accepts-itself',
      callSite: 'net:onconnection',
      role: 'worker',
      title: "A worker accepted the connection itself · worker",
      explanation:
        "On Linux the kernel woke every worker polling the shared socket (a thundering herd): each one's libuv called `accept()`; this worker won, and the others got `EAGAIN` and went back to waiting. Its libuv then called `net`'s `onconnection` with the new TCP handle. No `distribute`, no `newconn` message, no fd passing, no ack: the primary never sees this connection. `this` is the worker's own listening handle with a real fd, where under round-robin it is the faux handle. `onconnection` wraps the handle in a `net.Socket` and emits `'connection'` on the app's server.\n\n" +
        "**Next:** `'connection'`, then the request, all in this worker.",
      claims: [
        { kind: 'process', role: 'worker' },
        { kind: 'expression', expression: 'handle.fd > 0', expected: true, description: 'the server’s handle is a real listening socket in this worker' },
        { kind: 'expression', expression: 'clientHandle.fd > 0', expected: true, description: 'accepted by this worker' },
        { kind: 'expression', expression: 'self._connections', expected: 1, description: "the server's first connection" },
        { kind: 'next-stage', stage: 'connection' },
      ],
    },
  ],
};
