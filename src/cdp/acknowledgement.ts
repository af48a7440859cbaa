// Prompt acknowledgement of the inspector's messages, so that a step answers in about a
// millisecond instead of about 44 ms.
//
// Why: Node's inspector server leaves Nagle's algorithm on for its socket (Node 18 to 26 alike),
// so it holds a small message back while an earlier one is unacknowledged. After a step it
// writes the response, then `Debugger.resumed`, then `Debugger.paused`: the response leaves at
// once, the events wait for its ACK, and Linux delays that ACK by 40 ms on a connection that
// looks like request/response traffic. TCP_QUICKACK would fix it, but Node cannot set it, and no
// option of Node's inspector changes its side. What a client can do: any data it sends carries
// the ACK. So while an answer is due (a response, or the pause after a step or resume), after each
// message that arrives we send a cheap command, a "nudge", whose only purpose is that ACK.
//
// The nudge's own response is unacknowledged data too and can hold back what follows it, so a
// nudge's response is followed by another nudge: the first ones at once, later ones every few
// milliseconds, and all of it only within a short window after real traffic (past 40 ms the
// kernel has sent its delayed ACK anyway). A debuggee that runs on after a resume gets about
// twenty nudges in the 50 ms that follow (measured), then none.
import { performance } from 'node:perf_hooks';
import type { Disposable } from '../common/disposable';

/**
 * The nudge: answered by V8 itself, changes nothing in the debuggee, needs no enabled domain and
 * exists in every Node version we support. (WebSocket pings would make Node's inspector close
 * the connection; an invalid message would be answered with an error.)
 */
export const nudgeMethod = 'Runtime.getIsolateId';

/** Commands after which the inspector sends more than the response: the resumed/paused events. */
const runningCommands: ReadonlySet<string> = new Set([
  'Debugger.resume',
  'Debugger.stepOver',
  'Debugger.stepInto',
  'Debugger.stepOut',
  'Debugger.pause',
  'Debugger.continueToLocation',
  'Runtime.runIfWaitingForDebugger',
]);

/** Past this time after the last real traffic, nudging stops (the kernel has ACKed by then). */
const windowMilliseconds = 50;
/** Nudges sent at once after real traffic; further ones wait the spacing below. */
const immediateNudges = 2;
const nudgeSpacingMilliseconds = 2;

export class PromptAcknowledger implements Disposable {
  private outstandingCommands = 0;
  /**
   * Until when a pause may follow a running command. It ends with the window, not with a pause:
   * after a resume, a process that runs on never pauses, and the reports it sends meanwhile must
   * not keep the nudging going (that cost the traced server about a tenth of its throughput).
   */
  private pauseExpectedUntil = 0;
  private lastTraffic = 0;
  private nudgesSinceTraffic = 0;
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Nudges sent so far (for the step benchmark). */
  nudges = 0;

  /**
   * `sendNudge` sends `nudgeMethod`; the acknowledger learns of its answer by `nudgeAnswered`.
   * `now` is the clock in milliseconds (tests pass their own).
   */
  constructor(
    private readonly sendNudge: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A command of ours is about to be sent: it carries the ACK itself. */
  commandSent(method: string): void {
    this.cancel();
    this.outstandingCommands += 1;
    this.traffic();
    if (runningCommands.has(method)) {
      this.pauseExpectedUntil = this.lastTraffic + windowMilliseconds;
    }
  }

  /** The response (or error) to one of our commands arrived. */
  responseReceived(): void {
    this.outstandingCommands = Math.max(0, this.outstandingCommands - 1);
    this.traffic();
    this.schedule(0);
  }

  eventReceived(method: string): void {
    if (method === 'Debugger.paused') {
      this.pauseExpectedUntil = 0;
    }
    this.traffic();
    this.schedule(0);
  }

  nudgeAnswered(): void {
    this.schedule(this.nudgesSinceTraffic < immediateNudges ? 0 : nudgeSpacingMilliseconds);
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private traffic(): void {
    this.lastTraffic = this.now();
    this.nudgesSinceTraffic = 0;
  }

  private get answerDue(): boolean {
    const now = this.now();
    return !this.disposed && (this.outstandingCommands > 0 || now < this.pauseExpectedUntil) && now - this.lastTraffic < windowMilliseconds;
  }

  private schedule(delayMilliseconds: number): void {
    if (!this.answerDue || this.immediate) {
      return;
    }
    if (delayMilliseconds === 0) {
      this.cancel();
      // After the current batch of messages (one read can hold several): one nudge for all.
      this.immediate = setImmediate(() => this.nudge());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.nudge(), delayMilliseconds);
      this.timer.unref();
    }
  }

  private nudge(): void {
    this.cancel();
    if (this.answerDue) {
      this.nudges += 1;
      this.nudgesSinceTraffic += 1;
      this.sendNudge();
    }
  }

  private cancel(): void {
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
