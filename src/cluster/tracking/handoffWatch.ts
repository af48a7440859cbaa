// Derives `handoff-lost` from the lifecycle events: a round-robin `newconn` sent to a worker that
// the worker never received before its channel closed. The fd went down with the unread message,
// no NODE_HANDLE_ACK can come, and child_process holds the primary's disconnect back for ever
// (the 2015 "no 'disconnect' at the primary"). Fed by the runtime; no I/O, no CDP.
import type { AnyLifecycleEvent, LifecycleEvent } from '../../common/stages';

interface SentConnection {
  seq: number;
  fd: number | null;
}

export class HandoffWatch {
  /** Per worker id: the connections sent to it and not received yet. */
  private readonly unreceived = new Map<number, Map<number, SentConnection>>();

  /** `publish` gets every event, annotated, and after a worker's exit any `handoff-lost` it implies. */
  constructor(private readonly publish: (event: AnyLifecycleEvent) => void) {}

  observe(event: AnyLifecycleEvent): void {
    switch (event.stage) {
      case 'newconn-sent':
        if (event.detail.workerId !== null) {
          this.of(event.detail.workerId).set(event.detail.seq, { seq: event.detail.seq, fd: event.detail.fd });
        }
        break;
      case 'newconn-received':
        if (event.workerId !== null) {
          this.unreceived.get(event.workerId)?.delete(event.detail.seq);
        }
        break;
      case 'exit':
        if (event.process === 'primary' && event.detail.workerId !== null) {
          this.onWorkerExit(event);
          return;
        }
        break;
    }
    this.publish(event);
  }

  /**
   * A handoff is lost when the worker exited while a handle sent to it was still un-ACKed (seen
   * by the primary at the exit) and a `newconn` sent to it was never received. Both are needed:
   * an ACK can sit unread in the primary's socket when the exit is processed, and a worker killed
   * at once may never report a `newconn` it did receive.
   */
  private onWorkerExit(exit: LifecycleEvent<'exit'>): void {
    const workerId = exit.detail.workerId as number;
    const sent = this.unreceived.get(workerId);
    this.unreceived.delete(workerId);
    const lost = exit.detail.handleUnacknowledged === true && exit.detail.disconnected !== true ? [...(sent?.values() ?? [])] : [];
    if (lost.length === 0) {
      this.publish(exit);
      return;
    }
    this.publish({ ...exit, detail: { ...exit.detail, neverDisconnected: true } });
    for (const each of lost) {
      this.publish({
        stage: 'handoff-lost',
        process: 'primary',
        workerId: null,
        pid: exit.pid,
        // Found at the exit: just after it, so that the trace prints it after the exit line.
        time: exit.time + 0.001,
        detail: { workerId, seq: each.seq, fd: each.fd },
      });
    }
  }

  private of(workerId: number): Map<number, SentConnection> {
    let sent = this.unreceived.get(workerId);
    if (!sent) {
      sent = new Map();
      this.unreceived.set(workerId, sent);
    }
    return sent;
  }
}
