// Runs a fixture with plain `node` (no inspector, no preload): the baseline of every ratio. The
// fixture gets a process group of its own, which is what `stop()` signals, so its workers go too.
import { spawn } from 'node:child_process';
import { KnownProcess, knowProcess } from '../src/cluster/processes/knownProcesses';
import { stopProcessGroup } from '../src/cluster/launch/launcher';
import { ListeningWatcher } from './listening';

export interface ProgramOptions {
  node: string;
  fixture: string;
  /** Added to the benchmark's own environment. */
  env: Record<string, string>;
}

export class BareProgram {
  private stopping: Promise<void> | undefined;
  private readonly killOnExit = (): void => killGroupNow(this.processGroup);
  readonly watcher = new ListeningWatcher();

  /** The fixture's primary, known while it is our unreaped child: stopping signals only its group. */
  private readonly leader: KnownProcess;

  private constructor(readonly processGroup: number) {
    this.leader = knowProcess(processGroup);
    // Last resort if the benchmark dies without stopping: 'exit' allows only synchronous work.
    process.on('exit', this.killOnExit);
  }

  static start(options: ProgramOptions): BareProgram {
    const child = spawn(options.node, [options.fixture], {
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      throw new Error(`Could not start ${options.node}`);
    }
    const program = new BareProgram(child.pid);
    let errors = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => program.watcher.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (errors += chunk));
    child.once('exit', (code, signal) => program.watcher.fail(`bare node exited (${code ?? signal}) before listening: ${errors.trim()}`));
    return program;
  }

  stop(): Promise<void> {
    this.stopping ??= stopProcessGroup(this.processGroup, [this.leader]).finally(() => process.removeListener('exit', this.killOnExit));
    return this.stopping;
  }
}

function killGroupNow(processGroup: number): void {
  try {
    process.kill(-processGroup, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}
