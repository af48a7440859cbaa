// Running a program under Debian's strace: whether it can run here (Linux, installed, ptrace
// allowed), the command line that traces only the calls of the story (filtered in the kernel by
// seccomp-bpf), and the FIFO through which its lines come back while the program runs.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Disposable } from '../../common/disposable';
import { Emitter } from '../../common/emitter';
import { LineBuffer } from '../../common/lineBuffer';
import { tracedCalls } from '../../common/syscalls';
import { StraceCall, StraceParser } from './straceParser';

export type StraceCheck = { available: true; executable: string } | { available: false; reason: string };

/** Can `strace` trace a child here? Says why not in one sentence. */
export function checkStrace(executable = 'strace', env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): StraceCheck {
  if (platform !== 'linux') {
    return { available: false, reason: `syscalls are not available on this platform (${platform}): they come from strace, on Linux only` };
  }
  const found = findOnPath(executable, env);
  if (!found) {
    return { available: false, reason: `syscalls are off: ${executable.includes('/') ? executable : 'strace'} was not found${executable.includes('/') ? '' : ' on PATH'} (Debian: apt-get install strace)` };
  }
  const probe = spawnSync(found, ['-f', '-qq', '-e', 'trace=none', '-o', '/dev/null', 'true'], { encoding: 'utf8', timeout: 10000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0];
    return { available: false, reason: `syscalls are off: strace cannot trace here (${why}); ptrace may be forbidden (kernel.yama.ptrace_scope, a container without CAP_SYS_PTRACE)` };
  }
  return { available: true, executable: found };
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = name.includes('/') ? [path.resolve(name)] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((directory) => path.join(directory, name));
  return candidates.find((candidate) => {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return fs.statSync(candidate).isFile();
    } catch {
      return false; // not here: the next directory of PATH
    }
  });
}

/**
 * strace's options before the traced command; its lines go to `output`.
 * libuv 1.45+ (Node 22, 24) registers descriptors in epoll through io_uring, where strace sees
 * no epoll_ctl at all. Its io_uring_setup is made to fail (ENOSYS, as in containers whose
 * seccomp profile forbids io_uring) so that libuv falls back to plain epoll_ctl: the same
 * registrations, one syscall each. Node 20's libuv makes plain epoll_ctl calls anyway.
 */
export function straceArguments(output: string): string[] {
  return [
    '-f',
    '-y',
    '-qq',
    '--seccomp-bpf',
    '-ttt',
    '-e',
    'signal=none',
    '-e',
    `trace=${[...tracedCalls, 'io_uring_setup'].join(',')}`,
    '-e',
    'inject=io_uring_setup:error=ENOSYS',
    '-o',
    output,
  ];
}

/**
 * A FIFO strace writes to, read as it writes. Opened without blocking, so a strace that never
 * starts leaves nothing waiting; ends (onEnd) when strace closes it.
 */
export class StraceOutput implements Disposable {
  private readonly socket: net.Socket;
  private readonly parser = new StraceParser();
  private readonly callEmitter = new Emitter<StraceCall>();
  private readonly ended: Promise<void>;
  private readonly lines = new LineBuffer();
  readonly onCall = this.callEmitter.event;

  constructor(readonly fifoPath: string) {
    execFileSync('mkfifo', ['-m', '600', fifoPath]);
    const fd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd, readable: true, writable: false });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => this.take(chunk));
    this.ended = new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.once('error', () => resolve()); // a read error ends the stream like EOF: nothing more will come
    });
  }

  /** Resolves when strace has closed its end (it exited), or after `limitMilliseconds`. */
  async drained(limitMilliseconds: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMilliseconds)))]);
    clearTimeout(timer);
  }

  dispose(): void {
    this.socket.destroy();
    this.callEmitter.clear();
    fs.rmSync(this.fifoPath, { force: true });
  }

  private take(chunk: string): void {
    // Complete lines only: the last element after the final "\n" is empty.
    for (const line of this.lines.push(chunk).split('\n').slice(0, -1)) {
      const call = this.parser.push(line);
      if (call) {
        this.callEmitter.fire(call);
      }
    }
  }
}
