// Connection numbers a person can follow: 1, 2, 3, … in the order connections happened in the run.
// The per-connection stages carry the `seq` of the `newconn` message (the primary numbers every
// message it sends, so the first connection is not 1); under SCHED_NONE each `connection` is new.
import type { AnyLifecycleEvent } from '../common/stages';

/**
 * What keys the connection an event is about: the `seq` of its `newconn` message; null for a
 * connection the kernel handed out (SCHED_NONE), which is a new one each time; undefined for an
 * event that is not about a connection.
 */
export function connectionKeyOf(event: AnyLifecycleEvent): number | null | undefined {
  switch (event.stage) {
    case 'accepted':
    case 'newconn-sent':
    case 'newconn-received':
    case 'connection':
    case 'handoff-lost':
      return event.detail.seq;
    default:
      return undefined;
  }
}

export class ConnectionNumbers {
  private readonly bySeq = new Map<number, number>();
  private count = 0;

  /** The number of the connection `event` is about, or undefined for other stages. Feed events in time order. */
  numberOf(event: AnyLifecycleEvent): number | undefined {
    const seq = connectionKeyOf(event);
    if (seq === undefined) {
      return undefined;
    }
    if (seq === null) {
      return ++this.count;
    }
    let number = this.bySeq.get(seq);
    if (number === undefined) {
      number = ++this.count;
      this.bySeq.set(seq, number);
    }
    return number;
  }
}
