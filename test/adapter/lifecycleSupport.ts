// Shared by the adapter's lifecycle tests: a marker in each launched app's environment (so that
// /proc tells which processes it left), launch arguments carrying it, the watchdog of a launch,
// and waits on threads and output.
import { randomUUID } from 'node:crypto';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { listeningPort, waitFor } from '../support/cluster';
import { assertNoProcessesLeft, listProcesses, testMarkerVariable, type ProcessInfo } from '../support/processes';
import type { RecordedClient } from '../support/adapter';
import type { LaunchArguments } from '../../src/adapter/configuration';

export interface MarkedLaunch {
  /** The launch request's arguments, `env` holding the marker. */
  args: LaunchArguments & { env: Record<string, string> };
  /** `CLUSTER_TOUR_TEST_MARKER=<uuid>`: in the environment of every process of the app. */
  marker: string;
}

/** Launch arguments for a program, run by this test's Node, with a fresh marker. */
export function markedLaunch(program: string, extra: Partial<LaunchArguments> = {}): MarkedLaunch {
  const value = randomUUID();
  return {
    args: { program, runtimeExecutable: process.execPath, ...extra, env: { [testMarkerVariable]: value } },
    marker: `${testMarkerVariable}=${value}`,
  };
}

/**
 * The watchdogs (`sh -c … cluster-tour-watchdog <group> <session folder>`) of the process group led
 * by `primaryPid`: each leads a group of its own, with the forks of its shell beside it.
 */
export function watchdogsOf(primaryPid: number): ProcessInfo[] {
  const pattern = new RegExp(` ${primaryPid} \\S*cluster-tour-\\S*$`);
  return listProcesses().filter(
    (candidate) => candidate.state !== 'Z' && candidate.pid === candidate.processGroup && candidate.commandLine.includes('killGroup') && pattern.test(candidate.commandLine),
  );
}

/** Waits until `count` threads have started (after event index `from`); returns the threads then. */
export async function startedThreads(recorded: RecordedClient, count: number, from = 0): Promise<DebugProtocol.Thread[]> {
  const started = (): number => recorded.events.slice(from).filter((event) => event.event === 'thread' && (event as DebugProtocol.ThreadEvent).body.reason === 'started').length;
  await waitFor(`${count} threads`, () => started() >= count, 15000, recorded.output);
  return (await recorded.client.threadsRequest()).body.threads;
}

/** The port of the first "LISTENING <port>" printed after event index `from`. */
export async function listening(recorded: RecordedClient, from = 0): Promise<number> {
  const outputSince = (): string =>
    recorded.events
      .slice(from)
      .filter((event) => event.event === 'output')
      .map((event) => (event as DebugProtocol.OutputEvent).body.output)
      .join('');
  await waitFor('LISTENING', () => listeningPort(outputSince()) !== undefined, 15000, recorded.output);
  return listeningPort(outputSince())!;
}

/** Continues every stop from now on, keeping them for the test to look at. */
export function continueEveryStop(recorded: RecordedClient): DebugProtocol.StoppedEvent[] {
  const stops: DebugProtocol.StoppedEvent[] = [];
  recorded.client.on('stopped', (event: DebugProtocol.StoppedEvent) => {
    stops.push(event);
    // The thread may be gone by then (an uncaught exception ends it): nothing left to continue.
    void recorded.client.continueRequest({ threadId: event.body.threadId! }).catch((error: unknown) => void error);
  });
  return stops;
}

/** Terminates the debuggee, stops the adapter, and fails if any process of the app is left. */
export async function endAndCheck(recorded: RecordedClient, marker: string): Promise<void> {
  try {
    await recorded.client.terminateRequest();
    await recorded.next('terminated');
  } finally {
    await recorded.client.stop();
    await assertNoProcessesLeft({ marker }, { timeoutMilliseconds: 5000, after: 'terminate' });
  }
}

/** A request that may never get an answer (its worker dies): its failure is expected, not thrown. */
export function settle(request: Promise<string>): Promise<string | Error> {
  return request.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}
