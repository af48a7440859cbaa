// The run the debug session is debugging: the cluster runtime of a launch or an attach, and its
// typed events turned into DAP events (threads come and go, stops, output labelled per process,
// lifecycle stages, breakpoints bound, the end) and into the views' events (viewProtocol.ts:
// process states, presets). One terminated event per run. A process the client saw stop that
// resumes without its asking (a tour moved on) gets a continued event.
import { BreakpointEvent, ContinuedEvent, Event, OutputEvent, TerminatedEvent, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { customEvents } from '../common/contributions';
import { DisposableStore } from '../common/disposable';
import { ClusterTourError, messageOf } from '../common/errors';
import type { ProcessIdentity } from '../cluster/session/processSession';
import type { ClusterRuntime, RuntimePausedEvent } from '../cluster/runtime';
import type { BreakpointBook } from './breakpoints';
import type { FrameTable } from './frames';
import type { OutputLabeller } from './output';
import type { StopTracker } from './stops';
import type { ThreadTable } from './threads';
import type { VariableTable } from './variables';
import { ViewEvents, type PresetsBody } from './viewProtocol';

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
  private stopping = false;
  private terminated = false;
  private readonly views: ViewEvents;
  /** Processes the client was told stopped (a stopped event), until they resume. */
  private readonly announced = new Set<number>();
  /** Processes a continue or step request is resuming: the client knows already. */
  private readonly requested = new Set<number>();
  /**
   * Pauses someone else decides on (a tour's stops): their frames are recorded, but no stopped
   * event is sent unless that someone calls `announce`.
   */
  private heldBack: ((event: RuntimePausedEvent) => boolean) | undefined;

  constructor(
    private readonly tables: RunTables,
    private readonly send: (event: DebugProtocol.Event) => void,
    /** An inspector line (0-based) in the client's numbering. */
    private readonly clientLine: (debuggerLine: number) => number,
  ) {
    this.views = new ViewEvents(send);
  }

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
    this.views.reset();
    const subscriptions = new DisposableStore();
    this.subscriptions = subscriptions;
    subscriptions.add(runtime.onProcessAttached((identity) => this.threadStarted(identity)));
    subscriptions.add(
      runtime.onProcessDetached((identity) => {
        this.forgetPause(identity.pid);
        this.announced.delete(identity.pid);
        this.requested.delete(identity.pid);
        this.sendLabelled(output.flush(identity));
        const record = threads.remove(identity.pid);
        if (record) {
          this.send(new ThreadEvent('exited', record.id));
          this.views.process(record, 'exited', this.stopping ? stopReason(runtime) : undefined);
        }
        this.views.presets(runtime);
      }),
    );
    subscriptions.add(runtime.onPaused((event) => this.paused(event)));
    subscriptions.add(
      runtime.onResumed((identity) => {
        this.forgetPause(identity.pid);
        const record = threads.ofPid(identity.pid);
        const unasked = this.announced.delete(identity.pid) && !this.requested.has(identity.pid);
        this.requested.delete(identity.pid);
        if (record) {
          if (unasked) {
            this.send(new ContinuedEvent(record.id, false));
          }
          this.views.process(record, 'running');
        }
      }),
    );
    subscriptions.add(runtime.onOutput((chunk) => this.send(new OutputEvent(chunk.text, chunk.stream))));
    subscriptions.add(runtime.onProcessOutput((chunk) => this.sendLabelled(output.label(chunk))));
    subscriptions.add(runtime.onProblem((problem) => this.send(new OutputEvent(`Cluster Tour: ${problem.message} (${problem.code})\n`, 'console'))));
    subscriptions.add(
      runtime.onStage((event) => {
        const { stage, process, workerId, pid, time, detail } = event;
        this.send(new Event(customEvents.stage, { stage, process, workerId, pid, time, detail }));
      }),
    );
    subscriptions.add(runtime.onSyscall((event) => this.send(new Event(customEvents.syscall, event))));
    subscriptions.add(
      runtime.onBreakpointResolved((event) => {
        for (const owner of event.owners) {
          const state = breakpoints.bound(owner, this.clientLine(event.location.lineNumber));
          if (state) {
            this.send(new BreakpointEvent('changed', state));
          }
        }
        this.views.presets(runtime);
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
      this.views.process(record, 'attached');
      if (this.runtime) {
        this.views.presets(this.runtime);
      }
    }
  }

  /** Every preset of the run, with its call sites and whether each is bound. */
  presets(): PresetsBody {
    return this.views.presets(this.require());
  }

  /** Arms or disarms a preset in every process, now and later; sends and returns the presets. */
  async setPreset(id: string, enabled: boolean): Promise<PresetsBody> {
    const runtime = this.require();
    await runtime.setPreset(id, enabled);
    return this.views.presets(runtime, true);
  }

  /** Leaves pauses for which `decides` is true to someone else (see `announce`); undefined: none. */
  holdBackPauses(decides: ((event: RuntimePausedEvent) => boolean) | undefined): void {
    this.heldBack = decides;
  }

  /** A continue or step request resumes this process: no continued event for it. */
  async resumeAsked(pid: number, resume: () => Promise<void>): Promise<void> {
    this.requested.add(pid);
    try {
      await resume();
    } catch (error) {
      this.requested.delete(pid);
      throw error;
    }
  }

  /**
   * Resumes every paused process but `pid` (a continue or step without `singleThread`), except
   * those `keep` says stay (a tour's stop); true when none stayed paused. They get continued
   * events, so a client that reads only the response still learns which ones moved.
   */
  async resumeOthers(pid: number, keep: (other: number) => boolean): Promise<boolean> {
    const runtime = this.require();
    // One whose pause has not landed yet counts: its pause is taken back.
    const paused = runtime.processes().filter((identity) => identity.pid !== pid && runtime.session(identity.pid)?.isPausedOrPausing === true);
    const moving = paused.filter((identity) => !keep(identity.pid));
    await Promise.all(moving.map((identity) => this.resumeIfPaused(identity.pid)));
    return moving.length === paused.length;
  }

  /**
   * Resumes a process unless it runs already: two continue requests (each resuming every paused
   * process) may both ask. The inspector refuses the second; by the time its answer arrives the
   * first one's resumed event has come (one ordered socket), so the session knows it runs. A
   * process whose connection closed meanwhile (killed, or ending) has nothing left to continue:
   * a continue of the others must not fail for it.
   */
  async resumeIfPaused(pid: number): Promise<void> {
    const runtime = this.require();
    const session = runtime.session(pid);
    if (session?.isPausedOrPausing === false) {
      return;
    }
    try {
      await runtime.resume(pid);
    } catch (error) {
      // A connection that broke (ECONNRESET, closed) is told closed a moment after the failure.
      if (session !== undefined && session.isPaused !== false && !(await session.closedWithin(1000))) {
        throw error;
      }
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
    this.stopping = true;
    try {
      await runtime.stop();
    } finally {
      this.restarting = false;
      this.stopping = false;
    }
    this.subscriptions.dispose();
    for (const record of this.tables.threads.all()) {
      this.send(new ThreadEvent('exited', record.id));
      this.views.process(record, 'exited', stopReason(runtime));
    }
    this.tables.threads.clear();
    this.announced.clear();
    this.requested.clear();
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
    const { frames } = this.tables;
    const runtime = this.require();
    const pid = event.process.pid;
    this.threadStarted(event.process);
    const session = runtime.session(pid);
    frames.setPaused(pid, event.callFrames, (scriptId) => session?.scriptUrl(scriptId) ?? '', (url) => runtime.isInstrumentation(url));
    if (this.heldBack?.(event)) {
      return; // frames are there for when it is announced; whoever holds it back resumes it otherwise
    }
    if (!frames.hasFrames(pid)) {
      // Only our own instrumentation is on the stack: nothing a person should see.
      void runtime.resume(pid).catch((error: unknown) => this.send(new OutputEvent(`Cluster Tour: ${messageOf(error)}\n`, 'console')));
      return;
    }
    this.announce(event);
  }

  /** Tells the client a process stopped (a stopped event, the view's paused state); `describe` may reword the event. */
  announce(event: RuntimePausedEvent, describe?: (stopped: DebugProtocol.StoppedEvent, threadName: string) => void): void {
    const { threads, stops, breakpoints } = this.tables;
    const pid = event.process.pid;
    const record = threads.ofPid(pid);
    const stopped = stops.stopped(event, record, (owner) => breakpoints.owns(owner));
    describe?.(stopped, record?.name ?? `pid ${pid}`);
    this.announced.add(pid);
    this.send(stopped);
    if (record) {
      this.views.process(record, 'paused', stopped.body.reason);
    }
  }

  private sendLabelled(chunks: ReadonlyArray<{ text: string; stream: 'stdout' | 'stderr'; data: unknown }>): void {
    for (const chunk of chunks) {
      this.send(new OutputEvent(chunk.text, chunk.stream, chunk.data));
    }
  }
}

/** Why the processes of a run the debugger stops go away: ended (launch), or left running (attach). */
function stopReason(runtime: ClusterRuntime): string {
  return runtime.mode === 'attach' ? 'detached' : 'terminated';
}
