// The load of the throughput benchmark: GET requests to 127.0.0.1, each on a new TCP connection
// (the per-connection path is what stage tracking hooks), a fixed number in flight. Raw sockets
// rather than http.request keep the client's own cost low on a machine it shares with the server.
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  requests: number;
  /** Connections opened, failed ones included: what the server's events should add up to. */
  connections: number;
  failures: number;
  milliseconds: number;
  requestsPerSecond: number;
}

const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

export async function runLoad(port: number, requests: number, concurrency: number): Promise<LoadResult> {
  let started = 0;
  let connections = 0;
  let failures = 0;
  const begin = performance.now();
  const lane = async (): Promise<void> => {
    while (started < requests) {
      started += 1;
      connections += 1;
      if (!(await oneRequest(port))) {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const milliseconds = performance.now() - begin;
  return { requests, connections, failures, milliseconds, requestsPerSecond: (requests / milliseconds) * 1000 };
}

/**
 * The same load from a process of its own. The runtime handles every reported event in the
 * controller's event loop; a load generator on that loop would be slowed by it and count that
 * as the server's slowness, while in real use the controller (the editor) is never the client.
 */
export function runLoadInChild(port: number, requests: number, concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [__filename, String(port), String(requests), String(concurrency)], { timeout: 120_000 }, (error, stdout) => {
      if (error) {
        reject(error);
      } else {
        resolve(JSON.parse(stdout) as LoadResult);
      }
    });
  });
}

if (require.main === module) {
  const [port, requests, concurrency] = process.argv.slice(2).map(Number);
  void runLoad(port, requests, concurrency).then((result) => process.stdout.write(JSON.stringify(result)));
}

/** One connection, one request; true when a 200 response came back whole. */
function oneRequest(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let response = '';
    socket.setEncoding('latin1');
    // The server closes after its response (Connection: close); that close ends the request.
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(response.startsWith('HTTP/1.1 200')));
  });
}
