// Throughput benchmark: a 2-worker HTTP server loaded with one new connection per request, run
// bare, attached only (tracking off) and with stage tracking on, alternating; under tracking it
// also checks that every connection was reported by the primary (`accepted`) and a worker
// (`connection`).
import { BareProgram, ProgramOptions } from './bare';
import { groupCpuMilliseconds } from './cpu';
import { LoadResult, runLoadInChild } from './load';
import { ObservedProgram } from './observed';
import { median, ratio, round } from './stats';
import { delay } from '../src/cluster/launch/launcher';

export type Configuration = 'bare' | 'attached' | 'tracking';
export const configurations: readonly Configuration[] = ['bare', 'attached', 'tracking'];

export interface ThroughputSettings {
  node: string;
  fixture: string;
  repository: string;
  requests: number;
  /** Requests before the timed ones, so that every configuration is measured warm. */
  warmupRequests: number;
  concurrency: number;
  repetitions: number;
  /** How long reported events may take to add up after the load ends. */
  settleMilliseconds: number;
}

export interface RunResult {
  configuration: Configuration;
  load: LoadResult;
  connections: number;
  /** CPU the server's processes used per 1,000 timed requests (null without /proc). */
  serverCpuPerThousand: number | null;
  /**
   * CPU this process used per 1,000 timed requests: the controller, i.e. the runtime handling
   * the reported events (the load runs in a child process of its own).
   */
  benchmarkCpuPerThousand: number;
  /** Events counted under tracking (null otherwise), after waiting for them to settle. */
  accepted: number | null;
  connection: number | null;
  problems: string[];
}

export interface ThroughputResult {
  runs: RunResult[];
  requestsPerSecond: Record<Configuration, { runs: number[]; median: number }>;
  serverCpuPerThousand: Record<Configuration, { runs: number[]; median: number }>;
  benchmarkCpuPerThousand: Record<Configuration, { runs: number[]; median: number }>;
  /** tracking / attached, medians (the goal is at least 0.9). */
  trackingOverAttached: number;
  attachedOverBare: number;
  trackingOverBare: number;
  /** Server CPU per request, tracking / attached, medians (above 1: tracking costs CPU). */
  cpuTrackingOverAttached: number;
  /** Why the benchmark itself is not to be trusted: dropped events, failed requests. */
  failures: string[];
}

interface Running {
  port: number;
  /** The fixture's process group: its primary's pid. */
  processGroup: number;
  counts?: { accepted: number; connection: number };
  problems: string[];
  stop(): Promise<void>;
}

async function start(configuration: Configuration, options: ProgramOptions & { repository: string }): Promise<Running> {
  if (configuration === 'bare') {
    const program = BareProgram.start(options);
    try {
      const { port } = await program.watcher.listening;
      return { port, processGroup: program.processGroup, problems: [], stop: () => program.stop() };
    } catch (error) {
      await program.stop();
      throw error;
    }
  }
  const program = await ObservedProgram.launch({ ...options, tracking: configuration === 'tracking' });
  try {
    const { port } = await program.watcher.listening;
    return { port, processGroup: program.primaryPid(), counts: program.counts, problems: program.problems, stop: () => program.stop() };
  } catch (error) {
    await program.stop();
    throw error;
  }
}

async function runOnce(configuration: Configuration, settings: ThroughputSettings): Promise<RunResult> {
  const options = { node: settings.node, fixture: settings.fixture, repository: settings.repository, env: { BENCH_WORKERS: '2' } };
  const running = await start(configuration, options);
  try {
    const warmup = await runLoadInChild(running.port, settings.warmupRequests, settings.concurrency);
    const cpuBefore = groupCpuMilliseconds(running.processGroup);
    const ownBefore = process.cpuUsage();
    const load = await runLoadInChild(running.port, settings.requests, settings.concurrency);
    const own = process.cpuUsage(ownBefore);
    const cpuAfter = groupCpuMilliseconds(running.processGroup);
    const benchmarkCpuPerThousand = round((own.user + own.system) / settings.requests);
    const serverCpuPerThousand = cpuBefore === null || cpuAfter === null ? null : round(((cpuAfter - cpuBefore) * 1000) / settings.requests);
    const connections = warmup.connections + load.connections;
    let accepted: number | null = null;
    let connection: number | null = null;
    if (configuration === 'tracking' && running.counts) {
      const counts = running.counts;
      const deadline = Date.now() + settings.settleMilliseconds;
      while ((counts.accepted < connections || counts.connection < connections) && Date.now() < deadline) {
        await delay(50);
      }
      // A little longer, so that extra (double-counted) events would show up too.
      await delay(100);
      accepted = counts.accepted;
      connection = counts.connection;
    }
    return { configuration, load: { ...load, failures: load.failures + warmup.failures }, connections, serverCpuPerThousand, benchmarkCpuPerThousand, accepted, connection, problems: [...running.problems] };
  } finally {
    await running.stop();
  }
}

export async function benchmarkThroughput(settings: ThroughputSettings, progress: (run: RunResult) => void): Promise<ThroughputResult> {
  const runs: RunResult[] = [];
  for (let repetition = 0; repetition < settings.repetitions; repetition += 1) {
    // Each configuration takes each place in the order in turn, so drift falls on all alike.
    const order = configurations.map((_, index) => configurations[(index + repetition) % configurations.length]);
    for (const configuration of order) {
      const run = await runOnce(configuration, settings);
      runs.push(run);
      progress(run);
    }
  }
  const summary = (measure: (run: RunResult) => number | null) => (configuration: Configuration) => {
    const values = runs.filter((run) => run.configuration === configuration).flatMap((run) => measure(run) ?? []);
    return { runs: values, median: round(median(values)) };
  };
  const perSecond = summary((run) => round(run.load.requestsPerSecond));
  const cpu = summary((run) => run.serverCpuPerThousand);
  const requestsPerSecond = { bare: perSecond('bare'), attached: perSecond('attached'), tracking: perSecond('tracking') };
  const serverCpuPerThousand = { bare: cpu('bare'), attached: cpu('attached'), tracking: cpu('tracking') };
  const ownCpu = summary((run) => run.benchmarkCpuPerThousand);
  const benchmarkCpuPerThousand = { bare: ownCpu('bare'), attached: ownCpu('attached'), tracking: ownCpu('tracking') };
  return {
    runs,
    requestsPerSecond,
    serverCpuPerThousand,
    benchmarkCpuPerThousand,
    trackingOverAttached: ratio(requestsPerSecond.tracking.median, requestsPerSecond.attached.median),
    attachedOverBare: ratio(requestsPerSecond.attached.median, requestsPerSecond.bare.median),
    trackingOverBare: ratio(requestsPerSecond.tracking.median, requestsPerSecond.bare.median),
    cpuTrackingOverAttached: ratio(serverCpuPerThousand.tracking.median, serverCpuPerThousand.attached.median),
    failures: runs.flatMap(failuresOf),
  };
}

function failuresOf(run: RunResult, index: number): string[] {
  const name = `run ${index + 1} (${run.configuration})`;
  const failures: string[] = [];
  if (run.load.failures > 0) {
    failures.push(`${name}: ${run.load.failures} of ${run.connections} requests failed`);
  }
  if (run.configuration === 'tracking' && (run.accepted !== run.connections || run.connection !== run.connections)) {
    failures.push(`${name}: ${run.connections} connections but ${run.accepted} accepted and ${run.connection} connection events`);
  }
  return failures;
}
