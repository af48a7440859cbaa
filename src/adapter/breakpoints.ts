// DAP breakpoints ↔ runtime breakpoints: each DAP breakpoint (source or function) becomes one
// runtime stop owned by `bp:<id>`, with its condition, hit condition and log message folded into
// one inspector condition; the runtime's resolution reports make it verified. A breakpoint in an
// original source (TypeScript) is set in the generated JavaScript its source map points to.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ClusterTourError, messageOf } from '../common/errors';
import type { SourceLocation } from '../cluster/tracking/breakpoints';
import type { BreakpointRequest } from '../cluster/runtime';
import { SourceMaps } from './sourceMaps';

export interface PlannedBreakpoint {
  id: number;
  owner: string;
  /** What the runtime sets; undefined while it cannot be set (unresolved function, bad input). */
  request: BreakpointRequest | undefined;
  state: DebugProtocol.Breakpoint;
  /** For function breakpoints: the name, resolved when Node's sources are known. */
  functionName?: string;
  condition?: string;
  /** Its condition could not be built: never set, the message says why. */
  invalid?: boolean;
  /** What was asked (line, column, condition, hit condition, log message): an edit that asks it again keeps this breakpoint. */
  wishKey?: string;
  /** Set in generated code for a line of an original source; lines are the inspector's (0-based). */
  mapped?: { generatedUrl: string; generatedLine: number; originalUrl: string; originalLine: number; clientLineOffset: number };
}

export interface BreakpointChanges {
  /** New breakpoints, for the runtime to set. */
  added: PlannedBreakpoint[];
  /** Breakpoints no longer asked for, for the runtime to remove. */
  removed: PlannedBreakpoint[];
  /** Every breakpoint now asked for, in the request's order (kept and added): the response. */
  current: PlannedBreakpoint[];
}

const notBound = 'Not bound yet: no process has loaded this script. It binds in every process that loads it.';
const noCompiledFile =
  'Not bound yet: no process has loaded this file, and no compiled JavaScript with a source map naming it was found (next to it, or in its tsconfig outDir).';

export class BreakpointBook {
  private readonly bySource = new Map<string, PlannedBreakpoint[]>();
  private functions: PlannedBreakpoint[] = [];
  private readonly byOwner = new Map<string, PlannedBreakpoint>();
  private nextId = 1;

  /** `sourceMaps`: shared with the FrameTable, so that each map is read once. */
  constructor(private readonly sourceMaps = new SourceMaps()) {}

  /**
   * Replaces the breakpoints of one script (`url`); `debuggerLine` is the inspector's (0-based).
   * In a source with a map, each goes to the first code of its line (or of the next line with
   * code, which it then reports), set by the generated file's URL.
   */
  setSource(url: string, requested: ReadonlyArray<DebugProtocol.SourceBreakpoint & { debuggerLine: number }>): BreakpointChanges {
    // An edit resends every breakpoint of the file: those asked for again exactly as before keep
    // their id, their hit count (kept per id in each process) and their place in every process.
    const previous = [...(this.bySource.get(url) ?? [])];
    const added: PlannedBreakpoint[] = [];
    const current = requested.map((wish) => {
      const wishKey = JSON.stringify([wish.line, wish.column ?? null, wish.condition ?? null, wish.hitCondition ?? null, wish.logMessage ?? null]);
      const kept = previous.findIndex((candidate) => candidate.wishKey === wishKey);
      if (kept >= 0) {
        return previous.splice(kept, 1)[0];
      }
      const planned = this.plan({ line: wish.line, column: wish.column }, wish);
      planned.wishKey = wishKey;
      added.push(planned);
      if (planned.invalid) {
        return planned;
      }
      const place = this.sourceMaps.generatedPlace(url, wish.debuggerLine);
      let location: SourceLocation = { url, lineNumber: wish.debuggerLine };
      if (place) {
        const clientLineOffset = wish.line - wish.debuggerLine;
        location = place.generated;
        planned.mapped = { generatedUrl: place.generated.url, generatedLine: place.generated.lineNumber, originalUrl: url, originalLine: place.originalLineNumber, clientLineOffset };
        planned.state.line = place.originalLineNumber + clientLineOffset;
        planned.state.column = undefined;
      } else if (SourceMaps.isCompiledSource(url)) {
        // Still set as asked: Node may run the file itself (--experimental-strip-types).
        planned.state.message = noCompiledFile;
      }
      planned.request = { id: String(planned.id), location, condition: planned.condition };
      return planned;
    });
    this.bySource.set(url, current);
    this.forget(previous);
    return { added, removed: previous, current };
  }

  /** Replaces the function breakpoints; `resolve` is absent until Node's sources are known. */
  setFunctions(requested: readonly DebugProtocol.FunctionBreakpoint[], resolve: ((name: string) => SourceLocation) | undefined): BreakpointChanges {
    const removed = this.functions;
    this.functions = requested.map((wish) => {
      const planned = this.plan({}, wish);
      if (!planned.invalid) {
        planned.functionName = wish.name;
        planned.state.message = 'Resolved in Node’s own source when the program starts.';
      }
      return planned;
    });
    this.forget(removed);
    if (resolve) {
      this.resolveFunctions(resolve);
    }
    return { added: this.functions, removed, current: this.functions };
  }

  /** Finds the functions of function breakpoints not resolved yet; returns those now settable. */
  resolveFunctions(resolve: (name: string) => SourceLocation): PlannedBreakpoint[] {
    const ready: PlannedBreakpoint[] = [];
    for (const planned of this.functions) {
      if (planned.request || planned.functionName === undefined) {
        continue;
      }
      try {
        const location = resolve(planned.functionName);
        planned.request = { id: String(planned.id), location, condition: planned.condition };
        planned.state.message = notBound;
        planned.state.source = { name: location.url, path: location.url };
        ready.push(planned);
      } catch (error) {
        planned.state.message = messageOf(error);
      }
    }
    return ready;
  }

  /** Every breakpoint the runtime should set (for a launch). */
  requests(): BreakpointRequest[] {
    return [...this.byOwner.values()].flatMap((planned) => (planned.request ? [planned.request] : []));
  }

  all(): PlannedBreakpoint[] {
    return [...this.byOwner.values()];
  }

  /**
   * A stop owner's breakpoint was bound at `clientLine` (of the script it was set in): the DAP
   * state if it changed. A mapped one reports the original line of where it bound.
   */
  bound(owner: string, clientLine: number): DebugProtocol.Breakpoint | undefined {
    const planned = this.byOwner.get(owner);
    if (!planned) {
      return undefined;
    }
    if (planned.mapped) {
      clientLine = this.originalLineOf(planned.mapped, clientLine);
    }
    if (planned.state.verified && planned.state.line === clientLine) {
      return undefined;
    }
    planned.state.verified = true;
    planned.state.line = clientLine;
    planned.state.message = undefined;
    return planned.state;
  }

  owns(owner: string): boolean {
    return this.byOwner.has(owner);
  }

  /** The client line in the original source of a generated line where a mapped breakpoint bound. */
  private originalLineOf(mapped: NonNullable<PlannedBreakpoint['mapped']>, generatedClientLine: number): number {
    const generatedLine = generatedClientLine - mapped.clientLineOffset;
    if (generatedLine === mapped.generatedLine) {
      return mapped.originalLine + mapped.clientLineOffset;
    }
    // The inspector moved it to another line with code: show where that line comes from.
    const original = this.sourceMaps.originalPosition({ url: mapped.generatedUrl, lineNumber: generatedLine, columnNumber: 0 });
    const line = original?.url === mapped.originalUrl ? original.lineNumber : mapped.originalLine;
    return line + mapped.clientLineOffset;
  }

  private plan(place: { line?: number; column?: number }, wish: { condition?: string; hitCondition?: string; logMessage?: string }): PlannedBreakpoint {
    const id = this.nextId++;
    const planned: PlannedBreakpoint = {
      id,
      owner: `bp:${id}`,
      request: undefined,
      state: { id, verified: false, line: place.line, column: place.column, message: notBound },
    };
    try {
      planned.condition = breakpointCondition(id, wish);
    } catch (error) {
      planned.state.message = messageOf(error);
      planned.invalid = true;
    }
    this.byOwner.set(planned.owner, planned);
    return planned;
  }

  private forget(planned: readonly PlannedBreakpoint[]): void {
    for (const each of planned) {
      this.byOwner.delete(each.owner);
    }
  }
}

/**
 * One inspector condition for a DAP breakpoint. It runs in the paused frame, where Node's
 * internals see only `globalThis.*` (no primordials): hit counts live on a global symbol, per
 * process, and a logpoint logs through the process's console and never pauses.
 */
export function breakpointCondition(id: number, wish: { condition?: string; hitCondition?: string; logMessage?: string }): string | undefined {
  const parts: string[] = [];
  if (wish.condition?.trim()) {
    parts.push(`(${wish.condition})`);
  }
  if (wish.hitCondition?.trim()) {
    const test = hitTest(wish.hitCondition.trim());
    const store = `(globalThis[globalThis.Symbol.for('cluster-tour.hits')] ??= {})`;
    parts.push(`((hits) => { hits[${id}] = (hits[${id}] || 0) + 1; const count = hits[${id}]; return ${test}; })(${store})`);
  }
  if (wish.logMessage !== undefined) {
    parts.push(`(globalThis.console.log(${logTemplate(wish.logMessage)}), false)`);
  }
  return parts.length === 0 ? undefined : parts.join(' && ');
}

function hitTest(hitCondition: string): string {
  const match = /^(>=|<=|==|===|>|<|%)?\s*(\d+)$/.exec(hitCondition);
  if (!match) {
    throw new ClusterTourError('E_HIT_CONDITION', `Hit condition "${hitCondition}" is not understood: use a number (5), >N, >=N, <N, <=N, ==N or %N.`);
  }
  const [, operator = '===', count] = match;
  if (operator === '%') {
    return `count % ${count} === 0`;
  }
  return `count ${operator === '==' ? '===' : operator} ${count}`;
}

/** `x is {x}` → a template literal with `${x}`; other characters kept literally. */
function logTemplate(message: string): string {
  const escape = (text: string): string => text.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${');
  let template = '';
  let rest = message;
  for (let match = /\{([^{}]+)\}/.exec(rest); match; match = /\{([^{}]+)\}/.exec(rest)) {
    template += `${escape(rest.slice(0, match.index))}\${${match[1]}}`;
    rest = rest.slice(match.index + match[0].length);
  }
  return `\`${template}${escape(rest)}\``;
}
