// How the terminal trace writes syscalls: indented under the stage that caused them, a line per
// SCHED_NONE connection saying which workers woke and which won, and the calls of the story that
// belong to no stage on lines of their own. The bookkeeping noise (close, epoll MOD/DEL, IPC
// messages without descriptors) shows only in --json.
import type { AnyLifecycleEvent } from '../common/stages';
import { describeSyscall, type SyscallEvent } from '../common/syscalls';
import type { SyscallLinks } from '../cluster/syscalls/links';

function label(event: { process: string; workerId: number | null }): string {
  return event.process === 'primary' ? 'primary' : `worker ${event.workerId}`;
}

/** "woke 2 workers; worker 1 won, worker 2 got EAGAIN" */
export function describeHerd(links: SyscallLinks, accept: SyscallEvent): string | undefined {
  const herd = links.herdOf(accept);
  if (!herd) {
    return undefined;
  }
  const woke = 1 + herd.losers.length;
  const losers = herd.losers.map((loser) => `${label(loser)} got EAGAIN`);
  return [`woke ${woke} worker${woke === 1 ? '' : 's'} polling socket:[${herd.listening}]; ${label(accept)} won`, ...losers].join(', ');
}

/** Worth a line of its own when no stage claims it. */
export function standsAlone(event: SyscallEvent): boolean {
  const { call, error, passedFds } = event.detail;
  if (error) {
    return !['EAGAIN', 'EEXIST', 'ENOENT'].includes(error);
  }
  return ['socket', 'bind', 'listen', 'connect', 'accept4'].includes(call) || (passedFds ?? []).length > 0;
}

/** Decides, as events leave the reorder buffer, what the terminal shows of syscalls. */
export class SyscallPrinter {
  private readonly printed = new Set<SyscallEvent>();
  private readonly printedStages = new Set<AnyLifecycleEvent>();

  constructor(
    private readonly links: SyscallLinks,
    private readonly write: (line: string) => void,
    private readonly prefix: (event: SyscallEvent) => string,
  ) {}

  /** After a stage's line: its syscalls, indented. */
  afterStage(stage: AnyLifecycleEvent): void {
    this.printedStages.add(stage);
    for (const call of this.links.syscallsOf(stage)) {
      if (!this.printed.has(call)) {
        this.printed.add(call);
        this.writeCall(call, '      └ ');
      }
    }
  }

  /** A syscall leaving the buffer: printed later under its stage, now on its own, or not at all. */
  syscall(event: SyscallEvent): void {
    if (this.printed.has(event)) {
      return;
    }
    const stage = this.links.stageOf(event);
    if (stage && !this.printedStages.has(stage)) {
      return; // its stage comes later in time order and prints it
    }
    if (standsAlone(event)) {
      this.printed.add(event);
      this.write(`${this.prefix(event)}${describeSyscall(event.detail)}`);
      this.writeHerd(event, '      └ ');
    }
  }

  private writeCall(call: SyscallEvent, indent: string): void {
    const channel = this.links.channelOf(call);
    const over = channel ? ` over the IPC channel, a Unix socket pair [${channel.primaryEnd}]↔[${channel.workerEnd}]` : '';
    this.write(`${indent}${label(call)} (pid ${call.pid}) ${describeSyscall(call.detail)}${over}`);
    this.writeHerd(call, indent);
  }

  private writeHerd(call: SyscallEvent, indent: string): void {
    const herd = describeHerd(this.links, call);
    if (herd) {
      this.write(`${indent}${herd}`);
    }
  }
}
