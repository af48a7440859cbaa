// Step benchmark: how long a step takes to stop again. At the CDP level, `Debugger.stepOver` →
// `Debugger.paused` on a node process started with --inspect-brk, with the session's prompt
// acknowledgement (src/cdp/acknowledgement.ts) against the same session without it, runs
// alternating; at the DAP level, `next` → `stopped` through the debug adapter. The goal: a median
// `next` → `stopped` of at most 10 ms. Run on its own: node out/bench/step.js [--node PATH]
// [--steps N] [--quick].
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CdpSession } from '../src/cdp/session';
import { median, ratio, round } from './stats';
import { parseBenchArguments } from './arguments';

export interface StepOptions {
  /** The node binary that runs the fixture (and, at the DAP level, is passed to the adapter). */
  node: string;
  /** The repository root (the fixture and the compiled adapter are found from it). */
  repository: string;
  /** Timed steps per run; at least 50. */
  steps?: number;
  /** Runs of each CDP configuration, alternating (default 2). */
  rounds?: number;
  /** Prints progress lines. */
  log?: (line: string) => void;
}

export interface Distribution {
  samples: number;
  median: number;
  p90: number;
}

export interface StepResult {
  steps: number;
  /** Step → paused over CDP: `plain` without prompt acknowledgement (the baseline), `prompt` with. */
  cdp: {
    plain: Distribution;
    prompt: Distribution;
    /** prompt / plain. */
    medianRatio: number;
    p90Ratio: number;
    /** Nudge commands sent per step with prompt acknowledgement. */
    nudgesPerStep: number;
  };
  /** `next` → `stopped` through the debug adapter (prompt acknowledgement on), or why not measured. */
  dap: (Distribution & { /** DAP / CDP-with-prompt-acknowledgement medians: the adapter's share. */ medianOverCdp: number }) | { skipped: string };
  /** The requirement: median `next` → `stopped` ≤ 10 ms (at the DAP level when measured, else CDP). */
  withinGoal: boolean;
}

const goalMilliseconds = 10;
const warmupSteps = 5;
const waitMilliseconds = 10_000;

function fixturePath(repository: string): string {
  return path.join(repository, 'bench', 'fixtures', 'step.js');
}

/** The 0-based line of the fixture that the benchmark breaks on. */
function targetLine(fixture: string): number {
  const line = fs.readFileSync(fixture, 'utf8').split('\n').findIndex((text) => text.includes('STEP-TARGET'));
  if (line < 0) {
    throw new Error(`${fixture} has no line marked STEP-TARGET`);
  }
  return line;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function distribution(values: readonly number[]): Distribution {
  return { samples: values.length, median: round(median(values), 2), p90: round(percentile(values, 0.9), 2) };
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${waitMilliseconds} ms waiting for ${what}`)), waitMilliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts the fixture paused at its start and resolves with its inspector's WebSocket URL. */
function startFixture(node: string, fixture: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(node, ['--inspect-brk=127.0.0.1:0', fixture], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /ws:\/\/\S+/.exec(text);
      if (match) {
        resolve(match[0]);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before its inspector listened: ${text}`)));
  });
  return { child, url: withTimeout(url, 'the fixture\'s inspector') };
}

async function stopFixture(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Times `steps` step-overs at the CDP level, after a few untimed ones. */
async function measureCdp(node: string, fixture: string, steps: number, promptAcknowledgement: boolean): Promise<{ milliseconds: number[]; nudgesPerStep: number }> {
  const { child, url } = startFixture(node, fixture);
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let session: CdpSession | undefined;
  try {
    session = await CdpSession.connect(await url, { promptAcknowledgement });
    let onPaused: (() => void) | undefined;
    const subscription = session.onPaused(() => onPaused?.());
    const paused = (what: string): Promise<void> => withTimeout(new Promise<void>((resolve) => (onPaused = resolve)), what);

    await session.enableDebugger();
    const atStart = paused('the pause at the start (--inspect-brk)');
    await session.runIfWaitingForDebugger();
    await atStart;
    const fileName = path.basename(fixture).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await session.setBreakpointByUrl({ urlRegex: `[/\\\\]${fileName}$`, lineNumber: targetLine(fixture) });
    const atBreakpoint = paused('the breakpoint in the fixture');
    await session.resume();
    await atBreakpoint;

    const milliseconds: number[] = [];
    let nudgesBefore = 0;
    for (let step = 0; step < warmupSteps + steps; step += 1) {
      if (step === warmupSteps) {
        nudgesBefore = session.nudges;
      }
      const stopped = paused('Debugger.paused after Debugger.stepOver');
      const begin = performance.now();
      const response = session.stepOver();
      await stopped;
      const elapsed = performance.now() - begin;
      await response;
      if (step >= warmupSteps) {
        milliseconds.push(elapsed);
      }
    }
    subscription.dispose();
    return { milliseconds, nudgesPerStep: round((session.nudges - nudgesBefore) / steps, 2) };
  } finally {
    await session?.close();
    await stopFixture(child);
    process.removeListener('exit', killOnExit);
  }
}

/**
 * Times `steps` DAP `next` → `stopped` through the compiled debug adapter (out/src/adapter/main.js)
 * under DebugClient: launch the fixture with a breakpoint on its target line, then step.
 */
async function measureDap(node: string, fixture: string, adapter: string, steps: number): Promise<number[]> {
  const client = new DebugClient('node', adapter, 'cluster-tour');
  client.defaultTimeout = waitMilliseconds;
  await client.start();
  try {
    const line = targetLine(fixture) + 1; // DebugClient's lines start at 1
    const configured = client.waitForEvent('initialized').then(async () => {
      await client.setBreakpointsRequest({ source: { path: fixture }, breakpoints: [{ line }] });
      await client.configurationDoneRequest();
    });
    const firstStop = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([configured, client.launch({ program: fixture, runtimeExecutable: node })]);
    const threadId = (await firstStop).body.threadId!;

    const milliseconds: number[] = [];
    for (let step = 0; step < warmupSteps + steps; step += 1) {
      const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      const begin = performance.now();
      const response = client.nextRequest({ threadId });
      const event = await stopped;
      const elapsed = performance.now() - begin;
      await response;
      if (event.body.reason !== 'step') {
        throw new Error(`a next stopped with reason ${event.body.reason}, not step`);
      }
      if (step >= warmupSteps) {
        milliseconds.push(elapsed);
      }
    }
    await client.disconnectRequest({ terminateDebuggee: true });
    return milliseconds;
  } finally {
    await client.stop();
  }
}

export async function runStepBenchmark(options: StepOptions): Promise<StepResult> {
  const steps = Math.max(50, options.steps ?? 60);
  const rounds = Math.max(1, options.rounds ?? 2);
  const log = options.log ?? ((): void => undefined);
  const fixture = fixturePath(options.repository);

  const plain: number[] = [];
  const prompt: number[] = [];
  const nudges: number[] = [];
  for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
    // Alternating which goes first, so that drift in the machine's load falls on both alike.
    const order = roundIndex % 2 === 0 ? [false, true] : [true, false];
    for (const promptAcknowledgement of order) {
      const run = await measureCdp(options.node, fixture, steps, promptAcknowledgement);
      (promptAcknowledgement ? prompt : plain).push(...run.milliseconds);
      if (promptAcknowledgement) {
        nudges.push(run.nudgesPerStep);
      }
      const summary = distribution(run.milliseconds);
      log(`step (CDP, ${promptAcknowledgement ? 'prompt ACK' : 'plain'}): median ${summary.median} ms, p90 ${summary.p90} ms over ${steps} steps${promptAcknowledgement ? ` · ${run.nudgesPerStep} nudges a step` : ''}`);
    }
  }
  const cdp = {
    plain: distribution(plain),
    prompt: distribution(prompt),
    medianRatio: 0,
    p90Ratio: 0,
    nudgesPerStep: round(median(nudges), 2),
  };
  cdp.medianRatio = ratio(cdp.prompt.median, cdp.plain.median);
  cdp.p90Ratio = ratio(cdp.prompt.p90, cdp.plain.p90);

  const adapter = path.join(options.repository, 'out', 'src', 'adapter', 'main.js');
  let dap: StepResult['dap'];
  if (fs.existsSync(adapter)) {
    const summary = distribution(await measureDap(options.node, fixture, adapter, steps));
    dap = { ...summary, medianOverCdp: ratio(summary.median, cdp.prompt.median) };
    log(`step (DAP next → stopped): median ${summary.median} ms, p90 ${summary.p90} ms over ${steps} steps`);
  } else {
    dap = { skipped: `no compiled debug adapter at ${path.relative(options.repository, adapter)}` };
    log(`step (DAP): skipped, ${dap.skipped}`);
  }
  const measured = 'median' in dap ? dap.median : cdp.prompt.median;
  const withinGoal = measured <= goalMilliseconds;
  const row = stepTableRow({ steps, cdp, dap, withinGoal });
  log(`${row[0]}: ${row[1]} → ${row[2]} (${row[3]}); p90 ${cdp.plain.p90} → ${cdp.prompt.p90} (${cdp.p90Ratio}×); goal ≤ ${goalMilliseconds} ms ${withinGoal ? 'met' : 'NOT met'}`);
  return { steps, cdp, dap, withinGoal };
}

/** The line for bench/run.ts's table: prompt acknowledgement against plain, CDP medians. */
export function stepTableRow(result: StepResult): string[] {
  return ['step → paused, CDP (prompt ACK / plain, median ms)', String(result.cdp.plain.median), String(result.cdp.prompt.median), `${result.cdp.medianRatio}×`];
}


if (require.main === module) {
  const parsed = parseBenchArguments(process.argv.slice(2), { node: process.execPath, numbers: { steps: 60 } }, 'step.js [--node PATH] [--steps N] [--quick]');
  const settings = { node: parsed.node, quick: parsed.quick, steps: parsed.numbers.steps };
  // This file runs from out/bench/.
  const repository = path.resolve(__dirname, '..', '..');
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  runStepBenchmark({ node: settings.node, repository, steps: settings.steps, rounds: settings.quick ? 1 : 2, log: console.log }).then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      const measured = 'median' in result.dap ? `DAP median ${result.dap.median} ms` : `CDP median ${result.cdp.prompt.median} ms (DAP ${result.dap.skipped})`;
      console.log(`goal median next → stopped ≤ ${goalMilliseconds} ms: ${result.withinGoal ? 'met' : 'NOT met'} (${measured})`);
    },
    (error: unknown) => {
      console.error(`The step benchmark broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    },
  );
}
