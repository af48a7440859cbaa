// Entry point of the `cluster-tour` command (bundled to dist/cli.js).
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliArguments, parseArguments, usage } from './arguments';
import { abandonStarted } from '../cluster/launch/programProcess';
import type { StartedProgram } from '../cluster/runtimeTypes';
import { describeFailure, runTrace } from './trace';

/**
 * What stops a run: SIGINT and SIGTERM, relayed from the process while a run listens (so that
 * Ctrl+C keeps its default meaning otherwise), and 'SIGPIPE' when the reader of our output went
 * away (`cluster-tour trace | head`). Node ignores the real SIGPIPE, and must: a write to a dead
 * inspector's socket raises it too. Only EPIPE on our own stdout or stderr counts.
 */
function stopSignals(): EventEmitter {
  const signals = new EventEmitter();
  const relayed = new Set<string>(['SIGINT', 'SIGTERM']);
  const relay = (signal: NodeJS.Signals): boolean => signals.emit(signal, signal);
  signals.on('newListener', (name: string) => {
    if (relayed.has(name) && signals.listenerCount(name) === 0) process.on(name as NodeJS.Signals, relay);
  });
  signals.on('removeListener', (name: string) => {
    if (relayed.has(name) && signals.listenerCount(name) === 0) process.removeListener(name as NodeJS.Signals, relay);
  });
  let pipeClosed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After EPIPE the stream is destroyed, and every later write reports that instead.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
        throw error;
      }
      if (!pipeClosed) {
        pipeClosed = true;
        signals.emit('SIGPIPE', 'SIGPIPE');
      }
    });
  }
  return signals;
}

/**
 * What bin/cluster-tour started before this process booted ("pid stdout-fd stderr-fd
 * session-folder"), taken out of
 * the environment so that nothing this process starts inherits it.
 */
function startedProgram(): StartedProgram | undefined {
  const value = process.env.CLUSTER_TOUR_STARTED;
  delete process.env.CLUSTER_TOUR_STARTED;
  const match = value === undefined ? null : /^(\d+) (\d+) (\d+) (\/.+)$/.exec(value);
  return match ? { pid: Number(match[1]), output: { stdout: Number(match[2]), stderr: Number(match[3]) }, sessionDirectory: match[4] } : undefined;
}

async function main(): Promise<number> {
  const signals = stopSignals();
  const started = startedProgram();
  const parsed = startedProgramAgrees(started, () => parseArguments(process.argv.slice(2)));
  if (parsed.command === 'help') {
    process.stdout.write(`${parsed.text ?? usage}\n`);
    return 0;
  }
  if (parsed.command === 'version') {
    // dist/cli.js sits one folder below the package root.
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }
  if (parsed.command === 'tour') {
    // Loaded only here: the tours' texts and claims are not needed to trace.
    const { runTour } = await import('./tour');
    return runTour(parsed, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (text) => process.stderr.write(text),
      programOut: (text) => process.stdout.write(text),
      input: process.stdin,
    }, signals);
  }
  return runTrace({ ...parsed, started }, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    programOut: (text) => (parsed.json ? process.stderr : process.stdout).write(text),
  }, signals);
}

/**
 * The command line, parsed; a started program that this command would not have started (the
 * launcher's reading of it and ours disagree, or it is wrong) is stopped first. It still waits for
 * its plan then, so none of its own code has run.
 */
function startedProgramAgrees(started: StartedProgram | undefined, parse: () => CliArguments): CliArguments {
  let parsed: CliArguments;
  try {
    parsed = parse();
  } catch (error) {
    if (started) abandonStarted(started);
    throw error;
  }
  if (started && (parsed.command !== 'trace' || parsed.attach !== undefined || parsed.syscalls)) {
    abandonStarted(started);
  }
  return parsed;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${describeFailure(error)}\n`);
    process.exitCode = 2;
  },
);
