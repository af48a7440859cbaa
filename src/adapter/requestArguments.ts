// Launch and attach arguments checked and turned into the runtime's options: every check a
// configuration can fail before anything starts, with a message that says what to set.
import { assertLoopbackHost, assertPort } from '../cdp/discovery';
import { ClusterTourError } from '../common/errors';
import * as path from 'node:path';
import { presetIds } from '../common/stages';
import type { PauseOnExceptions } from '../cluster/debugOperations';
import { findFunction, readFunctionSources } from '../cluster/functionBreakpoints';
import { findExecutable } from '../cluster/launcher';
import { presetFileName, readPresetFile, type PresetDefinition } from '../cluster/presets';
import { openInspector } from '../cluster/processAttach';
import type { LaunchOptions } from '../cluster/runtime';
import type { BreakpointBook } from './breakpoints';
import type { AttachArguments, LaunchArguments } from './configuration';

export interface PresetChoice {
  presets: string[];
  /** The presets defined in the nearest .vscode/cluster-tour.json. */
  presetDefinitions: PresetDefinition[];
}

/** The checks a launch can fail before anything starts; returns the presets. */
export function checkLaunchArguments(args: LaunchArguments): PresetChoice {
  if (typeof args.program !== 'string' || args.program.trim() === '') {
    throw new ClusterTourError('E_NO_PROGRAM', 'Set "program" in the launch configuration to the cluster program to run (its primary).');
  }
  return checkPresets(args.presets, args.cwd ?? path.dirname(path.resolve(args.program)));
}

/**
 * Checks preset ids against the built-in presets and those defined in the nearest
 * .vscode/cluster-tour.json at or above `directory`: an unknown one fails the request, naming it
 * and the known ones.
 */
export function checkPresets(presets: readonly string[] | undefined, directory: string): PresetChoice {
  const presetDefinitions = readPresetFile(directory);
  const known = [...presetIds, ...presetDefinitions.map((definition) => definition.id)];
  for (const preset of presets ?? []) {
    if (!known.includes(preset)) {
      throw new ClusterTourError('E_UNKNOWN_PRESET', `Unknown preset "${preset}" in "presets". Known presets: ${known.join(', ')}. Define your own in ${presetFileName}.`);
    }
  }
  return { presets: [...(presets ?? [])], presetDefinitions };
}

/**
 * The runtime's launch options for a launch configuration. Function breakpoints set before the
 * launch are resolved here, in the sources of the Node that will run the program.
 */
export async function launchOptions(args: LaunchArguments, breakpoints: BreakpointBook, pauseOnExceptions: PauseOnExceptions): Promise<LaunchOptions> {
  const { presets, presetDefinitions } = checkLaunchArguments(args);
  const env = Object.fromEntries(Object.entries(args.env ?? {}).map(([name, value]) => [name, value ?? undefined]));
  if (breakpoints.all().some((planned) => planned.functionName !== undefined && !planned.request)) {
    const executable = findExecutable(args.runtimeExecutable ?? 'node', args.cwd ?? process.cwd(), { ...process.env, ...env });
    const sources = await readFunctionSources(executable);
    breakpoints.resolveFunctions((name) => findFunction(sources, name));
  }
  return {
    program: args.program,
    args: args.args,
    cwd: args.cwd,
    env,
    runtimeExecutable: args.runtimeExecutable,
    schedulingPolicy: args.schedulingPolicy,
    presets,
    presetDefinitions,
    stopOnEntry: args.stopOnEntry,
    breakpoints: breakpoints.requests(),
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
  // An attach configuration names no folder: presets are looked up from the adapter's own.
  const choice = checkPresets(args.presets, process.cwd());
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
