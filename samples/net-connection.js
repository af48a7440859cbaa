// The sample of the net-connection tour (bundled in the extension): a cluster server (NET_WORKERS
// workers, 1 by default) that answers each line with "pong", and a client in the primary that
// connects NET_CONNECTIONS times (3), one after the other, with net.createConnection, says
// "ping", reads the answer and closes. Then it disconnects the workers and exits by itself.
'use strict';
const cluster = require('node:cluster');
const net = require('node:net');

const workerCount = Number(process.env.NET_WORKERS || 1);
const connectionCount = Number(process.env.NET_CONNECTIONS || 3);

if (cluster.isPrimary) {
  for (let index = 0; index < workerCount; index++) cluster.fork();
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    listening += 1;
    if (listening === workerCount) {
      connectAll(address.port).then(() => {
        for (const each of Object.values(cluster.workers)) each.disconnect();
      });
    }
  });
} else {
  net.createServer((socket) => socket.on('data', () => socket.end('pong\n'))).listen(0, '127.0.0.1');
}

async function connectAll(port) {
  for (let index = 0; index < connectionCount; index++) {
    const answer = await new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: '127.0.0.1', port });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write('ping\n'));
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    process.stdout.write(`primary: connection ${index + 1} -> ${answer}`);
  }
}
