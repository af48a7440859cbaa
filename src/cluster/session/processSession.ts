// One debugged process: its inspector session, the agent installed in it, its breakpoints kept
// in step with what the runtime wants, and its reports turned into typed events. It knows
// nothing of other processes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BindingCalledEvent, CallFrame, PausedEvent as InspectorPausedEvent, RemoteObject, ScriptLocation } from '../../cdp/protocol';
import { CdpSession } from '../../cdp/session';
import { monotonicMillisecondsExpression } from '../../common/clock';
import { DisposableStore } from '../../common/disposable';
import { Emitter, firedWithin } from '../../common/emitter';
import { ClusterTourError, messageOf } from '../../common/errors';
import type { AnyLifecycleEvent, ProcessRole, StageName } from '../../common/stages';
import { stageNames } from '../../common/stages';
import { agentExpression, AgentBatch, AgentOptions, installAgent } from '../agent/agent';
import { CapturedChunk, installOutputCapture } from '../agent/outputCapture';
import type { MergedBreakpoint, SourceLocation } from '../tracking/breakpoints';
import { DebugOperations, PauseOnExceptions } from './debugOperations';
import type { GuestOptions } from '../agent/guest';
import { installGuestIn, uninstallGuestFrom } from './guestSession';
import { agentSourceUrl, instrumentationPatterns, isInstrumentationUrl, outputCaptureSourceUrl, sourceUrlComment } from './instrumentation';
import { PauseControl } from './pauseControl';

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
  callFrames: CallFrame[];
  /** For exceptions: the thrown value. */
  data?: RemoteObject;
}

/** Where the inspector bound a breakpoint, for the owners of the stops merged into it. */
export interface BreakpointResolvedEvent {
  process: ProcessIdentity;
  owners: string[];
  location: SourceLocation;
}

/** What a process says of the Node it runs (`process.version`, `process.execPath`). */
export interface RunningNode {
  version?: string;
  execPath?: string;
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
  /** Attach: the guest (agent/guest.ts) that owns what is installed, so that `detach` undoes it all. */
  guest?: GuestOptions;
  /** The session folder: the agent keeps its journal of rare events there (see AgentOptions.journal). */
  journalDirectory?: string;
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
  private readonly breakpoints = new Map<string, { id: string; wish: MergedBreakpoint; locations: ScriptLocation[] }>();
  private readonly byInspectorId = new Map<string, MergedBreakpoint>();
  private syncing: Promise<void> = Promise.resolve();
  /** The breakpoints asked for last; set in the process once `start` has enabled its debugger. */
  private wanted: readonly MergedBreakpoint[] = [];
  private breakpointsSettable = false;
  /** Script ids to URLs: call frames carry only the id. */
  private readonly scripts = new Map<string, string>();
  private paused = false;
  /** Counts pauses and resumes, to tell whether a pause is still the current one. */
  private pauses = 0;
  /** The preload, once `start` knows it: it and our evaluated scripts are our instrumentation. */
  private preloadPath: string | undefined;
  private readonly pauseControl: PauseControl;
  /** The process's own (main) execution context; the others are vm contexts. */
  private defaultContextId: number | undefined;

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
    this.pauseControl = new PauseControl({
      cdp,
      isPaused: () => this.paused,
      urlOf: (frame) => this.scripts.get(frame.location.scriptId) ?? frame.url,
      isInstrumentation: (url) => this.preloadPath !== undefined && isInstrumentationUrl(url, this.preloadPath),
    });
  }

  static async connect(identity: ProcessIdentity, options: { promptAcknowledgement?: boolean } = {}): Promise<ProcessSession> {
    const cdp = await CdpSession.connect(identity.webSocketUrl, options);
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

  /**
   * True once the release has been sent: from then on the process may run its code, and a
   * breakpoint asked for later is set as soon as it can be, not before the process goes on.
   */
  get isReleased(): boolean {
    return this.released;
  }

  private released = false;

  get isPaused(): boolean {
    return this.paused;
  }

  /** Resolves true once the session is closed, false if it is still open after `milliseconds`. */
  async closedWithin(milliseconds: number): Promise<boolean> {
    return this.isClosed || (await firedWithin(this.onClosed, milliseconds)) || this.isClosed;
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
    this.wanted = breakpoints;
    this.listenToRuntime();
    this.disposables.add(cdp.onBreakpointResolved((event) => this.onResolved(event.breakpointId, [event.location])));
    this.disposables.add(cdp.onScriptParsed((event) => this.scripts.set(event.scriptId, event.url)));
    this.disposables.add(
      cdp.onPaused((event) => {
        if (!this.pauseControl.accept(event)) {
          return; // a pause taken back, let go unseen
        }
        this.paused = true;
        void this.reportPause(event, ++this.pauses);
      }),
    );
    this.disposables.add(
      cdp.onResumed(() => {
        this.paused = false;
        // What a debugger looked at while paused (variables, evaluations, claims) is let go, as
        // DAP's variable references end with the pause.
        this.debug.releaseObjects().catch((error: unknown) => {
          if (!this.cdp.isClosed) {
            this.problemEmitter.fire({ process: this.identity, siteId: 'debugger', message: `could not release the objects of the last pause: ${messageOf(error)}` });
          }
        });
        this.pauses += 1;
        this.resumedEmitter.fire(this.identity);
      }),
    );

    // Sent in batches, not one round trip each: the inspector handles a connection's commands in
    // order, so each still finds what the earlier ones set up, and a process waits at its gate
    // for two or three round trips instead of one per command.
    const domains: Array<Promise<unknown>> = [cdp.enableRuntime(), cdp.enableDebugger()];
    if (debugging.preloadPath !== undefined) {
      this.preloadPath = debugging.preloadPath;
      domains.push(cdp.setBlackboxPatterns(instrumentationPatterns(debugging.preloadPath)));
    }
    if (debugging.pauseOnExceptions && debugging.pauseOnExceptions !== 'none') {
      domains.push(this.debug.setPauseOnExceptions(debugging.pauseOnExceptions));
    }
    if (debugging.guest) {
      // Answered before anything else is installed: a process another session holds is refused.
      domains.push(installGuestIn(cdp, this.identity.pid, debugging.guest).then(() => (this.guestInstalled = true)));
      await settleAll(domains);
      domains.length = 0;
    }
    const installs = domains;
    if (debugging.captureOutput) {
      installs.push(this.installOutputCapture(debugging.captureOutput === 'redirect'));
    }
    if (tracking) {
      installs.push(this.installAgent(flushMilliseconds, debugging.journalDirectory));
    }
    // The latest wish: breakpoints asked for while this process attached are among them.
    this.breakpointsSettable = true;
    installs.push(this.setBreakpoints(this.wanted));
    await settleAll(installs);
  }

  /** Reports through the agent's binding, and the end of the process (see below). */
  private listenToRuntime(): void {
    const cdp = this.cdp;
    this.disposables.add(cdp.onBindingCalled((event) => this.onBinding(event)));
    // A finished process waits for its debugger to go ("Waiting for the debugger to
    // disconnect…"): let it go at once. Only its own context counts: vm contexts (template
    // engines, jsdom) are destroyed whenever they are collected, and the process goes on.
    // Runtime.enable announces the contexts that exist, the default one among them.
    this.disposables.add(
      cdp.onExecutionContextCreated(({ context }) => {
        const isDefault = (context.auxData as { isDefault?: boolean } | undefined)?.isDefault === true;
        if (isDefault || this.defaultContextId === undefined) {
          this.defaultContextId = context.id;
        }
      }),
    );
    this.disposables.add(
      cdp.onExecutionContextDestroyed(({ executionContextId }) => {
        if (executionContextId === this.defaultContextId) {
          void this.close();
        }
      }),
    );
    this.disposables.add(cdp.onClose(() => this.markClosed()));
  }

  /**
   * Connects to a process of a planned launch (launch/launchPlan.ts), which set its breakpoints
   * and installed its agent itself and runs already: only the Runtime domain (its end, the
   * default context's destruction, is when the session closes), the binding, and the agent told
   * to report through it, in one round trip. When it resolves, everything the process recorded
   * until then has been emitted. When it fails the session
   * is closed: a process that could not be set up must not wait for this session at its exit.
   */
  async observe(journalDirectory: string): Promise<void> {
    const cdp = this.cdp;
    this.listenToRuntime();
    this.journal = path.join(journalDirectory, `${this.identity.pid}.events`);
    const expression = `(() => { const agent = ${agentExpression}; return agent ? agent.connect(${JSON.stringify(this.bindingName)}) : undefined; })()`;
    // In this order, in one batch: the inspector handles them in the order they are sent. The
    // last lets a process started with --inspect-brk go on, as `release` does.
    const batch = [cdp.enableRuntime(), cdp.addBinding(this.bindingName)];
    const answer = cdp.evaluateValue(expression, (exception) => ({
      code: 'E_AGENT_CONNECT',
      message: `Could not connect to the stage tracker of pid ${this.identity.pid}: ${exception.exception?.description ?? exception.text}`,
    }));
    batch.push(cdp.runIfWaitingForDebugger());
    try {
      await settleAll([...batch, answer]);
    } catch (error) {
      // Most often its code has run to the end meanwhile, and it waits for its debuggers to go.
      await this.close();
      throw error;
    }
    this.released = true;
  }

  /**
   * Reports a pause with the owners of the breakpoints it hit. A breakpoint can be hit before the
   * answer that names its id is read (both come in one packet while breakpoints are being set):
   * then the owners are known once the breakpoints in flight are set.
   */
  private async reportPause(event: InspectorPausedEvent, pause: number): Promise<void> {
    const hit = event.hitBreakpoints ?? [];
    if (hit.some((id) => !this.byInspectorId.has(id))) {
      await this.syncing;
      if (pause !== this.pauses) {
        return; // it resumed meanwhile: that pause is over
      }
    }
    const stopOwners = hit.flatMap((id) => this.byInspectorId.get(id)?.stopOwners ?? []);
    this.pausedEmitter.fire({ process: this.identity, reason: event.reason, stopOwners, callFrames: event.callFrames, data: event.data as RemoteObject | undefined });
  }

  private async installOutputCapture(redirect: boolean): Promise<void> {
    const options = { bindingName: this.outputBindingName, redirect };
    const expression = `(${installOutputCapture.toString()})(${JSON.stringify(options)})${sourceUrlComment(outputCaptureSourceUrl)}`;
    // The evaluation goes out right behind the binding, without waiting for its answer.
    await settleAll([
      this.cdp.addBinding(this.outputBindingName),
      this.cdp.evaluateValue(expression, (exception) => ({ code: 'E_OUTPUT_CAPTURE', message: `Could not capture the output of pid ${this.identity.pid}: ${exception.text}` })),
    ]);
  }

  private async installAgent(flushMilliseconds: AgentOptions['flushMilliseconds'], journalDirectory: string | undefined): Promise<void> {
    const cdp = this.cdp;
    this.journal = journalDirectory === undefined ? undefined : path.join(journalDirectory, `${this.identity.pid}.events`);
    const options: AgentOptions = { bindingName: this.bindingName, role: this.identity.role, flushMilliseconds, journal: this.journal };
    const expression = `(${installAgent.toString()})(${JSON.stringify(options)})${sourceUrlComment(agentSourceUrl)}`;
    // The evaluation goes out right behind the binding, without waiting for its answer.
    await settleAll([
      cdp.addBinding(this.bindingName),
      cdp.evaluateValue(expression, (exception) => ({
        code: 'E_AGENT_INSTALL',
        message: `Could not install the stage tracker in pid ${this.identity.pid}: ${exception.exception?.description ?? exception.text}`,
      })),
    ]);
  }

  /** Lets a process that waits in the preload's gate run. Safe to call for a process not waiting. */
  async release(): Promise<void> {
    // Breakpoints asked for while attaching must be in place before the process's code runs,
    // those asked for while earlier ones were being set too.
    for (let settled: Promise<void> | undefined; settled !== this.syncing; ) {
      settled = this.syncing;
      await settled;
    }
    const expression = `(() => { const gate = globalThis[Symbol.for('cluster-tour.preload')]; return gate ? gate.release() : 'no gate'; })()`;
    // Both sent in the same turn as the check above, so no breakpoint change can slip in between.
    this.released = true;
    await settleAll([
      // For a process started with --inspect-brk; the preload's gate does not wait for it.
      this.cdp.runIfWaitingForDebugger(),
      // Last (the inspector keeps the order), so that the process goes on as from Node's own wait.
      this.cdp.evaluate({ expression, returnByValue: true, silent: true }),
    ]);
  }

  /**
   * Makes this process's breakpoints equal to `wanted`, changing only what differs. While the
   * process attaches, the wish is kept and `start` sets it before the process is released.
   */
  setBreakpoints(wanted: readonly MergedBreakpoint[]): Promise<void> {
    this.wanted = wanted;
    if (!this.breakpointsSettable) {
      return Promise.resolve();
    }
    // The latest wish when its turn comes: a wish queued behind a newer one changes nothing.
    const run = this.syncing.then(() => this.applyBreakpoints(this.wanted));
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
    const expression = `(() => { const agent = ${agentExpression}; return agent ? agent.reportUntilNow() : ${monotonicMillisecondsExpression}; })()`;
    try {
      const answer = await this.cdp.evaluate({ expression, returnByValue: true, silent: true });
      return typeof answer.result.value === 'number' ? answer.result.value : undefined;
    } catch (error) {
      if (this.cdp.isClosed) {
        return undefined;
      }
      throw error;
    }
  }

  /** Resumes the process; a pause asked for that has not landed yet is taken back instead. */
  async resume(): Promise<void> {
    if (await this.pauseControl.cancel()) {
      return;
    }
    await this.cdp.resume();
  }

  /** True from a pause asked for until it lands or a resume takes it back. */
  get isPausing(): boolean {
    return this.pauseControl.isPausing;
  }

  /** Paused, or a pause asked for is on its way: what a continue resumes (or takes back). */
  get isPausedOrPausing(): boolean {
    return this.paused || this.pauseControl.isPausing;
  }

  /** Pauses the process, idle in its event loop or not (see PauseControl). */
  async pause(idleMilliseconds = 150): Promise<void> {
    await this.pauseControl.pause(idleMilliseconds);
  }

  /**
   * Leaves the process as it was (attach): the guest undoes the agent, the output capture and the
   * environment, the bindings go, then the connection closes. A process that cannot be reached is
   * told by its own guest, which sees the session end.
   */
  async detach(): Promise<void> {
    if (this.guestInstalled && !this.cdp.isClosed) {
      try {
        await uninstallGuestFrom(this.cdp, [this.bindingName, this.outputBindingName]);
      } catch (error) {
        this.problemEmitter.fire({ process: this.identity, siteId: 'detach', message: `could not undo the instrumentation: ${messageOf(error)}` });
      }
    }
    await this.close();
  }

  private guestInstalled = false;

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
      this.readJournal();
      this.closedEmitter.fire(this.identity);
    }
  }

  /** The journal file of the agent (AgentOptions.journal), while it has one. */
  private journal: string | undefined;
  /** The number of the last journaled event taken, from a report or from the journal. */
  private lastJournaled = 0;

  /** Takes the rare events whose report never came (the process was killed first), then removes the file. */
  private readJournal(): void {
    const journal = this.journal;
    if (journal === undefined) {
      return;
    }
    this.journal = undefined;
    try {
      this.takeBatch(takeJournal(journal));
    } catch (error) {
      this.problemEmitter.fire({ process: this.identity, siteId: 'agent', message: messageOf(error) });
    }
  }

  private async applyBreakpoints(wanted: readonly MergedBreakpoint[]): Promise<void> {
    if (this.cdp.isClosed) {
      return;
    }
    const wantedByKey = new Map(wanted.map((wish) => [wish.key, wish]));
    // Removals, then additions, in one batch (see start()): a changed condition is a removal and
    // an addition at the same location (the inspector refuses two there), and a running process
    // must not pass that location between the two. Sent in the same turn, they are handled
    // together; waiting for the removal's answer first left the location bare for a round trip.
    const removals: Array<Promise<unknown>> = [];
    for (const [key, existing] of [...this.breakpoints]) {
      const wish = wantedByKey.get(key);
      if (!wish || wish.condition !== existing.wish.condition) {
        this.breakpoints.delete(key);
        this.byInspectorId.delete(existing.id);
        removals.push(this.cdp.removeBreakpoint(existing.id));
      } else {
        existing.wish = wish;
        this.byInspectorId.set(existing.id, wish);
        // Owners that joined a breakpoint already bound learn where it is.
        this.onResolved(existing.id, []);
      }
    }
    const additions = wanted
      .filter((wish) => !this.breakpoints.has(wish.key))
      .map(async (wish) => {
        const { location } = wish;
        const result = await this.cdp.setBreakpointByUrl({
          ...(location.urlIsRegex ? { urlRegex: location.url } : { url: location.url }),
          lineNumber: location.lineNumber,
          columnNumber: location.columnNumber,
          condition: wish.condition,
        });
        this.breakpoints.set(wish.key, { id: result.breakpointId, wish, locations: [] });
        this.byInspectorId.set(result.breakpointId, wish);
        this.onResolved(result.breakpointId, result.locations);
      });
    await settleAll([...removals, ...additions]);
  }

  private onResolved(breakpointId: string, locations: readonly ScriptLocation[]): void {
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

  private onBinding(event: BindingCalledEvent): void {
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
    this.takeBatch(batch);
  }

  private takeBatch(batch: AgentBatch): void {
    const fresh = batch.filter(([, , , number]) => {
      if (number === undefined) return true;
      if (number <= this.lastJournaled) return false; // already taken from the other path
      this.lastJournaled = number;
      return true;
    });
    for (const item of reportedItems(this.identity, fresh)) {
      if ('problem' in item) {
        this.problemEmitter.fire(item.problem);
      } else {
        this.stageEmitter.fire(item.event);
      }
    }
  }
}

/** What an agent's report (or journal) says: lifecycle events, and problems of its tracepoints. */
export function reportedItems(identity: ProcessIdentity, batch: AgentBatch): Array<{ event: AnyLifecycleEvent } | { problem: AgentProblem }> {
  const { pid, role, workerId } = identity;
  const items: Array<{ event: AnyLifecycleEvent } | { problem: AgentProblem }> = [];
  for (const [stage, time, detail] of batch) {
    if (stage === 'agent-error') {
      const problem = detail as { siteId: string; message: string };
      items.push({ problem: { process: identity, siteId: problem.siteId, message: problem.message } });
    } else if (knownStages.has(stage)) {
      items.push({ event: { stage: stage as StageName, process: role, workerId, pid, time, detail } as AnyLifecycleEvent });
    }
  }
  return items;
}

/**
 * The entries of an agent's journal (AgentOptions.journal), then removes the file: none when the
 * process journaled nothing. A last line cut short (the process killed while it wrote) is left out.
 */
export function takeJournal(journal: string): AgentBatch {
  let text: string;
  try {
    text = fs.readFileSync(journal, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return []; // nothing rare was recorded
    }
    throw new ClusterTourError('E_JOURNAL', `Could not read the journal ${journal}: ${messageOf(error)}`);
  }
  const entries: AgentBatch = [];
  for (const line of text.split('\n')) {
    try {
      if (line !== '') entries.push(JSON.parse(line) as AgentBatch[number]);
    } catch {
      // The last line of a process killed while it wrote: what it held was never complete.
      break;
    }
  }
  fs.rmSync(journal, { force: true });
  return entries;
}

/**
 * Waits for every command of a batch, then fails with the first failure: none is left without a
 * handler, and nothing that follows runs while a command of the batch is still in flight.
 */
async function settleAll(batch: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(batch);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    throw failure.reason;
  }
}
