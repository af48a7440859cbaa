// Turns resolved call sites into breakpoint wishes: tracepoints that record stages (always on)
// and the stops of the armed presets.
import type { PresetId } from '../../common/stages';
import { agentExpression } from '../agent/agent';
import type { BreakpointPart } from './breakpoints';
import type { CallSiteResolution, ResolvedCallSite } from '../callSites/callSite';

const installers = {
  'round-robin': `${agentExpression}.hookRoundRobin(this);`,
  worker: `${agentExpression}.watchWorker(worker);`,
} as const;

function locationOf(resolved: ResolvedCallSite) {
  return { url: resolved.url, lineNumber: resolved.lineNumber, columnNumber: resolved.columnNumber };
}

/** The code a tracepoint runs in the paused frame: record the stage, install hooks if asked. */
export function traceCode(resolved: ResolvedCallSite): string {
  const { site } = resolved;
  const record = `${agentExpression}.record(${JSON.stringify(site.stage)}, ${site.capture ?? '{}'});`;
  const install = site.installs ? installers[site.installs] : '';
  const body = `${install} ${record}`.trim();
  return site.filter ? `if (${site.filter}) { ${body} }` : body;
}

export function callSitePartsFor(resolutions: readonly CallSiteResolution[]): BreakpointPart[] {
  return resolutions.flatMap((resolution): BreakpointPart[] =>
    resolution.resolved && resolution.site.tracking === 'tracepoint'
      ? [{ kind: 'trace', owner: `site:${resolution.site.id}`, location: locationOf(resolution), roles: [resolution.site.role], code: traceCode(resolution) }]
      : [],
  );
}

export function stopPartsFor(resolutions: readonly CallSiteResolution[], presets: ReadonlySet<PresetId>): BreakpointPart[] {
  return resolutions.flatMap((resolution): BreakpointPart[] =>
    resolution.resolved && resolution.site.presets.some((preset) => presets.has(preset))
      ? [{ kind: 'stop', owner: `site:${resolution.site.id}`, location: locationOf(resolution), roles: [resolution.site.role], condition: resolution.site.filter }]
      : [],
  );
}
