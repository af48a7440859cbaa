// Reads strace's output (`-f -y -ttt`): lines of different processes interleave, and a call
// interrupted by another process's line comes in two halves (`<unfinished ...>`, then
// `<... call resumed>`), joined here by pid. Pure logic: text in, calls out.
import { SyscallDetail, TracedCall, tracedCalls } from '../../common/syscalls';

/** One whole call as strace printed it, with the pid (a thread id for threads) that made it. */
export interface StraceCall {
  pid: number;
  /** Wall-clock seconds (`-ttt`) when the call began. */
  seconds: number;
  call: string;
  /** Everything between the call's parentheses. */
  argumentsText: string;
  /** What follows ` = `: `0`, `23<socket:[13198]>`, `-1 EAGAIN (Resource temporarily unavailable)`, `?`. */
  resultText: string;
}

const linePattern = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/;
const unfinishedSuffix = ' <unfinished ...>';
const resumedPattern = /^<\.\.\. (\w+) resumed>(.*)$/;
const callPattern = /^(\w+)\((.*)$/;

export class StraceParser {
  /** The first half of each pid's interrupted call. */
  private readonly unfinished = new Map<number, { seconds: number; call: string; text: string }>();

  /** Takes one line; returns the call it completes, if any. Signals, exits and other noise give nothing. */
  push(line: string): StraceCall | undefined {
    const match = linePattern.exec(line.trimEnd());
    if (!match) {
      return undefined;
    }
    const pid = Number(match[1]);
    const seconds = Number(match[2]);
    const text = match[3];
    const resumed = resumedPattern.exec(text);
    if (resumed) {
      const first = this.unfinished.get(pid);
      this.unfinished.delete(pid);
      if (!first || first.call !== resumed[1]) {
        return undefined; // its first half came before we started reading
      }
      return split(pid, first.seconds, first.call, first.text + resumed[2]);
    }
    const call = callPattern.exec(text);
    if (!call) {
      return undefined; // `--- SIGCHLD ...`, `+++ exited ...`
    }
    if (text.endsWith(unfinishedSuffix)) {
      this.unfinished.set(pid, { seconds, call: call[1], text: text.slice(call[1].length + 1, -unfinishedSuffix.length) });
      return undefined;
    }
    return split(pid, seconds, call[1], call[2]);
  }
}

function split(pid: number, seconds: number, call: string, rest: string): StraceCall | undefined {
  const end = rest.lastIndexOf(') = ');
  if (end < 0) {
    return undefined; // a call that never returned (the process exited in it)
  }
  return { pid, seconds, call, argumentsText: rest.slice(0, end), resultText: rest.slice(end + 4).trim() };
}

const descriptorPattern = /^(-?\d+)<([^>]*)>/;
const socketPattern = /^socket:\[(\d+)\]$/;

/** `25<socket:[273904]>` → {fd: 25, socket: 273904}; a pipe or file → {fd, socket: null}. */
export function parseDescriptor(text: string): { fd: number; socket: number | null } | undefined {
  const match = descriptorPattern.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const socket = socketPattern.exec(match[2]);
  return { fd: Number(match[1]), socket: socket ? Number(socket[1]) : null };
}

/** Splits top-level arguments (commas inside {}, [], () and strings stay). */
function topLevelArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') {
        index += 1;
      } else if (character === '"') {
        inString = false;
      }
    } else if (character === '"') {
      inString = true;
    } else if ('{[('.includes(character)) {
      depth += 1;
    } else if ('}])'.includes(character)) {
      depth -= 1;
    } else if (character === ',' && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** What a traced call means for the story; undefined for calls that name no socket. */
export function describeCall(call: StraceCall): SyscallDetail | undefined {
  if (!(tracedCalls as readonly string[]).includes(call.call)) {
    return undefined;
  }
  const name = call.call as TracedCall;
  const result = /^(-?\d+)(?:<[^>]*>)?(?:\s+([A-Z][A-Z0-9_]*))?/.exec(call.resultText);
  const detail: SyscallDetail = { call: name, fd: null, result: result ? Number(result[1]) : null };
  if (result?.[2]) {
    detail.error = result[2];
  }
  const argumentsList = topLevelArguments(call.argumentsText);
  const returned = parseDescriptor(call.resultText);
  if (name === 'socket') {
    if (!argumentsList[0]?.startsWith('AF_INET') && !argumentsList[0]?.startsWith('AF_UNIX')) {
      return undefined;
    }
    if (returned?.socket) {
      detail.fd = returned.fd;
      detail.socket = returned.socket;
    }
    return detail;
  }
  if (name === 'epoll_ctl') {
    const registered = parseDescriptor(argumentsList[2] ?? '');
    if (!registered?.socket) {
      return undefined;
    }
    detail.fd = registered.fd;
    detail.socket = registered.socket;
    const op = /^EPOLL_CTL_(ADD|MOD|DEL)$/.exec(argumentsList[1] ?? '');
    if (op) {
      detail.op = op[1] as 'ADD' | 'MOD' | 'DEL';
    }
    return detail;
  }
  const own = parseDescriptor(argumentsList[0] ?? '');
  if (!own?.socket) {
    return undefined; // close() of a file, a pipe, …
  }
  detail.fd = own.fd;
  detail.socket = own.socket;
  if (name === 'accept4') {
    detail.listening = own.socket;
    if (returned?.socket) {
      detail.fd = returned.fd;
      detail.socket = returned.socket;
    } else {
      delete detail.socket;
      detail.fd = own.fd;
    }
  }
  if (name === 'sendmsg' || name === 'recvmsg') {
    const rights = /cmsg_type=SCM_RIGHTS, cmsg_data=\[((?:[^[\]]|\[[^\]]*\])*)\]/.exec(call.argumentsText);
    if (rights) {
      detail.passedFds = rights[1]
        .split(',')
        .map((entry) => parseDescriptor(entry))
        .filter((entry): entry is { fd: number; socket: number | null } => entry !== undefined);
    }
  }
  return detail;
}
