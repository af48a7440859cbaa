// The Cluster Tour debug session (DAP): request handlers translate to the cluster runtime, and
// runtime events become DAP events. Threads are processes. Runs inline (export) or as its own
// process over stdio (main.ts). Never imports vscode nor speaks CDP itself.
import {
  BreakpointEvent,
  DebugSession,
  Event,
  InitializedEvent,
  OutputEvent,
  Scope,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assertLoopbackHost, assertPort } from '../cdp/discovery';
import { DisposableStore } from '../common/disposable';
import { ClusterTourError, messageOf } from '../common/errors';
import { presetIds, type PresetId } from '../common/stages';
import type { PauseOnExceptions } from '../cluster/debugOperations';
import { findFunction, readFunctionSources } from '../cluster/functionBreakpoints';
import { findExecutable } from '../cluster/launcher';
import { openInspector } from '../cluster/processAttach';
import type { ProcessSession } from '../cluster/processSession';
import { ClusterRuntime, entryOwner, type RuntimePausedEvent } from '../cluster/runtime';
import { BreakpointBook, type BreakpointChanges } from './breakpoints';
import type { AttachArguments, LaunchArguments } from './configuration';
import { FrameTable } from './frames';
import { ThreadTable } from './threads';
import { describe, VariableTable } from './variables';
import { OutputLabeller } from './output';

const configurationTimeoutMilliseconds = 5000;

export class ClusterDebugSession extends DebugSession {
  private runtime: ClusterRuntime | undefined;
  private runtimeSubscriptions = new DisposableStore();
  private readonly threads = new ThreadTable();
  private readonly frames = new FrameTable();
  private readonly variables = new VariableTable();
  private readonly breakpoints = new BreakpointBook();
  private readonly output = new OutputLabeller();
  private pauseOnExceptions: PauseOnExceptions = 'none';
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private launchArguments: LaunchArguments | undefined;
  /** Processes whose next pause a request caused: a step, or a pause. */
  private readonly stepping = new Set<number>();
  private readonly pausing = new Set<number>();
  private lastStopped: number | undefined;
  private restarting = false;
  private terminated = false;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
  }

  protected initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: true,
      supportsSingleThreadExecutionRequests: true,
      exceptionBreakpointFilters: [
        { filter: 'all', label: 'Caught Exceptions', default: false },
        { filter: 'uncaught', label: 'Uncaught Exceptions', default: false },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected launchRequest(response: DebugProtocol.LaunchResponse, given: LaunchArguments): void {
    // A client may send no arguments at all.
    const args: LaunchArguments = given ?? ({} as LaunchArguments);
    void this.handle(response, async () => {
      this.launchArguments = args;
      checkLaunchArguments(args);
      await this.waitForConfiguration();
      await this.launch(args);
    });
  }

  protected attachRequest(response: DebugProtocol.AttachResponse, given: AttachArguments): void {
    const args: AttachArguments = given ?? {};
    void this.handle(response, async () => {
      const presets = checkPresets(args.presets);
      let host = args.host ?? '127.0.0.1';
      let port = args.port;
      if (args.processId !== undefined) {
        const pid = Number(args.processId);
        if (!Number.isInteger(pid) || pid <= 0) {
          throw new ClusterTourError('E_BAD_PROCESS_ID', `"processId" must be the pid of a running Node process, not ${JSON.stringify(args.processId)}.`);
        }
        ({ host, port } = await openInspector(pid));
      } else if (port === undefined) {
        throw new ClusterTourError('E_NO_PORT', 'Set "port" (the inspector port of the running primary, e.g. 9229) or "processId" in the attach configuration.');
      }
      // Refused before anything is sent anywhere.
      assertLoopbackHost(host);
      assertPort(port);
      await this.waitForConfiguration();
      const runtime = await ClusterRuntime.attach({
        host,
        port,
        presets,
        breakpoints: this.breakpoints.requests(),
        debugging: { pauseOnExceptions: this.pauseOnExceptions, captureOutput: true },
      });
      this.use(runtime);
      for (const identity of runtime.processes()) {
        this.threadStarted(identity);
      }
      // Function breakpoints need the running Node's sources, known only now.
      const ready = this.breakpoints.resolveFunctions((name) => runtime.findFunction(name));
      await Promise.all(ready.map((planned) => planned.request && runtime.addBreakpoint(planned.request)));
    });
  }

  protected restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    void this.handle(response, async () => {
      const launchArguments = (args.arguments as LaunchArguments | undefined) ?? this.launchArguments;
      if (!launchArguments || !('program' in launchArguments)) {
        throw new ClusterTourError('E_RESTART', 'Only a launched program can be restarted; detach and attach again instead.');
      }
      this.restarting = true;
      try {
        await this.stopRuntime();
      } finally {
        this.restarting = false;
      }
      this.launchArguments = launchArguments;
      await this.launch(launchArguments);
    });
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.handle(response, async () => {
      await this.stopRuntime();
      this.sendTerminated();
    });
  }

  protected disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    // Launch: every process stops. Attach: the app keeps running, only the sessions close.
    void this.handle(response, () => this.stopRuntime());
  }

  protected setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    void this.handle(response, async () => {
      const url = this.frames.urlOf(args.source);
      if (url === undefined) {
        throw new ClusterTourError('E_UNKNOWN_SOURCE', `Cannot set breakpoints in ${args.source.name ?? 'this source'}: it has no path and is not a script of a debugged process.`);
      }
      const requested = (args.breakpoints ?? []).map((wish) => ({ ...wish, debuggerLine: this.convertClientLineToDebugger(wish.line) }));
      const changes = this.breakpoints.setSource(url, requested);
      await this.apply(changes);
      response.body = { breakpoints: changes.added.map((planned) => planned.state) };
    });
  }

  protected setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    void this.handle(response, async () => {
      const runtime = this.runtime;
      const changes = this.breakpoints.setFunctions(args.breakpoints, runtime ? (name) => runtime.findFunction(name) : undefined);
      await this.apply(changes);
      response.body = { breakpoints: changes.added.map((planned) => planned.state) };
    });
  }

  protected setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    void this.handle(response, async () => {
      this.pauseOnExceptions = args.filters.includes('all') ? 'all' : args.filters.includes('uncaught') ? 'uncaught' : 'none';
      await this.runtime?.setPauseOnExceptions(this.pauseOnExceptions);
    });
  }

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.threads.all().map((record) => new Thread(record.id, record.name)) };
    this.sendResponse(response);
  }

  protected continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.handle(response, async () => {
      const pid = this.threads.pidOf(args.threadId);
      this.forgetPause(pid);
      await this.requireRuntime().resume(pid);
      response.body = { allThreadsContinued: false };
    });
  }

  protected nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    void this.step(response, args.threadId, (session) => session.debug.stepOver());
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    void this.step(response, args.threadId, (session) => session.debug.stepInto());
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    void this.step(response, args.threadId, (session) => session.debug.stepOut());
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.handle(response, async () => {
      const pid = this.threads.pidOf(args.threadId);
      this.pausing.add(pid);
      await this.requireRuntime().pause(pid);
    });
  }

  protected stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.handle(response, async () => {
      const pid = this.threads.pidOf(args.threadId);
      const all = this.frames.framesOf(pid);
      const start = args.startFrame ?? 0;
      const shown = all.slice(start, args.levels ? start + args.levels : undefined);
      response.body = {
        totalFrames: all.length,
        stackFrames: shown.map(({ id, record }) => ({
          id,
          name: record.frame.functionName || '(anonymous)',
          source: this.frames.source(record.url, pid, record.frame.location.scriptId),
          line: this.convertDebuggerLineToClient(record.frame.location.lineNumber),
          column: this.convertDebuggerColumnToClient(record.frame.location.columnNumber ?? 0),
        })),
      };
    });
  }

  protected scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.handle(response, async () => {
      const record = this.frames.frame(args.frameId);
      if (!record) {
        throw new ClusterTourError('E_STALE_FRAME', 'This frame belongs to a pause that has ended.');
      }
      response.body = {
        scopes: record.frame.scopeChain.map((scope, index) => {
          const reference = this.variables.scope(record.pid, scope.object, index === 0 ? record.frame.this : undefined);
          const name = scope.type.charAt(0).toUpperCase() + scope.type.slice(1) + (scope.name ? ` (${scope.name})` : '');
          return new Scope(name, reference, scope.type === 'global');
        }),
      };
    });
  }

  protected variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, async () => {
      const handle = this.variables.handle(args.variablesReference);
      const session = this.requireSession(handle.pid);
      response.body = { variables: await this.variables.children(session.debug, args) };
    });
  }

  protected evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, async () => {
      const silent = args.context === 'hover' || args.context === 'watch';
      const record = args.frameId !== undefined ? this.frames.frame(args.frameId) : undefined;
      const pid = record?.pid ?? this.defaultPid();
      const session = this.requireSession(pid);
      const answer = record
        ? await session.debug.evaluateOnCallFrame(record.frame.callFrameId, args.expression, silent)
        : await session.debug.evaluate(args.expression, silent);
      if (answer.exceptionDetails) {
        throw new ClusterTourError('E_EVALUATE', answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text);
      }
      const variable = this.variables.variable(pid, args.expression, answer.result);
      response.body = { result: describe(answer.result), type: variable.type, variablesReference: variable.variablesReference, indexedVariables: variable.indexedVariables };
    });
  }

  protected sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    void this.handle(response, async () => {
      const reference = args.source?.sourceReference || args.sourceReference;
      const record = this.frames.sourceOf(reference);
      const url = record?.url ?? (args.source ? this.frames.urlOf(args.source) : undefined);
      if (url === undefined) {
        throw new ClusterTourError('E_UNKNOWN_SOURCE', 'This source is no longer available: its process has exited.');
      }
      const runtime = this.requireRuntime();
      const candidates = [record?.pid, ...runtime.processes().map((identity) => identity.pid)];
      for (const pid of candidates) {
        const session = pid === undefined ? undefined : runtime.session(pid);
        const scriptId = session && (url === '' && pid === record?.pid ? record?.scriptId : session.scriptIdOf(url));
        if (session && scriptId) {
          response.body = { content: await session.debug.getScriptSource(scriptId), mimeType: 'text/javascript' };
          return;
        }
      }
      throw new ClusterTourError('E_UNKNOWN_SOURCE', `No debugged process has loaded ${url || 'this script'}.`);
    });
  }

  private async launch(args: LaunchArguments): Promise<void> {
    const presets = checkLaunchArguments(args);
    const env = Object.fromEntries(Object.entries(args.env ?? {}).map(([name, value]) => [name, value ?? undefined]));
    if (this.breakpoints.all().some((planned) => planned.functionName !== undefined && !planned.request)) {
      const executable = findExecutable(args.runtimeExecutable ?? 'node', args.cwd ?? process.cwd(), { ...process.env, ...env });
      const sources = await readFunctionSources(executable);
      this.breakpoints.resolveFunctions((name) => findFunction(sources, name));
    }
    const runtime = await ClusterRuntime.launch({
      program: args.program,
      args: args.args,
      cwd: args.cwd,
      env,
      runtimeExecutable: args.runtimeExecutable,
      schedulingPolicy: args.schedulingPolicy,
      presets,
      stopOnEntry: args.stopOnEntry,
      breakpoints: this.breakpoints.requests(),
      debugging: { pauseOnExceptions: this.pauseOnExceptions, captureOutput: true },
    });
    this.use(runtime);
  }

  private use(runtime: ClusterRuntime): void {
    this.runtime = runtime;
    this.terminated = false;
    const subscriptions = new DisposableStore();
    this.runtimeSubscriptions = subscriptions;
    subscriptions.add(runtime.onProcessAttached((identity) => this.threadStarted(identity)));
    subscriptions.add(
      runtime.onProcessDetached((identity) => {
        this.forgetPause(identity.pid);
        this.sendLabelled(this.output.flush(identity));
        const record = this.threads.remove(identity.pid);
        if (record) {
          this.sendEvent(new ThreadEvent('exited', record.id));
        }
      }),
    );
    subscriptions.add(runtime.onPaused((event) => this.paused(event)));
    subscriptions.add(runtime.onResumed((identity) => this.forgetPause(identity.pid)));
    subscriptions.add(runtime.onOutput((chunk) => this.sendEvent(new OutputEvent(chunk.text, chunk.stream))));
    subscriptions.add(runtime.onProcessOutput((chunk) => this.sendLabelled(this.output.label(chunk))));
    subscriptions.add(runtime.onProblem((problem) => this.sendEvent(new OutputEvent(`Cluster Tour: ${problem.message} (${problem.code})\n`, 'console'))));
    subscriptions.add(
      runtime.onStage((event) => {
        const { stage, process, workerId, pid, time, detail } = event;
        this.sendEvent(new Event('clusterTour.stage', { stage, process, workerId, pid, time, detail }));
      }),
    );
    subscriptions.add(
      runtime.onBreakpointResolved((event) => {
        for (const owner of event.owners) {
          const state = this.breakpoints.bound(owner, this.convertDebuggerLineToClient(event.location.lineNumber));
          if (state) {
            this.sendEvent(new BreakpointEvent('changed', state));
          }
        }
      }),
    );
    subscriptions.add(
      runtime.onEnd(() => {
        if (!this.restarting) {
          this.sendTerminated();
        }
      }),
    );
  }

  private threadStarted(identity: { pid: number; role: 'primary' | 'worker'; workerId: number | null; webSocketUrl: string }): void {
    const record = this.threads.add(identity);
    if (record) {
      this.sendEvent(new ThreadEvent('started', record.id));
    }
  }

  private paused(event: RuntimePausedEvent): void {
    const runtime = this.requireRuntime();
    const pid = event.process.pid;
    this.threadStarted(event.process);
    const session = runtime.session(pid);
    this.frames.setPaused(pid, event.callFrames, (scriptId) => session?.scriptUrl(scriptId) ?? '', (url) => runtime.isInstrumentation(url));
    if (!this.frames.hasFrames(pid)) {
      // Only our own instrumentation is on the stack: nothing a person should see.
      void runtime.resume(pid).catch((error: unknown) => this.report(error));
      return;
    }
    const threadId = this.threads.ofPid(pid)?.id ?? 0;
    this.lastStopped = pid;
    const stopped = new StoppedEvent(this.stopReason(event), threadId) as DebugProtocol.StoppedEvent;
    stopped.body.allThreadsStopped = false;
    const userBreakpoints = event.stopOwners.filter((owner) => this.breakpoints.owns(owner));
    if (userBreakpoints.length > 0) {
      stopped.body.hitBreakpointIds = userBreakpoints.map((owner) => Number(owner.slice('bp:'.length)));
    }
    if (event.callSites.length > 0) {
      stopped.body.description = event.callSites.map((site) => site.site.title).join('; ');
      stopped.body.text = `${event.callSites[0].site.stage} in ${this.threads.ofPid(pid)?.name ?? `pid ${pid}`}`;
    } else if (stopped.body.reason === 'exception') {
      stopped.body.text = event.data?.description?.split('\n')[0];
      stopped.body.description = 'Paused on exception';
    }
    this.stepping.delete(pid);
    this.pausing.delete(pid);
    this.sendEvent(stopped);
  }

  private stopReason(event: RuntimePausedEvent): string {
    const pid = event.process.pid;
    if (event.stopOwners.includes(entryOwner)) {
      return 'entry';
    }
    if (event.stopOwners.length > 0) {
      return 'breakpoint';
    }
    if (event.reason === 'exception' || event.reason === 'promiseRejection') {
      return 'exception';
    }
    if (this.stepping.has(pid)) {
      return 'step';
    }
    return 'pause';
  }

  private async step(response: DebugProtocol.Response, threadId: number, operation: (session: ProcessSession) => Promise<void>): Promise<void> {
    await this.handle(response, async () => {
      const pid = this.threads.pidOf(threadId);
      const session = this.requireSession(pid);
      this.stepping.add(pid);
      this.forgetPause(pid);
      await operation(session);
    });
  }

  private async apply(changes: BreakpointChanges): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) {
      return; // set at launch
    }
    for (const planned of changes.removed) {
      await runtime.removeBreakpoint(planned.owner);
    }
    for (const planned of changes.added) {
      if (planned.request) {
        await runtime.addBreakpoint(planned.request);
      }
    }
  }

  private forgetPause(pid: number): void {
    this.frames.clear(pid);
    this.variables.clear(pid);
  }

  private defaultPid(): number {
    const runtime = this.requireRuntime();
    const processes = runtime.processes();
    if (this.lastStopped !== undefined && processes.some((identity) => identity.pid === this.lastStopped)) {
      return this.lastStopped;
    }
    const primary = processes.find((identity) => identity.role === 'primary') ?? processes[0];
    if (!primary) {
      throw new ClusterTourError('E_NO_PROCESS', 'No process is attached to evaluate in.');
    }
    return primary.pid;
  }

  private sendLabelled(chunks: ReadonlyArray<{ text: string; stream: 'stdout' | 'stderr'; data: unknown }>): void {
    for (const chunk of chunks) {
      this.sendEvent(new OutputEvent(chunk.text, chunk.stream, chunk.data));
    }
  }

  private async stopRuntime(): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) {
      return;
    }
    await runtime.stop();
    this.runtimeSubscriptions.dispose();
    for (const record of this.threads.all()) {
      this.sendEvent(new ThreadEvent('exited', record.id));
    }
    this.threads.clear();
    this.runtime = undefined;
  }

  private sendTerminated(): void {
    if (!this.terminated) {
      this.terminated = true;
      this.sendEvent(new TerminatedEvent());
    }
  }

  private async waitForConfiguration(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.configurationDone, new Promise<void>((resolve) => (timer = setTimeout(resolve, configurationTimeoutMilliseconds)))]);
    clearTimeout(timer);
  }

  private requireRuntime(): ClusterRuntime {
    if (!this.runtime) {
      throw new ClusterTourError('E_NOT_RUNNING', 'No program is being debugged.');
    }
    return this.runtime;
  }

  private requireSession(pid: number): ProcessSession {
    const session = this.requireRuntime().session(pid);
    if (!session) {
      throw new ClusterTourError('E_NO_PROCESS', `Process ${pid} is no longer attached.`);
    }
    return session;
  }

  private report(error: unknown): void {
    this.sendEvent(new OutputEvent(`Cluster Tour: ${messageOf(error)}\n`, 'console'));
  }

  /** Runs a request; a failure becomes an error response that names its code. */
  private async handle(response: DebugProtocol.Response, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.sendResponse(response);
    } catch (error) {
      const code = error instanceof ClusterTourError ? error.code : 'E_INTERNAL';
      this.sendErrorResponse(response, { id: errorNumber(code), format: `${messageOf(error)} (${code})`, showUser: true });
    }
  }
}

/** The checks a launch can fail before anything starts; returns the presets. */
function checkLaunchArguments(args: LaunchArguments): PresetId[] {
  if (typeof args.program !== 'string' || args.program.trim() === '') {
    throw new ClusterTourError('E_NO_PROGRAM', 'Set "program" in the launch configuration to the cluster program to run (its primary).');
  }
  return checkPresets(args.presets);
}

/** Checks preset ids: an unknown one fails the request, naming it and the known ones. */
function checkPresets(presets: readonly string[] | undefined): PresetId[] {
  const known = presetIds as readonly string[];
  for (const preset of presets ?? []) {
    if (!known.includes(preset)) {
      throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}" in "presets". Known presets: ${presetIds.join(', ')}.`);
    }
  }
  return (presets ?? []) as PresetId[];
}

/** DAP messages carry a number: a stable one per error code. */
function errorNumber(code: string): number {
  let hash = 0;
  for (const character of code) {
    hash = (hash * 31 + character.charCodeAt(0)) % 1000;
  }
  return 3000 + hash;
}
