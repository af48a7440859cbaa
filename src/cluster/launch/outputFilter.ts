// Removes the inspector's own chatter ("Debugger attached.", …) from a program's output, which
// Node writes to stderr because Cluster Tour attaches to every process.
import { LineBuffer } from '../../common/lineBuffer';

const chatter = [
  /^Debugger listening on ws:\/\//,
  /^For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector/,
  /^Debugger attached\.$/,
  /^Waiting for the debugger to disconnect\.\.\.$/,
  /^Debugger ending on ws:\/\//,
];

export class OutputFilter {
  private readonly lines = new LineBuffer();

  /** Takes a chunk; returns the complete lines that are not chatter. */
  push(chunk: string): string {
    return keep(this.lines.push(chunk));
  }

  /** The rest, at the end of the stream. */
  end(): string {
    const rest = this.lines.end();
    return rest && !isChatter(rest) ? rest : '';
  }
}

function isChatter(line: string): boolean {
  return chatter.some((pattern) => pattern.test(line));
}

function keep(lines: string): string {
  return lines
    .split(/(?<=\n)/)
    .filter((line) => !isChatter(line.replace(/\r?\n$/, '')))
    .join('');
}
