// Names of the code Cluster Tour itself runs inside debugged processes (the preload, the stage
// agent, the output capture), so that debuggers can hide it: blackboxed in the inspector, left
// out of call stacks. Scripts evaluated through Runtime.evaluate get these names by sourceURL.
import { pathToFileURL } from 'node:url';

export const agentSourceUrl = 'cluster-tour:///agent.js';
export const outputCaptureSourceUrl = 'cluster-tour:///output-capture.js';
export const guestSourceUrl = 'cluster-tour:///guest.js';

/**
 * The script a pause of an idle process stops in (ProcessSession.pause). Shown, not hidden: it is
 * where the process is paused, and its text says why. Not under `cluster-tour:///`, which is
 * blackboxed, and the inspector does not pause in a blackboxed script.
 */
export const idleSourceUrl = 'cluster-tour-idle:///event-loop.js';

export const idleScript = [
  '// Cluster Tour paused this process while it was idle: no JavaScript',
  "// was running, only Node's event loop, waiting for I/O or a timer.",
  '// A pause stops at the next JavaScript statement, so Cluster Tour',
  '// set this timer (unref: it keeps nothing alive) to stop in.',
  '// Continue, and the process goes back to waiting.',
  'setTimeout(function idle() {',
  '  debugger;',
  '}, 0).unref();',
].join('\n') + sourceUrlComment(idleSourceUrl);

/** A `//# sourceURL=` line that names an evaluated script. */
export function sourceUrlComment(url: string): string {
  return `\n//# sourceURL=${url}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Patterns for Debugger.setBlackboxPatterns: our evaluated scripts and the preload file. */
export function instrumentationPatterns(preloadPath: string): string[] {
  return ['^cluster-tour:///', `^${escapeRegex(pathToFileURL(preloadPath).href)}$`];
}

/** True for a script URL that belongs to Cluster Tour's own instrumentation. */
export function isInstrumentationUrl(url: string, preloadPath: string): boolean {
  return instrumentationPatterns(preloadPath).some((pattern) => new RegExp(pattern).test(url));
}
