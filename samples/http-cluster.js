// The bundled sample: a primary with two HTTP workers on a shared port, a few requests from the
// primary itself (one new connection each), then a clean disconnect. It shows every stage of a
// cluster's life in a couple of seconds, with nothing to set up.
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const workerCount = Number(process.env.SAMPLE_WORKERS || 2);
const requestCount = Number(process.env.SAMPLE_REQUESTS || 4);

if (cluster.isPrimary) {
  console.log(`primary ${process.pid}: forking ${workerCount} workers`);
  for (let index = 0; index < workerCount; index++) {
    cluster.fork();
  }
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    listening += 1;
    if (listening === workerCount) {
      sendRequests(address.port).then(() => {
        for (const each of Object.values(cluster.workers)) {
          each.disconnect();
        }
      });
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    console.log(`primary: worker ${worker.id} exited (${signal || code})`);
  });
} else {
  http
    .createServer((request, response) => {
      response.end(`hello from worker ${cluster.worker.id} (pid ${process.pid})\n`);
    })
    .listen(0, '127.0.0.1');
}

async function sendRequests(port) {
  for (let index = 0; index < requestCount; index++) {
    const body = await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    process.stdout.write(`primary: request ${index + 1} -> ${body}`);
    // A short pause, so that each connection's path shows up on its own in the trace.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
