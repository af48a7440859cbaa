// The DevTools-protocol types the rest of Cluster Tour sees, named once: only src/cdp/ imports
// devtools-protocol, and the other layers take these names from here.
import type Protocol from 'devtools-protocol';
import type ProtocolMapping from 'devtools-protocol/types/protocol-mapping';

export type CommandName = keyof ProtocolMapping.Commands;
export type CommandParams<M extends CommandName> = ProtocolMapping.Commands[M]['paramsType'];
export type CommandResult<M extends CommandName> = ProtocolMapping.Commands[M]['returnType'];
export type EventName = keyof ProtocolMapping.Events;
export type EventParams<E extends EventName> = ProtocolMapping.Events[E][0];

/** A value in the debugged process: by value (primitives, `returnByValue`) or by object id. */
export type RemoteObject = Protocol.Runtime.RemoteObject;
/** A frame of a paused process's stack. */
export type CallFrame = Protocol.Debugger.CallFrame;
/** A place in a script the process compiled: script id, 0-based line and column. */
export type ScriptLocation = Protocol.Debugger.Location;
/** Why an evaluation threw, as the inspector tells it. */
export type ExceptionDetails = Protocol.Runtime.ExceptionDetails;

export type EvaluateParams = Protocol.Runtime.EvaluateRequest;
export type EvaluateResult = Protocol.Runtime.EvaluateResponse;
export type EvaluateOnCallFrameParams = Protocol.Debugger.EvaluateOnCallFrameRequest;
export type EvaluateOnCallFrameResult = Protocol.Debugger.EvaluateOnCallFrameResponse;
export type CallFunctionOnParams = Protocol.Runtime.CallFunctionOnRequest;
export type CallFunctionOnResult = Protocol.Runtime.CallFunctionOnResponse;
export type GetPropertiesParams = Protocol.Runtime.GetPropertiesRequest;
export type GetPropertiesResult = Protocol.Runtime.GetPropertiesResponse;
export type SetBreakpointByUrlParams = Protocol.Debugger.SetBreakpointByUrlRequest;
export type SetBreakpointByUrlResult = Protocol.Debugger.SetBreakpointByUrlResponse;

export type PausedEvent = Protocol.Debugger.PausedEvent;
export type ScriptParsedEvent = Protocol.Debugger.ScriptParsedEvent;
export type BreakpointResolvedEvent = Protocol.Debugger.BreakpointResolvedEvent;
export type BindingCalledEvent = Protocol.Runtime.BindingCalledEvent;
export type ExecutionContextCreatedEvent = Protocol.Runtime.ExecutionContextCreatedEvent;
export type ExecutionContextDestroyedEvent = Protocol.Runtime.ExecutionContextDestroyedEvent;
