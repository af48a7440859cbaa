// Deciding a stop's claims: `process` and `expression` claims in the paused frame (through the
// process's debug operations), `next-stage` claims from the lifecycle events recorded after it.
import { isDeepStrictEqual } from 'node:util';
import { monotonicMilliseconds, monotonicMillisecondsExpression } from '../../common/clock';
import type { AnyLifecycleEvent } from '../../common/stages';
import { messageOf } from '../../common/errors';
import { agentExpression } from '../agent/agent';
import type { DebugOperations } from '../session/debugOperations';
import type { ProcessIdentity } from '../session/processSession';
import type { Claim } from './tour';

/** A claim in words, as the adapter's tour event and the terminal tour show it. */
export function describeClaim(claim: Claim): string {
  switch (claim.kind) {
    case 'process':
      return claim.role === 'primary' ? 'paused in the primary' : `paused in ${claim.workerId === undefined ? 'a worker' : `worker ${claim.workerId}`}`;
    case 'expression':
      return claim.description;
    case 'next-stage':
      return claim.description ?? `the next lifecycle event is ${claim.stage}`;
    default:
      return `a claim of kind "${(claim as { kind?: unknown }).kind}"`;
  }
}

export interface ClaimResult {
  claim: Claim;
  /** `undefined` while a `next-stage` claim waits for the events after resuming. */
  ok: boolean | undefined;
  /** What was found: the role and worker id, the expression's value, the next stage recorded. */
  actual: unknown;
}


/** Reads the paused process's clock (the shared one the agent stamps with), then sends every event it recorded up to now. */
export async function clockAndFlush(debug: DebugOperations, callFrameId: string): Promise<number> {
  const clock = await debug.evaluateOnCallFrame(callFrameId, monotonicMillisecondsExpression, true);
  // Events recorded before this pause would otherwise wait for a timer that cannot fire while
  // the process is paused.
  await debug.evaluateOnCallFrame(callFrameId, `void (${agentExpression} && ${agentExpression}.flush())`, true);
  return typeof clock.result.value === 'number' ? clock.result.value : monotonicMilliseconds();
}

export function checkProcessClaim(claim: Extract<Claim, { kind: 'process' }>, process: ProcessIdentity): ClaimResult {
  const actual = { role: process.role, workerId: process.workerId };
  const ok = claim.role === process.role && (claim.workerId === undefined || claim.workerId === process.workerId);
  return { claim, ok, actual };
}

/** What an expression claim expects on the Node running the program (`v22.23.3`; undefined: `expected`). */
export function expectedOn(claim: Extract<Claim, { kind: 'expression' }>, nodeVersion: string | undefined): unknown {
  const major = nodeVersion === undefined ? Number.NaN : Number(/^v?(\d+)/.exec(nodeVersion)?.[1]);
  let expected = claim.expected;
  for (const entry of claim.expectedByNode ?? []) {
    if (major >= entry.fromMajor) expected = entry.expected;
  }
  return expected;
}

export async function checkExpressionClaim(
  claim: Extract<Claim, { kind: 'expression' }>,
  debug: DebugOperations,
  callFrameId: string,
  nodeVersion?: string,
): Promise<ClaimResult> {
  try {
    const actual = await evaluateValue(debug, callFrameId, claim.expression);
    return { claim, ok: isDeepStrictEqual(actual, expectedOn(claim, nodeVersion)), actual };
  } catch (error) {
    return { claim, ok: false, actual: `threw: ${messageOf(error)}` };
  }
}

/** The value of an expression in a paused frame; objects come back through JSON. */
async function evaluateValue(debug: DebugOperations, callFrameId: string, expression: string): Promise<unknown> {
  const answer = await debug.evaluateOnCallFrame(callFrameId, `(${expression})`, true);
  if (answer.exceptionDetails) {
    // The first line is the error; the rest is a stack through Node's internals.
    throw new Error((answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text).split('\n')[0]);
  }
  const { result } = answer;
  if (result.type === 'undefined') {
    return undefined;
  }
  if (result.type !== 'object' || result.subtype === 'null') {
    return 'value' in result ? result.value : result.unserializableValue;
  }
  const json = await debug.evaluateOnCallFrame(callFrameId, `JSON.stringify(${expression})`, true);
  if (json.exceptionDetails || typeof json.result.value !== 'string') {
    return `[${result.description ?? result.className ?? 'object'}]`;
  }
  return JSON.parse(json.result.value) as unknown;
}

/** Where and since when the events that may answer a `next-stage` claim come from. */
export interface NextStageWindow {
  /** The paused process. */
  process: ProcessIdentity;
  /** The clock when it paused: its own events after this count. */
  pausedAt: number;
  /** The clock when we resumed it: other processes' events after this count. */
  resumedAt: number;
}

/** True when `event` is one a `next-stage` claim looks at. */
export function isCandidate(claim: Extract<Claim, { kind: 'next-stage' }>, window: NextStageWindow, event: AnyLifecycleEvent): boolean {
  const own = event.pid === window.process.pid;
  if (event.time <= (own ? window.pausedAt : window.resumedAt)) {
    return false;
  }
  if (claim.role === undefined) {
    return own;
  }
  if (event.process !== claim.role) {
    return false;
  }
  if (claim.role === 'worker') {
    if (claim.workerId !== undefined) {
      return event.workerId === claim.workerId;
    }
    return window.process.role === 'worker' ? own : true;
  }
  return true;
}

/** The first of the candidates, by the time each process stamped: they arrive in no causal order. */
export function decideNextStage(claim: Extract<Claim, { kind: 'next-stage' }>, candidates: readonly AnyLifecycleEvent[]): ClaimResult {
  if (candidates.length === 0) {
    return { claim, ok: false, actual: 'no lifecycle event was recorded after this stop' };
  }
  const first = [...candidates].sort((a, b) => a.time - b.time)[0];
  return { claim, ok: first.stage === claim.stage, actual: { stage: first.stage, process: first.process, workerId: first.workerId, detail: first.detail } };
}
