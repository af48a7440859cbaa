// Pausing a process when a person asks (Pause, Pause All), and taking the request back when they
// continue before it landed.
//
// Debugger.pause stops at the next JavaScript statement. A process busy running JavaScript stops
// at once; one idle in its event loop (a server waiting for connections) only when its next
// event comes, which may be never. To stop an idle process, the request is withdrawn and a timer
// of ours wakes the process, stopping at a `debugger` statement in it (idleScript).
//
// Why a timer, and never a script run by Runtime.evaluate that the pause stops in: Node 20, 22
// and 24 hang for good (the main thread spins, paused, never reading another message) when a pause
// lands inside the inspector's handling of a message, such as Runtime.evaluate, while another
// message arrives for the process. Its nested loop waits on the messages queued but runs them
// only through an interrupt, and the interrupt that new message asked for was spent while the
// first message was still being handled. A timer's callback runs from the event loop, outside
// any message.
import type { CdpSession } from '../../cdp/session';
import type { CallFrame, PausedEvent as InspectorPausedEvent } from '../../cdp/protocol';
import { firedWithin } from '../../common/emitter';
import { idleScript, idleSourceUrl } from './instrumentation';

/** Objects of the idle timer, released once it has fired or been cleared. */
const idleObjectGroup = 'cluster-tour-idle';

interface Attempt {
  /** It stopped where a person sees a frame. */
  landed: boolean;
  /** A resume came first: the request was taken back. */
  cancelled: boolean;
  /** The idle timer set for it, while it may still fire. */
  idleTimer?: string;
}

export interface PausedProcess {
  readonly cdp: CdpSession;
  isPaused(): boolean;
  /** The URL of the script a frame runs in. */
  urlOf(frame: CallFrame): string;
  /** True for our own instrumentation (let go by the debugger on top when alone on the stack). */
  isInstrumentation(url: string): boolean;
}

export class PauseControl {
  private attempt: Attempt | undefined;
  /** While a request is being withdrawn: the pause it may still cause is let go unseen. */
  private withdrawing = 0;

  constructor(private readonly process: PausedProcess) {}

  /** From a pause asked for until it lands or a resume takes it back. */
  get isPausing(): boolean {
    return this.attempt !== undefined && !this.attempt.landed && !this.attempt.cancelled;
  }

  /**
   * Decides on each Debugger.paused, before anyone sees it: false for a pause nobody wants any
   * more (one a resume took back, or the idle timer of a request that is over), which is resumed
   * here.
   */
  accept(event: InspectorPausedEvent): boolean {
    const top = event.callFrames[0];
    const idle = top !== undefined && this.process.urlOf(top) === idleSourceUrl;
    const attempt = this.attempt;
    if ((idle && attempt === undefined) || (this.withdrawing > 0 && isAskedPause(event))) {
      this.process.cdp.resume().catch(() => undefined);
      return false;
    }
    if (attempt && event.callFrames.some((frame) => !this.process.isInstrumentation(this.process.urlOf(frame)))) {
      attempt.landed = true;
      void this.clearIdleTimer(attempt);
    }
    return true;
  }

  /**
   * Asks the process to pause. When no pause came within `idleMilliseconds`, the process is idle:
   * the request is withdrawn and the idle timer set. Resolves once asked; the stop comes as a
   * Debugger.paused.
   */
  async pause(idleMilliseconds = 150): Promise<void> {
    const { cdp } = this.process;
    if (this.process.isPaused() && this.attempt === undefined) {
      return;
    }
    const attempt: Attempt = this.attempt ?? { landed: false, cancelled: false };
    this.attempt = attempt;
    const over = (): boolean => {
      if (!attempt.landed && !attempt.cancelled && !cdp.isClosed) {
        return false;
      }
      if (this.attempt === attempt) {
        this.attempt = undefined;
      }
      return true;
    };
    const pausedSoon = firedWithin((listener) => cdp.onPaused(listener), idleMilliseconds);
    await cdp.pause();
    await pausedSoon;
    if (over()) {
      return;
    }
    if (this.process.isPaused()) {
      // It stopped in our own instrumentation only, which the debugger on top lets go.
      await firedWithin<void>((listener) => cdp.onResumed(() => listener()), 1000);
    }
    await this.withdraw();
    if (over()) {
      return;
    }
    const timer = await cdp.evaluate({ expression: idleScript, silent: true, objectGroup: idleObjectGroup });
    attempt.idleTimer = timer.result.objectId;
    if (over()) {
      await this.clearIdleTimer(attempt);
    }
  }

  /**
   * Takes back a pause asked for that has not landed; false when there is none (the process is
   * paused, or nothing was asked), and the caller resumes as usual.
   */
  async cancel(): Promise<boolean> {
    const attempt = this.attempt;
    if (attempt === undefined) {
      return false;
    }
    if (this.process.isPaused()) {
      if (attempt.landed) {
        this.attempt = undefined;
      }
      return false;
    }
    attempt.cancelled = true;
    this.attempt = undefined;
    await this.withdraw();
    await this.clearIdleTimer(attempt);
    return true;
  }

  /**
   * Withdraws a pending Debugger.pause without running any JavaScript: turning breakpoints off
   * drops it. Both commands go out together and are handled one after the other.
   */
  private async withdraw(): Promise<void> {
    const { cdp } = this.process;
    this.withdrawing += 1;
    try {
      await Promise.all([cdp.setBreakpointsActive(false), cdp.setBreakpointsActive(true)]);
    } catch (error) {
      if (!cdp.isClosed) {
        throw error;
      }
    } finally {
      this.withdrawing -= 1;
    }
  }

  /**
   * Clears the idle timer of an attempt that is over (harmless once it has fired). Never fails:
   * a timer left set fires a stop that `accept` lets go.
   */
  private async clearIdleTimer(attempt: Attempt): Promise<void> {
    const { cdp } = this.process;
    const objectId = attempt.idleTimer;
    attempt.idleTimer = undefined;
    if (objectId === undefined || cdp.isClosed) {
      return;
    }
    await cdp.callFunctionOn({ objectId, functionDeclaration: 'function () { clearTimeout(this); }', silent: true }).catch(() => undefined);
    await cdp.releaseObjectGroup(idleObjectGroup).catch(() => undefined);
  }
}

/** A pause that Debugger.pause caused: no breakpoint, no exception. */
function isAskedPause(event: InspectorPausedEvent): boolean {
  return (event.reason === 'other' || event.reason === 'ambiguous') && (event.hitBreakpoints ?? []).length === 0;
}
