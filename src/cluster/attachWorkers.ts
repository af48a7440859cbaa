// Attaching to a primary that is already running: its future workers get the preload (through
// the primary's environment, which cluster.fork passes on), and its current workers are found
// through their inspector ports.
import { listInspectorTargets } from '../cdp/discovery';
import type { CdpSession } from '../cdp/session';
import { ClusterTourError } from '../common/errors';
import { agentExpression } from './agent/agent';
import { withPreload } from './launcher';
import { openInspector } from './processAttach';
import type { ProcessIdentity } from './processSession';

interface RunningWorker {
  id: number;
  pid: number;
  spawnargs: string[];
}

export interface RunningWorkers {
  /** Workers with an inspector, ready to attach. */
  observable: ProcessIdentity[];
  /** Workers that run without an inspector: "worker 2 (pid 123)". */
  unobservable: string[];
}

export async function attachToWorkersOf(primary: CdpSession, preloadPath: string, sessionDirectory: string): Promise<RunningWorkers> {
  const nodeOptions = withPreload(undefined, preloadPath);
  const expression = `(() => {
    const env = process.env;
    env.NODE_OPTIONS = [env.NODE_OPTIONS, ${JSON.stringify(nodeOptions)}].filter(Boolean).join(' ');
    env.CLUSTER_TOUR_SESSION = ${JSON.stringify(sessionDirectory)};
    const load = process.getBuiltinModule ? process.getBuiltinModule : (process.mainModule ? process.mainModule.require.bind(process.mainModule) : null);
    const cluster = load ? load('cluster') : null;
    const workers = cluster && cluster.workers ? cluster.workers : {};
    const agent = ${agentExpression};
    if (agent) agent.watchWorkers(workers);
    return Object.values(workers).map((worker) => ({ id: worker.id, pid: worker.process.pid, spawnargs: worker.process.spawnargs }));
  })()`;
  const answer = await primary.send('Runtime.evaluate', { expression, returnByValue: true, silent: true });
  if (answer.exceptionDetails) {
    throw new ClusterTourError('E_ATTACH_WORKERS', `Could not list the primary's workers: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`, 'Runtime.evaluate');
  }
  const workers = (answer.result.value ?? []) as RunningWorker[];
  const found: ProcessIdentity[] = [];
  const missing: string[] = [];
  for (const worker of workers) {
    const port = inspectPortOf(worker.spawnargs);
    if (port === undefined) {
      missing.push(`worker ${worker.id} (pid ${worker.pid})`);
      continue;
    }
    // Signalled by its primary when the primary's inspector opened, the worker may still be
    // opening its own: openInspector waits for it (and signals it again, which does no harm).
    const address = await openInspector(worker.pid);
    const targets = await listInspectorTargets(address.host, address.port);
    if (targets.length > 0) {
      found.push({ pid: worker.pid, role: 'worker', workerId: worker.id, webSocketUrl: targets[0].webSocketDebuggerUrl });
    }
  }
  return { observable: found, unobservable: missing };
}

/** The inspector port cluster gave a worker (`--inspect-port=N`, or `--inspect=host:N`). */
export function inspectPortOf(spawnargs: readonly string[]): number | undefined {
  for (const argument of [...spawnargs].reverse()) {
    const match = /^--inspect(?:-brk|-port)?=(?:.*:)?(\d+)$/.exec(argument);
    if (match) {
      return Number(match[1]);
    }
  }
  return undefined;
}
