// The processes of one run, one record each, kept for the whole run: who it is, its inspector
// session, the process as it was when attached (pid and start time, so that stopping signals only
// that very process), whether it is ready and which stops its inspector bound. A later process
// that gets the same pid gets a record of its own.
import type { KnownProcess } from './processes/knownProcesses';
import { knowProcess } from './processes/knownProcesses';
import type { ProcessIdentity, ProcessSession } from './session/processSession';

export interface AttachedProcess {
  readonly identity: ProcessIdentity;
  readonly session: ProcessSession;
  /** Taken when its inspector answered, so the pid was still that process's. */
  readonly known: KnownProcess;
  /** Its breakpoints are set and it runs: the order in which processes became ready, or undefined. */
  ready: number | undefined;
  /** The stop owners whose breakpoints its inspector bound. */
  readonly boundOwners: Set<string>;
  /** Its session closed: the process ended, or was detached from. */
  closed: boolean;
}

export class AttachedProcesses {
  /** The latest process with each pid. */
  private readonly byPid = new Map<number, AttachedProcess>();
  private readiness = 0;

  /** A process whose inspector just answered; replaces the record of an earlier process with its pid. */
  add(identity: ProcessIdentity, session: ProcessSession): AttachedProcess {
    const record: AttachedProcess = { identity, session, known: knowProcess(identity.pid), ready: undefined, boundOwners: new Set(), closed: false };
    this.byPid.set(identity.pid, record);
    return record;
  }

  markReady(record: AttachedProcess): void {
    record.ready = ++this.readiness;
  }

  markClosed(record: AttachedProcess): void {
    record.closed = true;
    record.ready = undefined;
    record.boundOwners.clear();
  }

  /** The process with this pid while its session is open (attaching or ready). */
  open(pid: number): AttachedProcess | undefined {
    const record = this.byPid.get(pid);
    return record && !record.closed ? record : undefined;
  }

  /** Every process whose session is open. */
  allOpen(): AttachedProcess[] {
    return [...this.byPid.values()].filter((record) => !record.closed);
  }

  /** The processes attached now (breakpoints set, running), in the order they became ready. */
  ready(): ProcessIdentity[] {
    const ready = [...this.byPid.values()].filter((record): record is AttachedProcess & { ready: number } => record.ready !== undefined);
    return ready.sort((one, other) => one.ready - other.ready).map((record) => record.identity);
  }

  /** Who the process with this pid was, or else the primary, open or not. */
  identityOr(pid: number, role: 'primary'): ProcessIdentity | undefined {
    return this.byPid.get(pid)?.identity ?? [...this.byPid.values()].find((record) => record.identity.role === role)?.identity;
  }

  /** Every process attached in this run, as it was then. */
  known(): KnownProcess[] {
    return [...this.byPid.values()].map((record) => record.known);
  }
}
