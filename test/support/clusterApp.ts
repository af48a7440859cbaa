// Test support: a cluster app started by hand with an inspector (test/fixtures/respawning-cluster.js),
// as a user's app that Cluster Tour attaches to: its output, the workers it reports, its port,
// and killing its whole process group at the end.
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import { fixture, get, waitFor } from './cluster';

/** A worker as the fixture reports it when it starts: the variables it inherited. */
export interface StartedWorker {
  id: number;
  pid: number;
  env: Record<string, string>;
}

export class ClusterApp {
  output = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk));
  }

  /** Starts the fixture with `nodeArguments` (e.g. --inspect=127.0.0.1:0) and waits until it serves. */
  static async start(node: string, nodeArguments: readonly string[], env: Record<string, string> = {}): Promise<ClusterApp> {
    const child = spawn(node, [...nodeArguments, fixture('respawning-cluster.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...env },
    });
    const app = new ClusterApp(child);
    await waitFor('the app to listen', () => /LISTENING \d+/.test(app.output), 20000, () => app.output);
    return app;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get port(): number {
    return Number(/LISTENING (\d+)/.exec(this.output)?.[1]);
  }

  /** The primary's inspector port, from "Debugger listening on ws://127.0.0.1:PORT/…". */
  get inspectorPort(): number {
    return Number(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(this.output)?.[1]);
  }

  workers(): StartedWorker[] {
    return [...this.output.matchAll(/^WORKER (\d+) (\d+) (.*)$/gm)].map((match) => ({ id: Number(match[1]), pid: Number(match[2]), env: JSON.parse(match[3]) as Record<string, string> }));
  }

  /** Exits of workers with a code other than 0 ("EXIT <id> <pid> <code>"). */
  failedExits(): string[] {
    return [...this.output.matchAll(/^EXIT \d+ \d+ (.*)$/gm)].filter((match) => match[1] !== '0').map((match) => match[0]);
  }

  /** The primary's NODE_OPTIONS and CLUSTER_TOUR_* variables now. */
  async primaryEnvironment(): Promise<Record<string, string>> {
    return JSON.parse(await get(this.port, '/primary-env')) as Record<string, string>;
  }

  /** Asks the primary to fork; resolves with the new worker once it reported its start. */
  async fork(timeoutMilliseconds = 20000): Promise<StartedWorker> {
    const before = this.workers().length;
    await get(this.port, '/fork');
    await waitFor('the forked worker to start', () => this.workers().length > before, timeoutMilliseconds, () => this.output);
    return this.workers()[before];
  }

  /** Requests until worker `id` answers one (round-robin spreads them): it runs and serves. */
  async servedBy(id: number): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt++) {
      if ((await get(this.port)).trim() === `worker ${id}`) {
        return;
      }
    }
    throw new Error(`worker ${id} answered none of 40 requests\n${this.output}`);
  }

  /** SIGKILLs the app's process group. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw error;
      }
    }
  }
}

/** Listens on 127.0.0.1:port so that nothing else can; close it at the end. */
export function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The first of `count` consecutive ports free on 127.0.0.1 now, from 30000 up. */
export async function freePorts(count: number): Promise<number> {
  for (;;) {
    const first = 30000 + Math.floor(Math.random() * 30000);
    const free = await Promise.all(Array.from({ length: count }, (_, index) => portIsFree(first + index)));
    if (free.every(Boolean)) {
      return first;
    }
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
