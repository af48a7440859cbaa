// The syscalls of one launch, as the runtime uses them: strace wrapped around the program, its
// output read through a FIFO in the session folder, and each call attributed to its process.
import * as path from 'node:path';
import { Disposable, DisposableStore } from '../../common/disposable';
import type { SyscallEvent } from '../../common/syscalls';
import { SyscallAttribution, KnownProcess } from './attribution';
import { sampleClockOffset } from './clock';
import { checkStrace, straceArguments, StraceOutput } from './strace';

export class SyscallTrace implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly attribution: SyscallAttribution;
  private readonly output: StraceOutput;
  readonly onSyscall: (listener: (event: SyscallEvent) => void) => Disposable;

  private constructor(
    readonly straceExecutable: string,
    sessionDirectory: string,
  ) {
    this.attribution = this.disposables.add(new SyscallAttribution(sampleClockOffset()));
    this.output = this.disposables.add(new StraceOutput(path.join(sessionDirectory, 'strace.fifo')));
    this.disposables.add(this.output.onCall((call) => this.attribution.push(call)));
    this.onSyscall = this.attribution.onSyscall;
  }

  /**
   * A trace ready to wrap the program, or why there can be none (one line for the user: the
   * run goes on without syscalls).
   */
  static prepare(sessionDirectory: string, straceExecutable: string | undefined, env: NodeJS.ProcessEnv): SyscallTrace | { unavailable: string } {
    const check = checkStrace(straceExecutable, env);
    if (!check.available) {
      return { unavailable: check.reason };
    }
    return new SyscallTrace(check.executable, sessionDirectory);
  }

  /** The command that runs the program under strace: this, then the program's own command line. */
  get wrapper(): { executable: string; args: string[] } {
    return { executable: this.straceExecutable, args: [...straceArguments(this.output.fifoPath), '--'] };
  }

  /** A process of the program became known (its preload reported): its calls go out now. */
  know(process: KnownProcess): void {
    this.attribution.know(process);
  }

  /** Waits for strace's last lines (it writes them when the program's processes have exited). */
  drained(limitMilliseconds = 2000): Promise<void> {
    return this.output.drained(limitMilliseconds);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
