// Runs a fixture under Cluster Tour's runtime, every process attached, with stage tracking on or
// off, and counts the per-connection events it reports so a benchmark can check none was lost.
import * as path from 'node:path';
import { DisposableStore } from '../src/common/disposable';
import { ClusterRuntime } from '../src/cluster/runtime';
import type { ProgramOptions } from './bare';
import { ListeningWatcher } from './listening';

export interface ObservedOptions extends ProgramOptions {
  tracking: boolean;
  repository: string;
  /** Under strace, with the socket syscalls reported (bench/syscalls.ts). */
  syscalls?: boolean;
}

export class ObservedProgram {
  private readonly disposables = new DisposableStore();
  private stopping: Promise<void> | undefined;
  readonly watcher = new ListeningWatcher();
  /** Per-connection events reported: `accepted` by the primary, `connection` by workers. */
  readonly counts = { accepted: 0, connection: 0 };
  readonly problems: string[] = [];

  private constructor(readonly runtime: ClusterRuntime) {
    this.disposables.add(runtime.onOutput((output) => output.stream === 'stdout' && this.watcher.push(output.text)));
    this.disposables.add(
      runtime.onStage((event) => {
        if (event.stage === 'accepted' && event.process === 'primary') {
          this.counts.accepted += 1;
        } else if (event.stage === 'connection' && event.process === 'worker') {
          this.counts.connection += 1;
        }
      }),
    );
    this.disposables.add(runtime.onProblem((problem) => this.problems.push(`${problem.code}: ${problem.message}`)));
    this.disposables.add(runtime.onEnd((end) => this.watcher.fail(`the observed program ended (${end.code ?? end.signal}) before listening`)));
  }

  /** Resolves once the launch is under way; `watcher.listening` tells when all workers listen. */
  static async launch(options: ObservedOptions): Promise<ObservedProgram> {
    const runtime = await ClusterRuntime.launch({
      program: options.fixture,
      env: options.env,
      runtimeExecutable: options.node,
      tracking: options.tracking,
      syscalls: options.syscalls,
      preloadPath: path.resolve(options.repository, 'src/cluster/agent/preload.js'),
    });
    return new ObservedProgram(runtime);
  }

  /** The launched primary's pid, which is also its process group (once it is attached). */
  primaryPid(): number {
    const primary = this.runtime.processes().find((identity) => identity.role === 'primary');
    if (!primary) {
      throw new Error('The observed primary is not attached');
    }
    return primary.pid;
  }

  /** Stops the runtime, which stops the fixture's whole process group. */
  stop(): Promise<void> {
    this.stopping ??= this.runtime.stop().finally(() => this.disposables.dispose());
    return this.stopping;
  }
}
