// Test support for the debug adapter: starts the compiled stdio adapter (out/src/adapter/main.js)
// under a DebugClient and records the events tests wait on.
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { waitFor } from './cluster';

export const adapterPath = path.resolve(__dirname, '..', '..', 'src', 'adapter', 'main.js');

export interface RecordedClient {
  client: DebugClient;
  events: DebugProtocol.Event[];
  of<T extends DebugProtocol.Event>(name: string): T[];
  /** Text of every output event so far. */
  output(): string;
  /** Resolves with the first event of `name` (after `from` already seen) that passes `test`. */
  next<T extends DebugProtocol.Event>(name: string, test?: (event: T) => boolean, timeoutMilliseconds?: number, from?: number): Promise<T>;
}

/** `cwd`: the adapter process's working folder (default: the test's). */
export async function startAdapter(options: { cwd?: string } = {}): Promise<RecordedClient> {
  const client = new DebugClient('node', adapterPath, 'cluster-tour', options.cwd === undefined ? undefined : { cwd: options.cwd });
  client.defaultTimeout = 15000;
  const events: DebugProtocol.Event[] = [];
  // ProtocolClient emits every event under its name; record them all in order.
  const emit = client.emit.bind(client);
  client.emit = (name: string | symbol, ...args: unknown[]): boolean => {
    const event = args[0] as DebugProtocol.Event | undefined;
    if (event && typeof event === 'object' && event.type === 'event') {
      events.push(event);
    }
    return emit(name, ...args);
  };
  await client.start();
  const of = <T extends DebugProtocol.Event>(name: string): T[] => events.filter((event) => event.event === name) as T[];
  return {
    client,
    events,
    of,
    output: () => of<DebugProtocol.OutputEvent>('output').map((event) => event.body.output).join(''),
    async next<T extends DebugProtocol.Event>(name: string, test: (event: T) => boolean = () => true, timeoutMilliseconds = 15000, from = 0): Promise<T> {
      let found: T | undefined;
      await waitFor(
        `a ${name} event`,
        () => (found = events.slice(from).find((event) => event.event === name && test(event as T)) as T | undefined) !== undefined,
        timeoutMilliseconds,
        () => events.map((event) => `${event.event} ${JSON.stringify(event.body ?? {}).slice(0, 200)}`).join('\n'),
      );
      return found as T;
    },
  };
}

/** Pids from thread names ("Worker 1 (pid 123)"). */
export function threadPids(threads: readonly DebugProtocol.Thread[]): number[] {
  return threads.map((thread) => Number(/pid (\d+)/.exec(thread.name)?.[1]));
}

/**
 * Continues every stop from now on, without waiting for the answers. `stop()` ends that and
 * returns the continues that failed until then; one still in flight when the session ends may
 * fail afterwards (its process is going away), and is no failure of the test. Left unhandled,
 * such a late failure failed a test that had passed (CI saw "Debugger.resume failed: WebSocket
 * connection closed" after terminate).
 */
export function continueStops(client: DebugClient, only: (event: DebugProtocol.StoppedEvent) => boolean = () => true): { stop(): string[] } {
  const failures: string[] = [];
  let stopped = false;
  const listener = (event: DebugProtocol.StoppedEvent): void => {
    if (!only(event)) return;
    client.continueRequest({ threadId: event.body.threadId! }).catch((error: unknown) => {
      if (!stopped) failures.push(`continue of thread ${event.body.threadId}: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  client.on('stopped', listener);
  return {
    stop: () => {
      stopped = true;
      client.removeListener('stopped', listener);
      return failures;
    },
  };
}
