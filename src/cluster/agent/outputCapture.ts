// Per-process output capture, installed in each debugged process through Runtime.evaluate:
// wraps process.stdout.write and process.stderr.write and reports each chunk through a CDP
// binding, so a debugger can label output with the process that wrote it (workers inherit the
// primary's pipes, where the writers cannot be told apart).
// `installOutputCapture` is sent as source text: it must not use anything from outside its body.

export interface OutputCaptureOptions {
  /** Name of the Runtime binding to report through; removed from the global object. */
  bindingName: string;
  /**
   * True: the chunk goes only to the debugger (the pipe would repeat it unlabelled). False: it
   * also goes to the real stream (attach: the app's own terminal keeps its output, and a binding
   * whose session went away is a no-op).
   */
  redirect: boolean;
}

/** What the capture sends: [stream, text]. */
export type CapturedChunk = [stream: 'stdout' | 'stderr', text: string];

export function installOutputCapture(options: OutputCaptureOptions): string {
  const key = globalThis.Symbol.for('cluster-tour.output-capture');
  const globals = globalThis as unknown as Record<string | symbol, unknown>;
  if (globals[key]) {
    return 'already installed';
  }
  const binding = globals[options.bindingName] as (payload: string) => void;
  delete globals[options.bindingName];
  globals[key] = true;
  const nodeProcess = globalThis.process;
  const decoder = new globalThis.TextDecoder();
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = nodeProcess[name] as unknown as { write: (...args: unknown[]) => boolean };
    const original = stream.write;
    stream.write = function write(this: unknown, ...args: unknown[]): boolean {
      const [chunk, encoding, callback] = args;
      const text = typeof chunk === 'string' ? chunk : chunk instanceof globalThis.Uint8Array ? decoder.decode(chunk) : String(chunk);
      try {
        binding(JSON.stringify([name, text]));
      } catch (error) {
        // The report failed (binding gone): fall back to the real stream so nothing is lost.
        void error;
        return original.apply(this, args);
      }
      if (!options.redirect) {
        return original.apply(this, args);
      }
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') {
        nodeProcess.nextTick(done as () => void);
      }
      return true;
    };
  }
  return 'installed';
}
