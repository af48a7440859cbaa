// Connection numbers a person can follow: 1, 2, 3, … in the order connections happened in the run.
// The per-connection stages carry the `seq` of the `newconn` message (the primary numbers every
// message it sends, so the first connection is not 1); under SCHED_NONE each `connection` is new.
import type { AnyLifecycleEvent } from '../common/stages';

export class ConnectionNumbers {
  private readonly bySeq = new Map<number, number>();
  private count = 0;

  /** The number of the connection `event` is about, or undefined for other stages. Feed events in time order. */
  numberOf(event: AnyLifecycleEvent): number | undefined {
    switch (event.stage) {
      case 'accepted':
      case 'newconn-sent':
      case 'newconn-received':
      case 'connection':
      case 'handoff-lost': {
        const seq = event.detail.seq;
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
      default:
        return undefined;
    }
  }
}
