// Whether an attached process runs the Node whose sources the call sites were resolved in. A
// wrapper or version manager can pick another, and so can `cluster.setupPrimary({ execPath })`;
// lines differ between versions, so stops inside Node's library would be at the wrong lines.
import type { EvaluateResult } from '../../cdp/protocol';
import type { ProcessIdentity, ProcessSession, RunningNode } from '../session/processSession';
import type { ProblemEvent } from '../runtimeTypes';

/** The Node whose sources were read: `process.version` and the binary. */
export interface SourcesNode {
  version: string;
  execPath: string;
}

/** The problem to report when the process runs another Node; undefined when it runs that one (or is gone). */
export async function nodeMismatch(session: ProcessSession, sources: SourcesNode): Promise<ProblemEvent | undefined> {
  let answer: EvaluateResult;
  try {
    answer = await session.cdp.evaluate({ expression: '({ version: process.version, execPath: process.execPath })', returnByValue: true, silent: true });
  } catch (error) {
    if (session.isClosed) {
      return undefined; // it exited while we asked: nothing of it left to stop in
    }
    throw error;
  }
  return mismatchProblem(session.identity, answer.result.value as RunningNode | undefined, sources);
}

/** The problem to report when `running` is another Node than the one whose sources were read. */
export function mismatchProblem(identity: ProcessIdentity, running: RunningNode | undefined, sources: SourcesNode): ProblemEvent | undefined {
  if (running?.version === undefined || running.version === sources.version) {
    return undefined;
  }
  const { pid, role, workerId } = identity;
  const name = role === 'primary' ? 'the primary' : `worker ${workerId}`;
  return {
    code: 'E_NODE_MISMATCH',
    message: `${name} (pid ${pid}) runs Node ${running.version} (${running.execPath}), but call sites were resolved in the sources of Node ${sources.version} (${sources.execPath}); lines differ between versions, so its stops inside Node's library may be at the wrong lines. Set runtimeExecutable to ${running.execPath}.`,
    pid,
  };
}
