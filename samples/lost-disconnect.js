// The sample of the lost-disconnect tour (bundled in the extension): the 2015 "no 'disconnect' at
// the primary" ordering, made deterministic on today's Node, then the same moment with today's
// worker.disconnect().
//
// Round 1 (worker 1) does what io.js's worker.disconnect() did: it only sends the internal
// {act: 'disconnect'} message, so the worker stays in the round-robin handle's free list. The
// worker reads it and cluster closes its server; this app's worker holds inside server.close()
// (before cluster's 'close' message goes out, without returning to its event loop, so it reads
// nothing more from its IPC socket) while the primary connects a client, so the connection is handed to worker 1 and its `newconn` lands
// in worker 1's IPC socket behind the disconnect. The primary lets the worker go once that send
// returned: the worker closes its channel without reading it. The primary gets 'exit' but never
// 'disconnect'. Round 2 (worker 2) calls worker.disconnect(): the worker leaves the handle at once,
// the client's connection is refused, and 'disconnect' comes. No race: every step waits for the
// one before it. (The held worker looks for the primary's "go" file every 10 ms in Atomics.wait,
// which a debugger can interrupt, unlike a blocking read: the outcome does not depend on timing.)
'use strict';
const cluster = require('node:cluster');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** The extra pipe each worker gets, as stdio[4], to say "I am holding". */
const holdFd = 4;
const goFile = (directory, id) => path.join(directory, `go-${id}`);

if (cluster.isPrimary) {
  cluster.setupPrimary({ stdio: ['inherit', 'inherit', 'inherit', 'ipc', 'pipe'] });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tour-lost-disconnect-'));
  const rounds = ['io.js', 'today'];
  const clients = [];
  let round = 0;

  const start = () => {
    const worker = cluster.fork({ LOST_DISCONNECT_DIRECTORY: directory });
    const go = () => fs.writeFileSync(goFile(directory, worker.id), '');
    const style = rounds[round];
    const hold = worker.process.stdio[holdFd];
    let port;
    worker.once('listening', (address) => {
      port = address.port;
      if (style === 'io.js') {
        // io.js 2.x: `this.suicide = true; send(this, { act: 'disconnect' })`, nothing more.
        worker.exitedAfterDisconnect = true;
        worker.process.send({ cmd: 'NODE_CLUSTER', act: 'disconnect' });
      } else {
        worker.disconnect();
      }
    });
    // The worker holds inside server.close(): connect a client now.
    hold.once('data', () => {
      if (style === 'io.js') {
        // Let the worker go on once the primary has written the `newconn` and its fd to it.
        const send = worker.process.send;
        worker.process.send = function (message, ...rest) {
          const result = send.call(this, message, ...rest);
          if (message && message.act === 'newconn') {
            worker.process.send = send;
            console.log(`primary: connection handed to worker ${worker.id} after its disconnect`);
            go();
          }
          return result;
        };
      }
      const client = net.connect(port, '127.0.0.1');
      clients.push(client);
      client.on('error', (error) => {
        console.log(`primary: client: ${error.code} (worker ${worker.id} no longer gets connections)`);
        go();
      });
    });
    let disconnected = false;
    worker.on('disconnect', () => {
      disconnected = true;
      console.log(`primary: worker ${worker.id} disconnected`);
    });
    worker.on('exit', (code) => {
      console.log(`primary: worker ${worker.id} exited (${code})${disconnected ? '' : " without 'disconnect'"}`);
      round += 1;
      if (round < rounds.length) {
        start();
      } else {
        for (const client of clients) client.destroy();
        fs.rmSync(directory, { recursive: true, force: true });
      }
    });
  };
  start();
} else {
  const server = net.createServer(() => {
    throw new Error('unreachable: the worker never accepts a connection');
  });
  const close = server.close;
  server.close = function (...args) {
    // Called by cluster's _disconnect on reading 'disconnect'. Hold here, in the same tick, so
    // the worker reads nothing more from its IPC channel until the primary says go.
    fs.writeSync(holdFd, 'holding');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (!fs.existsSync(goFile(process.env.LOST_DISCONNECT_DIRECTORY, cluster.worker.id))) {
      Atomics.wait(nap, 0, 0, 10);
    }
    return close.apply(this, args);
  };
  server.listen(0, '127.0.0.1');
}
