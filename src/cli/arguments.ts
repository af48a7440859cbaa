// The command line of `cluster-tour`: parsed by hand, with an error that says what was wrong.
import { ClusterTourError } from '../common/errors';
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
  let index = 0;
  const value = (option: string): string => {
    const next = rest[++index];
    if (next === undefined) {
      bad(`${option} needs a value.`);
    }
    return next;
  };
  for (; index < rest.length; index++) {
    const argument = rest[index];
    if (argument === '--') {
      index += 1;
      break;
    }
    if (!argument.startsWith('-')) {
      break;
    }
    switch (argument) {
      case '--json':
        result.json = true;
        break;
      case '--sched': {
        const policy = value('--sched');
        if (policy !== 'rr' && policy !== 'none') {
          bad(`--sched takes rr or none, not "${policy}".`);
        }
        result.schedulingPolicy = policy;
        break;
      }
      case '--syscalls':
        result.syscalls = true;
        break;
      case '--strace':
        result.straceExecutable = value('--strace');
        break;
      case '--runtime':
        result.runtimeExecutable = value('--runtime');
        break;
      case '--svg':
        result.svg = value('--svg');
        break;
      case '--attach': {
        const target = value('--attach');
        const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
        if (!match) {
          bad(`--attach takes HOST:PORT (e.g. 127.0.0.1:9229), not "${target}".`);
        }
        result.attach = { host: match[1], port: Number(match[2]) };
        break;
      }
      case '-h':
      case '--help':
        return { command: 'help' };
      default:
        bad(`Unknown option "${argument}".`);
    }
  }
  const positional = rest.slice(index);
  if (positional.length > 0) {
    if (result.attach) {
      bad('--attach takes no program: the program is already running.');
    }
    result.program = positional[0];
    result.args = positional.slice(1);
  }
  return result;
}
