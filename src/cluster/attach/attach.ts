// The first step of attaching to a cluster app started by hand with --inspect: which process is
// behind the inspector port (pid, primary or worker) and which Node binary runs it.
import { assertLoopbackHost, assertPort, listInspectorTargets } from '../../cdp/discovery';
import { CdpSession } from '../../cdp/session';
import { ClusterTourError } from '../../common/errors';
import type { ProcessIdentity } from '../session/processSession';

export interface InspectedProcess {
  identity: ProcessIdentity;
  /** `process.execPath` there: the Node whose sources call sites resolve against. */
  execPath: string;
}

/** Asks the process behind an inspector what it is; refuses hosts other than loopback first. */
export async function inspectProcess(host: string, port: number): Promise<InspectedProcess> {
  assertLoopbackHost(host);
  assertPort(port);
  const targets = await listInspectorTargets(host, port);
  if (targets.length === 0) {
    throw new ClusterTourError('E_NOT_INSPECTOR', `The inspector at ${host}:${port} has no target to attach to.`);
  }
  const probe = await CdpSession.connect(targets[0].webSocketDebuggerUrl);
  let facts: { pid: number; workerId: string | null; execPath: string };
  try {
    const answer = await probe.evaluate({
      expression: '({ pid: process.pid, workerId: process.env.NODE_UNIQUE_ID || null, execPath: process.execPath })',
      returnByValue: true,
      silent: true,
    });
    facts = answer.result.value as typeof facts;
  } finally {
    await probe.close();
  }
  const identity: ProcessIdentity = {
    pid: facts.pid,
    role: facts.workerId === null ? 'primary' : 'worker',
    workerId: facts.workerId === null ? null : Number(facts.workerId),
    webSocketUrl: targets[0].webSocketDebuggerUrl,
  };
  return { identity, execPath: facts.execPath };
}
