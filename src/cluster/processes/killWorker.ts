// Kill Worker: SIGKILL one worker of a run, so a person can watch the primary's `exit` and a
// respawn. Only a worker we are attached to, and only while its pid is still that process.
import { ClusterTourError, messageOf } from '../../common/errors';
import type { ProcessSession } from '../session/processSession';
import { startTimeOf } from './procfs';

/**
 * The inspector session proves the process behind `pid` is the worker we attached to (an open
 * session means it has not exited, so its pid cannot have been reused); the start time, read
 * before asking and again just before the signal, proves nothing changed hands in between.
 */
export async function killWorker(pid: number, session: ProcessSession | undefined): Promise<void> {
  if (!session || session.isClosed) {
    throw new ClusterTourError('E_NO_PROCESS', `No attached process has pid ${pid} (it may have exited already).`);
  }
  if (session.identity.role !== 'worker') {
    throw new ClusterTourError('E_NOT_A_WORKER', `pid ${pid} is the primary: Kill Worker ends only workers (stop the session to end the primary).`);
  }
  const before = startTimeOf(pid);
  let answer;
  try {
    answer = await session.debug.evaluate('globalThis.process.pid', true);
  } catch (error) {
    throw new ClusterTourError('E_KILL_UNCONFIRMED', `Could not confirm that pid ${pid} is still worker ${session.identity.workerId}: ${messageOf(error)}`, error instanceof ClusterTourError ? error.cdpMethod : undefined);
  }
  if (answer.result.value !== pid || before === undefined || startTimeOf(pid) !== before || session.isClosed) {
    throw new ClusterTourError('E_KILL_UNCONFIRMED', `pid ${pid} is no longer worker ${session.identity.workerId}: nothing was killed.`);
  }
  process.kill(pid, 'SIGKILL');
}
