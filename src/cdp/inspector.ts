// What Cluster Tour asks of a Node inspector, as typed calls: running and pausing, breakpoints,
// evaluating, objects, scripts and bindings. With session.ts, the only place that names the
// protocol's methods and events; every failure names the method that failed (ClusterTourError.cdpMethod).
import type { Disposable } from '../common/disposable';
import { ClusterTourError } from '../common/errors';
import type {
  BindingCalledEvent,
  BreakpointResolvedEvent,
  CallFunctionOnParams,
  CallFunctionOnResult,
  CommandName,
  CommandParams,
  CommandResult,
  EvaluateOnCallFrameParams,
  EvaluateOnCallFrameResult,
  EvaluateParams,
  EvaluateResult,
  EventName,
  EventParams,
  ExceptionDetails,
  ExecutionContextCreatedEvent,
  ExecutionContextDestroyedEvent,
  GetPropertiesParams,
  GetPropertiesResult,
  PausedEvent,
  ScriptParsedEvent,
  SetBreakpointByUrlParams,
  SetBreakpointByUrlResult,
} from './protocol';

/** What the caller says when an evaluation throws: its error code and message, given the exception. */
export type EvaluationFailure = (exception: ExceptionDetails) => { code: string; message: string };

/** The protocol's commands and events by name; a connection (CdpSession) carries them. */
export abstract class InspectorCommands {
  protected abstract send<M extends CommandName>(method: M, ...params: CommandParams<M>): Promise<CommandResult<M>>;
  protected abstract on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): Disposable;

  // Runtime

  async enableRuntime(): Promise<void> {
    await this.send('Runtime.enable');
  }

  /** Lets a process started with --inspect-brk (or waiting in Node's own wait) run. */
  async runIfWaitingForDebugger(): Promise<void> {
    await this.send('Runtime.runIfWaitingForDebugger');
  }

  evaluate(params: EvaluateParams): Promise<EvaluateResult> {
    return this.send('Runtime.evaluate', params);
  }

  /**
   * Evaluates `expression` in the process's global context and returns its value (by value,
   * silently). An expression that throws becomes the caller's error, naming Runtime.evaluate.
   */
  async evaluateValue(expression: string, failure: EvaluationFailure): Promise<unknown> {
    const answer = await this.send('Runtime.evaluate', { expression, returnByValue: true, silent: true });
    if (answer.exceptionDetails) {
      const { code, message } = failure(answer.exceptionDetails);
      throw new ClusterTourError(code, message, 'Runtime.evaluate');
    }
    return answer.result.value;
  }

  callFunctionOn(params: CallFunctionOnParams): Promise<CallFunctionOnResult> {
    return this.send('Runtime.callFunctionOn', params);
  }

  getProperties(params: GetPropertiesParams): Promise<GetPropertiesResult> {
    return this.send('Runtime.getProperties', params);
  }

  async releaseObjectGroup(objectGroup: string): Promise<void> {
    await this.send('Runtime.releaseObjectGroup', { objectGroup });
  }

  /** A global function in the process whose calls come back as onBindingCalled. */
  async addBinding(name: string): Promise<void> {
    await this.send('Runtime.addBinding', { name });
  }

  async removeBinding(name: string): Promise<void> {
    await this.send('Runtime.removeBinding', { name });
  }

  onBindingCalled(listener: (event: BindingCalledEvent) => void): Disposable {
    return this.on('Runtime.bindingCalled', listener);
  }

  onExecutionContextCreated(listener: (event: ExecutionContextCreatedEvent) => void): Disposable {
    return this.on('Runtime.executionContextCreated', listener);
  }

  onExecutionContextDestroyed(listener: (event: ExecutionContextDestroyedEvent) => void): Disposable {
    return this.on('Runtime.executionContextDestroyed', listener);
  }

  // Debugger

  async enableDebugger(): Promise<void> {
    await this.send('Debugger.enable', {});
  }

  /** Scripts whose URL matches one of the patterns are stepped over and never paused in. */
  async setBlackboxPatterns(patterns: string[]): Promise<void> {
    await this.send('Debugger.setBlackboxPatterns', { patterns });
  }

  async setPauseOnExceptions(state: 'none' | 'caught' | 'uncaught' | 'all'): Promise<void> {
    await this.send('Debugger.setPauseOnExceptions', { state });
  }

  async pause(): Promise<void> {
    await this.send('Debugger.pause');
  }

  /** Turns every breakpoint off or on; turning them off also withdraws a pause not yet landed. */
  async setBreakpointsActive(active: boolean): Promise<void> {
    await this.send('Debugger.setBreakpointsActive', { active });
  }

  async resume(): Promise<void> {
    await this.send('Debugger.resume', {});
  }

  async stepOver(): Promise<void> {
    await this.send('Debugger.stepOver', {});
  }

  async stepInto(): Promise<void> {
    await this.send('Debugger.stepInto', {});
  }

  async stepOut(): Promise<void> {
    await this.send('Debugger.stepOut');
  }

  setBreakpointByUrl(params: SetBreakpointByUrlParams): Promise<SetBreakpointByUrlResult> {
    return this.send('Debugger.setBreakpointByUrl', params);
  }

  async removeBreakpoint(breakpointId: string): Promise<void> {
    await this.send('Debugger.removeBreakpoint', { breakpointId });
  }

  async getScriptSource(scriptId: string): Promise<string> {
    return (await this.send('Debugger.getScriptSource', { scriptId })).scriptSource;
  }

  evaluateOnCallFrame(params: EvaluateOnCallFrameParams): Promise<EvaluateOnCallFrameResult> {
    return this.send('Debugger.evaluateOnCallFrame', params);
  }

  onPaused(listener: (event: PausedEvent) => void): Disposable {
    return this.on('Debugger.paused', listener);
  }

  onResumed(listener: () => void): Disposable {
    return this.on('Debugger.resumed', listener);
  }

  onScriptParsed(listener: (event: ScriptParsedEvent) => void): Disposable {
    return this.on('Debugger.scriptParsed', listener);
  }

  onBreakpointResolved(listener: (event: BreakpointResolvedEvent) => void): Disposable {
    return this.on('Debugger.breakpointResolved', listener);
  }
}
