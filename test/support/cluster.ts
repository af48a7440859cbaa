// Test support: launches a fixture under the runtime and keeps everything it reports, with
// waits on conditions; and a small HTTP client that opens a new connection per request.
import * as http from 'node:http';
import * as path from 'node:path';
import type { AnyLifecycleEvent, StageName } from '../../src/common/stages';
import { ClusterRuntime, LaunchOptions, ProblemEvent, RuntimePausedEvent } from '../../src/cluster/runtime';
import type { ProcessIdentity } from '../../src/cluster/session/processSession';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const fixture = (name: string): string => path.join(repositoryRoot, 'test', 'fixtures', name);
export const preloadPath = path.join(repositoryRoot, 'src', 'cluster', 'agent', 'preload.js');

/** The Node binaries integration tests run against (set by scripts/test.mjs). */
export const testNodes: string[] = (process.env.CLUSTER_TOUR_TEST_NODES ?? process.execPath).split(':').filter(Boolean);

export interface Observed {
  runtime: ClusterRuntime;
  events: AnyLifecycleEvent[];
  attached: ProcessIdentity[];
  paused: RuntimePausedEvent[];
  problems: ProblemEvent[];
  output(): string;
  waitFor(what: string, condition: () => boolean, timeoutMilliseconds?: number): Promise<void>;
  stage(stage: StageName, filter?: (event: AnyLifecycleEvent) => boolean): AnyLifecycleEvent[];
}

export async function observe(program: string, options: Partial<LaunchOptions> = {}): Promise<Observed> {
  const runtime = await ClusterRuntime.launch({ program, preloadPath, ...options });
  const events: AnyLifecycleEvent[] = [];
  const attached: ProcessIdentity[] = [];
  const paused: RuntimePausedEvent[] = [];
  const problems: ProblemEvent[] = [];
  let output = '';
  runtime.onStage((event) => events.push(event));
  runtime.onProcessAttached((identity) => attached.push(identity));
  runtime.onPaused((event) => paused.push(event));
  runtime.onProblem((problem) => problems.push(problem));
  runtime.onOutput((chunk) => (output += chunk.text));
  return {
    runtime,
    events,
    attached,
    paused,
    problems,
    output: () => output,
    stage: (stage, filter) => events.filter((event) => event.stage === stage && (!filter || filter(event))),
    waitFor: (what, condition, timeoutMilliseconds = 15000) => waitFor(what, condition, timeoutMilliseconds, () => output),
  };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMilliseconds = 15000, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMilliseconds} ms waiting for ${what}${context ? `\n--- output ---\n${context()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The port from a fixture's "LISTENING <port>" line. */
export function listeningPort(output: string): number | undefined {
  const match = /LISTENING (\d+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

/** GET on a new TCP connection (no keep-alive agent). */
export function get(port: number, urlPath = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** `total` requests, `concurrency` at a time, each on its own connection. */
export async function load(port: number, total: number, concurrency: number): Promise<string[]> {
  const bodies: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      bodies.push(await get(port));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return bodies;
}
