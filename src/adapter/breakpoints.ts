// DAP breakpoints ↔ runtime breakpoints: each DAP breakpoint (source or function) becomes one
// runtime stop owned by `bp:<id>`, with its condition, hit condition and log message folded into
// one inspector condition; the runtime's resolution reports make it verified.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ClusterTourError, messageOf } from '../common/errors';
import type { SourceLocation } from '../cluster/breakpoints';
import type { BreakpointRequest } from '../cluster/runtime';

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
}

export interface BreakpointChanges {
  added: PlannedBreakpoint[];
  removed: PlannedBreakpoint[];
}

const notBound = 'Not bound yet: no process has loaded this script. It binds in every process that loads it.';

export class BreakpointBook {
  private readonly bySource = new Map<string, PlannedBreakpoint[]>();
  private functions: PlannedBreakpoint[] = [];
  private readonly byOwner = new Map<string, PlannedBreakpoint>();
  private nextId = 1;

  /** Replaces the breakpoints of one script (`url`); lines are the inspector's (0-based). */
  setSource(url: string, requested: ReadonlyArray<DebugProtocol.SourceBreakpoint & { debuggerLine: number }>): BreakpointChanges {
    const removed = this.bySource.get(url) ?? [];
    const added = requested.map((wish) => {
      const planned = this.plan({ line: wish.line, column: wish.column }, wish);
      if (!planned.invalid) {
        const location: SourceLocation = { url, lineNumber: wish.debuggerLine };
        planned.request = { id: String(planned.id), location, condition: planned.condition };
      }
      return planned;
    });
    this.bySource.set(url, added);
    this.forget(removed);
    return { added, removed };
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
    return { added: this.functions, removed };
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

  /** A stop owner's breakpoint was bound at `line` (client line): the DAP state if it changed. */
  bound(owner: string, clientLine: number): DebugProtocol.Breakpoint | undefined {
    const planned = this.byOwner.get(owner);
    if (!planned || (planned.state.verified && planned.state.line === clientLine)) {
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
