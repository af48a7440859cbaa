// The cluster runtime: launches or attaches to a cluster app, observes every process of it
// (existing and future), and tells its subscribers what happens as typed events. It knows
// nothing of VS Code or the debug adapter protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { monotonicMilliseconds } from '../common/clock';
import { Disposable, DisposableStore } from '../common/disposable';
import { Emitter, HeldEmitter, type Listener } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';
import type { AnyLifecycleEvent } from '../common/stages';
import type { SyscallEvent } from '../common/syscalls';
import { inspectProcess } from './attach/attach';
import { AttachedProcess, AttachedProcesses } from './attachedProcesses';
import { attachToWorkersOf } from './attach/attachWorkers';
import { BreakpointPlan, checkPreset } from './breakpointPlan';
import { checkPresetDefinitions, PresetDefinition, resolvePreset } from './callSites/presets';
import type { CallSiteResolution, ResolvedCallSite } from './callSites/callSite';
import { nodeCallSites } from './callSites/callSiteCache';
import { callSites } from './callSites/callSites';
import type { PauseOnExceptions } from './session/debugOperations';
import { findFunction } from './callSites/functionBreakpoints';
import { HandoffWatch } from './tracking/handoffWatch';
import { killWorker } from './processes/killWorker';
import { isInstrumentationUrl } from './session/instrumentation';
import { checkLaunch, findPreload, LaunchedProgram } from './launch/launchedProgram';
import { abandonStarted } from './launch/programProcess';
import type { GuestOptions } from './agent/guest';
import { guestCheckMilliseconds } from './session/guestSession';
import { controllerIdentity, createSessionDirectory, preloadOptions, ProcessReport, ReportWatcher, sessionEnvironment, startAttachWatchdog } from './launch/launcher';
import { mismatchProblem, nodeMismatch } from './attach/nodeMismatch';
import { callSiteModules, readNodeSources } from './callSites/nodeSources';
import { AgentProblem, BreakpointResolvedEvent, ProcessIdentity, ProcessOutputEvent, ProcessSession, reportedItems, RunningNode, takeJournal } from './session/processSession';
import { cacheTracePlan, launchPlan, tracePlanKey, writeLaunchPlan } from './launch/launchPlan';
import { StartUpTimes, StartUpWatch } from './processes/startUpWatch';
import { startTimeOf } from './processes/procfs';
import { ReachWatch } from './reachWatch';
import { resolveCallSites } from './callSites/resolver';
import { SyscallTrace } from './syscalls/syscallTrace';
import type { AttachOptions, BreakpointRequest, DebuggerOptions, EndEvent, LaunchOptions, OutputEvent, PresetState, ProblemEvent, RuntimePausedEvent } from './runtimeTypes';

export * from './runtimeTypes';
export { findPreload } from './launch/launchedProgram';

/** At most one report of per-connection events per this many milliseconds, per process (see AgentOptions). */
const flushMilliseconds = 100;
/**
 * When the controller connects to a process of a planned launch: once the program's start-up is
 * over (see StartUpWatch). A process that ends within it never has a connection: its journal
 * tells everything. The trace's lines wait for it (see ReachWatch), so it is also about how late
 * a long-running app's first lines come: its start-up, plus a tenth of a second.
 */
const observeAfter: StartUpTimes = { tickMilliseconds: 10, cpuEveryTicks: 10, quietCpuTicks: 1, longestMilliseconds: 2000 };

/** How long stopping a launch waits for the inspector connections to close before it ends the processes. */
const closeGraceMilliseconds = 1000;

export class ClusterRuntime implements Disposable {
  private readonly disposables = new DisposableStore();
  /** One record per process attached in this run; stopping signals only those very processes. */
  private readonly attached = new AttachedProcesses();
  private readonly plan: BreakpointPlan;
  private program: LaunchedProgram | undefined;
  /** The session folder's reports: one per process that reached the preload's gate or plan. */
  private readonly reports: ReportWatcher;
  /** A taken-over program: the cached trace plan its root may have read was not this run's. */
  private cacheHeldOtherPlan = false;
  /** A taken-over program (LaunchOptions.started): what its root must run. */
  private expectedRoot: { argv: string[]; execArgv: string[] } | undefined;
  private stopping: Promise<void> | undefined;
  /** Processes of a planned launch, left alone during their start-up (see observeAfter). */
  private readonly startUps = this.disposables.add(new StartUpWatch(observeAfter));
  private endedWith: EndEvent | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly tracking: boolean;
  private pauseOnExceptions: PauseOnExceptions = 'none';
  private captureOutput = false;
  private nodeSources: ReadonlyMap<string, string> = new Map();
  /** The Node binary whose sources the call sites were resolved in. */
  private sourcesExecutable = '';
  /** Titles of the presets people defined, by id. */
  private presetTitles: ReadonlyMap<string, string> = new Map();
  /** A planned launch (LaunchOptions.observeOnly): processes run without waiting for the controller, which tracks what it has reached. */
  private reach: ReachWatch | undefined;

  private readonly stageEmitter = new HeldEmitter<AnyLifecycleEvent>();
  /** Every process's events pass through it, so that lost handoffs are reported. */
  private readonly handoffs = new HandoffWatch((event) => this.stageEmitter.fire(event));
  private readonly attachedEmitter = new Emitter<ProcessIdentity>();
  private readonly detachedEmitter = new Emitter<ProcessIdentity>();
  private readonly pausedEmitter = new Emitter<RuntimePausedEvent>();
  private readonly resumedEmitter = new Emitter<ProcessIdentity>();
  private readonly outputEmitter = new Emitter<OutputEvent>();
  private readonly problemEmitter = new HeldEmitter<ProblemEvent>();
  private readonly endEmitter = new Emitter<EndEvent>();
  private readonly resolvedEmitter = new Emitter<BreakpointResolvedEvent>();
  private readonly processOutputEmitter = new Emitter<ProcessOutputEvent>();
  private readonly syscallEmitter = new Emitter<SyscallEvent>();
  /** Present when the launch traces syscalls and strace could run. */
  private syscallTrace: SyscallTrace | undefined;

  /**
   * Every lifecycle event. Those told before the first subscription go to that one: a program
   * bin/cluster-tour started may have ended, journals and all, before this runtime was even made.
   */
  readonly onStage = this.stageEmitter.event;
  /** A process is attached, its breakpoints are set, and it runs. */
  readonly onProcessAttached = this.attachedEmitter.event;
  readonly onProcessDetached = this.detachedEmitter.event;
  /**
   * A process paused. Processes that paused before the first subscription (while attaching) and
   * are still paused are reported to that one, as problems are.
   */
  readonly onPaused = (listener: Listener<RuntimePausedEvent>): Disposable => {
    const subscription = this.pausedEmitter.event(listener);
    this.pausesHeard = true;
    const unheard = [...this.unheardPauses.values()];
    this.unheardPauses.clear();
    unheard.forEach((pause) => listener(pause));
    return subscription;
  };
  private pausesHeard = false;
  /** Per pid, a pause nobody has heard of yet; gone when that process resumes or goes. */
  private readonly unheardPauses = new Map<number, RuntimePausedEvent>();
  readonly onResumed = this.resumedEmitter.event;
  readonly onOutput = this.outputEmitter.event;
  /**
   * Something did not work but the run goes on (a call site that did not resolve, an attach that
   * failed). Problems found before the first subscription (while attaching) go to that one.
   */
  readonly onProblem = this.problemEmitter.event;
  /** The program ended (launch) or the primary went away (attach). */
  readonly onEnd = this.endEmitter.event;
  /** Where a stop owner's breakpoint is bound, per process (a process reports on each bind). */
  readonly onBreakpointResolved = this.resolvedEmitter.event;
  /** Output of one process, with `debugging.captureOutput`; `onOutput` then carries only the rest. */
  readonly onProcessOutput = this.processOutputEmitter.event;
  /** A socket syscall of a process of the program (launch with `syscalls`). */
  readonly onSyscall = this.syscallEmitter.event;

  /** True when this launch's syscalls are traced. */
  get tracesSyscalls(): boolean {
    return this.syscallTrace !== undefined;
  }

  private constructor(
    readonly mode: 'launch' | 'attach',
    readonly nodeVersion: string,
    readonly resolutions: readonly CallSiteResolution[],
    private readonly preloadPath: string,
    private readonly sessionDirectory: string,
    presets: readonly string[],
    tracking = true,
    definedPresets: ReadonlyMap<string, readonly ResolvedCallSite[]> = new Map(),
  ) {
    this.plan = new BreakpointPlan(resolutions, presets, tracking, definedPresets);
    this.tracking = tracking;
    this.reports = this.disposables.add(new ReportWatcher(sessionDirectory));
    this.disposables.add(
      this.reports.onReport((report) => {
        this.syscallTrace?.know(report);
        this.track(this.attachReported(report));
      }),
    );
    if (mode === 'attach') {
      this.reports.scan();
    }
  }

  static async launch(options: LaunchOptions): Promise<ClusterRuntime> {
    try {
      return await ClusterRuntime.launchProgram(options);
    } catch (error) {
      // A program bin/cluster-tour started waits in its preload for a plan that will not come: it must not run on.
      if (options.started) abandonStarted(options.started);
      throw error;
    }
  }

  private static async launchProgram(options: LaunchOptions): Promise<ClusterRuntime> {
    // Checked before anything is created, so a bad option leaves nothing behind.
    const definitions = checkPresetOptions(options);
    checkObserveOnly(options);
    const { cwd, program, env, runtimeExecutable } = checkLaunch(options);
    // Read as the app will run (its folder, its environment): a version manager's shim then picks the same Node.
    const node = await nodeCallSites(runtimeExecutable, { reading: { cwd, env } });
    const resolutions = node.resolutions;
    const definedPresets = resolvePresets(definitions, resolutions, node.sources);
    const preloadPath = options.preloadPath ?? findPreload();
    const sessionDirectory = options.started?.sessionDirectory ?? createSessionDirectory();
    const runtime: ClusterRuntime = new ClusterRuntime(
      'launch',
      node.version,
      resolutions,
      preloadPath,
      sessionDirectory,
      options.presets ?? [],
      options.tracking ?? true,
      definedPresets,
    );
    runtime.prepare(node.sources, options.breakpoints ?? [], options.debugging, definitions);
    runtime.sourcesExecutable = node.execPath;
    if (options.stopOnEntry) {
      runtime.plan.stopOnEntry({ url: pathToFileURL(program).href, lineNumber: 0 });
    }
    if (options.syscalls) {
      runtime.traceSyscalls(options.straceExecutable, env);
    }
    if (options.observeOnly) {
      const plan = launchPlan({ primary: runtime.plan.breakpointsFor('primary'), worker: runtime.plan.breakpointsFor('worker') }, { perConnection: flushMilliseconds });
      writeLaunchPlan(sessionDirectory, plan);
      if (options.started) {
        runtime.cacheHeldOtherPlan = !cacheTracePlan(tracePlanKey(node, preloadPath), plan);
      }
      runtime.reach = new ReachWatch();
      // A program bin/cluster-tour started has run since before this process booted: its primary
      // may have recorded anything from any time on.
      runtime.reach.launched(options.started ? 0 : monotonicMilliseconds());
    }
    const spawnOptions = {
      runtimeExecutable,
      runtimeArgs: options.runtimeArgs ?? [],
      program,
      args: options.args ?? [],
      cwd,
      env,
      preloadPath,
      schedulingPolicy: options.schedulingPolicy,
      wrapper: runtime.syscallTrace?.wrapper,
    };
    if (options.started) {
      runtime.expectedRoot = { argv: [program, ...spawnOptions.args], execArgv: [...spawnOptions.runtimeArgs] };
    }
    try {
      runtime.start(options.started ? LaunchedProgram.adopt(options.started) : LaunchedProgram.start(spawnOptions, sessionDirectory));
    } catch (error) {
      // Nothing runs: release the session folder and its watcher, which nobody else would.
      await runtime.stop();
      throw error;
    }
    return runtime;
  }

  /** Attaches to a running program's inspector, then to its workers, existing and future. */
  static async attach(options: AttachOptions): Promise<ClusterRuntime> {
    const definitions = checkPresetOptions(options);
    const { identity, execPath } = await inspectProcess(options.host, options.port);
    const node = await readNodeSources(execPath, callSiteModules(callSites));
    const resolutions = resolveCallSites(node.sources, callSites);
    const definedPresets = resolvePresets(definitions, resolutions, node.sources);
    const sessionDirectory = createSessionDirectory();
    const runtime = new ClusterRuntime('attach', node.version, resolutions, options.preloadPath ?? findPreload(), sessionDirectory, options.presets ?? [], true, definedPresets);
    // Removes the session folder if this process dies without detaching: the app's guests then undo themselves.
    runtime.disposables.add(startAttachWatchdog(sessionDirectory));
    runtime.prepare(node.sources, options.breakpoints ?? [], options.debugging, definitions);
    runtime.sourcesExecutable = node.execPath;
    try {
      await runtime.attachProcess(identity);
      const session = identity.role === 'primary' ? runtime.attached.open(identity.pid)?.session : undefined;
      if (session) {
        await runtime.attachWorkersOf(session);
      }
    } catch (error) {
      // Detach from what was reached and release the session folder; the app keeps running.
      await runtime.stop();
      throw error;
    }
    return runtime;
  }

  /** The processes attached now: breakpoints set, stages tracked, running. */
  processes(): ProcessIdentity[] {
    return this.attached.ready();
  }

  session(pid: number): ProcessSession | undefined {
    return this.attached.open(pid)?.session;
  }

  get presets(): ReadonlySet<string> {
    return this.plan.presets;
  }

  /** Arms or disarms a stop preset (built-in or defined) in every process, now and later. */
  async setPreset(preset: string, enabled: boolean): Promise<void> {
    this.refuseIfObserveOnly('arm a preset');
    this.plan.setPreset(preset, enabled);
    await this.syncBreakpoints();
  }

  /**
   * Every preset of this run (built-in, then defined), armed or not, with its call sites and
   * whether each stop is bound in at least one attached process. Changes come with
   * onProcessAttached, onProcessDetached, onBreakpointResolved and setPreset.
   */
  presetStates(): PresetState[] {
    return this.plan.presetStates(this.presetTitles, (owner, roles) =>
      this.attached.allOpen().some((record) => roles.includes(record.identity.role) && record.boundOwners.has(owner)),
    );
  }

  async addBreakpoint(request: BreakpointRequest): Promise<string> {
    this.refuseIfObserveOnly('set a breakpoint');
    const owner = this.plan.add(request);
    await this.syncBreakpoints();
    return owner;
  }

  async removeBreakpoint(owner: string): Promise<void> {
    this.plan.remove(owner);
    await this.syncBreakpoints();
  }

  /** Breaks on exceptions in every process, now and later. */
  async setPauseOnExceptions(state: PauseOnExceptions): Promise<void> {
    this.refuseIfObserveOnly('break on exceptions');
    this.pauseOnExceptions = state;
    await Promise.all(this.openSessions().map((session) => session.debug.setPauseOnExceptions(state)));
  }

  /** True for a script of Cluster Tour's own (preload, agent): debuggers hide its frames. */
  isInstrumentation(url: string): boolean {
    return isInstrumentationUrl(url, this.preloadPath);
  }

  /** A function of Node's cluster/net modules by its path (`RoundRobinHandle.prototype.distribute`). */
  findFunction(name: string): ResolvedCallSite {
    return findFunction(this.nodeSources, name);
  }

  async resume(pid: number): Promise<void> {
    await this.requireSession(pid).resume();
  }

  async pause(pid: number): Promise<void> {
    this.refuseIfObserveOnly('pause a process');
    await this.requireSession(pid).pause();
  }

  /** SIGKILLs a worker of the run (its primary sees `exit`), once sure the pid is still that worker. */
  async killWorker(pid: number): Promise<void> {
    await killWorker(pid, this.session(pid));
  }

  /**
   * Asks every attached process to send what it has recorded. Resolves, once each process has
   * answered or gone, with the clock (shared by every process, see common/clock.ts) read before
   * asking, or the earliest bound a process answered with: every event stamped before that time
   * has then been emitted. A process that does not
   * answer within `limitMilliseconds` (busy in a long synchronous loop) is not waited for.
   */
  async reportedUntil(limitMilliseconds = 2000): Promise<number> {
    let until = Math.min(monotonicMilliseconds(), this.heldUntil());
    // A process answers with its own bound: earlier than now while a 'connection' it emitted is
    // not recorded yet (agent.ts).
    const answers = Promise.allSettled(
      this.openSessions().map(async (session) => {
        const bound = await session.flushReports();
        if (bound !== undefined) until = Math.min(until, bound);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([answers, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMilliseconds)))]);
    clearTimeout(timer);
    return until;
  }

  /**
   * A time `reportedUntil` cannot answer past yet: in a planned launch, the fork of a worker (or
   * the launch of the primary) not yet reached, which may still tell of anything after it.
   * Infinity when there is none.
   */
  heldUntil(): number {
    return this.reach?.heldUntil() ?? Number.POSITIVE_INFINITY;
  }

  /** Resolves when the program has ended (or the attached primary went away). */
  whenEnded(): Promise<EndEvent> {
    if (this.endedWith) {
      return Promise.resolve(this.endedWith);
    }
    return new Promise((resolve) => {
      const subscription = this.onEnd((end) => {
        subscription.dispose();
        resolve(end);
      });
    });
  }

  /**
   * Detaches from every process; in launch mode also stops every process it started and
   * resolves only when none is left.
   */
  stop(): Promise<void> {
    this.startUps.dispose();
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }

  private prepare(sources: ReadonlyMap<string, string>, breakpoints: readonly BreakpointRequest[], debugging: DebuggerOptions | undefined, definitions: readonly PresetDefinition[]): void {
    this.nodeSources = sources;
    this.presetTitles = new Map(definitions.map((definition) => [definition.id, definition.title ?? definition.id]));
    this.pauseOnExceptions = debugging?.pauseOnExceptions ?? 'none';
    this.captureOutput = debugging?.captureOutput ?? false;
    for (const request of breakpoints) {
      this.plan.add(request);
    }
  }

  private traceSyscalls(straceExecutable: string | undefined, env: Record<string, string | undefined>): void {
    const trace = SyscallTrace.prepare(this.sessionDirectory, straceExecutable, env as NodeJS.ProcessEnv);
    if ('unavailable' in trace) {
      this.problem({ code: 'E_SYSCALLS_UNAVAILABLE', message: trace.unavailable });
      return;
    }
    this.syscallTrace = this.disposables.add(trace);
    this.disposables.add(trace.onSyscall((event) => this.syscallEmitter.fire(event)));
  }

  private start(program: LaunchedProgram): void {
    this.program = program;
    this.startUps.watchProgram(program.pid);
    this.disposables.add(program);
    this.disposables.add(program.onOutput((chunk) => this.outputEmitter.fire(chunk)));
    const exit = program.onExit(({ code, signal }) => {
      // Under strace the spawned process is strace: the primary is the root that reported.
      const root = this.attached.identityOr(program.pid, 'primary');
      this.stageEmitter.fire({
        stage: 'exit',
        process: 'primary',
        workerId: null,
        pid: root?.pid ?? program.pid,
        // Taken here, not in the process that just ended: the clock every process shares.
        time: monotonicMilliseconds(),
        detail: { workerId: null, code, signal },
      });
      this.startUps.programEnded();
      void this.finish({ code, signal }, root);
    });
    this.disposables.add(exit);
    // Only now that the launch is set up (its plan, the reach watch of a planned one, the start-up
    // watch): a program bin/cluster-tour started may have reported before this runtime existed.
    this.reports.scan();
  }

  /** Workers running before the attach: those with an inspector now, the others once replaced. */
  private async attachWorkersOf(primary: ProcessSession): Promise<void> {
    const workers = await attachToWorkersOf(primary.cdp);
    for (const worker of workers.observable) {
      this.track(this.attachProcess(worker));
    }
    for (const worker of workers.unreachable) {
      this.problem({ code: 'E_WORKER_UNREACHABLE', message: `${worker.label} cannot be attached to and is not observed: ${worker.reason}`, pid: worker.pid });
    }
    if (workers.unobservable.length > 0) {
      this.problem({
        code: 'E_WORKERS_WITHOUT_INSPECTOR',
        message: `${workers.unobservable.join(', ')} run without an inspector and cannot be observed until they are replaced; workers forked from now on are observed. Cluster gives workers an inspector port only when the primary has one: start the app with --inspect-port=9300 (or any free port from 1024; not 0), and attaching then reaches every worker.`,
      });
    }
  }

  private async finish(end: EndEvent, root: ProcessIdentity | undefined): Promise<void> {
    // Reports still in flight from processes that just exited arrive over their sockets first.
    await Promise.allSettled([...this.pending]);
    await this.syscallTrace?.drained();
    if (root) {
      await this.session(root.pid)?.close();
    }
    this.program?.flushOutput();
    this.end(end);
  }

  private end(end: EndEvent): void {
    if (!this.endedWith) {
      this.endedWith = end;
      this.endEmitter.fire(end);
    }
  }

  private problem(problem: ProblemEvent): void {
    this.problemEmitter.fire(problem);
  }

  private paused(pause: RuntimePausedEvent): void {
    if (this.pausesHeard) {
      this.pausedEmitter.fire(pause);
    } else {
      this.unheardPauses.set(pause.process.pid, pause);
    }
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) => {
      this.problem({ code: error instanceof ClusterTourError ? error.code : 'E_INTERNAL', message: messageOf(error) });
    });
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private async attachReported(report: ProcessReport): Promise<void> {
    // Reports are read from start() on (see there), when expectedRoot is known already.
    if (report.argv && this.expectedRoot) {
      this.checkStartedRoot(report, this.expectedRoot);
    }
    if (this.reach) {
      return this.observeProcess(this.reach, { pid: report.pid, role: report.role, workerId: report.workerId, webSocketUrl: report.url }, report.node);
    }
    await this.attachProcess({ pid: report.pid, role: report.role, workerId: report.workerId, webSocketUrl: report.url });
  }

  /**
   * The root of a program bin/cluster-tour started runs what this launch was asked to run: else the
   * launcher and the command line disagree, and the run stops rather than trace another program.
   */
  private checkStartedRoot(report: ProcessReport, expected: { argv: string[]; execArgv: string[] }): void {
    const runs = JSON.stringify([report.execArgv ?? [], report.argv]);
    if (runs !== JSON.stringify([expected.execArgv, expected.argv])) {
      this.problem({ code: 'E_STARTED', message: `the program started early runs ${runs}, not ${JSON.stringify([expected.execArgv, expected.argv])}; it is stopped.`, pid: report.pid });
      void this.stop();
      return;
    }
    if (report.planSource === 'cache' && this.cacheHeldOtherPlan) {
      this.problem({ code: 'E_STALE_PLAN', message: `pid ${report.pid} started with a cached plan of another build of Cluster Tour; what it records may be incomplete this once (the cache now holds this build's).`, pid: report.pid });
    }
  }

  private async attachProcess(identity: ProcessIdentity): Promise<void> {
    if (this.stopping || this.attached.open(identity.pid)) {
      return;
    }
    const session = await ProcessSession.connect(identity);
    const record = this.attached.add(identity, session);
    this.track(this.checkNodeOf(session));
    this.listenTo(session, record);
    try {
      await session.start(this.plan.breakpointsFor(identity.role), this.tracking, { perConnection: flushMilliseconds }, {
        preloadPath: this.preloadPath,
        pauseOnExceptions: this.pauseOnExceptions,
        captureOutput: this.captureOutput ? (this.mode === 'launch' ? 'redirect' : 'tee') : undefined,
        guest: this.mode === 'attach' ? this.guestOptions(identity) : undefined,
        journalDirectory: this.sessionDirectory,
      });
      await session.release();
    } catch (error) {
      if (session.isClosed) {
        return; // it exited while we attached: nothing to observe
      }
      throw error;
    }
    if (!session.isClosed) {
      this.attached.markReady(record);
      this.attachedEmitter.fire(identity);
    }
  }

  /** What a process's session tells, passed on as the runtime's own events. */
  private listenTo(session: ProcessSession, record: AttachedProcess): void {
    const identity = session.identity;
    session.onStage((event) => this.observeStage(event));
    session.onProblem((problem) => this.trackProblem(problem));
    session.onResumed((process) => {
      this.unheardPauses.delete(process.pid);
      this.resumedEmitter.fire(process);
    });
    session.onBreakpointResolved((event) => {
      event.owners.forEach((owner) => record.boundOwners.add(owner));
      this.resolvedEmitter.fire(event);
    });
    session.onOutput((event) => this.processOutputEmitter.fire(event));
    session.onPaused((event) => this.paused({ ...event, callSites: this.plan.callSitesOf(event.stopOwners) }));
    session.onClosed(() => {
      this.unheardPauses.delete(identity.pid);
      this.attached.markClosed(record);
      this.detachedEmitter.fire(identity);
      if (this.mode === 'attach' && identity.role === 'primary') {
        this.end({ code: null, signal: null });
      }
    });
  }

  private trackProblem(problem: AgentProblem): void {
    this.problem({ code: 'E_TRACK', message: `A tracepoint at ${problem.siteId} failed in pid ${problem.process.pid}: ${problem.message}`, pid: problem.process.pid });
  }

  /**
   * Planned launch: connects to a process that set its tracepoints itself and runs already (see
   * launch/launchPlan.ts). One that ended before it could be reached left all it recorded in its
   * journal (the agent journals everything until it is connected).
   */
  private async observeProcess(reach: ReachWatch, identity: ProcessIdentity, node: RunningNode | undefined): Promise<void> {
    if (this.stopping || this.attached.open(identity.pid)) {
      return;
    }
    reach.connectingTo(identity.workerId);
    const mismatch = mismatchProblem(identity, node, { version: this.nodeVersion, execPath: this.sourcesExecutable });
    if (mismatch) this.problem(mismatch);
    try {
      // Start-up is left alone: a process that ends within it is read from its journal, and
      // was never connected to (see observeAfter).
      if ((await this.startUps.startUpOf(identity.pid)) === 'ended') {
        this.takeJournalOf(identity);
        return;
      }
      let session: ProcessSession | undefined;
      try {
        // No prompt acknowledgement: nothing here waits for a pause, and its nudges cost CPU on both sides.
        session = await ProcessSession.connect(identity, { promptAcknowledgement: false });
        const record = this.attached.add(identity, session);
        this.listenTo(session, record);
        await session.observe(this.sessionDirectory);
        if (!session.isClosed) {
          this.attached.markReady(record);
          this.attachedEmitter.fire(identity);
        }
      } catch (error) {
        // Most often it ran to its end first (a connection refused or dropped, its context gone).
        if (!(await endsSoon(identity.pid))) {
          throw error;
        }
        // What it journaled after the session (if one was opened) closed and read the journal.
        this.takeJournalOf(identity);
      }
    } finally {
      reach.reachedTo(identity.workerId);
    }
  }

  /** The events a process that ended unreached journaled, as if it had reported them. */
  private takeJournalOf(identity: ProcessIdentity): void {
    for (const item of reportedItems(identity, takeJournal(path.join(this.sessionDirectory, `${identity.pid}.events`)))) {
      if ('problem' in item) {
        this.trackProblem(item.problem);
      } else {
        this.observeStage(item.event);
      }
    }
  }

  /** Every event of every process passes here: lost handoffs are looked for, and a planned launch's order kept (ReachWatch). */
  private observeStage(event: AnyLifecycleEvent): void {
    this.reach?.observe(event);
    this.handoffs.observe(event);
  }

  /** What an attached process is told of its controller; the primary also passes the preload on to new workers. */
  private guestOptions(identity: ProcessIdentity): GuestOptions {
    return {
      sessionDirectory: this.sessionDirectory,
      controller: controllerIdentity(),
      checkMilliseconds: guestCheckMilliseconds,
      environment: identity.role === 'primary' ? { set: sessionEnvironment(this.sessionDirectory), appendToNodeOptions: preloadOptions(this.preloadPath) } : undefined,
    };
  }

  /** Says so when a process runs another Node than the one whose sources were read (see nodeMismatch.ts). */
  private async checkNodeOf(session: ProcessSession): Promise<void> {
    const problem = await nodeMismatch(session, { version: this.nodeVersion, execPath: this.sourcesExecutable });
    if (problem) {
      this.problem(problem);
    }
  }

  /**
   * Brings every process's breakpoints in line with the plan. A process that exits meanwhile is
   * not a failure (it has nothing left to stop), and must not keep the others from being done.
   */
  private async syncBreakpoints(): Promise<void> {
    const sessions = this.openSessions();
    const results = await Promise.allSettled(sessions.map((session) => session.setBreakpoints(this.plan.breakpointsFor(session.identity.role))));
    const failure = results.find((result, index): result is PromiseRejectedResult => result.status === 'rejected' && !sessions[index].isClosed);
    if (failure) {
      throw failure.reason;
    }
  }

  private openSessions(): ProcessSession[] {
    return this.attached.allOpen().map((record) => record.session);
  }

  private refuseIfObserveOnly(what: string): void {
    if (this.reach) {
      throw new ClusterTourError('E_OBSERVE_ONLY', `Cannot ${what}: this run only watches the program (observeOnly).`);
    }
  }

  private requireSession(pid: number): ProcessSession {
    const session = this.session(pid);
    if (!session) {
      throw new ClusterTourError('E_NO_PROCESS', `No attached process has pid ${pid}.`);
    }
    return session;
  }

  private async stopAll(): Promise<void> {
    const sessions = this.openSessions();
    // Attach: each process is left as it was (agent, capture, environment undone) before it is let go.
    const closing = Promise.allSettled(sessions.map((session) => (this.mode === 'attach' ? session.detach() : session.close())));
    // A process held at a breakpoint does not always answer the WebSocket close handshake (seen
    // at a tour's stop); its end closes the socket anyway, so a launch stops the program then.
    if (this.program) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, closeGraceMilliseconds)))]);
      clearTimeout(timer);
    }
    await this.program?.stop(this.attached.known());
    await closing;
    this.disposables.dispose();
    fs.rmSync(this.sessionDirectory, { recursive: true, force: true });
  }
}

/** True when the process ends (is gone, or a zombie) within a second; polled every 20 ms. */
async function endsSoon(pid: number): Promise<boolean> {
  for (let waited = 0; waited <= 1000; waited += 20) {
    if (startTimeOf(pid) === undefined) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** A watched-only launch takes nothing that would stop or change a process (see LaunchOptions.observeOnly). */
function checkObserveOnly(options: LaunchOptions): void {
  if (!options.observeOnly) {
    return;
  }
  const conflicts = [
    options.presets?.length ? 'presets' : undefined,
    options.breakpoints?.length ? 'breakpoints' : undefined,
    options.stopOnEntry ? 'stopOnEntry' : undefined,
    options.debugging ? 'debugging' : undefined,
    options.tracking === false ? 'tracking: false' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (conflicts.length > 0) {
    throw new ClusterTourError('E_OBSERVE_ONLY', `observeOnly launches only watch the program; it cannot be combined with ${conflicts.join(', ')}.`);
  }
}

/** Checks the defined presets and that every armed id is known; returns the definitions. */
function checkPresetOptions(options: { presets?: readonly string[]; presetDefinitions?: readonly PresetDefinition[] }): PresetDefinition[] {
  const definitions = checkPresetDefinitions(options.presetDefinitions ?? [], 'presetDefinitions');
  for (const preset of options.presets ?? []) {
    checkPreset(preset, definitions.map((definition) => definition.id));
  }
  return definitions;
}

function resolvePresets(definitions: readonly PresetDefinition[], resolutions: readonly CallSiteResolution[], sources: ReadonlyMap<string, string>): Map<string, ResolvedCallSite[]> {
  return new Map(definitions.map((definition) => [definition.id, resolvePreset(definition, resolutions, sources)]));
}
