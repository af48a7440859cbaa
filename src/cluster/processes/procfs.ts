// What /proc says about a process (Linux): its start time, parent, program, command line,
// environment, working folder and listening sockets, and whether it runs a node binary. The
// controller's one reader of /proc (the guests in agent/ read their own: they may import nothing).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The fields of /proc/<pid>/stat that Cluster Tour uses. */
export interface ProcessStat {
  /** One letter: R, S, D, Z, T… */
  state: string;
  ppid: number;
  /** Field 5: the process group. */
  processGroup: number;
  /** Field 22: with the pid, identifies this process across pid reuse. */
  startTime: string;
  /** Fields 14 and 15: the CPU it has used (user + system), in clock ticks (USER_HZ, 100 a second on Linux). */
  cpuTicks: number;
  /** Field 52: the status waitpid(2) would give, once the process has ended (a zombie); 0 before. */
  exitStatus: number;
}

export function statOf(pid: number): ProcessStat | undefined {
  const stat = readProcFile(pid, 'stat');
  if (stat === undefined) {
    return undefined;
  }
  // The command name sits in parentheses and may itself hold spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]), processGroup: Number(fields[2]), startTime: fields[19], cpuTicks: Number(fields[11]) + Number(fields[12]), exitStatus: Number(fields[49] ?? 0) };
}

/** Field 22 of /proc/<pid>/stat; undefined when the process is gone or a zombie. */
export function startTimeOf(pid: number): string | undefined {
  const stat = statOf(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
}

/** The children of a process's main thread (a process forked from another thread is not listed). */
export function childrenOf(pid: number): number[] {
  return (readProcFile(pid, `task/${pid}/children`) ?? '').split(' ').filter(Boolean).map(Number);
}

/** Every pid in /proc now. */
export function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** The uid that owns the process, or undefined once it is gone. */
export function ownerOf(pid: number): number | undefined {
  try {
    return fs.statSync(`/proc/${pid}`).uid;
  } catch (error) {
    if (isGone(error)) {
      return undefined;
    }
    throw error;
  }
}

export function executableOf(pid: number): string | undefined {
  return readLink(`/proc/${pid}/exe`)?.replace(/ \(deleted\)$/, '');
}

/** The command line as the process's argv (empty for kernel threads and zombies). */
export function argumentsOf(pid: number): string[] {
  return (readProcFile(pid, 'cmdline') ?? '').split('\0').filter(Boolean);
}

export function commandLineOf(pid: number): string {
  return argumentsOf(pid).join(' ') || 'unknown program';
}

/** The environment the process started with, as `NAME=value` entries; empty when not readable. */
export function environmentOf(pid: number): string[] {
  return (readProcFile(pid, 'environ') ?? '').split('\0').filter(Boolean);
}

export function workingFolderOf(pid: number): string | undefined {
  return readLink(`/proc/${pid}/cwd`)?.replace(/ \(deleted\)$/, '');
}

/**
 * Whether the process runs a node binary: its executable (else argv[0]) is named node, nodejs,
 * node24, node-v20.1.0… The executable is what counts: a script named "node" run by another
 * program is not node.
 */
export function isNodeProcess(pid: number): { node: boolean; executable: string } {
  const executable = executableOf(pid) ?? argumentsOf(pid)[0] ?? '';
  return { node: isNodeExecutable(executable), executable };
}

export function isNodeExecutable(executable: string): boolean {
  return /^(node|nodejs)(\d*|-[\w.-]*)$/.test(path.basename(executable));
}

export interface ListeningSocket {
  port: number;
  inode: string;
  /** Bound to 127.0.0.1 (or any 127.x), 0.0.0.0 or [::], so 127.0.0.1 reaches it. */
  reachableAtLoopback: boolean;
}

/** TCP sockets in LISTEN state in the network namespace of `pid`. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of (readProcFile(pid, `net/${table}`) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') {
        continue;
      }
      const [address, port] = fields[1].split(':');
      sockets.push({ port: parseInt(port, 16), inode: fields[9], reachableAtLoopback: reachableAtLoopback(address) });
    }
  }
  return sockets;
}

/** The ports, reachable at 127.0.0.1, on which `pid` itself holds a listening socket. */
export function ownedLoopbackPorts(pid: number): number[] {
  const inodes = socketInodesOf(pid);
  const ports = listeningSockets(pid)
    .filter((socket) => inodes.has(socket.inode) && socket.reachableAtLoopback)
    .map((socket) => socket.port);
  return [...new Set(ports)];
}

/** /proc/net/tcp* addresses are hex, in 32-bit words of host (little-endian) byte order. */
function reachableAtLoopback(address: string): boolean {
  if (address.length === 8) {
    return address === '00000000' || address.endsWith('7F');
  }
  return /^0{32}$/.test(address) || /^0{16}FFFF0000[0-9A-F]{6}7F$/i.test(address);
}

export function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let descriptors: string[];
  try {
    descriptors = fs.readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    if (isGone(error)) {
      return inodes;
    }
    throw error;
  }
  for (const descriptor of descriptors) {
    const link = readLink(`/proc/${pid}/fd/${descriptor}`);
    const match = link === undefined ? null : /^socket:\[(\d+)\]$/.exec(link);
    if (match) {
      inodes.add(match[1]);
    }
  }
  return inodes;
}

export function readableFolder(folder: string): boolean {
  try {
    fs.readdirSync(folder);
    return true;
  } catch (error) {
    if (isGone(error)) {
      return false;
    }
    throw error;
  }
}

/** Reads a /proc file of a process that may exit at any moment, or is not ours to read: undefined then. */
export function readProcFile(pid: number, name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch (error) {
    if (isGone(error)) {
      return undefined;
    }
    throw error;
  }
}

function readLink(link: string): string | undefined {
  try {
    return fs.readlinkSync(link);
  } catch (error) {
    if (isGone(error)) {
      return undefined;
    }
    throw error;
  }
}

/** ENOENT/ESRCH: the process (or descriptor) went away; EACCES: it is not ours to inspect. */
function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES';
}
