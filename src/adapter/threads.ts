// Threads of the debug adapter are processes: a stable small thread id per attached pid, and the
// names people see ("Primary (pid 123)", "Worker 2 (pid 456)").
import { ClusterTourError } from '../common/errors';
import type { ProcessIdentity } from '../cluster/session/processSession';

export interface ThreadRecord {
  id: number;
  name: string;
  identity: ProcessIdentity;
}

export function threadName(identity: ProcessIdentity): string {
  return identity.role === 'primary' ? `Primary (pid ${identity.pid})` : `Worker ${identity.workerId ?? '?'} (pid ${identity.pid})`;
}

export class ThreadTable {
  private readonly byPid = new Map<number, ThreadRecord>();
  private readonly byId = new Map<number, ThreadRecord>();
  private nextId = 1;

  /** Adds a process; returns its record, or undefined when it was there already. */
  add(identity: ProcessIdentity): ThreadRecord | undefined {
    if (this.byPid.has(identity.pid)) {
      return undefined;
    }
    const record = { id: this.nextId++, name: threadName(identity), identity };
    this.byPid.set(identity.pid, record);
    this.byId.set(record.id, record);
    return record;
  }

  remove(pid: number): ThreadRecord | undefined {
    const record = this.byPid.get(pid);
    if (record) {
      this.byPid.delete(pid);
      this.byId.delete(record.id);
    }
    return record;
  }

  ofPid(pid: number): ThreadRecord | undefined {
    return this.byPid.get(pid);
  }

  /** The process of a thread id, or an error that says the thread is gone. */
  pidOf(threadId: number): number {
    const record = this.byId.get(threadId);
    if (!record) {
      throw new ClusterTourError('E_NO_THREAD', `Thread ${threadId} is not a running process (it may have exited).`);
    }
    return record.identity.pid;
  }

  all(): ThreadRecord[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byPid.clear();
    this.byId.clear();
  }
}
