// Attaching to the workers a primary already runs, found through their inspector ports. Workers
// it forks later get the preload through the primary's environment (set by the guest, guest.ts).
import { listInspectorTargets } from '../../cdp/discovery';
import type { CdpSession } from '../../cdp/session';
import { messageOf } from '../../common/errors';
import { agentExpression } from '../agent/agent';
import { openInspector } from './processAttach';
import type { ProcessIdentity } from '../session/processSession';

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
  /** Workers given an inspector port whose inspector could not be reached, and why. */
  unreachable: Array<{ label: string; pid: number; reason: string }>;
}

export async function attachToWorkersOf(primary: CdpSession): Promise<RunningWorkers> {
  const expression = `(() => {
    const load = process.getBuiltinModule ? process.getBuiltinModule : (process.mainModule ? process.mainModule.require.bind(process.mainModule) : null);
    const cluster = load ? load('cluster') : null;
    const workers = cluster && cluster.workers ? cluster.workers : {};
    const agent = ${agentExpression};
    if (agent) agent.watchWorkers(workers);
    return Object.values(workers).map((worker) => ({ id: worker.id, pid: worker.process.pid, spawnargs: worker.process.spawnargs }));
  })()`;
  const listed = await primary.evaluateValue(expression, (exception) => ({
    code: 'E_ATTACH_WORKERS',
    message: `Could not list the primary's workers: ${exception.exception?.description ?? exception.text}`,
  }));
  const workers = (listed ?? []) as RunningWorker[];
  const result: RunningWorkers = { observable: [], unobservable: [], unreachable: [] };
  // One worker that cannot be reached must not cost the others: each is tried on its own.
  await Promise.all(
    workers.map(async (worker) => {
      const label = `worker ${worker.id} (pid ${worker.pid})`;
      if (inspectPortOf(worker.spawnargs) === undefined) {
        result.unobservable.push(label);
        return;
      }
      try {
        // Signalled by its primary when the primary's inspector opened, the worker may still be
        // opening its own: openInspector waits for it (and signals it again, which does no harm).
        const address = await openInspector(worker.pid);
        const targets = await listInspectorTargets(address.host, address.port);
        if (targets.length > 0) {
          result.observable.push({ pid: worker.pid, role: 'worker', workerId: worker.id, webSocketUrl: targets[0].webSocketDebuggerUrl });
        } else {
          result.unreachable.push({ label, pid: worker.pid, reason: `its inspector at ${address.host}:${address.port} lists no target` });
        }
      } catch (error) {
        result.unreachable.push({ label, pid: worker.pid, reason: messageOf(error) });
      }
    }),
  );
  result.observable.sort((first, second) => (first.workerId ?? 0) - (second.workerId ?? 0));
  return result;
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
