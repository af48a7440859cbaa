// How to launch a tour's program so that its first stop is in place before any of its processes
// runs: the call sites are resolved against the chosen Node first (the launch reads the same,
// cached sources), and the first stop's breakpoint goes into the launch options.
import * as path from 'node:path';
import { callSites } from '../callSites/callSites';
import { callSiteModules, readNodeSources } from '../callSites/nodeSources';
import { resolveCallSites } from '../callSites/resolver';
import type { BreakpointRequest, LaunchOptions } from '../runtime';
import { stopBreakpoint } from './engine';
import type { Tour } from './tour';

/** The bundled sample, relative to the repository (or extension) root. */
export const sampleProgram = path.join('samples', 'http-cluster.js');

export interface TourLaunchSettings {
  /** The repository or extension root: tour programs are relative to it. */
  root: string;
  runtimeExecutable: string;
  preloadPath?: string;
}

export function tourProgram(tour: Tour, root: string): string {
  return path.resolve(root, tour.program === 'sample' ? sampleProgram : tour.program);
}

/** The first stop's breakpoint, placed in the sources of the Node (an executable's path) that runs the program. */
export async function firstStopBreakpoint(tour: Tour, runtimeExecutable: string): Promise<BreakpointRequest> {
  const node = await readNodeSources(runtimeExecutable, callSiteModules(callSites));
  return stopBreakpoint(tour, 0, resolveCallSites(node.sources, callSites));
}

export async function tourLaunchOptions(tour: Tour, settings: TourLaunchSettings): Promise<LaunchOptions> {
  const program = tourProgram(tour, settings.root);
  return {
    program,
    cwd: path.dirname(program),
    env: tour.env,
    runtimeExecutable: settings.runtimeExecutable,
    schedulingPolicy: tour.schedulingPolicy,
    preloadPath: settings.preloadPath,
    breakpoints: [await firstStopBreakpoint(tour, settings.runtimeExecutable)],
  };
}
