// Labels each process's output with the process that wrote it, line by line. Why per-process
// capture and not the pipes: workers inherit the primary's stdout/stderr, so bytes on the pipe
// cannot be told apart. Each process's stdout/stderr writes are reported over its own inspector
// session (cluster/agent/outputCapture.ts) and, in a launch, no longer reach the pipe; what the
// pipe still carries (Node's native messages such as a fatal exception's trace, processes we do
// not observe) goes out unlabelled from the runtime's `onOutput`. So nothing appears twice.
import type { ProcessIdentity, ProcessOutputEvent } from '../cluster/session/processSession';
import { LineBuffer } from '../common/lineBuffer';

export interface LabelledChunk {
  text: string;
  stream: 'stdout' | 'stderr';
  data: { pid: number; role: string; workerId: number | null };
}

export function processLabel(identity: ProcessIdentity): string {
  return identity.role === 'primary' ? 'primary' : `worker ${identity.workerId ?? '?'}`;
}

export class OutputLabeller {
  /** Text after the last line break, per process and stream, held until its line ends. */
  private readonly partial = new Map<string, LineBuffer>();

  label(event: ProcessOutputEvent): LabelledChunk[] {
    const key = `${event.process.pid}:${event.stream}`;
    const buffer = this.partial.get(key) ?? new LineBuffer();
    this.partial.set(key, buffer);
    const lines = buffer.push(event.text);
    return lines === '' ? [] : [this.chunk(event.process, event.stream, lines)];
  }

  /** The unfinished lines of a process that went away. */
  flush(identity: ProcessIdentity): LabelledChunk[] {
    const chunks: LabelledChunk[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${identity.pid}:${stream}`;
      const rest = this.partial.get(key)?.end();
      this.partial.delete(key);
      if (rest) {
        chunks.push(this.chunk(identity, stream, `${rest}\n`));
      }
    }
    return chunks;
  }

  private chunk(identity: ProcessIdentity, stream: 'stdout' | 'stderr', lines: string): LabelledChunk {
    const label = `[${processLabel(identity)}] `;
    const text = lines.split(/(?<=\n)/).map((line) => label + line).join('');
    return { text, stream, data: { pid: identity.pid, role: identity.role, workerId: identity.workerId } };
  }
}
