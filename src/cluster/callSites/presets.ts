// Stop presets people define themselves, next to the built-in ones: a named set of call sites
// (catalogue ids) and functions of Node's cluster and net code (by path, resolved in the running
// Node's source). A team shares them in .vscode/cluster-tour.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterTourError } from '../../common/errors';
import { presetIds } from '../../common/stages';
import type { CallSiteResolution, ResolvedCallSite } from './callSite';
import { findFunction } from './functionBreakpoints';

export interface PresetDefinition {
  id: string;
  title?: string;
  /** Catalogue ids (see callSites.ts), e.g. `rr:RoundRobinHandle.prototype.distribute`. */
  callSites?: string[];
  /** Function paths, e.g. `RoundRobinHandle.prototype.handoff` or `node:net onconnection`. */
  functions?: string[];
}

export const presetFileName = path.join('.vscode', 'cluster-tour.json');

/** The nearest .vscode/cluster-tour.json at or above `directory`, if any. */
export function findPresetFile(directory: string): string | undefined {
  let current = path.resolve(directory);
  for (;;) {
    const candidate = path.join(current, presetFileName);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    const parent = path.dirname(current);
    if (parent === current) {
      return undefined;
    }
    current = parent;
  }
}

/** The presets of the nearest preset file (none when there is no file). */
export function readPresetFile(directory: string): PresetDefinition[] {
  const file = findPresetFile(directory);
  if (!file) {
    return [];
  }
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ClusterTourError('E_PRESET_FILE', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  const presets = (content as { presets?: unknown } | null)?.presets;
  return checkPresetDefinitions(presets ?? [], file);
}

/**
 * The presets a launch knows besides the built-in ones: those of .vscode/cluster-tour.json, then
 * those of the editor's settings whose ids the file does not define (the team's file wins). The
 * adapter and the editor's Presets view both merge this way.
 */
export function mergePresetDefinitions(fromSettings: readonly PresetDefinition[], fromFile: readonly PresetDefinition[]): PresetDefinition[] {
  const seen = new Set<string>(presetIds);
  const merged: PresetDefinition[] = [];
  for (const definition of [...fromFile, ...fromSettings]) {
    if (!seen.has(definition.id)) {
      seen.add(definition.id);
      merged.push(definition);
    }
  }
  return merged;
}

/** Checks definitions from a file or a setting; `where` names the source in messages. */
export function checkPresetDefinitions(value: unknown, where: string): PresetDefinition[] {
  const bad = (message: string): never => {
    throw new ClusterTourError('E_PRESET_DEFINITION', `${where}: ${message}`);
  };
  if (!Array.isArray(value)) {
    bad('"presets" must be an array of { "id", "callSites"?, "functions"? }.');
  }
  const seen = new Set<string>(presetIds);
  return (value as unknown[]).map((entry, index) => {
    const definition = entry as Partial<PresetDefinition> | null;
    if (typeof definition !== 'object' || definition === null || typeof definition.id !== 'string' || definition.id.trim() === '') {
      return bad(`preset ${index + 1} needs an "id" (a non-empty string).`);
    }
    if (seen.has(definition.id)) {
      bad(`the preset id "${definition.id}" is used twice (or is a built-in preset).`);
    }
    seen.add(definition.id);
    for (const key of ['callSites', 'functions'] as const) {
      const list = definition[key];
      if (list !== undefined && (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))) {
        bad(`"${key}" of preset "${definition.id}" must be an array of strings.`);
      }
    }
    if ((definition.callSites?.length ?? 0) + (definition.functions?.length ?? 0) === 0) {
      bad(`preset "${definition.id}" names no call site and no function.`);
    }
    return { id: definition.id, title: definition.title, callSites: definition.callSites, functions: definition.functions };
  });
}

/** Where a defined preset stops, in the running Node; a name that is not found is an error. */
export function resolvePreset(
  definition: PresetDefinition,
  resolutions: readonly CallSiteResolution[],
  sources: ReadonlyMap<string, string>,
): ResolvedCallSite[] {
  const sites: ResolvedCallSite[] = [];
  for (const id of definition.callSites ?? []) {
    const resolution = resolutions.find((candidate) => candidate.site.id === id);
    if (!resolution) {
      throw new ClusterTourError('E_PRESET_DEFINITION', `Preset "${definition.id}": there is no call site "${id}" (see the catalogue in callSites.ts).`);
    }
    if (!resolution.resolved) {
      throw new ClusterTourError('E_PRESET_DEFINITION', `Preset "${definition.id}": call site "${id}" is not found in this Node: ${resolution.reason}`);
    }
    sites.push(resolution);
  }
  for (const name of definition.functions ?? []) {
    try {
      sites.push(findFunction(sources, name));
    } catch (error) {
      throw new ClusterTourError('E_PRESET_DEFINITION', `Preset "${definition.id}": ${(error as Error).message}`);
    }
  }
  return sites;
}
