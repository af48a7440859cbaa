// The kernel's side of a stage: one system call of a cluster process, as the trace reports it
// beside the lifecycle events. Pure data and types: no I/O.
import type { ProcessRole } from './stages';

/** The calls that tell the story of a connection; the kernel filters out all others. */
export const tracedCalls = ['socket', 'bind', 'listen', 'accept4', 'connect', 'sendmsg', 'recvmsg', 'epoll_ctl', 'close', 'shutdown'] as const;
export type TracedCall = (typeof tracedCalls)[number];

/** A descriptor carried in a message with SCM_RIGHTS, and the socket (inode) it names. */
export interface PassedDescriptor {
  fd: number;
  socket: number | null;
}

export interface SyscallDetail {
  call: TracedCall;
  /** The descriptor the call works on: for epoll_ctl the registered one, not the epoll's. */
  fd: number | null;
  /** The return value; -1 with `error` on failure. */
  result: number | null;
  /** The errno name (EAGAIN, EINPROGRESS, ECONNRESET, …). */
  error?: string;
  /**
   * The socket's inode, the same in every process holding a descriptor of it: for accept4 the
   * accepted socket's (the listening one's in `listening`), for socket() the new one's,
   * otherwise the socket `fd` names.
   */
  socket?: number;
  /** accept4: the listening socket's inode. */
  listening?: number;
  /** sendmsg/recvmsg: descriptors carried with SCM_RIGHTS. */
  passedFds?: PassedDescriptor[];
  /** epoll_ctl: what it does with `fd`. */
  op?: 'ADD' | 'MOD' | 'DEL';
}

/** One system call of a cluster process; `time` is on the lifecycle events' clock. */
export interface SyscallEvent {
  stage: 'syscall';
  process: ProcessRole;
  workerId: number | null;
  pid: number;
  time: number;
  detail: SyscallDetail;
}

/** `accept4(listening socket:[13367]) = fd 25 socket:[273904]` — what a reader of strace would recognise. */
export function describeSyscall(detail: SyscallDetail): string {
  const socket = (inode: number | null | undefined): string => (inode === undefined || inode === null ? '' : `socket:[${inode}]`);
  const outcome = detail.error ? `-1 ${detail.error}` : `${detail.result ?? '?'}`;
  switch (detail.call) {
    case 'socket':
      return `socket() = ${detail.fd ?? outcome} ${socket(detail.socket)}`.trimEnd();
    case 'accept4':
      return detail.socket !== undefined
        ? `accept4(listening ${socket(detail.listening)}) = fd ${detail.fd} ${socket(detail.socket)}`
        : `accept4(listening ${socket(detail.listening)}) = ${outcome}`;
    case 'epoll_ctl':
      return `epoll_ctl(${detail.op ?? '?'}, fd ${detail.fd} ${socket(detail.socket)}) = ${outcome}`;
    case 'sendmsg':
    case 'recvmsg': {
      const passed = (detail.passedFds ?? []).map((entry) => `fd ${entry.fd} ${socket(entry.socket)}`.trimEnd());
      const rights = passed.length > 0 ? `, SCM_RIGHTS [${passed.join(', ')}]` : '';
      return `${detail.call}(fd ${detail.fd} ${socket(detail.socket)}${rights}) = ${outcome}`;
    }
    default:
      return `${detail.call}(fd ${detail.fd} ${socket(detail.socket)}) = ${outcome}`;
  }
}

/**
 * A call that tells part of the story (views keep only these): a socket made, bound, listening
 * or connecting, a connection accepted, descriptors passed, a socket registered in epoll, and
 * errors other than epoll's bookkeeping.
 */
export function tellsTheStory(detail: SyscallDetail): boolean {
  if (detail.error) {
    return !['EEXIST', 'ENOENT'].includes(detail.error);
  }
  return ['socket', 'bind', 'listen', 'connect', 'accept4'].includes(detail.call) || (detail.passedFds ?? []).length > 0 || (detail.call === 'epoll_ctl' && detail.op === 'ADD');
}
