// A planned launch: for a run that never pauses and never changes its breakpoints (a trace),
// everything each process needs from its controller is known before the program starts. It is
// written to plan.json in the session folder; the preload (agent/preload.js) installs the agent
// and sets the breakpoints of its role itself, through an in-process inspector session, and runs
// on at once instead of waiting at its gate. The controller then only connects to collect the
// reports: no Debugger domain of its own, no scripts replayed to it, no round trip at start-up.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessRole } from '../../common/stages';
import { agentSymbolName, AgentOptions, installAgent } from '../agent/agent';
import { agentSourceUrl } from '../session/instrumentation';
import type { MergedBreakpoint } from '../tracking/breakpoints';

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
