// Test support: starts a process that gets a given pid, as if pids had wrapped around since a
// process of a test ended. Linux lets a process with CAP_CHECKPOINT_RESTORE (root, in a container
// too) say which pid the next fork gets (/proc/sys/kernel/ns_last_pid, as CRIU does); other
// processes of the machine fork too, so it tries until the pid is the one asked for.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';

const lastPidFile = '/proc/sys/kernel/ns_last_pid';

/** Why pids cannot be chosen here, or undefined when they can. */
export function cannotChoosePids(): string | undefined {
  try {
    fs.writeFileSync(lastPidFile, fs.readFileSync(lastPidFile, 'utf8').trim());
    return undefined;
  } catch (error) {
    return `choosing a pid needs write access to ${lastPidFile} (${(error as NodeJS.ErrnoException).code}): run as root or with CAP_CHECKPOINT_RESTORE`;
  }
}

/**
 * Starts an idle node process (in a process group of its own) whose pid is `pid`, which must be
 * free. The caller stops it by its pid.
 */
export async function startWithPid(node: string, pid: number, attempts = 200): Promise<ChildProcess> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    fs.writeFileSync(lastPidFile, String(pid - 1));
    const child = spawn(node, ['-e', 'setInterval(() => {}, 1 << 30); console.log("READY")'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    if (child.pid === pid) {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => resolve());
        child.once('exit', (code, signal) => reject(new Error(`the process with pid ${pid} exited (${code ?? signal}) before it was ready`)));
      });
      return child;
    }
    // Another fork of the machine (or a thread of this process) took the pid first: try again.
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  throw new Error(`No process got pid ${pid} in ${attempts} attempts`);
}
