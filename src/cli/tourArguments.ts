// The command line of `cluster-tour tour [options] [ID [program [args...]]]`, parsed by hand like
// the trace's (arguments.ts dispatches here), with errors that say what was wrong.
import { ClusterTourError } from '../common/errors';
import { readOptions } from './options';

export interface TourArguments {
  command: 'tour';
  /** Absent: list the tours. */
  tourId?: string;
  /** Absent: the tour's own program (a sample). */
  program?: string;
  args: string[];
  runtimeExecutable?: string;
}

export const tourUsage = `Usage: cluster-tour tour [options] [ID [program [args...]]]

Walks a guided tour in the terminal: runs the tour's program (or yours) and pauses it inside
Node's own cluster and net code at each stop, printing the stop, the source around the paused
line, what happens there and each claim checked in the paused frame (✓ held, ✗ did not).
Enter goes on, q ends the tour and stops the program. When stdin is not a terminal the tour
walks straight to the end. With no ID, lists the tours. Exits 0 when every claim held.

Options:
  --runtime PATH       the node binary to run the program with (default: node on PATH)
  -h, --help           show this help`;

function bad(message: string): never {
  throw new ClusterTourError('E_USAGE', `${message}\n\n${tourUsage}`);
}

/** `rest`: what follows the word `tour`. */
export function parseTourArguments(rest: readonly string[]): TourArguments | { command: 'help'; text: string } {
  const result: TourArguments = { command: 'tour', args: [] };
  const read = readOptions<{ command: 'help'; text: string }>(
    rest,
    (option, value) => {
      if (option === '-h' || option === '--help') {
        return { command: 'help', text: tourUsage };
      }
      if (option === '--runtime') {
        result.runtimeExecutable = value();
        return undefined;
      }
      bad(`Unknown option "${option}".`);
    },
    bad,
  );
  if ('result' in read) {
    return read.result;
  }
  const [tourId, program, ...args] = read.positional;
  if (tourId !== undefined) result.tourId = tourId;
  if (program !== undefined) result.program = program;
  result.args = args;
  return result;
}
