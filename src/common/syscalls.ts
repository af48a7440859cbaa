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
