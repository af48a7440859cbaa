// `cluster-tour trace`: runs (or attaches to) a cluster program and prints its lifecycle as it
// happens. Exits with the program's own exit code.
import * as path from 'node:path';
import { ClusterTourError } from '../common/errors';
import type { AnyLifecycleEvent } from '../common/stages';
import type { SyscallEvent } from '../common/syscalls';
import { ClusterRuntime } from '../cluster/runtime';
import { SyscallLinks } from '../cluster/syscalls/links';
import type { TraceArguments } from './arguments';
import { formatEvent, formatJson, linePrefix } from './format';
import { ReorderBuffer } from './reorder';
import { SvgOutput } from './svgOutput';
import { SyscallPrinter } from './syscallLines';

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
      });
  if (options.attach && options.syscalls) {
    io.err('cluster-tour: syscalls are off: they need a launch under strace, not an attach.\n');
  }

  let origin: number | undefined;
  let workersSeen = 0;
  const links = new SyscallLinks();
  const syscallPrinter = new SyscallPrinter(links, io.out, (event) => linePrefix(event, origin ?? event.time));
  const printer = new ReorderBuffer((event: AnyLifecycleEvent | SyscallEvent) => {
    origin ??= event.time;
    if (options.json) {
      io.out(formatJson(event));
    } else if (event.stage === 'syscall') {
      syscallPrinter.syscall(event);
    } else {
      io.out(formatEvent(event, origin));
      syscallPrinter.afterStage(event);
    }
  });
  const svg = options.svg === undefined ? undefined : new SvgOutput(options.svg, options.attach ? `cluster-tour trace --attach ${options.attach.host}:${options.attach.port}` : `cluster-tour trace ${path.basename(options.program ?? samplePath())}`);
  runtime.onStage((event) => {
    svg?.push(event);
    if (event.stage === 'fork') {
      workersSeen += 1;
    }
    links.add(event);
    printer.push(event);
  });
  runtime.onSyscall((event) => {
    links.add(event);
    printer.push(event);
  });
  runtime.onProblem((problem) => io.err(problem.code === 'E_SYSCALLS_UNAVAILABLE' ? `cluster-tour: ${problem.message}\n` : `cluster-tour: warning: ${problem.message}\n`));
  runtime.onOutput((output) => (output.stream === 'stdout' ? io.programOut(output.text) : io.err(output.text)));
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
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const end = await runtime.whenEnded();
    await runtime.stop();
    printer.flush();
    if (svg) io.err(svg.write());
    if (interrupted) {
      return interrupted === 'SIGINT' ? 130 : 143;
    }
    if (runtime.mode === 'launch') {
      if (workersSeen === 0) {
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
    signals.removeListener('SIGINT', onSignal);
    signals.removeListener('SIGTERM', onSignal);
    printer.flush();
  }
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 };

export function describeFailure(error: unknown): string {
  if (error instanceof ClusterTourError) {
    return `cluster-tour: ${error.message}`;
  }
  return `cluster-tour: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
