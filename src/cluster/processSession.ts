// One debugged process: its inspector session, the agent installed in it, its breakpoints kept
// in step with what the runtime wants, and its reports turned into typed events. It knows
// nothing of other processes.
import { randomBytes } from 'node:crypto';
import type Protocol from 'devtools-protocol';
import { CdpSession } from '../cdp/session';
import { monotonicMillisecondsExpression } from '../common/clock';
import { DisposableStore } from '../common/disposable';
import { Emitter } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';
import type { AnyLifecycleEvent, ProcessRole, StageName } from '../common/stages';
import { stageNames } from '../common/stages';
import { agentExpression, AgentBatch, AgentOptions, installAgent } from './agent/agent';
import { CapturedChunk, installOutputCapture } from './agent/outputCapture';
import type { MergedBreakpoint, SourceLocation } from './breakpoints';
import { DebugOperations, PauseOnExceptions } from './debugOperations';
import { agentSourceUrl, instrumentationPatterns, outputCaptureSourceUrl, sourceUrlComment } from './instrumentation';

export interface ProcessIdentity {
  pid: number;
  role: ProcessRole;
  /** Cluster worker id; null for the primary. */
  workerId: number | null;
  webSocketUrl: string;
}

export interface PausedEvent {
  process: ProcessIdentity;
  reason: string;
  /** Owners (call-site ids, breakpoint ids) of the stops that made the process pause here. */
  stopOwners: string[];
  callFrames: Protocol.Debugger.CallFrame[];
  /** For exceptions: the thrown value. */
  data?: Protocol.Runtime.RemoteObject;
}

/** Where the inspector bound a breakpoint, for the owners of the stops merged into it. */
export interface BreakpointResolvedEvent {
  process: ProcessIdentity;
  owners: string[];
  location: SourceLocation;
}

export interface ProcessOutputEvent {
  process: ProcessIdentity;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a debugger (not the stage tracking) wants of a process from its start. */
export interface DebuggingOptions {
  /** Blackbox the preload and our evaluated scripts, so that stepping and pausing skip them. */
  preloadPath?: string;
  pauseOnExceptions?: PauseOnExceptions;
  /** Capture stdout/stderr per process; `redirect`: only to the debugger (see outputCapture.ts). */
  captureOutput?: 'redirect' | 'tee';
}

export interface AgentProblem {
  process: ProcessIdentity;
  siteId: string;
  message: string;
}

const knownStages = new Set<string>(stageNames);

export class ProcessSession {
  private readonly disposables = new DisposableStore();
  private readonly stageEmitter = new Emitter<AnyLifecycleEvent>();
  private readonly pausedEmitter = new Emitter<PausedEvent>();
  private readonly resumedEmitter = new Emitter<ProcessIdentity>();
  private readonly closedEmitter = new Emitter<ProcessIdentity>();
  private readonly problemEmitter = new Emitter<AgentProblem>();
  private readonly resolvedEmitter = new Emitter<BreakpointResolvedEvent>();
  private readonly outputEmitter = new Emitter<ProcessOutputEvent>();
  private readonly outputBindingName = `__clusterTourOutput_${randomBytes(6).toString('hex')}`;
  private readonly bindingName = `__clusterTour_${randomBytes(6).toString('hex')}`;
  /** Breakpoints set in this process: key → inspector id and the merged wish it came from. */
  private readonly breakpoints = new Map<string, { id: string; wish: MergedBreakpoint; locations: Protocol.Debugger.Location[] }>();
  private readonly byInspectorId = new Map<string, MergedBreakpoint>();
  private syncing: Promise<void> = Promise.resolve();
  /** Script ids to URLs: call frames carry only the id. */
  private readonly scripts = new Map<string, string>();
  private paused = false;

  readonly onStage = this.stageEmitter.event;
  readonly onPaused = this.pausedEmitter.event;
  readonly onResumed = this.resumedEmitter.event;
  /** The process ended or the connection dropped; the session is gone. */
  readonly onClosed = this.closedEmitter.event;
  readonly onProblem = this.problemEmitter.event;
  readonly onBreakpointResolved = this.resolvedEmitter.event;
  /** Output written by this process (only with `captureOutput`). */
  readonly onOutput = this.outputEmitter.event;
  readonly debug: DebugOperations;

  private constructor(
    readonly identity: ProcessIdentity,
    readonly cdp: CdpSession,
  ) {
    this.debug = new DebugOperations(cdp);
  }

  static async connect(identity: ProcessIdentity): Promise<ProcessSession> {
    const cdp = await CdpSession.connect(identity.webSocketUrl);
    return new ProcessSession(identity, cdp);
  }

  /** The URL of a script this process has compiled (`node:net`, `file:///…`). */
  scriptUrl(scriptId: string): string | undefined {
    return this.scripts.get(scriptId);
  }

  /** The id of a script with this URL that this process has compiled, if any. */
  scriptIdOf(url: string): string | undefined {
    for (const [scriptId, candidate] of this.scripts) {
      if (candidate === url) {
        return scriptId;
      }
    }
    return undefined;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isClosed(): boolean {
    return this.cdp.isClosed;
  }

  /**
   * Enables the domains, installs the agent and sets the breakpoints. The process may be
   * waiting in the preload's gate: call `release()` afterwards.
   */
  async start(
    breakpoints: readonly MergedBreakpoint[],
    tracking = true,
    flushMilliseconds = { perConnection: 100 },
    debugging: DebuggingOptions = {},
  ): Promise<void> {
    const cdp = this.cdp;
    this.disposables.add(cdp.on('Runtime.bindingCalled', (event) => this.onBinding(event)));
    this.disposables.add(cdp.on('Debugger.breakpointResolved', (event) => this.onResolved(event.breakpointId, [event.location])));
    this.disposables.add(cdp.on('Debugger.scriptParsed', (event) => this.scripts.set(event.scriptId, event.url)));
    this.disposables.add(
      cdp.on('Debugger.paused', (event) => {
        this.paused = true;
        const stopOwners = (event.hitBreakpoints ?? []).flatMap((id) => this.byInspectorId.get(id)?.stopOwners ?? []);
        this.pausedEmitter.fire({ process: this.identity, reason: event.reason, stopOwners, callFrames: event.callFrames, data: event.data as Protocol.Runtime.RemoteObject | undefined });
      }),
    );
    this.disposables.add(
      cdp.on('Debugger.resumed', () => {
        this.paused = false;
        this.resumedEmitter.fire(this.identity);
      }),
    );
    // A finished process waits for its debugger to go ("Waiting for the debugger to
    // disconnect…"): let it go at once.
    this.disposables.add(cdp.on('Runtime.executionContextDestroyed', () => void this.close()));
    this.disposables.add(cdp.onClose(() => this.markClosed()));

    await cdp.send('Runtime.enable');
    await cdp.send('Debugger.enable', {});
    if (debugging.preloadPath !== undefined) {
      await cdp.send('Debugger.setBlackboxPatterns', { patterns: instrumentationPatterns(debugging.preloadPath) });
    }
    if (debugging.pauseOnExceptions && debugging.pauseOnExceptions !== 'none') {
      await this.debug.setPauseOnExceptions(debugging.pauseOnExceptions);
    }
    if (debugging.captureOutput) {
      await this.installOutputCapture(debugging.captureOutput === 'redirect');
    }
    if (tracking) {
      await this.installAgent(flushMilliseconds);
    }
    await this.setBreakpoints(breakpoints);
  }

  private async installOutputCapture(redirect: boolean): Promise<void> {
    await this.cdp.send('Runtime.addBinding', { name: this.outputBindingName });
    const options = { bindingName: this.outputBindingName, redirect };
    const installed = await this.cdp.send('Runtime.evaluate', {
      expression: `(${installOutputCapture.toString()})(${JSON.stringify(options)})${sourceUrlComment(outputCaptureSourceUrl)}`,
      returnByValue: true,
      silent: true,
    });
    if (installed.exceptionDetails) {
      throw new ClusterTourError('E_OUTPUT_CAPTURE', `Could not capture the output of pid ${this.identity.pid}: ${installed.exceptionDetails.text}`, 'Runtime.evaluate');
    }
  }

  private async installAgent(flushMilliseconds: AgentOptions['flushMilliseconds']): Promise<void> {
    const cdp = this.cdp;
    await cdp.send('Runtime.addBinding', { name: this.bindingName });
    const options = { bindingName: this.bindingName, role: this.identity.role, flushMilliseconds };
    const installed = await cdp.send('Runtime.evaluate', {
      expression: `(${installAgent.toString()})(${JSON.stringify(options)})${sourceUrlComment(agentSourceUrl)}`,
      returnByValue: true,
      silent: true,
    });
    if (installed.exceptionDetails) {
      throw new ClusterTourError(
        'E_AGENT_INSTALL',
        `Could not install the stage tracker in pid ${this.identity.pid}: ${installed.exceptionDetails.exception?.description ?? installed.exceptionDetails.text}`,
        'Runtime.evaluate',
      );
    }
  }

  /** Lets a process that waits in the preload's gate run. Safe to call for a process not waiting. */
  async release(): Promise<void> {
    // Breakpoints asked for while attaching must be in place before the process's code runs.
    await this.syncing;
    const expression = `(() => { const gate = globalThis[Symbol.for('cluster-tour.preload')]; return gate ? gate.release() : 'no gate'; })()`;
    await this.cdp.send('Runtime.evaluate', { expression, returnByValue: true, silent: true });
    // The flag is set first, so a run request that arrives before the wait starts is harmless;
    // the preload loops until it sees the flag.
    await this.cdp.send('Runtime.runIfWaitingForDebugger');
  }

  /** Makes this process's breakpoints equal to `wanted`, changing only what differs. */
  setBreakpoints(wanted: readonly MergedBreakpoint[]): Promise<void> {
    const run = this.syncing.then(() => this.applyBreakpoints(wanted));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /**
   * Has the agent send every event it recorded so far; resolves with the process's clock then.
   * The events come over the same connection before the answer, so when this resolves they have
   * all been emitted. Resolves with undefined for a process that has gone (it sent all it could).
   */
  async flushReports(): Promise<number | undefined> {
    if (this.cdp.isClosed) {
      return undefined;
    }
    const expression = `(() => { const agent = ${agentExpression}; if (agent) agent.flush(); return ${monotonicMillisecondsExpression}; })()`;
    try {
      const answer = await this.cdp.send('Runtime.evaluate', { expression, returnByValue: true, silent: true });
      return typeof answer.result.value === 'number' ? answer.result.value : undefined;
    } catch (error) {
      if (this.cdp.isClosed) {
        return undefined;
      }
      throw error;
    }
  }

  async resume(): Promise<void> {
    await this.cdp.send('Debugger.resume', {});
  }

  async pause(): Promise<void> {
    await this.cdp.send('Debugger.pause');
  }

  async close(): Promise<void> {
    this.disposables.dispose();
    try {
      await this.cdp.close();
    } catch (error) {
      // The socket is already gone when the process died first; nothing left to release.
      if (!this.cdp.isClosed) {
        throw error;
      }
    } finally {
      this.markClosed();
    }
  }

  private closedFired = false;

  private markClosed(): void {
    if (!this.closedFired) {
      this.closedFired = true;
      this.closedEmitter.fire(this.identity);
    }
  }

  private async applyBreakpoints(wanted: readonly MergedBreakpoint[]): Promise<void> {
    if (this.cdp.isClosed) {
      return;
    }
    const wantedByKey = new Map(wanted.map((wish) => [wish.key, wish]));
    for (const [key, existing] of [...this.breakpoints]) {
      const wish = wantedByKey.get(key);
      if (!wish || wish.condition !== existing.wish.condition) {
        await this.cdp.send('Debugger.removeBreakpoint', { breakpointId: existing.id });
        this.breakpoints.delete(key);
        this.byInspectorId.delete(existing.id);
      } else {
        existing.wish = wish;
        this.byInspectorId.set(existing.id, wish);
        // Owners that joined a breakpoint already bound learn where it is.
        this.onResolved(existing.id, []);
      }
    }
    for (const wish of wanted) {
      if (this.breakpoints.has(wish.key)) {
        continue;
      }
      const { location } = wish;
      const result = await this.cdp.send('Debugger.setBreakpointByUrl', {
        ...(location.urlIsRegex ? { urlRegex: location.url } : { url: location.url }),
        lineNumber: location.lineNumber,
        columnNumber: location.columnNumber,
        condition: wish.condition,
      });
      this.breakpoints.set(wish.key, { id: result.breakpointId, wish, locations: [] });
      this.byInspectorId.set(result.breakpointId, wish);
      this.onResolved(result.breakpointId, result.locations);
    }
  }

  private onResolved(breakpointId: string, locations: readonly Protocol.Debugger.Location[]): void {
    const entry = [...this.breakpoints.values()].find((candidate) => candidate.id === breakpointId);
    if (!entry) {
      return;
    }
    entry.locations.push(...locations);
    for (const location of entry.locations) {
      const url = this.scripts.get(location.scriptId) ?? entry.wish.location.url;
      this.resolvedEmitter.fire({
        process: this.identity,
        owners: entry.wish.stopOwners,
        location: { url, lineNumber: location.lineNumber, columnNumber: location.columnNumber },
      });
    }
  }

  private onBinding(event: Protocol.Runtime.BindingCalledEvent): void {
    if (event.name === this.outputBindingName) {
      const [stream, text] = JSON.parse(event.payload) as CapturedChunk;
      this.outputEmitter.fire({ process: this.identity, stream, text });
      return;
    }
    if (event.name !== this.bindingName) {
      return;
    }
    let batch: AgentBatch;
    try {
      batch = JSON.parse(event.payload) as AgentBatch;
    } catch (error) {
      this.problemEmitter.fire({ process: this.identity, siteId: 'agent', message: `unreadable report: ${messageOf(error)}` });
      return;
    }
    const { pid, role, workerId } = this.identity;
    for (const [stage, time, detail] of batch) {
      if (stage === 'agent-error') {
        const problem = detail as { siteId: string; message: string };
        this.problemEmitter.fire({ process: this.identity, siteId: problem.siteId, message: problem.message });
      } else if (knownStages.has(stage)) {
        this.stageEmitter.fire({ stage: stage as StageName, process: role, workerId, pid, time, detail } as AnyLifecycleEvent);
      }
    }
  }
}
