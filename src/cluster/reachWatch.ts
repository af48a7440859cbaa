// A planned launch's order (launch/launchPlan.ts): its processes run before the controller is
// connected to them, so what one of them recorded may still be on its way. From the launch (for
// the primary) and from a worker's `fork`, until the controller has reached that process (or
// knows it never will), no bound on what has been reported may pass that time. Pure bookkeeping,
// fed by the runtime; keyed by worker id, null for the launched primary.
import type { AnyLifecycleEvent } from '../common/stages';

export class ReachWatch {
  /** Processes not reached yet, with the time from which they may have recorded. */
  private readonly waiting = new Map<number | null, number>();
  /** Processes reached, or known never to be. */
  private readonly reached = new Set<number | null>();
  /** Processes whose report came and that are being connected to. */
  private readonly connecting = new Set<number | null>();

  /** The program was launched at `time`: its primary is not reached yet. */
  launched(time: number): void {
    this.waiting.set(null, time);
  }

  /** A process reported and is being connected to. */
  connectingTo(workerId: number | null): void {
    this.connecting.add(workerId);
  }

  /** The controller has all a process recorded until now (connected, or its journal read after its end). */
  reachedTo(workerId: number | null): void {
    this.connecting.delete(workerId);
    this.reached.add(workerId);
    this.waiting.delete(workerId);
  }

  /** Every event of the run: a fork starts the wait for that worker; its exit seen before any report ends it. */
  observe(event: AnyLifecycleEvent): void {
    if (event.process !== 'primary') {
      return;
    }
    const workerId = (event.detail as { workerId?: number | null }).workerId;
    if (typeof workerId !== 'number') {
      return;
    }
    if (event.stage === 'fork' && !this.reached.has(workerId) && !this.waiting.has(workerId)) {
      this.waiting.set(workerId, event.time);
    } else if (event.stage === 'exit' && !this.connecting.has(workerId)) {
      // It ended without ever reporting (killed in its preload): nothing more will come of it.
      this.waiting.delete(workerId);
    }
  }

  /** The time no bound may pass yet; Infinity when every process is reached. */
  heldUntil(): number {
    return Math.min(Number.POSITIVE_INFINITY, ...this.waiting.values());
  }
}
