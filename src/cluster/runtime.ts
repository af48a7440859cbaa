// The cluster runtime: launches or attaches to a cluster app, observes every process of it
// (existing and future), and tells its subscribers what happens as typed events. It knows
// nothing of VS Code or the debug adapter protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { assertLoopbackHost, assertPort, listInspectorTargets } from '../cdp/discovery';
import { CdpSession } from '../cdp/session';
import { Disposable, DisposableStore, toDisposable } from '../common/disposable';
import { Emitter } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';
import type { AnyLifecycleEvent, PresetId } from '../common/stages';
import { presetIds } from '../common/stages';
import type { CallSiteResolution, ResolvedCallSite } from './callSite';
import { callSites } from './callSites';
import { BreakpointPart, mergeBreakpoints, SourceLocation } from './breakpoints';
import { callSitePartsFor, stopPartsFor } from './callSiteParts';
import {
  createSessionDirectory,
  delay,
  findExecutable,
  groupAlive,
  ProcessReport,
  ReportWatcher,
  spawnObserved,
  startWatchdog,
  stopProcessGroup,
} from './launcher';
import { callSiteModules, readNodeSources } from './nodeSources';
import { BreakpointResolvedEvent, PausedEvent, ProcessIdentity, ProcessOutputEvent, ProcessSession } from './processSession';
import type { PauseOnExceptions } from './debugOperations';
import { findFunction } from './functionBreakpoints';
import { isInstrumentationUrl } from './instrumentation';
import { pathToFileURL } from 'node:url';
import { OutputFilter } from './outputFilter';
import { resolveCallSites } from './resolver';
import { attachToWorkersOf } from './attachWorkers';

export interface LaunchOptions {
  program: string;
  args?: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** `node` from PATH unless given. */
  runtimeExecutable?: string;
  runtimeArgs?: readonly string[];
  schedulingPolicy?: 'rr' | 'none';
  /** Stop presets armed from the start. */
  presets?: readonly PresetId[];
  /** Where the preload is; found next to the bundle or in the sources when absent. */
  preloadPath?: string;
  /** Breakpoints in place before any process runs its own code. */
  breakpoints?: readonly BreakpointRequest[];
  /** Record lifecycle stages (default true). Off: attached only, the baseline of benchmarks. */
  tracking?: boolean;
  /** Pause the primary and each worker running the program at its first line (stop owner `entry`). */
  stopOnEntry?: boolean;
  /** Options a debugger needs; see DebuggerOptions. */
  debugging?: DebuggerOptions;
}

/** What a debugger asks of every process: blackboxing, exceptions, output labelled per process. */
export interface DebuggerOptions {
  pauseOnExceptions?: PauseOnExceptions;
  /** Capture each process's stdout/stderr (onProcessOutput); launch: no longer through the pipes. */
  captureOutput?: boolean;
}

export interface AttachOptions {
  host: string;
  port: number;
  presets?: readonly PresetId[];
  preloadPath?: string;
  breakpoints?: readonly BreakpointRequest[];
  debugging?: DebuggerOptions;
}

export interface RuntimePausedEvent extends PausedEvent {
  /** The call sites whose stops made it pause, if it paused at one. */
  callSites: ResolvedCallSite[];
}

export interface OutputEvent {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ProblemEvent {
  code: string;
  message: string;
  pid?: number;
}

export interface EndEvent {
  /** Exit code of the launched program (null when it died of a signal or was attached to). */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A user's breakpoint, applied in every process (now and later) of the matching role. */
export interface BreakpointRequest {
  location: SourceLocation;
  condition?: string;
  /** The caller's id: the stop owner becomes `bp:<id>` (otherwise `user:<n>`, returned). */
  id?: string;
}

/** The stop owner of the launch's stop-on-entry breakpoint. */
export const entryOwner = 'entry';

export class ClusterRuntime implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly sessions = new Map<number, ProcessSession>();
  private readonly identities = new Map<number, ProcessIdentity>();
  private readonly traceParts: BreakpointPart[];
  private readonly enabledPresets = new Set<PresetId>();
  private readonly userParts = new Map<string, BreakpointPart>();
  private nextBreakpoint = 1;
  private readonly output = { stdout: new OutputFilter(), stderr: new OutputFilter() };
  private child: ChildProcess | undefined;
  private processGroup: number | undefined;
  private stopping: Promise<void> | undefined;
  private endedWith: EndEvent | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly tracking: boolean;
  private readonly ready = new Map<number, ProcessIdentity>();
  private pauseOnExceptions: PauseOnExceptions = 'none';
  private captureOutput = false;
  private nodeSources: ReadonlyMap<string, string> = new Map();
  private readonly resolvedEmitter = new Emitter<BreakpointResolvedEvent>();
  private readonly processOutputEmitter = new Emitter<ProcessOutputEvent>();
  /** Where a stop owner's breakpoint is bound, per process (a process reports on each bind). */
  readonly onBreakpointResolved = this.resolvedEmitter.event;
  /** Output of one process, with `debugging.captureOutput`; `onOutput` then carries only the rest. */
  readonly onProcessOutput = this.processOutputEmitter.event;

  private readonly stageEmitter = new Emitter<AnyLifecycleEvent>();
  private readonly attachedEmitter = new Emitter<ProcessIdentity>();
  private readonly detachedEmitter = new Emitter<ProcessIdentity>();
  private readonly pausedEmitter = new Emitter<RuntimePausedEvent>();
  private readonly resumedEmitter = new Emitter<ProcessIdentity>();
  private readonly outputEmitter = new Emitter<OutputEvent>();
  private readonly problemEmitter = new Emitter<ProblemEvent>();
  private readonly endEmitter = new Emitter<EndEvent>();

  readonly onStage = this.stageEmitter.event;
  /** A process is attached, its breakpoints are set, and it runs. */
  readonly onProcessAttached = this.attachedEmitter.event;
  readonly onProcessDetached = this.detachedEmitter.event;
  readonly onPaused = this.pausedEmitter.event;
  readonly onResumed = this.resumedEmitter.event;
  readonly onOutput = this.outputEmitter.event;
  /** Something did not work but the run goes on (a call site that did not resolve, an attach that failed). */
  readonly onProblem = this.problemEmitter.event;
  /** The program ended (launch) or the primary went away (attach). */
  readonly onEnd = this.endEmitter.event;

  private constructor(
    readonly mode: 'launch' | 'attach',
    readonly nodeVersion: string,
    readonly resolutions: readonly CallSiteResolution[],
    private readonly preloadPath: string,
    private readonly sessionDirectory: string,
    presets: readonly PresetId[],
    tracking = true,
  ) {
    this.traceParts = tracking ? callSitePartsFor(resolutions) : [];
    this.tracking = tracking;
    for (const preset of presets) {
      this.enabledPresets.add(preset);
    }
    const watcher = this.disposables.add(new ReportWatcher(sessionDirectory));
    this.disposables.add(watcher.onReport((report) => this.track(this.attachReported(report))));
    watcher.scan();
  }

  static async launch(options: LaunchOptions): Promise<ClusterRuntime> {
    // Checked before anything is created, so a bad option leaves nothing behind.
    options.presets?.forEach(checkPreset);
    const cwd = path.resolve(options.cwd ?? process.cwd());
    if (!isDirectory(cwd)) {
      throw new ClusterTourError('E_CWD_NOT_FOUND', `The working directory ${cwd} does not exist.`);
    }
    const program = path.resolve(cwd, options.program);
    if (!fs.existsSync(program)) {
      throw new ClusterTourError('E_PROGRAM_NOT_FOUND', `The program ${program} does not exist.`);
    }
    const env = { ...process.env, ...options.env };
    const runtimeExecutable = findExecutable(options.runtimeExecutable ?? 'node', cwd, env);
    const node = await readNodeSources(runtimeExecutable, callSiteModules(callSites));
    const preloadPath = options.preloadPath ?? findPreload();
    const sessionDirectory = createSessionDirectory();
    const runtime: ClusterRuntime = new ClusterRuntime(
      'launch',
      node.version,
      resolveCallSites(node.sources, callSites),
      preloadPath,
      sessionDirectory,
      options.presets ?? [],
      options.tracking ?? true,
    );
    runtime.prepare(node.sources, options.breakpoints ?? [], options.debugging);
    if (options.stopOnEntry) {
      const location = { url: pathToFileURL(program).href, lineNumber: 0 };
      runtime.userParts.set(entryOwner, { kind: 'stop', owner: entryOwner, location });
    }
    runtime.start({
      runtimeExecutable,
      runtimeArgs: options.runtimeArgs ?? [],
      program,
      args: options.args ?? [],
      cwd,
      env,
      preloadPath,
      schedulingPolicy: options.schedulingPolicy,
    });
    return runtime;
  }

  /** Attaches to a running program's inspector, then to its workers, existing and future. */
  static async attach(options: AttachOptions): Promise<ClusterRuntime> {
    options.presets?.forEach(checkPreset);
    assertLoopbackHost(options.host);
    assertPort(options.port);
    const targets = await listInspectorTargets(options.host, options.port);
    if (targets.length === 0) {
      throw new ClusterTourError('E_NOT_INSPECTOR', `The inspector at ${options.host}:${options.port} has no target to attach to.`);
    }
    const probe = await CdpSession.connect(targets[0].webSocketDebuggerUrl);
    let facts: { pid: number; workerId: string | null; execPath: string };
    try {
      const answer = await probe.send('Runtime.evaluate', {
        expression: '({ pid: process.pid, workerId: process.env.NODE_UNIQUE_ID || null, execPath: process.execPath })',
        returnByValue: true,
        silent: true,
      });
      facts = answer.result.value as typeof facts;
    } finally {
      await probe.close();
    }
    const node = await readNodeSources(facts.execPath, callSiteModules(callSites));
    const runtime = new ClusterRuntime('attach', node.version, resolveCallSites(node.sources, callSites), options.preloadPath ?? findPreload(), createSessionDirectory(), options.presets ?? []);
    runtime.prepare(node.sources, options.breakpoints ?? [], options.debugging);
    const identity: ProcessIdentity = {
      pid: facts.pid,
      role: facts.workerId === null ? 'primary' : 'worker',
      workerId: facts.workerId === null ? null : Number(facts.workerId),
      webSocketUrl: targets[0].webSocketDebuggerUrl,
    };
    await runtime.attachProcess(identity);
    if (identity.role === 'primary') {
      const session = runtime.sessions.get(identity.pid);
      if (session) {
        const workers = await attachToWorkersOf(session.cdp, runtime.preloadPath, runtime.sessionDirectory);
        for (const worker of workers.observable) {
          runtime.track(runtime.attachProcess(worker));
        }
        if (workers.unobservable.length > 0) {
          runtime.problemEmitter.fire({
            code: 'E_WORKERS_WITHOUT_INSPECTOR',
            message: `${workers.unobservable.join(', ')} run without an inspector and cannot be observed until they are replaced; workers forked from now on are observed.`,
          });
        }
      }
    }
    return runtime;
  }

  /** The processes attached now: breakpoints set, stages tracked, running. */
  processes(): ProcessIdentity[] {
    return [...this.ready.values()];
  }

  session(pid: number): ProcessSession | undefined {
    return this.sessions.get(pid);
  }

  get presets(): ReadonlySet<PresetId> {
    return this.enabledPresets;
  }

  /** Arms or disarms a stop preset in every process, now and later. */
  async setPreset(preset: PresetId, enabled: boolean): Promise<void> {
    checkPreset(preset);
    if (enabled) {
      this.enabledPresets.add(preset);
    } else {
      this.enabledPresets.delete(preset);
    }
    await this.syncBreakpoints();
  }

  async addBreakpoint(request: BreakpointRequest): Promise<string> {
    const owner = this.addPart(request);
    await this.syncBreakpoints();
    return owner;
  }

  /** Breaks on exceptions in every process, now and later. */
  async setPauseOnExceptions(state: PauseOnExceptions): Promise<void> {
    this.pauseOnExceptions = state;
    await Promise.all([...this.sessions.values()].map((session) => session.debug.setPauseOnExceptions(state)));
  }

  /** True for a script of Cluster Tour's own (preload, agent): debuggers hide its frames. */
  isInstrumentation(url: string): boolean {
    return isInstrumentationUrl(url, this.preloadPath);
  }

  /** A function of Node's cluster/net modules by its path (`RoundRobinHandle.prototype.distribute`). */
  findFunction(name: string): ResolvedCallSite {
    return findFunction(this.nodeSources, name);
  }

  private prepare(sources: ReadonlyMap<string, string>, breakpoints: readonly BreakpointRequest[], debugging: DebuggerOptions | undefined): void {
    this.nodeSources = sources;
    this.pauseOnExceptions = debugging?.pauseOnExceptions ?? 'none';
    this.captureOutput = debugging?.captureOutput ?? false;
    for (const request of breakpoints) {
      this.addPart(request);
    }
  }

  private addPart(request: BreakpointRequest): string {
    const owner = request.id !== undefined ? `bp:${request.id}` : `user:${this.nextBreakpoint++}`;
    this.userParts.set(owner, { kind: 'stop', owner, location: request.location, condition: request.condition });
    return owner;
  }

  async removeBreakpoint(owner: string): Promise<void> {
    this.userParts.delete(owner);
    await this.syncBreakpoints();
  }

  async resume(pid: number): Promise<void> {
    await this.requireSession(pid).resume();
  }

  async pause(pid: number): Promise<void> {
    await this.requireSession(pid).pause();
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
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }

  private start(options: Parameters<typeof spawnObserved>[0]): void {
    const child = spawnObserved(options, this.sessionDirectory);
    this.child = child;
    if (child.pid === undefined) {
      throw new ClusterTourError('E_SPAWN', `Could not start ${options.runtimeExecutable}.`);
    }
    this.processGroup = child.pid;
    this.disposables.add(startWatchdog(options.runtimeExecutable, child.pid, this.sessionDirectory));
    // Last resort when the controller exits without stopping (a crash, process.exit): the
    // 'exit' handler may only do synchronous work, and a SIGKILL to the group is that.
    const onExit = (): void => {
      if (this.processGroup !== undefined && groupAlive(this.processGroup)) {
        process.kill(-this.processGroup, 'SIGKILL');
      }
    };
    process.on('exit', onExit);
    this.disposables.add(toDisposable(() => process.removeListener('exit', onExit)));
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => this.emitOutput(stream, this.output[stream].push(chunk)));
    }
    child.on('exit', (code, signal) => {
      const root = [...this.identities.values()].find((identity) => identity.pid === child.pid);
      this.stageEmitter.fire({
        stage: 'exit',
        process: 'primary',
        workerId: null,
        pid: child.pid ?? 0,
        // Taken here, not in the process that just ended: the same wall clock, sub-millisecond.
        time: performance.timeOrigin + performance.now(),
        detail: { workerId: null, code, signal },
      });
      void this.finish({ code, signal }, root);
    });
  }

  private async finish(end: EndEvent, root: ProcessIdentity | undefined): Promise<void> {
    // Reports still in flight from processes that just exited arrive over their sockets first.
    await Promise.allSettled([...this.pending]);
    if (root) {
      await this.sessions.get(root.pid)?.close();
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      this.emitOutput(stream, this.output[stream].end());
    }
    this.end(end);
  }

  private end(end: EndEvent): void {
    if (!this.endedWith) {
      this.endedWith = end;
      this.endEmitter.fire(end);
    }
  }

  private emitOutput(stream: 'stdout' | 'stderr', text: string): void {
    if (text) {
      this.outputEmitter.fire({ stream, text });
    }
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) => {
      this.problemEmitter.fire({ code: error instanceof ClusterTourError ? error.code : 'E_INTERNAL', message: messageOf(error) });
    });
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private async attachReported(report: ProcessReport): Promise<void> {
    await this.attachProcess({ pid: report.pid, role: report.role, workerId: report.workerId, webSocketUrl: report.url });
  }

  private async attachProcess(identity: ProcessIdentity): Promise<void> {
    if (this.stopping || this.sessions.has(identity.pid)) {
      return;
    }
    const session = await ProcessSession.connect(identity);
    this.sessions.set(identity.pid, session);
    this.identities.set(identity.pid, identity);
    session.onStage((event) => this.stageEmitter.fire(event));
    session.onProblem((problem) =>
      this.problemEmitter.fire({ code: 'E_TRACK', message: `A tracepoint at ${problem.siteId} failed in pid ${problem.process.pid}: ${problem.message}`, pid: problem.process.pid }),
    );
    session.onResumed((process) => this.resumedEmitter.fire(process));
    session.onBreakpointResolved((event) => this.resolvedEmitter.fire(event));
    session.onOutput((event) => this.processOutputEmitter.fire(event));
    session.onPaused((event) => this.pausedEmitter.fire({ ...event, callSites: this.callSitesOf(event.stopOwners) }));
    session.onClosed(() => {
      this.sessions.delete(identity.pid);
      this.ready.delete(identity.pid);
      this.detachedEmitter.fire(identity);
      if (this.mode === 'attach' && identity.role === 'primary') {
        this.end({ code: null, signal: null });
      }
    });
    try {
      await session.start(this.breakpointsFor(identity), this.tracking, undefined, {
        preloadPath: this.preloadPath,
        pauseOnExceptions: this.pauseOnExceptions,
        captureOutput: this.captureOutput ? (this.mode === 'launch' ? 'redirect' : 'tee') : undefined,
      });
      await session.release();
    } catch (error) {
      if (session.isClosed) {
        return; // it exited while we attached: nothing to observe
      }
      throw error;
    }
    if (!session.isClosed) {
      this.ready.set(identity.pid, identity);
      this.attachedEmitter.fire(identity);
    }
  }

  private breakpointsFor(identity: ProcessIdentity) {
    const parts = [...this.traceParts, ...stopPartsFor(this.resolutions, this.enabledPresets), ...this.userParts.values()];
    return mergeBreakpoints(parts, identity.role);
  }

  private async syncBreakpoints(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.setBreakpoints(this.breakpointsFor(session.identity))));
  }

  private callSitesOf(owners: readonly string[]): ResolvedCallSite[] {
    return owners.flatMap((owner) => {
      const found = this.resolutions.find((resolution) => resolution.resolved && `site:${resolution.site.id}` === owner);
      return found && found.resolved ? [found] : [];
    });
  }

  private requireSession(pid: number): ProcessSession {
    const session = this.sessions.get(pid);
    if (!session) {
      throw new ClusterTourError('E_NO_PROCESS', `No attached process has pid ${pid}.`);
    }
    return session;
  }

  private async stopAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    await Promise.allSettled(sessions.map((session) => session.close()));
    if (this.processGroup !== undefined) {
      const pids = [...this.identities.keys()];
      await stopProcessGroup(this.processGroup, pids);
      // The child's own 'exit' may still be queued; give it a turn so `onEnd` fires.
      if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
        await new Promise<void>((resolve) => this.child?.once('exit', () => resolve()));
      }
      await delay(0);
    }
    this.disposables.dispose();
    fs.rmSync(this.sessionDirectory, { recursive: true, force: true });
  }
}

function checkPreset(preset: string): PresetId {
  if (!(presetIds as readonly string[]).includes(preset)) {
    throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}". Known presets: ${presetIds.join(', ')}.`);
  }
  return preset as PresetId;
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/** The preload next to the bundle (dist/), or in the sources when running from out/. */
export function findPreload(): string {
  const candidates = [
    path.join(__dirname, 'preload.js'),
    path.resolve(__dirname, '..', '..', '..', 'src', 'cluster', 'agent', 'preload.js'),
    path.resolve(__dirname, 'agent', 'preload.js'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new ClusterTourError('E_PRELOAD_NOT_FOUND', `The preload script is missing (looked in ${candidates.join(', ')}). Rebuild with npm run build.`);
  }
  return found;
}
