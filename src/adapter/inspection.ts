// Looking into paused processes for the debug session: stack frames, scopes, variables,
// evaluation and script sources, answered from the frame and variable tables and the runtime.
import { Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ClusterTourError } from '../common/errors';
import type { ProcessSession } from '../cluster/session/processSession';
import type { ClusterRuntime } from '../cluster/runtime';
import { idleSourceUrl } from '../cluster/session/instrumentation';
import type { FrameTable } from './frames';
import { describe, type VariableTable } from './variables';

/** The inspector's 0-based lines and columns in the client's numbering. */
export interface ClientPositions {
  line(debuggerLine: number): number;
  column(debuggerColumn: number): number;
}

export class Inspection {
  constructor(
    private readonly frames: FrameTable,
    private readonly variables: VariableTable,
    private readonly positions: ClientPositions,
    /** The runtime being debugged, or an error that says none is. */
    private readonly runtime: () => ClusterRuntime,
  ) {}

  stackTrace(pid: number, args: DebugProtocol.StackTraceArguments): DebugProtocol.StackTraceResponse['body'] {
    const all = this.frames.framesOf(pid);
    const start = args.startFrame ?? 0;
    const shown = all.slice(start, args.levels ? start + args.levels : undefined);
    return {
      totalFrames: all.length,
      stackFrames: shown.map(({ id, record }) => ({
        id,
        name: record.url === idleSourceUrl ? 'idle: waiting in the event loop' : record.frame.functionName || '(anonymous)',
        source: this.frames.source(record.url, pid, record.frame.location.scriptId),
        line: this.positions.line(record.frame.location.lineNumber),
        column: this.positions.column(record.frame.location.columnNumber ?? 0),
      })),
    };
  }

  scopes(args: DebugProtocol.ScopesArguments): DebugProtocol.ScopesResponse['body'] {
    const record = this.frames.frame(args.frameId);
    if (!record) {
      throw new ClusterTourError('E_STALE_FRAME', 'This frame belongs to a pause that has ended.');
    }
    return {
      scopes: record.frame.scopeChain.map((scope, index) => {
        const reference = this.variables.scope(record.pid, scope.object, index === 0 ? record.frame.this : undefined);
        const name = scope.type.charAt(0).toUpperCase() + scope.type.slice(1) + (scope.name ? ` (${scope.name})` : '');
        return new Scope(name, reference, scope.type === 'global');
      }),
    };
  }

  async variablesOf(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.VariablesResponse['body']> {
    const handle = this.variables.handle(args.variablesReference);
    const session = this.requireSession(handle.pid);
    return { variables: await this.variables.children(session.debug, args) };
  }

  /** Evaluates in a frame, or (without one) globally in `defaultPid`. */
  async evaluate(args: DebugProtocol.EvaluateArguments, defaultPid: () => number): Promise<DebugProtocol.EvaluateResponse['body']> {
    const silent = args.context === 'hover' || args.context === 'watch';
    const record = args.frameId !== undefined ? this.frames.frame(args.frameId) : undefined;
    const pid = record?.pid ?? defaultPid();
    const session = this.requireSession(pid);
    const answer = record
      ? await session.debug.evaluateOnCallFrame(record.frame.callFrameId, args.expression, silent)
      : await session.debug.evaluate(args.expression, silent);
    if (answer.exceptionDetails) {
      throw new ClusterTourError('E_EVALUATE', answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text);
    }
    const variable = this.variables.variable(pid, args.expression, answer.result);
    return { result: describe(answer.result), type: variable.type, variablesReference: variable.variablesReference, indexedVariables: variable.indexedVariables };
  }

  /** A script's text, from the process that compiled it or any other that has it. */
  async source(args: DebugProtocol.SourceArguments): Promise<DebugProtocol.SourceResponse['body']> {
    const reference = args.source?.sourceReference || args.sourceReference;
    const record = this.frames.sourceOf(reference);
    const url = record?.url ?? (args.source ? this.frames.urlOf(args.source) : undefined);
    if (url === undefined) {
      throw new ClusterTourError('E_UNKNOWN_SOURCE', 'This source is no longer available: its process has exited.');
    }
    const runtime = this.runtime();
    const candidates = [record?.pid, ...runtime.processes().map((identity) => identity.pid)];
    for (const pid of candidates) {
      const session = pid === undefined ? undefined : runtime.session(pid);
      const scriptId = session && (url === '' && pid === record?.pid ? record?.scriptId : session.scriptIdOf(url));
      if (session && scriptId) {
        return { content: await session.debug.getScriptSource(scriptId), mimeType: 'text/javascript' };
      }
    }
    throw new ClusterTourError('E_UNKNOWN_SOURCE', `No debugged process has loaded ${url || 'this script'}.`);
  }

  /** The inspector session of an attached process, or an error that says it went away. */
  requireSession(pid: number): ProcessSession {
    const session = this.runtime().session(pid);
    if (!session) {
      throw new ClusterTourError('E_NO_PROCESS', `Process ${pid} is no longer attached.`);
    }
    return session;
  }
}
