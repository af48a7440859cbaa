// The run the debug session is debugging: the cluster runtime of a launch or an attach, and its
// typed events turned into DAP events (threads come and go, stops, output labelled per process,
// lifecycle stages, breakpoints bound, the end). One terminated event per run.
import { BreakpointEvent, Event, OutputEvent, TerminatedEvent, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DisposableStore } from '../common/disposable';
import { ClusterTourError, messageOf } from '../common/errors';
import type { ProcessIdentity } from '../cluster/processSession';
import type { ClusterRuntime, RuntimePausedEvent } from '../cluster/runtime';
import type { BreakpointBook } from './breakpoints';
import type { FrameTable } from './frames';
import type { OutputLabeller } from './output';
import type { StopTracker } from './stops';
import type { ThreadTable } from './threads';
import type { VariableTable } from './variables';

/** The session's tables the runtime's events update. */
export interface RunTables {
  threads: ThreadTable;
  frames: FrameTable;
  variables: VariableTable;
  breakpoints: BreakpointBook;
  output: OutputLabeller;
  stops: StopTracker;
}

export class DebuggedRun {
  private runtime: ClusterRuntime | undefined;
  private subscriptions = new DisposableStore();
  private restarting = false;
  private terminated = false;

  constructor(
    private readonly tables: RunTables,
    private readonly send: (event: DebugProtocol.Event) => void,
    /** An inspector line (0-based) in the client's numbering. */
    private readonly clientLine: (debuggerLine: number) => number,
  ) {}

  /** The runtime, while a program is debugged. */
  get current(): ClusterRuntime | undefined {
    return this.runtime;
  }

  require(): ClusterRuntime {
    if (!this.runtime) {
      throw new ClusterTourError('E_NOT_RUNNING', 'No program is being debugged.');
    }
    return this.runtime;
  }

  /** Debugs this runtime from now on: its events become DAP events. */
  use(runtime: ClusterRuntime): void {
    const { threads, output, breakpoints } = this.tables;
    this.runtime = runtime;
    this.terminated = false;
    const subscriptions = new DisposableStore();
    this.subscriptions = subscriptions;
    subscriptions.add(runtime.onProcessAttached((identity) => this.threadStarted(identity)));
    subscriptions.add(
      runtime.onProcessDetached((identity) => {
        this.forgetPause(identity.pid);
        this.sendLabelled(output.flush(identity));
        const record = threads.remove(identity.pid);
        if (record) {
          this.send(new ThreadEvent('exited', record.id));
        }
      }),
    );
    subscriptions.add(runtime.onPaused((event) => this.paused(event)));
    subscriptions.add(runtime.onResumed((identity) => this.forgetPause(identity.pid)));
    subscriptions.add(runtime.onOutput((chunk) => this.send(new OutputEvent(chunk.text, chunk.stream))));
    subscriptions.add(runtime.onProcessOutput((chunk) => this.sendLabelled(output.label(chunk))));
    subscriptions.add(runtime.onProblem((problem) => this.send(new OutputEvent(`Cluster Tour: ${problem.message} (${problem.code})\n`, 'console'))));
    subscriptions.add(
      runtime.onStage((event) => {
        const { stage, process, workerId, pid, time, detail } = event;
        this.send(new Event('clusterTour.stage', { stage, process, workerId, pid, time, detail }));
      }),
    );
    subscriptions.add(
      runtime.onBreakpointResolved((event) => {
        for (const owner of event.owners) {
          const state = breakpoints.bound(owner, this.clientLine(event.location.lineNumber));
          if (state) {
            this.send(new BreakpointEvent('changed', state));
          }
        }
      }),
    );
    subscriptions.add(
      runtime.onEnd(() => {
        if (!this.restarting) {
          this.terminate();
        }
      }),
    );
  }

  threadStarted(identity: ProcessIdentity): void {
    const record = this.tables.threads.add(identity);
    if (record) {
      this.send(new ThreadEvent('started', record.id));
    }
  }

  /** Forgets a process's frames and variables: it resumed, steps, or went away. */
  forgetPause(pid: number): void {
    this.tables.frames.clear(pid);
    this.tables.variables.clear(pid);
  }

  /** Where an evaluation without a frame runs: the process that paused last, or the primary. */
  defaultPid(): number {
    const processes = this.require().processes();
    const lastStopped = this.tables.stops.lastStopped;
    if (lastStopped !== undefined && processes.some((identity) => identity.pid === lastStopped)) {
      return lastStopped;
    }
    const primary = processes.find((identity) => identity.role === 'primary') ?? processes[0];
    if (!primary) {
      throw new ClusterTourError('E_NO_PROCESS', 'No process is attached to evaluate in.');
    }
    return primary.pid;
  }

  /**
   * Stops the runtime (launch: every process ends; attach: only the sessions close) and says
   * every thread exited. For a restart, the program's end is no terminated event.
   */
  async stop(options: { restarting?: boolean } = {}): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) {
      return;
    }
    this.restarting = options.restarting ?? false;
    try {
      await runtime.stop();
    } finally {
      this.restarting = false;
    }
    this.subscriptions.dispose();
    for (const record of this.tables.threads.all()) {
      this.send(new ThreadEvent('exited', record.id));
    }
    this.tables.threads.clear();
    this.runtime = undefined;
  }

  /** Sends the terminated event, once per run. */
  terminate(): void {
    if (!this.terminated) {
      this.terminated = true;
      this.send(new TerminatedEvent());
    }
  }

  private paused(event: RuntimePausedEvent): void {
    const { frames, threads, stops, breakpoints } = this.tables;
    const runtime = this.require();
    const pid = event.process.pid;
    this.threadStarted(event.process);
    const session = runtime.session(pid);
    frames.setPaused(pid, event.callFrames, (scriptId) => session?.scriptUrl(scriptId) ?? '', (url) => runtime.isInstrumentation(url));
    if (!frames.hasFrames(pid)) {
      // Only our own instrumentation is on the stack: nothing a person should see.
      void runtime.resume(pid).catch((error: unknown) => this.send(new OutputEvent(`Cluster Tour: ${messageOf(error)}\n`, 'console')));
      return;
    }
    this.send(stops.stopped(event, threads.ofPid(pid), (owner) => breakpoints.owns(owner)));
  }

  private sendLabelled(chunks: ReadonlyArray<{ text: string; stream: 'stdout' | 'stderr'; data: unknown }>): void {
    for (const chunk of chunks) {
      this.send(new OutputEvent(chunk.text, chunk.stream, chunk.data));
    }
  }
}
