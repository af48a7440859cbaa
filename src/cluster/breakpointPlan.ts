// What every process of a run should have as breakpoints: the stage tracepoints, the stops of
// the armed presets, and the breakpoints people asked for (by stop owner), merged per role.
import { ClusterTourError } from '../common/errors';
import type { PresetId, ProcessRole } from '../common/stages';
import { presetIds } from '../common/stages';
import { BreakpointPart, mergeBreakpoints, MergedBreakpoint, SourceLocation } from './breakpoints';
import type { CallSiteResolution, ResolvedCallSite } from './callSite';
import { callSitePartsFor, stopPartsFor } from './callSiteParts';
import { presetFileName } from './presets';
import { entryOwner, type BreakpointRequest } from './runtimeTypes';

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
          // A catalogue call site runs in one kind of process; a named function may run in any.
          roles: site.site.id.startsWith('function:') ? undefined : [site.site.role],
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
