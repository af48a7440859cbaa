// What every process of a run should have as breakpoints: the stage tracepoints, the stops of
// the armed presets, and the breakpoints people asked for (by stop owner), merged per role.
import { ClusterTourError } from '../common/errors';
import type { PresetId, ProcessRole } from '../common/stages';
import { presetIds } from '../common/stages';
import { BreakpointPart, mergeBreakpoints, MergedBreakpoint, SourceLocation } from './tracking/breakpoints';
import type { CallSite, CallSiteResolution, ResolvedCallSite } from './callSites/callSite';
import { callSitePartsFor, stopPartsFor } from './tracking/callSiteParts';
import { presetFileName } from './callSites/presets';
import { entryOwner, type BreakpointRequest, type PresetCallSiteState, type PresetState } from './runtimeTypes';

/** What each built-in preset stops at, in a few words for people (views, menus). */
export const builtInPresetTitles: Readonly<Record<PresetId, string>> = {
  listen: 'The listen path',
  accept: 'Round-robin accept and handoff',
  handles: 'Handle passing over IPC',
  disconnect: 'Disconnect and exit',
  shared: 'The shared handle of SCHED_NONE',
};

const processRoles: readonly ProcessRole[] = ['primary', 'worker'];

/** The roles of the processes a call site's stop is set in; undefined: every process. */
export function stopRoles(site: CallSite): readonly ProcessRole[] | undefined {
  // A catalogue call site runs in one kind of process; a named function may run in any.
  return site.id.startsWith('function:') ? undefined : [site.role];
}

export class BreakpointPlan {
  private readonly traceParts: BreakpointPart[];
  private readonly enabledPresets = new Set<string>();
  private readonly userParts = new Map<string, BreakpointPart>();
  private nextBreakpoint = 1;

  /** `definedPresets`: the presets people defined, by id, with the call sites they stop at. */
  constructor(
    private readonly resolutions: readonly CallSiteResolution[],
    presets: readonly string[],
    tracking: boolean,
    private readonly definedPresets: ReadonlyMap<string, readonly ResolvedCallSite[]> = new Map(),
  ) {
    this.traceParts = tracking ? callSitePartsFor(resolutions) : [];
    for (const preset of presets) {
      this.enabledPresets.add(checkPreset(preset, definedPresets.keys()));
    }
  }

  get presets(): ReadonlySet<string> {
    return this.enabledPresets;
  }

  setPreset(preset: string, enabled: boolean): void {
    checkPreset(preset, this.definedPresets.keys());
    if (enabled) {
      this.enabledPresets.add(preset);
    } else {
      this.enabledPresets.delete(preset);
    }
  }

  /** Ids of every preset this run knows: the built-in ones, then those people defined. */
  get knownPresets(): string[] {
    return [...presetIds, ...this.definedPresets.keys()];
  }

  /**
   * The call sites a preset (built-in or defined) stops at, found in this Node or not, whether
   * it is armed or not. Unknown ids have none.
   */
  callSitesOfPreset(preset: string): CallSiteResolution[] {
    const defined = this.definedPresets.get(preset);
    if (defined) {
      return defined.map((site) => ({ resolved: true, ...site }));
    }
    return this.resolutions.filter((resolution) => (resolution.site.presets as readonly string[]).includes(preset));
  }

  /**
   * Every preset (built-in, then defined) with its call sites: found in this Node, armed, and
   * bound where `boundIn` says the inspector of a process of one of `roles` bound the stop owner.
   * `titles`: those of the defined presets.
   */
  presetStates(titles: ReadonlyMap<string, string>, boundIn: (owner: string, roles: readonly ProcessRole[]) => boolean): PresetState[] {
    const armed = new Map<ProcessRole, ReadonlySet<string>>();
    const armedIn = (role: ProcessRole): ReadonlySet<string> => {
      let owners = armed.get(role);
      if (!owners) {
        owners = new Set(this.breakpointsFor(role).flatMap((breakpoint) => breakpoint.stopOwners));
        armed.set(role, owners);
      }
      return owners;
    };
    return this.knownPresets.map((id): PresetState => {
      const enabled = this.enabledPresets.has(id);
      const callSites = this.callSitesOfPreset(id).map((resolution): PresetCallSiteState => {
        const roles = stopRoles(resolution.site);
        const { site } = resolution;
        const described = { id: site.id, title: site.title, role: roles ? roles[0] : ('any' as const) };
        if (!resolution.resolved) {
          return { ...described, url: `node:${site.module}`, lineNumber: null, bound: false, reason: `not found in this Node: ${resolution.reason}` };
        }
        const placed = { ...described, url: resolution.url, lineNumber: resolution.lineNumber };
        if (!enabled) {
          return { ...placed, bound: false, reason: 'preset not armed' };
        }
        const owner = `site:${site.id}`;
        const armedRoles = (roles ?? processRoles).filter((role) => armedIn(role).has(owner));
        return armedRoles.length > 0 && boundIn(owner, armedRoles) ? { ...placed, bound: true } : { ...placed, bound: false, reason: 'module not loaded yet in any process' };
      });
      const builtIn = (presetIds as readonly string[]).includes(id);
      return { id, title: builtIn ? builtInPresetTitles[id as PresetId] : (titles.get(id) ?? id), builtIn, enabled, callSites };
    });
  }

  /** Adds a person's breakpoint; returns its stop owner (`bp:<id>`, or `user:<n>` without id). */
  add(request: BreakpointRequest): string {
    const owner = request.id !== undefined ? `bp:${request.id}` : `user:${this.nextBreakpoint++}`;
    this.userParts.set(owner, { kind: 'stop', owner, location: request.location, condition: request.condition, roles: request.roles });
    return owner;
  }

  remove(owner: string): void {
    this.userParts.delete(owner);
  }

  /** The stop-on-entry breakpoint (stop owner `entry`) at the first line of `location`'s script. */
  stopOnEntry(location: SourceLocation): void {
    this.userParts.set(entryOwner, { kind: 'stop', owner: entryOwner, location });
  }

  /** The merged breakpoints one process of `role` should have now. */
  breakpointsFor(role: ProcessRole): MergedBreakpoint[] {
    const builtIn = new Set([...this.enabledPresets].filter((preset): preset is PresetId => (presetIds as readonly string[]).includes(preset)));
    const parts = [...this.traceParts, ...stopPartsFor(this.resolutions, builtIn), ...this.definedStopParts(), ...this.userParts.values()];
    return mergeBreakpoints(parts, role);
  }

  /** The call sites among the stop owners of a pause. */
  callSitesOf(owners: readonly string[]): ResolvedCallSite[] {
    const known = [...this.resolutions.flatMap((resolution) => (resolution.resolved ? [resolution] : [])), ...[...this.definedPresets.values()].flat()];
    return owners.flatMap((owner) => {
      const found = known.find((site) => `site:${site.site.id}` === owner);
      return found ? [found] : [];
    });
  }

  private definedStopParts(): BreakpointPart[] {
    return [...this.enabledPresets].flatMap((preset) =>
      (this.definedPresets.get(preset) ?? []).map(
        (site): BreakpointPart => ({
          kind: 'stop',
          owner: `site:${site.site.id}`,
          location: { url: site.url, lineNumber: site.lineNumber, columnNumber: site.columnNumber },
          roles: stopRoles(site.site),
          condition: site.site.filter,
        }),
      ),
    );
  }
}

/** A preset id is a built-in one or one that people defined. */
export function checkPreset(preset: string, defined: Iterable<string> = []): string {
  const known = [...presetIds, ...defined];
  if (!known.includes(preset)) {
    throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}". Known presets: ${known.join(', ')}. Define your own in ${presetFileName}.`);
  }
  return preset;
}
