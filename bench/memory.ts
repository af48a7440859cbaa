// Memory while many connections are followed: `cluster-tour trace` (dist/cli.js) runs the
// 2-worker server fixture, a bounded loop opens N connections on 127.0.0.1 (one request each,
// from a process of its own), and the resident memory of the tracer and of the traced primary
// is sampled every tenth of the way. Bounded means it levels off, not that it grows with N.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopProcessGroup } from '../src/cluster/launch/launcher';
import { runLoadInChild } from './load';
import { round } from './stats';

export interface MemorySettings {
  node: string;
  repository: string;
  connections: number;
  concurrency: number;
}

export interface MemorySample {
  connections: number;
  tracerMegabytes: number;
  primaryMegabytes: number;
}

export interface MemoryResult {
  connections: number;
  failures: number;
  /** Per-connection lines the trace printed: `accepted` (primary) and `connection` (workers). */
  acceptedLines: number;
  connectionLines: number;
  /**
   * The same, counted once the tracer has exited: a trace prints what it still held at its end,
   * so a line missing above but here was held back (late), not lost.
   */
  linesAtEnd: { accepted: number; connection: number };
  samples: MemorySample[];
  /** RSS growth from the first tenth of the connections to the end, in MB. */
  tracerGrowthMegabytes: number;
  primaryGrowthMegabytes: number;
}

/** VmRSS of a process in MB (0 once it is gone). */
function residentMegabytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0; // exited
  }
}

/** The pid of the traced primary: the tracer's child that runs the fixture (not its watchdog). */
function primaryOf(tracerPid: number, fixture: string): number {
  for (const name of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === tracerPid && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(fixture)) {
        return Number(name);
      }
    } catch {
      continue; // it exited between the listing and the read
    }
  }
  throw new Error(`No primary running ${fixture} under the tracer (pid ${tracerPid})`);
}

export async function benchmarkMemory(settings: MemorySettings, log: (line: string) => void): Promise<MemoryResult> {
  const fixture = path.join(settings.repository, 'bench', 'fixtures', 'server.js');
  const cli = path.join(settings.repository, 'dist', 'cli.js');
  // The trace goes to stdout, the program's output (the LISTENING line) to stderr, with --json.
  const tracer = spawn(settings.node, [cli, 'trace', '--json', '--runtime', settings.node, fixture], {
    env: { ...process.env, BENCH_WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (tracer.pid === undefined) {
    throw new Error(`Could not start ${cli}`);
  }
  const tracerPid = tracer.pid;
  const lines = { accepted: 0, connection: 0 };
  let stopped: Promise<void> | undefined;
  let partial = '';
  tracer.stdout?.setEncoding('utf8');
  tracer.stdout?.on('data', (chunk: string) => {
    const text = partial + chunk;
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    for (const line of text.slice(0, end + 1).split('\n')) {
      if (line.startsWith('{"stage":"accepted"')) {
        lines.accepted += 1;
      } else if (line.startsWith('{"stage":"connection"')) {
        lines.connection += 1;
      }
    }
  });
  let errors = '';
  const port = await new Promise<number>((resolve, reject) => {
    tracer.stderr?.setEncoding('utf8');
    tracer.stderr?.on('data', (chunk: string) => {
      errors += chunk;
      const match = /^LISTENING (\d+)$/m.exec(errors);
      if (match) {
        resolve(Number(match[1]));
      }
    });
    tracer.once('exit', (code, signal) => reject(new Error(`the tracer exited (${code ?? signal}) before its program listened: ${errors.trim()}`)));
  });
  try {
    const primary = primaryOf(tracerPid, fixture);
    const samples: MemorySample[] = [];
    const step = Math.ceil(settings.connections / 10);
    let done = 0;
    let failures = 0;
    while (done < settings.connections) {
      const count = Math.min(step, settings.connections - done);
      const load = await runLoadInChild(port, count, settings.concurrency);
      done += count;
      failures += load.failures;
      const sample = { connections: done, tracerMegabytes: residentMegabytes(tracerPid), primaryMegabytes: residentMegabytes(primary) };
      samples.push(sample);
      log(`memory: ${done} connections · tracer ${sample.tracerMegabytes} MB · primary ${sample.primaryMegabytes} MB RSS`);
    }
    // Events still in flight (agent batches, the tracer's output) come in before counting.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (lines.accepted < done || lines.connection < done)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    const counted = { ...lines };
    await stopTracer();
    return {
      connections: done,
      failures,
      acceptedLines: counted.accepted,
      connectionLines: counted.connection,
      linesAtEnd: { ...lines },
      samples,
      tracerGrowthMegabytes: round(last.tracerMegabytes - first.tracerMegabytes),
      primaryGrowthMegabytes: round(last.primaryMegabytes - first.primaryMegabytes),
    };
  } finally {
    await stopTracer();
  }

  /** SIGTERM to the tracer stops the program it runs; its group goes too, as a last resort. Once. */
  function stopTracer(): Promise<void> {
    stopped ??= (async () => {
      if (tracer.exitCode === null && tracer.signalCode === null) {
        tracer.kill('SIGTERM');
        // 'close', not 'exit': its stdout is read to the end, with what the trace printed last.
        await new Promise<void>((resolve) => tracer.once('close', () => resolve()));
      }
      await stopProcessGroup(tracerPid, []);
    })();
    return stopped;
  }
}
