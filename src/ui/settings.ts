// Cluster Tour's settings (clusterTour.*), read and written with their types, and what they add
// to a cluster-tour launch configuration that does not set those attributes itself.
import * as vscode from 'vscode';
import { settings } from '../common/contributions';
import { messageOf } from '../common/errors';
import { checkPresetDefinitions, mergePresetDefinitions, readPresetFile, type PresetDefinition } from '../cluster/callSites/presets';

const section = 'clusterTour';
const key = (id: string): string => id.slice(section.length + 1);
const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(section);

/** The node binary of tours and Show Internal Source; undefined: node on PATH. */
export function runtimeExecutable(): string | undefined {
  const value = configuration().get<string>(key(settings.runtimeExecutable), '').trim();
  return value === '' ? undefined : value;
}

/** Preset ids armed in sessions whose launch configuration names none. */
export function armedPresets(): string[] {
  const value = configuration().get<unknown>(key(settings.presets), []);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export async function setArmedPresets(ids: readonly string[]): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await configuration().update(key(settings.presets), [...ids], target);
}

/** The userPresets setting, checked; throws a ClusterTourError that says what is wrong. */
export function userPresets(): PresetDefinition[] {
  return checkPresetDefinitions(configuration().get<unknown>(key(settings.userPresets), []), `the ${settings.userPresets} setting`);
}

/** The tour program setting (workspace-relative); undefined: the bundled sample. */
export function tourProgram(): string | undefined {
  const value = configuration().get<string>(key(settings.tourProgram), '').trim();
  return value === '' ? undefined : value;
}

/** Presets of the settings and of the first folder's .vscode/cluster-tour.json, with what went wrong reading them. */
export function definedPresets(): { definitions: PresetDefinition[]; problems: string[] } {
  const problems: string[] = [];
  let fromSettings: PresetDefinition[] = [];
  let fromFile: PresetDefinition[] = [];
  try {
    fromSettings = userPresets();
  } catch (error) {
    problems.push(messageOf(error));
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    try {
      fromFile = readPresetFile(folder.uri.fsPath);
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  return { definitions: mergePresetDefinitions(fromSettings, fromFile), problems };
}

/** Adds presets, userPresets, runtimeExecutable and syscalls from the settings where the configuration sets none. */
export function withSettings(configurationToFill: vscode.DebugConfiguration): vscode.DebugConfiguration {
  const filled = { ...configurationToFill };
  const armed = armedPresets();
  if (filled.presets === undefined && armed.length > 0) {
    filled.presets = armed;
  }
  if (filled.userPresets === undefined) {
    try {
      const own = userPresets();
      if (own.length > 0) {
        filled.userPresets = own;
      }
    } catch (error) {
      void vscode.window.showWarningMessage(`Cluster Tour: ${messageOf(error)}`);
    }
  }
  const executable = runtimeExecutable();
  if (filled.request === 'launch' && filled.runtimeExecutable === undefined && executable !== undefined) {
    filled.runtimeExecutable = executable;
  }
  if (filled.request === 'launch' && filled.syscalls === undefined && configuration().get<boolean>(key(settings.syscalls), false)) {
    filled.syscalls = true;
  }
  return filled;
}
