// The syscalls a tour stop's stage caused: those of the stop's process from just before it was
// reached (the kernel acts first: accept4 returns before `distribute` runs) until the tour
// reaches its next stop (the sendmsg of a `newconn` goes out after the stop is left). Pure logic.
import { tellsTheStory, type SyscallEvent } from '../../common/syscalls';

/** How far before the first stop of a process its calls still count (ms). */
const leadMilliseconds = 1000;

interface Reached {
  index: number;
  pid: number;
  time: number;
}

export class StopSyscalls {
  private readonly reached: Reached[] = [];
  private readonly calls: SyscallEvent[] = [];

  /** A stop was reached (paused) in `pid` at `time` (event clock). */
  reach(index: number, pid: number, time: number): void {
    this.reached.push({ index, pid, time });
  }

  /** A syscall arrived; answers the stop it counts for, if any. */
  add(event: SyscallEvent): number | undefined {
    if (!tellsTheStory(event.detail)) {
      return undefined;
    }
    this.calls.push(event);
    return this.reached.find((stop) => this.of(stop).includes(event))?.index;
  }

  /** The calls of a reached stop, in time order. */
  syscallsOf(index: number): SyscallEvent[] {
    const stop = [...this.reached].reverse().find((each) => each.index === index);
    return stop ? this.of(stop) : [];
  }

  private of(stop: Reached): SyscallEvent[] {
    const position = this.reached.indexOf(stop);
    const earlier = this.reached.slice(0, position).filter((each) => each.pid === stop.pid);
    const from = earlier.length > 0 ? earlier[earlier.length - 1].time : stop.time - leadMilliseconds;
    const until = this.reached[position + 1]?.time ?? Number.POSITIVE_INFINITY;
    return this.calls.filter((call) => call.pid === stop.pid && call.time > from && call.time <= until).sort((a, b) => a.time - b.time);
  }
}
