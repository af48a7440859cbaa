// Opens the inspector of a Node process that is already running, given its pid (Linux, /proc):
// finds the inspector it already has, or sends it SIGUSR1 and waits for that process's inspector.
import { ClusterTourError, messageOf } from '../../common/errors';
import { listInspectorTargets } from '../../cdp/discovery';
import { CdpSession } from '../../cdp/session';
import { allPids, commandLineOf, isNodeProcess, listeningSockets, ownedLoopbackPorts, readableFolder, socketInodesOf, startTimeOf } from '../processes/procfs';
import { inspectorFlagsOf, type InspectorFlags } from './nodeCommandLine';

export interface InspectorAddress {
  host: '127.0.0.1';
  port: number;
}

export interface OpenInspectorOptions {
  /** How long to wait for the inspector after SIGUSR1. Default 5000 ms. */
  timeoutMs?: number;
}

/** Node's port for an inspector opened by SIGUSR1 when no --inspect-port says otherwise. */
const defaultInspectorPort = 9229;
const pollIntervalMs = 50;
const host = '127.0.0.1';

/**
 * Returns the inspector address of the Node process `pid`, opening its inspector with SIGUSR1
 * when it has none. No signal goes to any other process.
 */
export async function openInspector(pid: number, options: OpenInspectorOptions = {}): Promise<InspectorAddress> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const target = describeNodeProcess(pid);

  const existing = (await inspectorOwnedBy(pid)) ?? (await inspectorFromFlags(pid, target.flags));
  if (existing !== undefined) {
    return { host, port: existing };
  }
  if (target.flags.sigusr1Disabled) {
    throw new ClusterTourError('E_SIGUSR1_DISABLED', `Process ${pid} runs with --disable-sigusr1, so its inspector cannot be opened from outside. Start it with --inspect=127.0.0.1:0 instead.`);
  }
  const port = target.flags.inspectPort ?? defaultInspectorPort;
  if (port !== 0) {
    const holder = listenerOf(pid, port);
    if (holder !== undefined) {
      throw portTaken(pid, port, holder);
    }
  }

  // The pid could have been reused since we looked: signal only the very process we checked.
  if (startTimeOf(pid) !== target.startTime) {
    throw noSuchProcess(pid, 'exited');
  }
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    throw signalFailed(pid, error);
  }

  // Nothing reports when the inspector is up but the target's own stderr, which is not ours to
  // read: poll its sockets.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (startTimeOf(pid) !== target.startTime) {
      throw noSuchProcess(pid, 'exited before its inspector opened');
    }
    const opened = await inspectorOwnedBy(pid);
    if (opened !== undefined) {
      return { host, port: opened };
    }
    if (Date.now() >= deadline) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  const holder = port === 0 ? undefined : listenerOf(pid, port);
  if (holder !== undefined) {
    throw portTaken(pid, port, holder);
  }
  const portHint =
    port === 0
      ? ''
      : ` (expected on port ${port}). If its stderr says "Starting inspector on ${host}:${port} failed", free port ${port} or start it with --inspect-port=N, a free port (not 0 for a cluster app: cluster gives its workers N+1, N+2…)`;
  throw new ClusterTourError(
    'E_TIMEOUT',
    `Process ${pid} did not open its inspector within ${timeoutMs} ms of SIGUSR1${portHint}. You can also start it with --inspect=127.0.0.1:0 and attach by port.`,
  );
}

/** What the node-ness check learns about the target. */
interface NodeProcess {
  /** Field 22 of /proc/<pid>/stat: with the pid, identifies this process across pid reuse. */
  startTime: string;
  flags: InspectorFlags;
}

function describeNodeProcess(pid: number): NodeProcess {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new ClusterTourError('E_NO_SUCH_PROCESS', `${JSON.stringify(pid)} is not a process id: a pid is a positive whole number.`);
  }
  const startTime = startTimeOf(pid);
  if (startTime === undefined) {
    throw noSuchProcess(pid, 'does not exist');
  }
  const { node, executable } = isNodeProcess(pid);
  if (!node) {
    throw new ClusterTourError(
      'E_NOT_NODE',
      `Process ${pid} (${executable || 'unknown program'}) is not a Node.js process: Cluster Tour opens inspectors of node processes only.`,
    );
  }
  return { startTime, flags: inspectorFlagsOf(pid) };
}

/**
 * The port of an inspector served by one of `pid`'s own listening sockets and reachable at
 * 127.0.0.1: its sockets prove whose inspector it is, whatever its port.
 */
async function inspectorOwnedBy(pid: number): Promise<number | undefined> {
  for (const port of ownedLoopbackPorts(pid)) {
    if (await answersAsInspector(port)) {
      return port;
    }
  }
  return undefined;
}

/**
 * When /proc/<pid>/fd cannot be read, the --inspect port on its command line, confirmed by
 * asking the inspector there for its process.pid.
 */
async function inspectorFromFlags(pid: number, flags: InspectorFlags): Promise<number | undefined> {
  if (readableFolder(`/proc/${pid}/fd`) || !flags.inspectorPort) {
    return undefined;
  }
  const port = flags.inspectorPort;
  const [target] = await listInspectorTargets(host, port, 1000).catch(() => []);
  if (target === undefined) {
    return undefined;
  }
  const session = await CdpSession.connect(target.webSocketDebuggerUrl);
  try {
    const answer = await session.evaluate({ expression: 'process.pid', returnByValue: true });
    return answer.result.value === pid ? port : undefined;
  } finally {
    await session.close();
  }
}

/** Whether a Node inspector answers at 127.0.0.1:port (its /json/list lists a target). */
export async function answersAsInspector(port: number): Promise<boolean> {
  try {
    return (await listInspectorTargets(host, port, 1000)).length > 0;
  } catch (error) {
    if (error instanceof ClusterTourError) {
      return false;
    }
    throw error;
  }
}

/** Who holds `port` on an address 127.0.0.1:port would clash with: a pid, 'unknown', or undefined when free. */
function listenerOf(pid: number, port: number): number | 'unknown' | undefined {
  const socket = listeningSockets(pid).find((each) => each.port === port && each.reachableAtLoopback);
  if (socket === undefined) {
    return undefined;
  }
  for (const candidate of allPids()) {
    if (socketInodesOf(candidate).has(socket.inode)) {
      return candidate;
    }
  }
  return 'unknown';
}

function portTaken(pid: number, port: number, holder: number | 'unknown'): ClusterTourError {
  const by = holder === 'unknown' ? 'another process' : holder === pid ? `process ${pid} itself (not as its inspector)` : `process ${holder} (${commandLineOf(holder)})`;
  return new ClusterTourError(
    'E_PORT_TAKEN',
    `Port ${port} on ${host}, where process ${pid} would open its inspector, is already used by ${by}. Node would fail with "address already in use". Free port ${port}, or start the app with --inspect-port=N, a free port from 1024 (not 0: cluster gives a primary's workers N+1, N+2…, which for 0 are ports Node refuses), and attach again.`,
  );
}

function noSuchProcess(pid: number, what: string): ClusterTourError {
  return new ClusterTourError('E_NO_SUCH_PROCESS', `Process ${pid} ${what}: there is nothing to attach to.`);
}

function signalFailed(pid: number, error: unknown): ClusterTourError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ESRCH') {
    return noSuchProcess(pid, 'exited');
  }
  if (code === 'EPERM') {
    return new ClusterTourError('E_NOT_PERMITTED', `Not allowed to signal process ${pid} (it belongs to another user). Start it with --inspect=127.0.0.1:0 and attach by port.`);
  }
  return new ClusterTourError('E_SIGNAL', `Could not send SIGUSR1 to process ${pid}: ${messageOf(error)}`);
}
