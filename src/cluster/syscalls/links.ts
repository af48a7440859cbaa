// Ties syscalls to the JavaScript stages that caused them, with the socket's inode as the proof:
// the primary's accept4 and sendmsg(SCM_RIGHTS) of a connection, the worker's recvmsg of it and
// the epoll_ctl(ADD) that registers it, the socket/bind/listen of a handle. Also tells, under
// SCHED_NONE, which workers woke for a connection and which one won. Pure logic over events in
// any order of arrival; asks are answered from what has arrived so far.
import type { AnyLifecycleEvent } from '../../common/stages';
import type { SyscallEvent } from '../../common/syscalls';

/** How far apart (ms) a stage and its syscall may be: they are taken on clocks of different processes. */
const reachMilliseconds = 1000;
/** How far apart (ms) the accept4 calls of workers woken for the same connection may be. */
const herdMilliseconds = 20;
const keep = 5000;

export interface Herd {
  /** The listening socket every woken worker polls. */
  listening: number;
  winner: SyscallEvent;
  /** Calls of other workers that woke for the same connection and got EAGAIN. */
  losers: SyscallEvent[];
}

export class SyscallLinks {
  private readonly stages: AnyLifecycleEvent[] = [];
  private readonly syscalls: SyscallEvent[] = [];

  add(event: AnyLifecycleEvent | SyscallEvent): void {
    const list: Array<AnyLifecycleEvent | SyscallEvent> = event.stage === 'syscall' ? this.syscalls : this.stages;
    list.push(event);
    if (list.length > keep) {
      list.splice(0, list.length - keep);
    }
  }

  /** The syscalls a stage caused, in time order. */
  syscallsOf(stage: AnyLifecycleEvent): SyscallEvent[] {
    const own = (test: (call: SyscallEvent) => boolean): SyscallEvent[] =>
      this.syscalls.filter((call) => call.pid === stage.pid && Math.abs(call.time - stage.time) <= reachMilliseconds && test(call));
    switch (stage.stage) {
      case 'accepted': {
        const fd = stage.detail.fd;
        return single(nearest(own((call) => call.detail.call === 'accept4' && call.detail.socket !== undefined && call.detail.fd === fd), stage.time));
      }
      case 'newconn-sent': {
        const fd = stage.detail.fd;
        return single(nearest(own((call) => call.detail.call === 'sendmsg' && (call.detail.passedFds ?? []).some((passed) => passed.fd === fd)), stage.time));
      }
      case 'newconn-received': {
        const fd = stage.detail.fd;
        return single(nearest(own((call) => call.detail.call === 'recvmsg' && (call.detail.passedFds ?? []).some((passed) => passed.fd === fd)), stage.time));
      }
      case 'connection': {
        // The socket: the one its newconn carried (round-robin), or the one its own accept4 took (SCHED_NONE).
        const arrival =
          stage.detail.seq !== null
            ? this.stages.find((other) => other.stage === 'newconn-received' && other.pid === stage.pid && other.detail.seq === stage.detail.seq)
            : undefined;
        const carrier = arrival
          ? this.syscallsOf(arrival)[0]
          : nearest(own((call) => call.detail.call === 'accept4' && call.detail.socket !== undefined && call.time <= stage.time + 5), stage.time);
        const socket = carrier?.detail.call === 'recvmsg' ? carrier.detail.passedFds?.[0]?.socket : carrier?.detail.socket;
        if (socket === undefined || socket === null) {
          return [];
        }
        const accepted = arrival ? [] : single(carrier);
        return [...accepted, ...single(own((call) => call.detail.call === 'epoll_ctl' && call.detail.op === 'ADD' && call.detail.socket === socket && call.time >= stage.time - 5)[0])];
      }
      case 'handle-created':
        return this.listenCalls(stage, own, (call) => call.detail.call === 'bind');
      case 'listening':
        // A SCHED_NONE worker listens on the shared socket itself, and polls it in its own epoll.
        return stage.process === 'worker' ? this.listenCalls(stage, own, (call) => call.detail.call === 'listen') : [];
      default:
        return [];
    }
  }

  /** The stage a syscall belongs to, among the stages arrived so far. */
  stageOf(syscall: SyscallEvent): AnyLifecycleEvent | undefined {
    return this.stages.find((stage) => stage.pid === syscall.pid && Math.abs(stage.time - syscall.time) <= reachMilliseconds && this.syscallsOf(stage).includes(syscall));
  }

  /**
   * The IPC channel a sendmsg/recvmsg that carried a descriptor went over: a Unix domain socket
   * pair, one end in the primary and one in the worker, found by the passed socket's inode
   * arriving on the other side.
   */
  channelOf(call: SyscallEvent): { primaryEnd: number; workerEnd: number; workerId: number | null } | undefined {
    const passed = call.detail.passedFds?.[0]?.socket;
    if ((call.detail.call !== 'sendmsg' && call.detail.call !== 'recvmsg') || passed === undefined || passed === null || call.detail.socket === undefined) {
      return undefined;
    }
    const other = call.detail.call === 'sendmsg' ? 'recvmsg' : 'sendmsg';
    const peer = nearest(
      this.syscalls.filter((candidate) => candidate.detail.call === other && candidate.pid !== call.pid && candidate.detail.passedFds?.some((entry) => entry.socket === passed)),
      call.time,
    );
    if (!peer || peer.detail.socket === undefined) {
      return undefined;
    }
    const [primary, worker] = call.process === 'primary' ? [call, peer] : [peer, call];
    return { primaryEnd: primary.detail.socket as number, workerEnd: worker.detail.socket as number, workerId: worker.workerId };
  }

  /** For a worker's successful accept4 on a listening socket: the workers that woke with it. */
  herdOf(accept: SyscallEvent): Herd | undefined {
    const listening = accept.detail.listening;
    if (accept.detail.call !== 'accept4' || accept.detail.socket === undefined || listening === undefined || accept.process !== 'worker') {
      return undefined;
    }
    const wins = this.syscalls.filter((call) => call.detail.call === 'accept4' && call.detail.listening === listening && call.detail.socket !== undefined);
    const losers = this.syscalls.filter(
      (call) =>
        call.detail.call === 'accept4' &&
        call.detail.listening === listening &&
        call.detail.error === 'EAGAIN' &&
        call.pid !== accept.pid &&
        Math.abs(call.time - accept.time) <= herdMilliseconds &&
        nearest(wins, call.time) === accept,
    );
    // One entry per worker: a worker may try more than once.
    const byPid = new Map(losers.map((call) => [call.pid, call]));
    return { listening, winner: accept, losers: [...byPid.values()] };
  }

  private listenCalls(stage: AnyLifecycleEvent, own: (test: (call: SyscallEvent) => boolean) => SyscallEvent[], anchor: (call: SyscallEvent) => boolean): SyscallEvent[] {
    const first = own((call) => anchor(call) && call.time >= stage.time - 5)[0];
    const socket = first?.detail.socket;
    if (socket === undefined) {
      return [];
    }
    const calls = own((call) => call.detail.socket === socket && ['socket', 'bind', 'listen'].includes(call.detail.call));
    const registered = own((call) => call.detail.call === 'epoll_ctl' && call.detail.op === 'ADD' && call.detail.socket === socket)[0];
    return [...calls, ...single(registered)].sort((a, b) => a.time - b.time);
  }
}

function nearest(calls: readonly SyscallEvent[], time: number): SyscallEvent | undefined {
  let best: SyscallEvent | undefined;
  for (const call of calls) {
    if (!best || Math.abs(call.time - time) < Math.abs(best.time - time)) {
      best = call;
    }
  }
  return best;
}

function single(call: SyscallEvent | undefined): SyscallEvent[] {
  return call ? [call] : [];
}
