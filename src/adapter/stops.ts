// Stops in DAP terms: why a process paused (entry, breakpoint, exception, step, pause) and the
// StoppedEvent people see for it (hit breakpoints, the call sites' titles, an exception's first
// line). Remembers which processes a step request set moving, and which one paused last.
import { StoppedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { entryOwner, type RuntimePausedEvent } from '../cluster/runtime';

/** The thread a pause happened in, as the session's thread table knows it. */
export interface StoppedThread {
  id: number;
  name: string;
}

export class StopTracker {
  /** Processes whose next pause a step request caused. */
  private readonly stepping = new Set<number>();
  private lastStoppedPid: number | undefined;

  /** The process that paused last (if any): where an evaluation without a frame runs. */
  get lastStopped(): number | undefined {
    return this.lastStoppedPid;
  }

  /** A step request was sent to this process: its next pause is a step (unless something else explains it). */
  stepStarted(pid: number): void {
    this.stepping.add(pid);
  }

  /**
   * The StoppedEvent for a pause that shows at least one frame; `ownsBreakpoint` tells the
   * session's own breakpoints (`bp:<id>`) from the runtime's other stop owners.
   */
  stopped(event: RuntimePausedEvent, thread: StoppedThread | undefined, ownsBreakpoint: (owner: string) => boolean): DebugProtocol.StoppedEvent {
    const pid = event.process.pid;
    this.lastStoppedPid = pid;
    const stopped = new StoppedEvent(this.reason(event), thread?.id ?? 0) as DebugProtocol.StoppedEvent;
    stopped.body.allThreadsStopped = false;
    const userBreakpoints = event.stopOwners.filter(ownsBreakpoint);
    if (userBreakpoints.length > 0) {
      stopped.body.hitBreakpointIds = userBreakpoints.map((owner) => Number(owner.slice('bp:'.length)));
    }
    if (event.callSites.length > 0) {
      stopped.body.description = event.callSites.map((site) => site.site.title).join('; ');
      stopped.body.text = `${event.callSites[0].site.stage} in ${thread?.name ?? `pid ${pid}`}`;
    } else if (stopped.body.reason === 'exception') {
      stopped.body.text = event.data?.description?.split('\n')[0];
      stopped.body.description = 'Paused on exception';
    }
    this.stepping.delete(pid);
    return stopped;
  }

  private reason(event: RuntimePausedEvent): string {
    if (event.stopOwners.includes(entryOwner)) {
      return 'entry';
    }
    if (event.stopOwners.length > 0) {
      return 'breakpoint';
    }
    if (event.reason === 'exception' || event.reason === 'promiseRejection') {
      return 'exception';
    }
    if (this.stepping.has(event.process.pid)) {
      return 'step';
    }
    return 'pause';
  }
}
