// Claims about the kernel's side of tour stops, checked when a tour runs with syscalls: which
// call a stop's stage makes, in which process, and that it is the same socket (by inode) as an
// earlier stop's. Kept beside the tours, by tour and stop id, so the tours' texts stay their own.
import type { SyscallEvent, TracedCall } from '../../common/syscalls';

export interface SyscallClaim {
  description: string;
  call: TracedCall;
  op?: 'ADD' | 'MOD' | 'DEL';
  /** It failed with this errno (EINPROGRESS); without it, the call must have succeeded. */
  error?: string;
  /** It carries a descriptor with SCM_RIGHTS. */
  passesSocket?: boolean;
  /** The socket it names (or carries) is the one the first claim of that stop (id) matched. */
  sameSocketAs?: string;
}

/** By tour id, then stop id. */
export const syscallClaims: Readonly<Record<string, Readonly<Record<string, readonly SyscallClaim[]>>>> = {
  'connection-round-robin': {
    'primary-accepts': [{ description: 'the primary accept4()ed the connection: a new socket (inode) from the listening one', call: 'accept4' }],
    'write-channel': [
      {
        description: 'sendmsg() carries the accepted socket with SCM_RIGHTS over the IPC channel (same inode)',
        call: 'sendmsg',
        passesSocket: true,
        sameSocketAs: 'primary-accepts',
      },
    ],
    'read-channel': [
      {
        description: "recvmsg() in the worker brought the same socket (same inode), as a descriptor of the worker's own",
        call: 'recvmsg',
        passesSocket: true,
        sameSocketAs: 'primary-accepts',
      },
    ],
    'connection-event': [
      {
        description: "the worker registers the socket in its own epoll: epoll_ctl(ADD) of the same inode",
        call: 'epoll_ctl',
        op: 'ADD',
        sameSocketAs: 'primary-accepts',
      },
    ],
  },
  'net-connection': {
    'server-bind': [{ description: 'libuv makes the socket and binds it: socket(), bind()', call: 'bind' }],
    'server-listen': [{ description: 'listen() on the same socket (inode)', call: 'listen', sameSocketAs: 'server-bind' }],
    'client-internal-connect': [{ description: 'connect() returns at once with EINPROGRESS: the handshake goes on in the kernel', call: 'connect', error: 'EINPROGRESS' }],
    'server-connection': [{ description: "the worker registers the connection's socket in its own epoll: epoll_ctl(ADD)", call: 'epoll_ctl', op: 'ADD' }],
  },
  'connection-sched-none': {
    'shared-handle': [{ description: 'the primary makes and binds the socket: socket(), bind()', call: 'bind' }],
    'worker-shared': [
      {
        description: 'the reply carries the bound socket to the worker: recvmsg() with SCM_RIGHTS (same inode)',
        call: 'recvmsg',
        passesSocket: true,
        sameSocketAs: 'shared-handle',
      },
    ],
    'listen-on-shared-handle': [
      { description: 'the worker itself calls listen() on the shared socket (same inode)', call: 'listen', sameSocketAs: 'shared-handle' },
      { description: "and polls it in its own epoll: epoll_ctl(ADD) of the listening socket", call: 'epoll_ctl', op: 'ADD', sameSocketAs: 'shared-handle' },
    ],
    'worker-accepts-itself': [{ description: 'the worker accept4()ed the connection itself, with no newconn message', call: 'accept4' }],
  },
};

/** The socket a call names for a claim: the carried one for sendmsg/recvmsg. */
function socketOf(event: SyscallEvent): number | undefined {
  if (event.detail.call === 'sendmsg' || event.detail.call === 'recvmsg') {
    return event.detail.passedFds?.[0]?.socket ?? undefined;
  }
  return event.detail.socket;
}

/** The first call of a stop that a claim matches, given the sockets earlier stops' claims matched. */
export function matchSyscallClaim(claim: SyscallClaim, calls: readonly SyscallEvent[], socketOfStop: (stopId: string) => number | undefined): SyscallEvent | undefined {
  const wanted = claim.sameSocketAs === undefined ? undefined : socketOfStop(claim.sameSocketAs);
  if (claim.sameSocketAs !== undefined && wanted === undefined) {
    return undefined;
  }
  return calls.find(
    (call) =>
      call.detail.call === claim.call &&
      call.detail.error === claim.error &&
      (claim.op === undefined || call.detail.op === claim.op) &&
      (!claim.passesSocket || (call.detail.passedFds ?? []).length > 0) &&
      (wanted === undefined || socketOf(call) === wanted),
  );
}

/** The socket a matched call names, for later stops' `sameSocketAs`. */
export function claimedSocket(event: SyscallEvent): number | undefined {
  return socketOf(event);
}
