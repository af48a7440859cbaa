// The command line of `cluster-tour`: parsed by hand, with an error that says what was wrong.
import { ClusterTourError } from '../common/errors';
import type { StartedProgram } from '../cluster/runtimeTypes';
import { readOptions } from './options';
import { parseTourArguments, type TourArguments } from './tourArguments';

export interface TraceArguments {
  command: 'trace';
  json: boolean;
  schedulingPolicy?: 'rr' | 'none';
  runtimeExecutable?: string;
  /** Run the program under strace and show its socket syscalls. */
  syscalls?: boolean;
  straceExecutable?: string;
  attach?: { host: string; port: number };
  /** Absent: the bundled sample. */
  program?: string;
  args: string[];
  /** Also write the sequence diagram of the run to this file. */
  svg?: string;
  /** Not an option: the program bin/cluster-tour already started for this trace (see LaunchOptions.started). */
  started?: StartedProgram;
}

export type CliArguments = TraceArguments | TourArguments | { command: 'help'; text?: string } | { command: 'version' };

export const usage = `Usage: cluster-tour trace [options] [program [args...]]
       cluster-tour tour [ID [program [args...]]]   (a guided tour: cluster-tour tour --help)

Runs a Node.js cluster program with every process observed and prints each lifecycle event
(fork, online, listen, queryServer, handle, accept, newconn, connection, disconnect, exit) as it
happens. With no program, runs a bundled sample: a primary, 2 HTTP workers, a few requests.

Options:
  --json               print JSON Lines ({stage, process, workerId, pid, time, detail})
  --sched rr|none      cluster scheduling policy (NODE_CLUSTER_SCHED_POLICY)
  --runtime PATH       the node binary to run the program with (default: node on PATH)
  --attach HOST:PORT   attach to a running program's inspector instead (loopback only)
  --svg FILE           at the end, write the run's sequence diagram to FILE (SVG)
  --syscalls           also show the socket syscalls (accept4, sendmsg with SCM_RIGHTS,
                       recvmsg, epoll_ctl, …) under the stages that caused them (Linux, strace)
  --strace PATH        the strace to use with --syscalls (default: strace on PATH)
  -h, --help           show this help
  --version            show the version`;

function bad(message: string): never {
  throw new ClusterTourError('E_USAGE', `${message}\n\n${usage}`);
}

export function parseArguments(argv: readonly string[]): CliArguments {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    return { command: 'help' };
  }
  if (command === '--version') {
    return { command: 'version' };
  }
  if (command === 'tour') {
    return parseTourArguments(rest);
  }
  if (command !== 'trace') {
    bad(`Unknown command "${command}".`);
  }
  const result: TraceArguments = { command: 'trace', json: false, args: [] };
  const read = readOptions<CliArguments>(rest, (option, value) => traceOption(result, option, value), bad);
  if ('result' in read) {
    return read.result;
  }
  const { positional } = read;
  if (positional.length > 0) {
    if (result.attach) {
      bad('--attach takes no program: the program is already running.');
    }
    result.program = positional[0];
    result.args = positional.slice(1);
  }
  return result;
}

/** One option of `trace` into `result`; help ends the parse. */
function traceOption(result: TraceArguments, option: string, value: () => string): CliArguments | undefined {
  switch (option) {
    case '--json':
      result.json = true;
      return undefined;
    case '--sched': {
      const policy = value();
      if (policy !== 'rr' && policy !== 'none') {
        bad(`--sched takes rr or none, not "${policy}".`);
      }
      result.schedulingPolicy = policy;
      return undefined;
    }
    case '--syscalls':
      result.syscalls = true;
      return undefined;
    case '--strace':
      result.straceExecutable = value();
      return undefined;
    case '--runtime':
      result.runtimeExecutable = value();
      return undefined;
    case '--svg':
      result.svg = value();
      return undefined;
    case '--attach': {
      const target = value();
      const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
      if (!match) {
        bad(`--attach takes HOST:PORT (e.g. 127.0.0.1:9229), not "${target}".`);
      }
      result.attach = { host: match[1], port: Number(match[2]) };
      return undefined;
    }
    case '-h':
    case '--help':
      return { command: 'help' };
    default:
      bad(`Unknown option "${option}".`);
  }
}
