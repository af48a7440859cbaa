// `cluster-tour tour`: a guided tour walked in a terminal, without the editor. The tour engine
// (cluster/tours/engine.ts) runs over a launched runtime, as in the debug adapter's TourRun; here
// each stop is printed, and a key press (Enter, q) takes the place of Next Stop / End Tour.
import * as path from 'node:path';
import { DisposableStore } from '../common/disposable';
import { Emitter, firedWithin } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';
import { findExecutable } from '../cluster/launch/launcher';
import { readNodeSources } from '../cluster/callSites/nodeSources';
import { ClusterRuntime, type RuntimePausedEvent } from '../cluster/runtime';
import { findTour, tours } from '../cluster/tours/catalogue';
import type { ClaimResult } from '../cluster/tours/claims';
import { TourEngine, type TourStopEvent } from '../cluster/tours/engine';
import { tourLaunchOptions } from '../cluster/tours/launch';
import type { TourArguments } from './tourArguments';
import { claimLine, explanationLines, processName, sourceExcerpt } from './tourText';

export interface TourIo {
  out(line: string): void;
  err(text: string): void;
  programOut(text: string): void;
  /** Key presses; a terminal is put in raw mode. Absent or not a TTY: the tour walks to the end. */
  input?: NodeJS.ReadStream;
}

type Key = 'next' | 'quit';

/** Keys from a terminal in raw mode: Enter goes on, q (or Ctrl-C, Ctrl-D) ends the tour. */
class Keys {
  private listener: ((key: Key) => void) | undefined;
  private readonly onData = (chunk: Buffer | string): void => {
    for (const character of chunk.toString()) {
      const key: Key | undefined = character === '\r' || character === '\n' ? 'next' : 'qQ\u0003\u0004'.includes(character) ? 'quit' : undefined;
      if (key) this.listener?.(key);
    }
  };

  constructor(private readonly input: NodeJS.ReadStream) {
    input.setRawMode(true);
    input.on('data', this.onData);
    input.resume();
  }

  on(listener: (key: Key) => void): void {
    this.listener = listener;
  }

  dispose(): void {
    this.input.removeListener('data', this.onData);
    this.input.setRawMode(false);
    this.input.pause();
  }
}

export function listTours(io: Pick<TourIo, 'out'>): number {
  io.out('Tours (cluster-tour tour ID [program]):');
  const width = Math.max(...tours.map((tour) => tour.id.length));
  for (const tour of tours) {
    io.out(`  ${tour.id.padEnd(width)}  ${tour.title} (${tour.stops.length} stops)`);
  }
  return 0;
}

/** Runs the tour; resolves with the exit code: 0 when no claim failed and the tour was not cut short by the program. */
export async function runTour(options: TourArguments, io: TourIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  if (options.tourId === undefined) {
    return listTours(io);
  }
  const tour = findTour(options.tourId);
  if (!tour) {
    throw new ClusterTourError('E_UNKNOWN_TOUR', `There is no tour "${options.tourId}". Tours: ${tours.map((each) => each.id).join(', ')}.`);
  }
  const cwd = process.cwd();
  const node = findExecutable(options.runtimeExecutable ?? 'node', cwd, process.env);
  // dist/cli.js sits one folder below the package root, where the tours' samples are.
  const launch = await tourLaunchOptions(tour, { root: path.resolve(__dirname, '..'), runtimeExecutable: node });
  if (options.program !== undefined) {
    launch.program = path.resolve(cwd, options.program);
    launch.cwd = path.dirname(launch.program);
    launch.args = options.args;
  }
  const runtime = await ClusterRuntime.launch(launch);
  const disposables = new DisposableStore();
  const engine = disposables.add(new TourEngine(runtime, tour));
  const keys = io.input?.isTTY ? new Keys(io.input) : undefined;
  const total = tour.stops.length;
  const pauses = new Map<number, RuntimePausedEvent>();
  const settled = new Set<number>();
  const settledEmitter = new Emitter<number>();
  disposables.add({ dispose: () => settledEmitter.clear() });
  /** The claims of every stop reached, as decided so far. */
  const reached = new Map<number, ClaimResult[]>();
  const undecided = new Set<number>();
  let held: TourStopEvent | undefined;
  let printing = Promise.resolve();

  io.out(`Tour "${tour.id}": ${tour.title} (${total} stops) on Node ${runtime.nodeVersion}`);
  io.out(`  ${launch.program}`);
  io.out(keys ? '  Enter: next stop · q: end the tour and stop the program' : '  (stdin is not a terminal: walking to the end)');

  const ended = new Promise<'finished' | 'quit'>((resolve) => {
    disposables.add(engine.onFinished(() => resolve('finished')));
    keys?.on((key) => {
      if (key === 'quit') resolve('quit');
      else if (held) void goOn();
    });
    const onSignal = (): void => resolve('quit');
    const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGPIPE'];
    stopSignals.forEach((signal) => signals.on(signal, onSignal));
    disposables.add({ dispose: () => stopSignals.forEach((signal) => signals.removeListener(signal, onSignal)) });
  });
  let completed = false;
  disposables.add(engine.onFinished((event) => (completed = event.completed)));

  const goOn = async (): Promise<void> => {
    held = undefined;
    try {
      await engine.next();
    } catch (error) {
      io.err(`cluster-tour: ${messageOf(error)}\n`);
    }
  };

  disposables.add(runtime.onPaused((event) => pauses.set(event.process.pid, event)));
  disposables.add(runtime.onOutput((output) => (output.stream === 'stdout' ? io.programOut(output.text) : io.err(output.text))));
  disposables.add(runtime.onProblem((problem) => io.err(`cluster-tour: warning: ${problem.message}\n`)));
  disposables.add(engine.onProblem((problem) => io.err(`cluster-tour: ${problem.message} (${problem.code})\n`)));
  disposables.add(
    engine.onStopSettled((event) => {
      settled.add(event.stopIndex);
      reached.set(event.stopIndex, event.claimResults);
      settledEmitter.fire(event.stopIndex);
      if (!undecided.has(event.stopIndex)) return;
      printing = printing.then(() => {
        for (const result of event.claimResults.filter((each) => each.claim.kind === 'next-stage')) {
          io.out(`  stop ${event.stopIndex + 1}, after it: ${claimLine(result)}`);
        }
      });
    }),
  );
  disposables.add(
    engine.onStop((event) => {
      reached.set(event.stopIndex, event.claimResults);
      printing = printing
        .then(() => waitForSettled(settled, settledEmitter, event.stopIndex - 1, 1500))
        .then(() => printStop(event, placeOf(runtime, pauses.get(event.process.pid)), node, total, io))
        .then(() => {
          if (event.claimResults.some((result) => result.ok === undefined)) undecided.add(event.stopIndex);
          if (keys) {
            held = event;
            io.out(`  [Enter: next stop · q: end]`);
          } else {
            void goOn();
          }
        });
    }),
  );

  try {
    await engine.start();
    const how = await ended;
    if (how === 'quit') {
      io.out('Tour ended: stopping the program.');
      engine.dispose();
      await runtime.stop();
    } else {
      await runtime.whenEnded();
    }
    await printing;
    return summarise(reached, completed, how, total, io);
  } finally {
    keys?.dispose();
    disposables.dispose();
    await runtime.stop();
  }
}

/** The paused top frame's script URL (`node:net`) and 0-based line. */
function placeOf(runtime: ClusterRuntime, pause: RuntimePausedEvent | undefined): { url: string; line: number } | undefined {
  const frame = pause?.callFrames[0];
  const url = frame && (runtime.session(pause.process.pid)?.scriptUrl(frame.location.scriptId) ?? frame.url);
  return frame && url ? { url, line: frame.location.lineNumber } : undefined;
}

async function printStop(event: TourStopEvent, place: { url: string; line: number } | undefined, node: string, total: number, io: TourIo): Promise<void> {
  const { process } = event;
  io.out('');
  io.out(`── Stop ${event.stopIndex + 1} of ${total} · ${event.stop.title}   [${processName(process)}, pid ${process.pid}]`);
  if (place?.url.startsWith('node:')) {
    const moduleId = place.url.slice('node:'.length);
    try {
      const source = (await readNodeSources(node, [moduleId])).sources.get(moduleId);
      io.out(`  ${place.url}:${place.line + 1}`);
      for (const line of source === undefined ? [] : sourceExcerpt(source, place.line)) io.out(`  ${line}`);
    } catch (error) {
      io.out(`  (the source of ${place.url} could not be read: ${messageOf(error)})`);
    }
  } else {
    io.out(`  (the paused place is not in Node's library: ${place?.url ?? 'unknown'})`);
  }
  io.out('');
  for (const line of explanationLines(event.stop.explanation)) io.out(line);
  io.out('');
  for (const result of event.claimResults) io.out(`  ${claimLine(result)}`);
}

function waitForSettled(settled: ReadonlySet<number>, emitter: Emitter<number>, index: number, limitMilliseconds: number): Promise<void> {
  // The previous stop's "what comes next" is usually decided a moment after it was left: print
  // it before this stop when it comes in time, after it otherwise (it is labelled either way).
  if (index < 0 || settled.has(index)) return Promise.resolve();
  return firedWithin(emitter.event, limitMilliseconds, (settledIndex) => settledIndex === index).then(() => undefined);
}

function summarise(reached: ReadonlyMap<number, ClaimResult[]>, completed: boolean, how: 'finished' | 'quit', total: number, io: TourIo): number {
  const results = [...reached.values()].flat();
  const held = results.filter((result) => result.ok === true).length;
  const failed = results.filter((result) => result.ok === false).length;
  io.out('');
  if (how === 'quit') {
    io.out(`Tour ended by you after ${reached.size} of ${total} stops: ${held} claims held, ${failed} did not.`);
    return failed === 0 ? 0 : 1;
  }
  io.out(
    `${completed ? 'Tour finished' : 'The program ended before the tour did'}: ${reached.size} of ${total} stops, ${held} of ${results.length} claims held` +
      (failed > 0 ? `, ${failed} did not (✗ above).` : '.'),
  );
  return completed && failed === 0 && held === results.length ? 0 : 1;
}
