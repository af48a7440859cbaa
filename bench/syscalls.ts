// `node out/bench/syscalls.js [--quick] [--node PATH]`: what `--syscalls` costs. In one run,
// alternating, the same 2-worker HTTP server bare, under the plain trace (every process attached,
// stages tracked) and under the trace with syscalls (strace, kernel-filtered): time until all
// workers listen, and requests per second with a new connection per request. Prints the medians
// and the ratios; writes bench/results/syscalls.json. Fails only when a run itself failed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { findExecutable } from '../src/cluster/launch/launcher';
import { parseBenchArguments } from './arguments';
import { BareProgram } from './bare';
import { runLoadInChild } from './load';
import { ObservedProgram } from './observed';
import { median, ratio, round } from './stats';

type Configuration = 'bare' | 'trace' | 'syscalls';
const configurations: readonly Configuration[] = ['bare', 'trace', 'syscalls'];

const repository = path.resolve(__dirname, '..', '..');
const fixture = path.join(repository, 'bench', 'fixtures', 'server.js');

interface Started {
  port: number;
  startMilliseconds: number;
  syscallEvents: () => number;
  stop(): Promise<void>;
}

async function start(configuration: Configuration, node: string): Promise<Started> {
  const options = { node, fixture, env: { BENCH_WORKERS: '2' } };
  const begin = performance.now();
  if (configuration === 'bare') {
    const program = BareProgram.start(options);
    const { port, time } = await program.watcher.listening.catch(async (error: unknown) => {
      await program.stop();
      throw error;
    });
    return { port, startMilliseconds: time - begin, syscallEvents: () => 0, stop: () => program.stop() };
  }
  const program = await ObservedProgram.launch({ ...options, repository, tracking: true, syscalls: configuration === 'syscalls' });
  let syscalls = 0;
  program.runtime.onSyscall(() => (syscalls += 1));
  const { port, time } = await program.watcher.listening.catch(async (error: unknown) => {
    await program.stop();
    throw error;
  });
  if (configuration === 'syscalls' && !program.runtime.tracesSyscalls) {
    await program.stop();
    throw new Error(`syscalls are not traced here: ${program.problems.join('; ')}`);
  }
  return { port, startMilliseconds: time - begin, syscallEvents: () => syscalls, stop: () => program.stop() };
}

async function main(): Promise<number> {
  const options = parseBenchArguments(process.argv.slice(2), { node: 'node' }, 'syscalls.js [--quick] [--node PATH]');
  const node = findExecutable(options.node, process.cwd(), process.env);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const repetitions = options.quick ? 2 : 5;
  const requests = options.quick ? 500 : 2000;
  console.log(`--syscalls benchmark · ${node} ${version} · ${repetitions} rounds · ${requests} requests, a new connection each, 8 at a time`);
  const startup: Record<Configuration, number[]> = { bare: [], trace: [], syscalls: [] };
  const throughput: Record<Configuration, number[]> = { bare: [], trace: [], syscalls: [] };
  for (let round_ = 0; round_ < repetitions; round_ += 1) {
    // Each round in another order, so that drift in the machine's load falls on all alike.
    const order = [...configurations.slice(round_ % 3), ...configurations.slice(0, round_ % 3)];
    for (const configuration of order) {
      const started = await start(configuration, node);
      try {
        await runLoadInChild(started.port, 100, 8);
        const load = await runLoadInChild(started.port, requests, 8);
        if (load.failures > 0) {
          throw new Error(`${configuration}: ${load.failures} requests failed`);
        }
        startup[configuration].push(round(started.startMilliseconds));
        throughput[configuration].push(round(load.requestsPerSecond));
        const events = configuration === 'syscalls' ? ` · ${started.syscallEvents()} syscall events` : '';
        console.log(`${configuration.padEnd(8)} start ${round(started.startMilliseconds)} ms · ${round(load.requestsPerSecond)} req/s${events}`);
      } finally {
        await started.stop();
      }
    }
  }
  const medians = (values: Record<Configuration, number[]>): Record<Configuration, number> => ({ bare: median(values.bare), trace: median(values.trace), syscalls: median(values.syscalls) });
  const start_ = medians(startup);
  const rate = medians(throughput);
  const result = {
    date: new Date().toISOString(),
    node: { path: node, version },
    startupMilliseconds: { runs: startup, medians: start_ },
    requestsPerSecond: { runs: throughput, medians: rate },
    ratios: {
      startupSyscallsOverTrace: ratio(start_.syscalls, start_.trace),
      startupSyscallsOverBare: ratio(start_.syscalls, start_.bare),
      throughputSyscallsOverTrace: ratio(rate.syscalls, rate.trace),
      throughputSyscallsOverBare: ratio(rate.syscalls, rate.bare),
      throughputTraceOverBare: ratio(rate.trace, rate.bare),
    },
  };
  console.log('\n| | bare node | trace | trace --syscalls | --syscalls / trace | --syscalls / bare |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| start-up, 2 workers (ms) | ${start_.bare} | ${start_.trace} | ${start_.syscalls} | ${result.ratios.startupSyscallsOverTrace} | ${result.ratios.startupSyscallsOverBare} |`);
  console.log(`| throughput (req/s) | ${rate.bare} | ${rate.trace} | ${rate.syscalls} | ${result.ratios.throughputSyscallsOverTrace} | ${result.ratios.throughputSyscallsOverBare} |`);
  const directory = path.join(repository, 'bench', 'results');
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'syscalls.json'), `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
