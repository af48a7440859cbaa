// Partial-line buffering, written once: text that comes in chunks (a pipe, a FIFO, a process's
// writes) may end in the middle of a line; complete lines go on, the rest waits for its break.

export class LineBuffer {
  private rest = '';

  /** Takes a chunk; returns the lines it completes, each with its "\n" ('' when none). */
  push(chunk: string): string {
    const text = this.rest + chunk;
    const lastBreak = text.lastIndexOf('\n');
    this.rest = text.slice(lastBreak + 1);
    return text.slice(0, lastBreak + 1);
  }

  /** What came after the last line break, handed over once (at the end of the stream). */
  end(): string {
    const rest = this.rest;
    this.rest = '';
    return rest;
  }
}
