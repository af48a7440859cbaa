// What every process of a run should have as breakpoints: the stage tracepoints, the stops of
// the armed presets, and the breakpoints people asked for (by stop owner), merged per role.
import { ClusterTourError } from '../common/errors';
import type { PresetId, ProcessRole } from '../common/stages';
import { presetIds } from '../common/stages';
import { BreakpointPart, mergeBreakpoints, MergedBreakpoint, SourceLocation } from './breakpoints';
import type { CallSiteResolution, ResolvedCallSite } from './callSite';
import { callSitePartsFor, stopPartsFor } from './callSiteParts';
import { entryOwner, type BreakpointRequest } from './runtimeTypes';

export class BreakpointPlan {
  private readonly traceParts: BreakpointPart[];
  private readonly enabledPresets = new Set<PresetId>();
  private readonly userParts = new Map<string, BreakpointPart>();
  private nextBreakpoint = 1;

  constructor(
    private readonly resolutions: readonly CallSiteResolution[],
    presets: readonly PresetId[],
    tracking: boolean,
  ) {
    this.traceParts = tracking ? callSitePartsFor(resolutions) : [];
    for (const preset of presets) {
      this.enabledPresets.add(preset);
    }
  }

  get presets(): ReadonlySet<PresetId> {
    return this.enabledPresets;
  }

  setPreset(preset: PresetId, enabled: boolean): void {
    checkPreset(preset);
    if (enabled) {
      this.enabledPresets.add(preset);
    } else {
      this.enabledPresets.delete(preset);
    }
  }

  /** Adds a person's breakpoint; returns its stop owner (`bp:<id>`, or `user:<n>` without id). */
  add(request: BreakpointRequest): string {
    const owner = request.id !== undefined ? `bp:${request.id}` : `user:${this.nextBreakpoint++}`;
    this.userParts.set(owner, { kind: 'stop', owner, location: request.location, condition: request.condition });
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
    const parts = [...this.traceParts, ...stopPartsFor(this.resolutions, this.enabledPresets), ...this.userParts.values()];
    return mergeBreakpoints(parts, role);
  }

  /** The call sites among the stop owners of a pause. */
  callSitesOf(owners: readonly string[]): ResolvedCallSite[] {
    return owners.flatMap((owner) => {
      const found = this.resolutions.find((resolution) => resolution.resolved && `site:${resolution.site.id}` === owner);
      return found && found.resolved ? [found] : [];
    });
  }
}

export function checkPreset(preset: string): PresetId {
  if (!(presetIds as readonly string[]).includes(preset)) {
    throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}". Known presets: ${presetIds.join(', ')}.`);
  }
  return preset as PresetId;
}
