// Finding inspectors: checks that a host is loopback and asks an inspector's HTTP endpoint for
// its targets, with errors that say which of the usual mistakes happened.
import * as net from 'node:net';
import { ClusterTourError } from '../common/errors';

export interface InspectorTarget {
  id: string;
  title: string;
  url: string;
  webSocketDebuggerUrl: string;
}

/** True for names and addresses that can only reach this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') {
    return true;
  }
  if (net.isIPv4(bare)) {
    return bare.startsWith('127.');
  }
  if (net.isIPv6(bare)) {
    return bare === '::1' || /^::ffff:127\./i.test(bare);
  }
  return false;
}

export function assertLoopbackHost(host: string): void {
  if (!isLoopbackHost(host)) {
    throw new ClusterTourError(
      'E_HOST_NOT_LOOPBACK',
      `Refusing to attach to ${host}: Cluster Tour attaches only to inspectors on this machine (127.0.0.1, ::1 or localhost), because an inspector gives full control of the process.`,
    );
  }
}

export function assertPort(port: unknown): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ClusterTourError('E_BAD_PORT', `The inspector port must be a whole number from 1 to 65535, not ${JSON.stringify(port)}.`);
  }
}

/** Lists the targets of the inspector at host:port (Node has one per process). */
export async function listInspectorTargets(host: string, port: number, timeoutMs = 3000): Promise<InspectorTarget[]> {
  assertLoopbackHost(host);
  assertPort(port);
  const where = `${host}:${port}`;
  // Loaded here, not with the module: a trace never asks, and http took ~4 ms of its start.
  const http = await import('node:http');
  const body = await new Promise<string>((resolve, reject) => {
    const request = http.get({ host: host.replace(/^\[|\]$/g, ''), port, path: '/json/list', timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
      response.on('error', reject);
    });
    request.on('timeout', () => {
      request.destroy(new ClusterTourError('E_NOT_INSPECTOR', `Nothing answered at ${where} within ${timeoutMs} ms: is it a Node inspector port?`));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof ClusterTourError) {
        reject(error);
      } else if (error.code === 'ECONNREFUSED') {
        reject(new ClusterTourError('E_PORT_CLOSED', `Nothing is listening on ${where}. Start the program with --inspect=${where} (or pick its port), then attach again.`));
      } else {
        reject(new ClusterTourError('E_NOT_INSPECTOR', `${where} did not answer like a Node inspector: ${error.message}`));
      }
    });
  });
  let targets: unknown;
  try {
    targets = JSON.parse(body);
  } catch {
    throw new ClusterTourError('E_NOT_INSPECTOR', `${where} answered, but not like a Node inspector (its /json/list is not JSON).`);
  }
  if (!Array.isArray(targets) || !targets.every(isTarget)) {
    throw new ClusterTourError('E_NOT_INSPECTOR', `${where} answered, but not like a Node inspector (no debugger targets in /json/list).`);
  }
  return targets;
}

function isTarget(value: unknown): value is InspectorTarget {
  return typeof value === 'object' && value !== null && typeof (value as InspectorTarget).webSocketDebuggerUrl === 'string';
}
