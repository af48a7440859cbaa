// Launch and attach arguments checked and turned into the runtime's options: every check a
// configuration can fail before anything starts, with a message that says what to set.
import { assertLoopbackHost, assertPort } from '../cdp/discovery';
import { ClusterTourError, messageOf } from '../common/errors';
import * as path from 'node:path';
import { presetIds } from '../common/stages';
import type { PauseOnExceptions } from '../cluster/session/debugOperations';
import { findFunction, readFunctionSources } from '../cluster/callSites/functionBreakpoints';
import { findExecutable } from '../cluster/launch/launcher';
import { checkPresetDefinitions, mergePresetDefinitions, presetFileName, readPresetFile, type PresetDefinition } from '../cluster/callSites/presets';
import { openInspector } from '../cluster/attach/processAttach';
import type { BreakpointRequest, LaunchOptions } from '../cluster/runtime';
import { firstStopBreakpoint } from '../cluster/tours/launch';
import type { Tour } from '../cluster/tours/tour';
import type { BreakpointBook } from './breakpoints';
import type { AttachArguments, LaunchArguments } from './configuration';
import { checkTour, launchedProgram } from './tourArguments';

export interface PresetChoice {
  presets: string[];
  /** The presets defined in the nearest .vscode/cluster-tour.json, then those of `userPresets` it does not define. */
  presetDefinitions: PresetDefinition[];
}

export interface CheckedLaunch extends PresetChoice {
  /** The program to run: the configuration's, or the tour's bundled sample. */
  program: string;
  /** The tour the configuration names. */
  tour: Tour | undefined;
}

/** The checks a launch can fail before anything starts; returns the program, the tour and the presets. */
export function checkLaunchArguments(args: LaunchArguments): CheckedLaunch {
  const tour = checkTour(args.tour);
  const program = launchedProgram(args.program, tour);
  const choice = checkPresets(args.presets, args.cwd ?? path.dirname(path.resolve(program)), args.userPresets);
  return { ...choice, program, tour };
}

/**
 * The presets of a configuration's `userPresets` (the editor fills it from its settings): the
 * shape of .vscode/cluster-tour.json's `presets`, checked before anything starts.
 */
export function checkUserPresets(value: unknown): PresetDefinition[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new ClusterTourError('E_BAD_USER_PRESETS', `"userPresets" must be an array of { "id", "title"?, "callSites"?, "functions"? }, not ${JSON.stringify(value)}.`);
  }
  value.forEach((entry: unknown, index) => {
    const title = (entry as { title?: unknown } | null)?.title;
    if (title !== undefined && typeof title !== 'string') {
      throw new ClusterTourError('E_BAD_USER_PRESETS', `"userPresets": the "title" of preset ${index + 1} must be a string.`);
    }
  });
  try {
    return checkPresetDefinitions(value, '"userPresets"');
  } catch (error) {
    // The same checks as the preset file's, under the code of the attribute that failed them.
    throw new ClusterTourError('E_BAD_USER_PRESETS', messageOf(error));
  }
}

/**
 * Checks preset ids against the built-in presets, those defined in the nearest
 * .vscode/cluster-tour.json at or above `directory` and those of `userPresets` (the file's win
 * on the same id): an unknown one fails the request, naming it and the known ones.
 */
export function checkPresets(presets: readonly string[] | undefined, directory: string, userPresets?: unknown): PresetChoice {
  const fromSettings = checkUserPresets(userPresets);
  const fromFile = readPresetFile(directory);
  const presetDefinitions = mergePresetDefinitions(fromSettings, fromFile);
  const known = [...presetIds, ...presetDefinitions.map((definition) => definition.id)];
  for (const preset of presets ?? []) {
    if (!known.includes(preset)) {
      throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}" in "presets". Known presets: ${known.join(', ')}. Define your own in ${presetFileName}.`);
    }
  }
  return { presets: [...(presets ?? [])], presetDefinitions };
}

/**
 * The runtime's launch options for a launch configuration, once checked (checkLaunchArguments).
 * Function breakpoints set before the launch are resolved here, in the sources of the Node that
 * will run the program.
 */
export async function launchOptions(args: LaunchArguments, checked: CheckedLaunch, breakpoints: BreakpointBook, pauseOnExceptions: PauseOnExceptions): Promise<LaunchOptions> {
  const { presets, presetDefinitions, program, tour } = checked;
  // The tour's environment first: the configuration's own wins (null removes a variable).
  const env = Object.fromEntries(Object.entries({ ...tour?.env, ...args.env }).map(([name, value]) => [name, value ?? undefined]));
  // The bundled sample runs in its own folder; a program of the configuration where it says.
  const cwd = args.cwd ?? (args.program === undefined ? path.dirname(program) : undefined);
  const executable = (): string => findExecutable(args.runtimeExecutable ?? 'node', cwd ?? process.cwd(), { ...process.env, ...env });
  if (breakpoints.all().some((planned) => planned.functionName !== undefined && !planned.request)) {
    const sources = await readFunctionSources(executable());
    breakpoints.resolveFunctions((name) => findFunction(sources, name));
  }
  // The tour's first stop is in place before any process runs, like a person's breakpoints.
  const tourBreakpoints: BreakpointRequest[] = tour ? [await firstStopBreakpoint(tour, executable())] : [];
  return {
    program,
    args: args.args,
    cwd,
    env,
    runtimeExecutable: args.runtimeExecutable,
    schedulingPolicy: args.schedulingPolicy ?? tour?.schedulingPolicy,
    syscalls: args.syscalls,
    presets,
    presetDefinitions,
    stopOnEntry: args.stopOnEntry,
    breakpoints: [...breakpoints.requests(), ...tourBreakpoints],
    debugging: { pauseOnExceptions, captureOutput: true },
  };
}

export interface AttachTarget extends PresetChoice {
  host: string;
  port: number;
}

/**
 * Where an attach configuration points: its port, or the inspector opened in the process it
 * names. Hosts other than loopback are refused before anything is sent anywhere.
 */
export async function attachTarget(args: AttachArguments): Promise<AttachTarget> {
  // The app may run anywhere: presets come from the workspace (`cwd`, which the editor fills in),
  // and only a client that names no folder falls back to the adapter's own.
  const choice = checkPresets(args.presets, args.cwd ?? process.cwd(), args.userPresets);
  let host = args.host ?? '127.0.0.1';
  let port = args.port;
  if (args.processId !== undefined) {
    const pid = Number(args.processId);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new ClusterTourError('E_BAD_PROCESS_ID', `"processId" must be the pid of a running Node process, not ${JSON.stringify(args.processId)}.`);
    }
    ({ host, port } = await openInspector(pid));
  } else if (port === undefined) {
    throw new ClusterTourError('E_NO_PORT', 'Set "port" (the inspector port of the running primary, e.g. 9229) or "processId" in the attach configuration.');
  }
  assertLoopbackHost(host);
  assertPort(port);
  return { host, port, ...choice };
}
