// Whole-process start-up, as a user times it: `cluster-tour trace app.js` (bin/cluster-tour, the
// command as installed, until it exits) against `node app.js`, on an app whose N HTTP workers
// start, listen, and are disconnected at once (bench/fixtures/startup.js). Runs alternate, and
// the tracer's own CPU (user + system of the CLI process alone, not the app it runs) comes from
// a preload that reports `process.cpuUsage()` at its exit.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, ratio, round } from './stats';

export interface WholeProcessSettings {
  node: string;
  repository: string;
  workers: number;
  repetitions: number;
  /**
   * A file with the breakpoints the tracer sets, by role (see fixtures/debugger-floor.js): when
   * given, a third kind of run, bare node with the V8 debugger and those breakpoints in every
   * process and no tracer, measures the floor of any design that sets them.
   */
  floorPlan?: string;
}

export interface WholeProcessResult {
  workers: number;
  bareMilliseconds: number[];
  tracedMilliseconds: number[];
  /** User + system CPU of the `cluster-tour` process of each traced run. */
  tracerCpuMilliseconds: number[];
  bareMedian: number;
  tracedMedian: number;
  tracerCpuMedian: number;
  /** traced / bare, medians. */
  ratio: number;
  /** The floor runs (see WholeProcessSettings.floorPlan), when measured. */
  floorMilliseconds?: number[];
  floorMedian?: number;
  /** floor / bare, medians. */
  floorRatio?: number;
  /**
   * traced / bare of each repetition's pair (run back to back), lowest and highest: how noisy
   * the machine was.
   */
  pairedRatioRange: [number, number];
}

interface Run {
  milliseconds: number;
  cpuMilliseconds: number | null;
}

/** Runs `command ...args` to its end; rejects when it fails, with what it wrote to stderr. */
function runToEnd(command: string, args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const begin = performance.now();
    // stdout to /dev/null, as a user's terminal costs nothing we want to measure.
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (errors += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const milliseconds = performance.now() - begin;
      if (code === 0) {
        resolve(milliseconds);
      } else {
        reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code ?? signal}: ${errors.trim()}`));
      }
    });
  });
}

async function runBare(settings: WholeProcessSettings, fixture: string): Promise<Run> {
  return { milliseconds: await runToEnd(settings.node, [fixture], { BENCH_WORKERS: String(settings.workers) }), cpuMilliseconds: null };
}

async function runFloor(settings: WholeProcessSettings, fixture: string, floorPlan: string): Promise<Run> {
  const preload = path.join(settings.repository, 'bench', 'fixtures', 'debugger-floor.js');
  const env = { BENCH_WORKERS: String(settings.workers), CLUSTER_TOUR_BENCH_FLOOR_PLAN: floorPlan, NODE_OPTIONS: `--require ${JSON.stringify(preload)}` };
  return { milliseconds: await runToEnd(settings.node, [fixture], env), cpuMilliseconds: null };
}

async function runTraced(settings: WholeProcessSettings, fixture: string, reportFile: string): Promise<Run> {
  fs.rmSync(reportFile, { force: true });
  // The command as installed: bin/cluster-tour, whose tracer runs under the first node on PATH.
  const command = path.join(settings.repository, 'bin', 'cluster-tour');
  const preload = path.join(settings.repository, 'bench', 'fixtures', 'cpu-report.js');
  const env = {
    BENCH_WORKERS: String(settings.workers),
    CLUSTER_TOUR_BENCH_CPU_REPORT: reportFile,
    // Into the tracer's own process only (node options, split at spaces), never into the program.
    CLUSTER_TOUR_TRACER_ARGS: `--require ${preload}`,
    PATH: [path.dirname(settings.node), process.env.PATH].filter(Boolean).join(path.delimiter),
  };
  const milliseconds = await runToEnd(command, ['trace', '--runtime', settings.node, fixture], env);
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { userMilliseconds: number; systemMilliseconds: number };
  return { milliseconds, cpuMilliseconds: report.userMilliseconds + report.systemMilliseconds };
}

export async function benchmarkWholeProcess(settings: WholeProcessSettings): Promise<WholeProcessResult> {
  const fixture = path.join(settings.repository, 'bench', 'fixtures', 'startup.js');
  const reportFile = path.join(os.tmpdir(), `cluster-tour-bench-cpu-${process.pid}.json`);
  const bare: number[] = [];
  const traced: number[] = [];
  const cpu: number[] = [];
  const floor: number[] = [];
  const kinds = settings.floorPlan === undefined ? ['bare', 'traced'] : ['bare', 'floor', 'traced'];
  try {
    for (let repetition = 0; repetition < settings.repetitions; repetition += 1) {
      // Alternating, the other way round every second time, so that drift in the machine's
      // load falls on all alike.
      const order = repetition % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        if (kind === 'bare') {
          bare.push(round((await runBare(settings, fixture)).milliseconds));
        } else if (kind === 'floor' && settings.floorPlan !== undefined) {
          floor.push(round((await runFloor(settings, fixture, settings.floorPlan)).milliseconds));
        } else {
          const run = await runTraced(settings, fixture, reportFile);
          traced.push(round(run.milliseconds));
          cpu.push(round(run.cpuMilliseconds ?? Number.NaN));
        }
      }
    }
  } finally {
    fs.rmSync(reportFile, { force: true });
  }
  const bareMedian = round(median(bare));
  const tracedMedian = round(median(traced));
  const paired = traced.map((milliseconds, index) => ratio(milliseconds, bare[index]));
  return {
    workers: settings.workers,
    bareMilliseconds: bare,
    tracedMilliseconds: traced,
    tracerCpuMilliseconds: cpu,
    bareMedian,
    tracedMedian,
    tracerCpuMedian: round(median(cpu)),
    ratio: ratio(tracedMedian, bareMedian),
    pairedRatioRange: [Math.min(...paired), Math.max(...paired)],
    ...(floor.length > 0 ? { floorMilliseconds: floor, floorMedian: round(median(floor)), floorRatio: ratio(round(median(floor)), bareMedian) } : {}),
  };
}
