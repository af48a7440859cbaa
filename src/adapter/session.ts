// The Cluster Tour debug session (DAP): request handlers that translate to the cluster runtime;
// its events become DAP events in debuggedRun.ts, a tour's in tourRun.ts. Threads are processes.
// Runs inline (export) or as its own process over stdio (main.ts). Never imports vscode nor speaks
// CDP itself.
import { DebugSession, InitializedEvent, Thread, OutputEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { customRequests } from '../common/contributions';
import { ClusterTourError, messageOf } from '../common/errors';
import type { PauseOnExceptions } from '../cluster/session/debugOperations';
import type { ProcessSession } from '../cluster/session/processSession';
import { ClusterRuntime } from '../cluster/runtime';
import { BreakpointBook, type BreakpointChanges } from './breakpoints';
import type { AttachArguments, LaunchArguments } from './configuration';
import { DebuggedRun } from './debuggedRun';
import { FrameTable } from './frames';
import { Inspection } from './inspection';
import { OutputLabeller } from './output';
import { attachTarget, checkLaunchArguments, launchOptions } from './requestArguments';
import { SourceMaps } from './sourceMaps';
import { StopTracker } from './stops';
import { ThreadTable } from './threads';
import type { TourBody } from './tourProtocol';
import { isTourPause, TourRun, type TourHost } from './tourRun';
import { VariableTable } from './variables';
import { checkKillWorkerArguments, checkRunControlArguments, checkSetPresetArguments, type RunControlBody } from './viewProtocol';

const configurationTimeoutMilliseconds = 5000;

export class ClusterDebugSession extends DebugSession {
  private readonly threads = new ThreadTable();
  /** One set of source maps for frames and breakpoints, so each map is read once. */
  private readonly sourceMaps = new SourceMaps();
  private readonly frames = new FrameTable(this.sourceMaps);
  private readonly variables = new VariableTable();
  private readonly breakpoints = new BreakpointBook(this.sourceMaps);
  private readonly output = new OutputLabeller();
  private readonly stops = new StopTracker();
  private readonly run = new DebuggedRun(
    { threads: this.threads, frames: this.frames, variables: this.variables, breakpoints: this.breakpoints, output: this.output, stops: this.stops },
    (event) => this.sendEvent(event),
    (line) => this.convertDebuggerLineToClient(line),
  );
  private readonly inspection = new Inspection(
    this.frames,
    this.variables,
    { line: (line) => this.convertDebuggerLineToClient(line), column: (column) => this.convertDebuggerColumnToClient(column) },
    () => this.run.require(),
  );
  private pauseOnExceptions: PauseOnExceptions = 'none';
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private launchArguments: LaunchArguments | undefined;
  /** The tour the launch configuration names, walked over the run. */
  private tour: TourRun | undefined;
  private readonly tourHost: TourHost = {
    send: (event) => this.sendEvent(event),
    announce: (event, describe) => this.run.announce(event, describe),
    threadId: (pid) => this.threads.ofPid(pid)?.id,
    topFrame: (pid) => this.inspection.stackTrace(pid, { threadId: 0, startFrame: 0, levels: 1 }).stackFrames[0],
  };

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    // A map that cannot be used falls back to JavaScript; say so rather than silently.
    this.sourceMaps.onProblem((problem) => this.sendEvent(new OutputEvent(`Cluster Tour: ${problem.message} (${problem.code})\n`, 'console')));
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
      // Checked before the client's configuration is awaited, so a bad one fails at once.
      const checked = checkLaunchArguments(args);
      await this.waitForConfiguration();
      await this.launch(args, checked);
    });
  }

  protected attachRequest(response: DebugProtocol.AttachResponse, given: AttachArguments): void {
    const args: AttachArguments = given ?? {};
    void this.handle(response, async () => {
      const { host, port, presets, presetDefinitions } = await attachTarget(args);
      await this.waitForConfiguration();
      const runtime = await ClusterRuntime.attach({
        host,
        port,
        presets,
        presetDefinitions,
        breakpoints: this.breakpoints.requests(),
        debugging: { pauseOnExceptions: this.pauseOnExceptions, captureOutput: true },
      });
      this.run.use(runtime);
      for (const identity of runtime.processes()) {
        this.run.threadStarted(identity);
      }
      // Function breakpoints need the running Node's sources, known only now.
      const ready = this.breakpoints.resolveFunctions((name) => runtime.findFunction(name));
      await Promise.all(ready.map((planned) => planned.request && runtime.addBreakpoint(planned.request)));
    });
  }

  protected restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    void this.handle(response, async () => {
      // A client may send no arguments at all.
      const launchArguments = (args?.arguments as LaunchArguments | undefined) ?? this.launchArguments;
      if (!launchArguments || !('program' in launchArguments || 'tour' in launchArguments)) {
        throw new ClusterTourError('E_RESTART', 'Only a launched program can be restarted; detach and attach again instead.');
      }
      await this.run.stop({ restarting: true });
      this.endTour();
      this.launchArguments = launchArguments;
      await this.launch(launchArguments);
    });
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.handle(response, async () => {
      await this.run.stop();
      this.endTour();
      this.run.terminate();
    });
  }

  protected disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    // Launch: every process stops. Attach: the app keeps running, only the sessions close.
    void this.handle(response, async () => {
      await this.run.stop();
      this.endTour();
    });
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
      response.body = { breakpoints: changes.current.map((planned) => planned.state) };
    });
  }

  protected setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    void this.handle(response, async () => {
      const runtime = this.run.current;
      const changes = this.breakpoints.setFunctions(args.breakpoints, runtime ? (name) => runtime.findFunction(name) : undefined);
      await this.apply(changes);
      response.body = { breakpoints: changes.added.map((planned) => planned.state) };
    });
  }

  protected setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    void this.handle(response, async () => {
      this.pauseOnExceptions = args.filters.includes('all') ? 'all' : args.filters.includes('uncaught') ? 'uncaught' : 'none';
      await this.run.current?.setPauseOnExceptions(this.pauseOnExceptions);
    });
  }

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.threads.all().map((record) => new Thread(record.id, record.name)) };
    this.sendResponse(response);
  }

  /** Without `singleThread`, every paused process resumes (DAP's meaning); with it, only this one. */
  protected continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.handle(response, async () => {
      const pid = this.threads.pidOf(args.threadId);
      this.run.forgetPause(pid);
      const tour = this.tour;
      // Continue where the tour holds a process is Next Stop: F5 in the editor walks the tour.
      await this.run.resumeAsked(pid, async () => {
        if (tour?.holds(pid)) {
          await tour.next();
        } else {
          // One that runs already (a continue of another thread resumed it) has nothing to do.
          await this.run.resumeIfPaused(pid);
        }
      });
      const allThreadsContinued = args.singleThread === true ? false : await this.run.resumeOthers(pid, (other) => this.tour?.holds(other) === true);
      response.body = { allThreadsContinued };
    });
  }

  protected nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    void this.step(response, args, (session) => session.debug.stepOver());
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    void this.step(response, args, (session) => session.debug.stepInto());
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    void this.step(response, args, (session) => session.debug.stepOut());
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.handle(response, async () => {
      await this.run.require().pause(this.threads.pidOf(args.threadId));
    });
  }

  protected stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.handle(response, async () => {
      response.body = this.inspection.stackTrace(this.threads.pidOf(args.threadId), args);
    });
  }

  protected scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.handle(response, async () => {
      response.body = this.inspection.scopes(args);
    });
  }

  protected variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.variablesOf(args);
    });
  }

  protected evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.evaluate(args, () => this.run.defaultPid());
    });
  }

  protected sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.source(args);
    });
  }

  /** The views' requests (viewProtocol.ts); any other command is refused as unknown. */
  protected customRequest(command: string, response: DebugProtocol.Response, args: unknown, request?: DebugProtocol.Request): void {
    if (command === customRequests.presets) {
      void this.handle(response, async () => {
        response.body = this.run.presets();
      });
    } else if (command === customRequests.tour) {
      void this.handle(response, async () => {
        response.body = this.requireTour().body();
      });
    } else if (command === customRequests.nextStop) {
      void this.handle(response, async () => {
        const tour = this.requireTour();
        response.body = (await tour.next()) satisfies TourBody;
      });
    } else if (command === customRequests.pauseProcesses || command === customRequests.continueProcesses || command === customRequests.killWorker) {
      void this.handle(response, async () => {
        response.body = await this.runControl(command, args);
      });
    } else if (command === customRequests.setPreset) {
      void this.handle(response, async () => {
        const { id, enabled } = checkSetPresetArguments(args);
        response.body = await this.run.setPreset(id, enabled);
      });
    } else {
      super.customRequest(command, response, args, request);
    }
  }

  /** The Processes view's buttons: pause or continue some processes (all without pids), kill a worker. */
  private async runControl(command: string, args: unknown): Promise<RunControlBody> {
    const runtime = this.run.require();
    if (command === customRequests.killWorker) {
      const { pid } = checkKillWorkerArguments(args);
      await runtime.killWorker(pid);
      return { pids: [pid] };
    }
    const { pids = runtime.processes().map((identity) => identity.pid) } = checkRunControlArguments(command, args);
    if (command === customRequests.pauseProcesses) {
      const paused = pids.filter((pid) => runtime.session(pid)?.isPaused !== true);
      await Promise.all(paused.map((pid) => runtime.pause(pid)));
      return { pids: paused };
    }
    // Not asked through DAP's continue: the client learns it from continued events. A process
    // whose pause has not landed yet is continued too: its pause is cancelled.
    const resumed = pids.filter((pid) => runtime.session(pid)?.isPausedOrPausing === true && this.tour?.holds(pid) !== true);
    await Promise.all(resumed.map((pid) => this.run.resumeIfPaused(pid)));
    return { pids: resumed };
  }

  private async launch(args: LaunchArguments, checked = checkLaunchArguments(args)): Promise<void> {
    const { tour } = checked;
    const runtime = await ClusterRuntime.launch(await launchOptions(args, checked, this.breakpoints, this.pauseOnExceptions));
    // The tour's engine hears the runtime before the run does, so a tour that ends with the
    // program says so before the terminated event.
    this.tour = tour && new TourRun(tour, runtime, this.tourHost);
    this.run.holdBackPauses(tour && ((event) => isTourPause(tour.id, event)));
    this.run.use(runtime);
    await this.tour?.start();
  }

  private requireTour(): TourRun {
    if (!this.tour) {
      throw new ClusterTourError('E_NO_TOUR', 'This session walks no tour: name one in the launch configuration\'s "tour" (e.g. "connection-round-robin").');
    }
    return this.tour;
  }

  /** Disposes the tour of the run that stopped; one not finished by then has ended. */
  private endTour(): void {
    this.tour?.dispose();
    this.tour = undefined;
  }

  /** Steps one process; without `singleThread` the other paused processes resume meanwhile. */
  private async step(response: DebugProtocol.Response, args: { threadId: number; singleThread?: boolean }, operation: (session: ProcessSession) => Promise<void>): Promise<void> {
    await this.handle(response, async () => {
      const pid = this.threads.pidOf(args.threadId);
      const session = this.inspection.requireSession(pid);
      this.stops.stepStarted(pid);
      this.run.forgetPause(pid);
      await this.run.resumeAsked(pid, () => operation(session));
      if (args.singleThread !== true) {
        await this.run.resumeOthers(pid, (other) => this.tour?.holds(other) === true);
      }
    });
  }

  private async apply(changes: BreakpointChanges): Promise<void> {
    const runtime = this.run.current;
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

  private async waitForConfiguration(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.configurationDone, new Promise<void>((resolve) => (timer = setTimeout(resolve, configurationTimeoutMilliseconds)))]);
    clearTimeout(timer);
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

/** DAP messages carry a number: a stable one per error code. */
function errorNumber(code: string): number {
  let hash = 0;
  for (const character of code) {
    hash = (hash * 31 + character.charCodeAt(0)) % 1000;
  }
  return 3000 + hash;
}
