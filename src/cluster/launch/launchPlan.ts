// A planned launch: for a run that never pauses and never changes its breakpoints (a trace),
// everything each process needs from its controller is known before the program starts. It is
// written to plan.json in the session folder; the preload (agent/preload.js) installs the agent
// and sets the breakpoints of its role itself, through an in-process inspector session, and runs
// on at once instead of waiting at its gate. The controller then only connects to collect the
// reports: no Debugger domain of its own, no scripts replayed to it, no round trip at start-up.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessRole } from '../../common/stages';
import { agentSymbolName, AgentOptions, installAgent } from '../agent/agent';
import { agentSourceUrl } from '../session/instrumentation';
import type { MergedBreakpoint } from '../tracking/breakpoints';
import type { RunningNode } from '../session/processSession';

/** The file's name in the session folder; the preload reads it by this name. */
export const launchPlanFile = 'plan.json';

export interface LaunchPlan {
  agent: { source: string; url: string; symbol: string; flushMilliseconds: AgentOptions['flushMilliseconds'] };
  /** Debugger.setBreakpointByUrl's parameters per breakpoint, by role; `siteId` names a failure. */
  breakpoints: Record<ProcessRole, Array<{ siteId: string; location: Record<string, unknown> }>>;
}

export function launchPlan(breakpoints: Record<ProcessRole, readonly MergedBreakpoint[]>, flushMilliseconds: AgentOptions['flushMilliseconds']): LaunchPlan {
  const parameters = (wishes: readonly MergedBreakpoint[]): LaunchPlan['breakpoints'][ProcessRole] =>
    wishes.map(({ key, location, condition }) => ({
      siteId: key,
      location: {
        ...(location.urlIsRegex ? { urlRegex: location.url } : { url: location.url }),
        lineNumber: location.lineNumber,
        columnNumber: location.columnNumber,
        condition,
      },
    }));
  return {
    agent: { source: installAgent.toString(), url: agentSourceUrl, symbol: agentSymbolName, flushMilliseconds },
    breakpoints: { primary: parameters(breakpoints.primary), worker: parameters(breakpoints.worker) },
  };
}

/** Writes the plan whole (a temporary file renamed), before the program is spawned. */
export function writeLaunchPlan(sessionDirectory: string, plan: LaunchPlan): void {
  const file = path.join(sessionDirectory, launchPlanFile);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(plan));
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * The plan of a trace, kept per Node binary and build of Cluster Tour in
 * `${XDG_CACHE_HOME:-~/.cache}/cluster-tour/trace-plans/`: a program bin/cluster-tour starts early
 * reads it there (preload.js's cachedPlan) instead of waiting for its tracer to boot and write one.
 * The key and the file's name are computed as preload.js computes them.
 */
export function tracePlanKey(node: Required<RunningNode>, preloadPath: string): string {
  const binary = fs.statSync(node.execPath);
  const preload = fs.realpathSync(preloadPath);
  const own = fs.statSync(preload);
  const cli = fs.statSync(path.join(path.dirname(preload), 'cli.js'));
  return [node.execPath, binary.size, binary.mtimeMs, node.version, preload, own.size, own.mtimeMs, cli.size, cli.mtimeMs].join('\n');
}

export function tracePlanFile(key: string, environment: NodeJS.ProcessEnv = process.env): string {
  const cache = environment.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193) >>> 0;
  }
  return path.join(cache, 'cluster-tour', 'trace-plans', `${hash.toString(16).padStart(8, '0')}.json`);
}

/**
 * Keeps `plan` as the trace plan for `key`; returns false when the cache held another plan for it
 * (an early start that read that one ran with it). A cache that cannot be written is left be.
 */
export function cacheTracePlan(key: string, plan: LaunchPlan): boolean {
  const file = tracePlanFile(key);
  const text = JSON.stringify({ key, plan });
  let previous: string | undefined;
  try {
    previous = fs.readFileSync(file, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous === text) {
    return true;
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, text);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
    removeOtherBuildsOf(key, file);
  } catch {
    // A read-only or full cache costs only the next early start its head start.
  }
  return previous === undefined;
}

/** A new entry replaces those of the same Node binary made by other builds: they will not be read again. */
function removeOtherBuildsOf(key: string, kept: string): void {
  const binary = key.slice(0, key.indexOf('\n') + 1);
  const folder = path.dirname(kept);
  for (const name of fs.readdirSync(folder)) {
    const other = path.join(folder, name);
    if (other === kept || !name.endsWith('.json')) {
      continue;
    }
    try {
      const entry = JSON.parse(fs.readFileSync(other, 'utf8')) as { key?: unknown };
      if (typeof entry.key === 'string' && entry.key.startsWith(binary)) {
        fs.rmSync(other, { force: true });
      }
    } catch {
      // unreadable, or removed meanwhile by another trace: not ours to judge
    }
  }
}
