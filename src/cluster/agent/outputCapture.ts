// Per-process output capture, installed in each debugged process through Runtime.evaluate:
// wraps process.stdout.write and process.stderr.write and reports each chunk through a CDP
// binding, so a debugger can label output with the process that wrote it (workers inherit the
// primary's pipes, where the writers cannot be told apart). Disposing it puts the writers back.
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
  // A capture still here belongs to a session that is gone: its binding leads nowhere.
  const existing = globals[key] as { dispose(): void } | undefined;
  existing?.dispose();
  const binding = globals[options.bindingName] as (payload: string) => void;
  delete globals[options.bindingName];
  const nodeProcess = globalThis.process;
  const decoder = new globalThis.TextDecoder();
  const restores: Array<() => void> = [];
  let disposed = false;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = nodeProcess[name] as unknown as { write: (...args: unknown[]) => boolean };
    const original = stream.write;
    const write = function write(this: unknown, ...args: unknown[]): boolean {
      if (disposed) {
        return original.apply(this, args);
      }
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
    stream.write = write;
    restores.push(() => {
      // A writer someone installed over ours stays; ours then passes everything through.
      if (stream.write === write) {
        stream.write = original;
      }
    });
  }
  const capture = {
    dispose(): void {
      disposed = true;
      for (const restore of restores.splice(0).reverse()) {
        restore();
      }
      if (globals[key] === capture) {
        delete globals[key];
      }
    },
  };
  Object.defineProperty(globalThis, key, { value: capture, configurable: true, enumerable: false });
  // The guest (guest.ts) disposes the capture on detach or when the controller is gone.
  const guest = globals[globalThis.Symbol.for('cluster-tour.guest')] as { adopt(name: string, dispose: () => void): void } | undefined;
  guest?.adopt('output-capture', () => capture.dispose());
  return existing ? 'replaced' : 'installed';
}
