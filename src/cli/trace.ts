// `cluster-tour trace`: runs (or attaches to) a cluster program and prints its lifecycle as it
// happens, merged with the program's own output in time order. Exits with the program's own exit code.
import * as path from 'node:path';
import { ClusterTourError } from '../common/errors';
import type { AnyLifecycleEvent } from '../common/stages';
import type { SyscallEvent } from '../common/syscalls';
import { ClusterRuntime, type OutputEvent } from '../cluster/runtime';
import { SyscallLinks } from '../cluster/syscalls/links';
import type { TraceArguments } from './arguments';
import { ConnectionNumbers } from '../common/connectionNumbers';
import { formatEvent, formatJson, linePrefix } from './format';
import { SvgOutput } from './svgOutput';
import { SyscallPrinter } from './syscallLines';
import { Timeline } from './timeline';

export interface TraceIo {
  out(line: string): void;
  err(text: string): void;
  /** The program's own output: passed through unless the trace prints JSON on stdout. */
  programOut(text: string): void;
}

export function samplePath(): string {
  return path.resolve(__dirname, '..', 'samples', 'http-cluster.js');
}

/** Runs the trace; resolves with the exit code for the process. */
export async function runTrace(options: TraceArguments, io: TraceIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  const runtime = options.attach
    ? await ClusterRuntime.attach({ host: options.attach.host, port: options.attach.port })
    : await ClusterRuntime.launch({
        program: options.program ?? samplePath(),
        args: options.args,
        runtimeExecutable: options.runtimeExecutable,
        schedulingPolicy: options.schedulingPolicy,
        syscalls: options.syscalls,
        straceExecutable: options.straceExecutable,
        // A trace never pauses: each process sets its tracepoints itself and starts at once.
        observeOnly: true,
        started: options.started,
      });
  if (options.attach && options.syscalls) {
    io.err('cluster-tour: syscalls are off: they need a launch under strace, not an attach.\n');
  }

  let origin: number | undefined;
  // Any process of the run, not only the launched one, may be the primary that forks workers.
  let workersSeen = false;
  const numbers = new ConnectionNumbers();
  const links = new SyscallLinks();
  const syscallPrinter = new SyscallPrinter(links, io.out, (event) => linePrefix(event, origin ?? event.time));
  const printer = new Timeline<{ time: number; event?: AnyLifecycleEvent | SyscallEvent; output?: OutputEvent }>(
    ({ event, output }) => {
      if (output) {
        return output.stream === 'stdout' ? io.programOut(output.text) : io.err(output.text);
      }
      if (!event) {
        return;
      }
      origin ??= event.time;
      if (event.stage === 'syscall') {
        return options.json ? io.out(formatJson(event)) : syscallPrinter.syscall(event);
      }
      const connection = numbers.numberOf(event);
      if (options.json) {
        io.out(formatJson(event, connection));
      } else {
        io.out(formatEvent(event, origin, connection));
        syscallPrinter.afterStage(event);
      }
    },
    { reportedUntil: () => runtime.reportedUntil(), heldUntil: () => runtime.heldUntil() },
  );
  const svg = options.svg === undefined ? undefined : new SvgOutput(options.svg, options.attach ? `cluster-tour trace --attach ${options.attach.host}:${options.attach.port}` : `cluster-tour trace ${path.basename(options.program ?? samplePath())}`);
  runtime.onStage((event) => {
    svg?.push(event);
    if (event.stage === 'fork' || event.process === 'worker') {
      workersSeen = true;
    }
    links.add(event);
    printer.push({ time: event.time, event });
  });
  runtime.onSyscall((event) => {
    links.add(event);
    printer.push({ time: event.time, event });
  });
  runtime.onProcessAttached((identity) => {
    workersSeen ||= identity.role === 'worker';
  });
  runtime.onProblem((problem) => io.err(problem.code === 'E_SYSCALLS_UNAVAILABLE' ? `cluster-tour: ${problem.message}\n` : `cluster-tour: warning: ${problem.message}\n`));
  runtime.onOutput((output) => printer.push({ time: output.time, output }));
  for (const resolution of runtime.resolutions) {
    if (!resolution.resolved) {
      io.err(`cluster-tour: warning: call site ${resolution.site.id} not found in Node ${runtime.nodeVersion}: ${resolution.reason}\n`);
    }
  }

  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
    void runtime.stop();
  };
  const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGPIPE'];
  stopSignals.forEach((signal) => signals.on(signal, onSignal));
  try {
    const end = await runtime.whenEnded();
    await runtime.stop();
    printer.flush();
    if (svg) io.err(svg.write());
    if (interrupted) {
      return 128 + (signalNumbers[interrupted] ?? 1);
    }
    if (runtime.mode === 'launch') {
      if (!workersSeen) {
        io.err(
          end.code === 0
            ? 'cluster-tour: note: the program started no cluster worker.\n'
            : `cluster-tour: the program exited with ${end.signal ?? `code ${end.code}`} before it started any cluster worker.\n`,
        );
      }
      if (end.signal) {
        return 128 + (signalNumbers[end.signal] ?? 1);
      }
      return end.code ?? 1;
    }
    return 0;
  } finally {
    stopSignals.forEach((signal) => signals.removeListener(signal, onSignal));
    printer.flush();
  }
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6, SIGPIPE: 13 };

export function describeFailure(error: unknown): string {
  if (error instanceof ClusterTourError) {
    return `cluster-tour: ${error.message}`;
  }
  return `cluster-tour: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
