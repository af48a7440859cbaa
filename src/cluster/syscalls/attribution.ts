// Turns strace's calls into syscall events of known processes. A call names only a pid; which
// process that is (primary, worker 2) is known once its preload reports, which can be after its
// first calls: those wait a while, then go out in order. Threads (the inspector's, libuv's
// pool) are not the program's story and are dropped.
import * as fs from 'node:fs';
import type { Disposable } from '../../common/disposable';
import { Emitter } from '../../common/emitter';
import type { ProcessRole } from '../../common/stages';
import type { SyscallEvent } from '../../common/syscalls';
import { wallSecondsToEventTime } from './clock';
import { describeCall, StraceCall } from './straceParser';

export interface KnownProcess {
  pid: number;
  role: ProcessRole;
  workerId: number | null;
}

/** How long a call of a not-yet-known pid waits before it is dropped. */
const waitMilliseconds = 5000;

export class SyscallAttribution implements Disposable {
  private readonly known = new Map<number, KnownProcess>();
  private readonly waiting = new Map<number, { since: number; events: Array<Omit<SyscallEvent, 'process' | 'workerId'>> }>();
  private readonly threads = new Set<number>();
  private readonly eventEmitter = new Emitter<SyscallEvent>();
  private timer: NodeJS.Timeout | undefined;
  readonly onSyscall = this.eventEmitter.event;

  /**
   * @param offset milliseconds from wall clock to the event clock (sampleClockOffset)
   * @param isThread whether a pid is a thread of another process (read from /proc by default)
   */
  constructor(
    private readonly offset: number,
    private readonly isThread: (pid: number) => boolean = threadOfAnother,
  ) {}

  know(process: KnownProcess): void {
    if (this.known.has(process.pid)) {
      return;
    }
    this.known.set(process.pid, process);
    const held = this.waiting.get(process.pid);
    this.waiting.delete(process.pid);
    for (const event of held?.events ?? []) {
      this.eventEmitter.fire({ ...event, process: process.role, workerId: process.workerId });
    }
  }

  push(call: StraceCall): void {
    const detail = describeCall(call);
    if (!detail || this.threads.has(call.pid)) {
      return;
    }
    const base = { stage: 'syscall' as const, pid: call.pid, time: wallSecondsToEventTime(call.seconds, this.offset), detail };
    const owner = this.known.get(call.pid);
    if (owner) {
      this.eventEmitter.fire({ ...base, process: owner.role, workerId: owner.workerId });
      return;
    }
    let held = this.waiting.get(call.pid);
    if (!held) {
      if (this.isThread(call.pid)) {
        this.threads.add(call.pid);
        return;
      }
      held = { since: Date.now(), events: [] };
      this.waiting.set(call.pid, held);
    }
    held.events.push(base);
    this.timer ??= setInterval(() => this.expire(), 500);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.waiting.clear();
    this.eventEmitter.clear();
  }

  private expire(): void {
    const limit = Date.now() - waitMilliseconds;
    for (const [pid, held] of this.waiting) {
      if (held.since < limit) {
        this.waiting.delete(pid); // never reported: not a process of the cluster (a plain child)
      }
    }
    if (this.waiting.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** A thread's id is not its process's id: /proc/<tid>/status says Tgid. Gone already: not a thread we can tell. */
function threadOfAnother(pid: number): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const group = /^Tgid:\s+(\d+)/m.exec(status);
    return group !== null && Number(group[1]) !== pid;
  } catch {
    return false;
  }
}
