// What the Presets view lists, as data: the running session's presets (clusterTour.presets) or,
// with no session, the built-in presets and those people defined (settings and
// .vscode/cluster-tour.json), checked when the clusterTour.presets setting arms them. Also the
// descriptions the view shows. No vscode here.
import { presetIds } from '../common/stages';
import { builtInPresetTitles } from '../cluster/breakpointPlan';
import type { CallSite } from '../cluster/callSites/callSite';
import { callSites } from '../cluster/callSites/callSites';
import type { PresetDefinition } from '../cluster/callSites/presets';
import type { PresetCallSiteEntry, PresetEntry } from '../adapter/viewProtocol';

const notRunning = 'no session: bound when a session arms the preset';

function catalogueEntry(site: CallSite): PresetCallSiteEntry {
  return { id: site.id, title: site.title, url: `node:${site.module}`, line: null, role: site.role, bound: false, reason: notRunning };
}

/** The presets the next session would have, none of them bound. */
export function presetsWithoutSession(armed: readonly string[], defined: readonly PresetDefinition[], catalogue: readonly CallSite[] = callSites): PresetEntry[] {
  const builtIn = presetIds.map(
    (id): PresetEntry => ({
      id,
      title: builtInPresetTitles[id],
      builtIn: true,
      enabled: armed.includes(id),
      callSites: catalogue.filter((site) => site.presets.includes(id)).map(catalogueEntry),
    }),
  );
  const own = defined.map(
    (definition): PresetEntry => ({
      id: definition.id,
      title: definition.title ?? definition.id,
      builtIn: false,
      enabled: armed.includes(definition.id),
      callSites: [
        ...(definition.callSites ?? []).map((id) => {
          const site = catalogue.find((candidate) => candidate.id === id);
          return site ? catalogueEntry(site) : { id, title: id, url: 'node:?', line: null, role: 'any' as const, bound: false, reason: `there is no call site "${id}" in the catalogue` };
        }),
        ...(definition.functions ?? []).map((name): PresetCallSiteEntry => ({ id: `function:${name}`, title: name, url: 'node:?', line: null, role: 'any', bound: false, reason: notRunning })),
      ],
    }),
  );
  return [...builtIn, ...own];
}

/** `accept · built-in · 3/4 bound` */
export function presetDescription(preset: PresetEntry, live: boolean): string {
  const parts = [preset.id, preset.builtIn ? 'built-in' : 'yours'];
  if (live) {
    const bound = preset.callSites.filter((site) => site.bound).length;
    parts.push(`${bound}/${preset.callSites.length} bound`);
  }
  return parts.join(' · ');
}

/** `round_robin_handle:42 · bound`, `not bound: preset not armed` */
export function callSiteDescription(site: PresetCallSiteEntry): string {
  const where = site.line === null ? site.url.replace(/^node:(internal\/)?/, '') : `${site.url.replace(/^node:(internal\/)?/, '')}:${site.line}`;
  return site.bound ? `${where} · bound` : `${where} · not bound: ${site.reason ?? 'unknown reason'}`;
}

/** The armed preset ids after turning one on or off, in a stable order. */
export function toggled(armed: readonly string[], id: string, enabled: boolean): string[] {
  const rest = armed.filter((each) => each !== id);
  return enabled ? [...rest, id] : rest;
}
