// Start-up benchmark: time from launch until the fixture's primary says all N workers listen,
// bare node against the runtime (tracking on, every process attached), runs alternating.
import { performance } from 'node:perf_hooks';
import { BareProgram, ProgramOptions } from './bare';
import { ObservedProgram } from './observed';
import { median, ratio, round } from './stats';

export interface StartupSettings {
  node: string;
  fixture: string;
  repository: string;
  workers: number;
  repetitions: number;
}

export interface StartupResult {
  workers: number;
  bareMilliseconds: number[];
  observedMilliseconds: number[];
  bareMedian: number;
  observedMedian: number;
  /** observed / bare, medians. */
  ratio: number;
}

export async function timeBareStart(options: ProgramOptions): Promise<number> {
  const begin = performance.now();
  const program = BareProgram.start(options);
  try {
    const { time } = await program.watcher.listening;
    return time - begin;
  } finally {
    await program.stop();
  }
}

export async function timeObservedStart(options: ProgramOptions & { repository: string }): Promise<number> {
  const begin = performance.now();
  const program = await ObservedProgram.launch({ ...options, tracking: true });
  try {
    const { time } = await program.watcher.listening;
    return time - begin;
  } finally {
    await program.stop();
  }
}

export async function benchmarkStartup(settings: StartupSettings): Promise<StartupResult> {
  const options = { node: settings.node, fixture: settings.fixture, repository: settings.repository, env: { BENCH_WORKERS: String(settings.workers) } };
  const bare: number[] = [];
  const observed: number[] = [];
  for (let repetition = 0; repetition < settings.repetitions; repetition += 1) {
    // Alternating, and starting with the other one every second time, so that drift in the
    // machine's load falls on both sides alike.
    const order = repetition % 2 === 0 ? ['bare', 'observed'] : ['observed', 'bare'];
    for (const kind of order) {
      if (kind === 'bare') {
        bare.push(round(await timeBareStart(options)));
      } else {
        observed.push(round(await timeObservedStart(options)));
      }
    }
  }
  const bareMedian = round(median(bare));
  const observedMedian = round(median(observed));
  return { workers: settings.workers, bareMilliseconds: bare, observedMilliseconds: observed, bareMedian, observedMedian, ratio: ratio(observedMedian, bareMedian) };
}
