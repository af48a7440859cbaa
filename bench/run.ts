// Entry of `npm run bench`: start-up (whole processes as a user times them, and the narrower
// runtime figure), the tracer's own CPU, throughput and memory of a cluster app under Cluster
// Tour, each as a ratio against a baseline measured in the same run; writes
// bench/results/latest.json and prints a table. Exits non-zero only when the benchmark itself broke (a run failed, events
// were dropped), never for a slow ratio.
import { runStepBenchmark, StepResult, stepTableRow } from './step';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable } from '../src/cluster/launch/launcher';
import { benchmarkStartup, StartupResult, timeObservedStart } from './startup';
import { benchmarkThroughput, RunResult } from './throughput';
import { ratio, round } from './stats';
import { parseBenchArguments } from './arguments';
import { benchmarkMemory, MemoryResult } from './memory';
import { benchmarkWholeProcess, WholeProcessResult } from './wholeProcess';
import { nodeCallSites } from '../src/cluster/callSites/callSiteCache';
import { BreakpointPlan } from '../src/cluster/breakpointPlan';
import type { ProcessRole } from '../src/common/stages';


/** The repository root: this file runs from out/bench/. */
const repository = path.resolve(__dirname, '..', '..');
const fixture = path.join(repository, 'bench', 'fixtures', 'server.js');

async function main(): Promise<number> {
  const options = parseBenchArguments(process.argv.slice(2), { node: 'node' }, 'run.js [--quick] [--node PATH]');
  // A full path, so that the runtime's cache of Node's sources applies across launches.
  const node = findExecutable(options.node, process.cwd(), process.env);
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const startupRepetitions = options.quick ? 2 : 5;
  const throughputSettings = {
    node,
    fixture,
    repository,
    requests: options.quick ? 500 : 2000,
    warmupRequests: options.quick ? 50 : 200,
    concurrency: 8,
    repetitions: options.quick ? 1 : 5,
    settleMilliseconds: 5000,
  };
  console.log(`Cluster Tour benchmarks · ${node} ${nodeVersion} · ${os.cpus().length} CPUs${options.quick ? ' · quick' : ''}`);

  // The first launch may also read Node's sources for the call sites (cached on disk
  // afterwards, for the traces below too): timed apart so that it does not skew the medians.
  const firstLaunchMilliseconds = round(await timeObservedStart({ node, fixture, repository, env: { BENCH_WORKERS: '2' } }));
  console.log(`first observed launch (reads Node's sources unless cached): ${firstLaunchMilliseconds} ms`);

  // Whole processes: `cluster-tour trace` (dist/cli.js) against `node`, each run to its end,
  // and the floor: node with the V8 debugger and the tracer's breakpoints in every process.
  const floorPlan = await writeFloorPlan(node);
  const wholeProcess: WholeProcessResult[] = [];
  for (const workers of [2, 8]) {
    const result = await benchmarkWholeProcess({ node, repository, workers, repetitions: options.quick ? 3 : 15, floorPlan });
    wholeProcess.push(result);
    console.log(
      `whole process N=${workers}: node ${result.bareMilliseconds.join(', ')} ms · ` +
        (result.floorMilliseconds ? `floor ${result.floorMilliseconds.join(', ')} ms · ` : '') +
        `cluster-tour trace ${result.tracedMilliseconds.join(', ')} ms · tracer CPU ${result.tracerCpuMilliseconds.join(', ')} ms`,
    );
  }

  const startup: StartupResult[] = [];
  for (const workers of [2, 8]) {
    const result = await benchmarkStartup({ node, fixture, repository, workers, repetitions: startupRepetitions });
    startup.push(result);
    console.log(`start-up N=${workers}: bare ${result.bareMilliseconds.join(', ')} ms · observed ${result.observedMilliseconds.join(', ')} ms`);
  }

  const throughput = await benchmarkThroughput(throughputSettings, (run: RunResult) => {
    const events = run.accepted === null ? '' : ` · accepted ${run.accepted}, connection ${run.connection} of ${run.connections}`;
    const server = run.serverCpuPerThousand === null ? '' : ` server ${run.serverCpuPerThousand},`;
    const cpu = ` · CPU ms per 1000 requests:${server} benchmark ${run.benchmarkCpuPerThousand}`;
    console.log(`throughput ${run.configuration.padEnd(8)} ${round(run.load.requestsPerSecond)} req/s${cpu}${events}`);
  });

  const memory = await benchmarkMemory({ node, repository, connections: options.quick ? 10_000 : 100_000, concurrency: 8 }, console.log);

  const results = {
    date: new Date().toISOString(),
    node: { path: node, version: nodeVersion },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null, platform: `${os.platform()} ${os.release()}` },
    quick: options.quick,
    firstLaunchMilliseconds,
    wholeProcess,
    startup,
    memory,
    throughput: { settings: { ...throughputSettings, node: undefined, fixture: path.relative(repository, fixture), repository: undefined }, ...throughput },
    step: await runStepBenchmark({ node, repository, rounds: options.quick ? 1 : 2, log: console.log }),
  };
  const directory = path.join(repository, 'bench', 'results');
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  printTable(wholeProcess, startup, throughput, results.step, memory);
  console.log(`results: ${path.relative(process.cwd(), path.join(directory, 'latest.json')) || 'bench/results/latest.json'}`);
  const failures = [...throughput.failures];
  if (memory.failures > 0 || memory.acceptedLines !== memory.connections || memory.connectionLines !== memory.connections) {
    failures.push(`memory run: ${memory.failures} failed connections, ${memory.acceptedLines} accepted and ${memory.connectionLines} connection lines for ${memory.connections} (at the trace's end: ${memory.linesAtEnd.accepted} / ${memory.linesAtEnd.connection})`);
  }
  for (const failure of failures) {
    console.error(`BROKEN: ${failure}`);
  }
  return failures.length > 0 ? 1 : 0;
}

/** The breakpoints `cluster-tour trace` sets, by role, for fixtures/debugger-floor.js; in the OS's temporary folder. */
async function writeFloorPlan(node: string): Promise<string> {
  const { resolutions } = await nodeCallSites(node);
  const plan = new BreakpointPlan(resolutions, [], true);
  const locations = (role: ProcessRole): object[] =>
    plan.breakpointsFor(role).map(({ location }) => ({
      ...(location.urlIsRegex ? { urlRegex: location.url } : { url: location.url }),
      lineNumber: location.lineNumber,
      columnNumber: location.columnNumber,
    }));
  const file = path.join(os.tmpdir(), `cluster-tour-bench-floor-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify({ primary: locations('primary'), worker: locations('worker') }));
  process.on('exit', () => fs.rmSync(file, { force: true }));
  return file;
}

function printTable(
  wholeProcess: readonly WholeProcessResult[],
  startup: readonly StartupResult[],
  throughput: Awaited<ReturnType<typeof benchmarkThroughput>>,
  step: StepResult,
  memory: MemoryResult,
): void {
  const rows: string[][] = [['measure', 'baseline', 'measured', 'ratio']];
  // The goals of the start-up work (issue 12), beside what was measured; the spread is that of
  // the ratios of the runs paired back to back.
  const startupGoals: Record<number, string> = { 2: '≤2×', 8: '≤1.5×' };
  for (const result of wholeProcess) {
    const [lowest, highest] = result.pairedRatioRange;
    const goal = startupGoals[result.workers] ? `, goal ${startupGoals[result.workers]}` : '';
    rows.push([`whole-process start-up N=${result.workers} (cluster-tour trace / node, ms; pairs ${lowest}–${highest}×${goal})`, String(result.bareMedian), String(result.tracedMedian), `${result.ratio}×`]);
  }
  for (const result of wholeProcess) {
    if (result.floorMedian !== undefined) {
      rows.push([`floor N=${result.workers}: node with the V8 debugger and these breakpoints in each process, no tracer (ms)`, String(result.bareMedian), String(result.floorMedian), `${result.floorRatio}×`]);
    }
  }
  for (const result of wholeProcess) {
    rows.push([`tracer CPU N=${result.workers} (user+sys of cluster-tour, ms${result.workers === 8 ? '; goal ≤250' : ''})`, '', String(result.tracerCpuMedian), '']);
  }
  rows.push(stepTableRow(step));
  for (const result of startup) {
    rows.push([`narrower: start-up to listening N=${result.workers} (runtime in-process / bare, ms)`, String(result.bareMedian), String(result.observedMedian), `${result.ratio}×`]);
  }
  const perSecond = throughput.requestsPerSecond;
  rows.push(['throughput (tracking / attached, req/s)', String(perSecond.attached.median), String(perSecond.tracking.median), `${throughput.trackingOverAttached}×`]);
  rows.push(['throughput (attached / bare, req/s)', String(perSecond.bare.median), String(perSecond.attached.median), `${throughput.attachedOverBare}×`]);
  rows.push(['throughput (tracking / bare, req/s)', String(perSecond.bare.median), String(perSecond.tracking.median), `${throughput.trackingOverBare}×`]);
  const cpu = throughput.serverCpuPerThousand;
  rows.push(['server CPU (tracking / attached, ms per 1000 requests)', String(cpu.attached.median), String(cpu.tracking.median), `${throughput.cpuTrackingOverAttached}×`]);
  rows.push(['server CPU (attached / bare, ms per 1000 requests)', String(cpu.bare.median), String(cpu.attached.median), `${ratio(cpu.attached.median, cpu.bare.median)}×`]);
  const own = throughput.benchmarkCpuPerThousand;
  rows.push(['controller CPU (tracking / attached, ms per 1000)', String(own.attached.median), String(own.tracking.median), `${ratio(own.tracking.median, own.attached.median)}×`]);
  for (const [index, run] of throughput.runs.filter((candidate) => candidate.configuration === 'tracking').entries()) {
    const whole = run.accepted === run.connections && run.connection === run.connections;
    rows.push([`events, tracking run ${index + 1} (accepted / connection)`, `${run.connections} conn.`, `${run.accepted} / ${run.connection}`, whole ? 'all' : 'DROPPED']);
  }
  const first = memory.samples[0];
  const last = memory.samples[memory.samples.length - 1];
  rows.push([`tracer RSS, ${first.connections} → ${last.connections} connections (MB)`, String(first.tracerMegabytes), String(last.tracerMegabytes), `+${memory.tracerGrowthMegabytes}`]);
  rows.push([`traced primary RSS, ${first.connections} → ${last.connections} connections (MB)`, String(first.primaryMegabytes), String(last.primaryMegabytes), `+${memory.primaryGrowthMegabytes}`]);
  const whole = memory.acceptedLines === memory.connections && memory.connectionLines === memory.connections;
  const wholeAtEnd = memory.linesAtEnd.accepted === memory.connections && memory.linesAtEnd.connection === memory.connections;
  rows.push([
    `trace lines, memory run (accepted / connection${whole ? '' : `; at the trace's end ${memory.linesAtEnd.accepted} / ${memory.linesAtEnd.connection}`})`,
    `${memory.connections} conn.`,
    `${memory.acceptedLines} / ${memory.connectionLines}`,
    whole ? 'all' : wholeAtEnd ? 'LATE' : 'DROPPED',
  ]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  console.log('');
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
    if (index === 0) {
      console.log(widths.map((width) => '-'.repeat(width)).join('  '));
    }
  }
  console.log('');
}

// An interrupted benchmark still stops what it started: the 'exit' hooks of each program kill
// its process group.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`The benchmark broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
