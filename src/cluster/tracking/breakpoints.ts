// Merges everything that wants a breakpoint at one place (tracepoints that record a stage, stops
// of presets, a person's breakpoints) into one conditional breakpoint per location, because the
// inspector refuses two breakpoints at the same location.
import type { ProcessRole } from '../../common/stages';
import { agentExpression } from '../agent/agent';

export interface SourceLocation {
  /** Script URL (`node:net`, `file:///…`) or, with `urlRegex`, a pattern. */
  url: string;
  urlIsRegex?: boolean;
  lineNumber: number;
  columnNumber?: number;
}

/** One wish for a breakpoint. Several at the same location become one breakpoint. */
export type BreakpointPart =
  | { kind: 'trace'; owner: string; location: SourceLocation; roles?: readonly ProcessRole[]; code: string }
  | { kind: 'stop'; owner: string; location: SourceLocation; roles?: readonly ProcessRole[]; condition?: string };

export interface MergedBreakpoint {
  key: string;
  location: SourceLocation;
  condition: string | undefined;
  /** Owners of the stops here: when the process pauses here, these are why. */
  stopOwners: string[];
}

export function locationKey(location: SourceLocation): string {
  return `${location.urlIsRegex ? 're:' : ''}${location.url}:${location.lineNumber}:${location.columnNumber ?? 0}`;
}

/** The breakpoints one process of the given role should have. Deterministic order. */
export function mergeBreakpoints(parts: readonly BreakpointPart[], role: ProcessRole): MergedBreakpoint[] {
  const byKey = new Map<string, { location: SourceLocation; traces: string[]; stops: Array<{ owner: string; condition?: string }> }>();
  for (const part of parts) {
    if (part.roles && !part.roles.includes(role)) {
      continue;
    }
    const key = locationKey(part.location);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { location: part.location, traces: [], stops: [] };
      byKey.set(key, entry);
    }
    if (part.kind === 'trace') {
      entry.traces.push(guardTrace(part.owner, part.code));
    } else {
      entry.stops.push({ owner: part.owner, condition: part.condition });
    }
  }
  return [...byKey.entries()]
    // By code point: any fixed order will do, and localeCompare's collator cost the tracer tens
    // of milliseconds at start-up.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, entry]) => ({
      key,
      location: entry.location,
      condition: combine(entry.traces, entry.stops),
      stopOwners: entry.stops.map((stop) => stop.owner),
    }));
}

function guardTrace(owner: string, code: string): string {
  // A throwing condition is silently false in V8: catch here and report it once instead.
  return `try { ${code} } catch (error) { ${agentExpression}.fail(${JSON.stringify(owner)}, error); }`;
}

/**
 * A condition is evaluated like a script: its value is the completion value of the last
 * statement, so traces run first and the block's last statement decides whether to pause.
 * Every stop's condition is evaluated, even once one of them (or an unconditional stop) already
 * decided to pause: a logpoint is a condition that logs and answers false, and it must still log.
 */
function combine(traces: readonly string[], stops: ReadonlyArray<{ condition?: string }>): string | undefined {
  const conditional = stops.filter((stop) => stop.condition);
  if (traces.length === 0 && conditional.length === 0) {
    return undefined; // no stops: no breakpoint is asked for; only unconditional ones: plain
  }
  let decision: string;
  if (stops.length === 0) {
    decision = 'false;';
  } else if (conditional.length === 0) {
    decision = 'true;';
  } else {
    // A condition that throws does not pause (as V8 treats a throwing condition), nor undoes another's wish.
    const tests = conditional.map((stop) => `try { if (${stop.condition}) pause = true; } catch (error) { /* a condition that throws wishes no pause */ }`);
    const initially = conditional.length < stops.length ? 'true' : 'false';
    decision = `{ let pause = ${initially}; ${tests.join(' ')} pause; }`;
  }
  if (traces.length === 0) {
    return decision;
  }
  return `${traces.join(' ')} ${decision}`;
}
