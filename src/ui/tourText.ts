// What the editor says about a tour, as text: the status bar's line, a stop's explanation with
// its claims, and the message when the tour is over. Pure functions, no vscode, unit-tested.
import type { ProcessRole } from '../common/stages';
import type { TourBody, TourClaimEntry, TourStopEntry } from '../adapter/tourProtocol';

/** `primary`, `worker 2`, or `worker` when the worker is not known yet. */
export function processName(role: ProcessRole, workerId: number | null | undefined): string {
  return role === 'primary' ? 'primary' : workerId === null || workerId === undefined ? 'worker' : `worker ${workerId}`;
}

/** The process a stop paused in, or the kind of process it will pause in. */
export function stopProcess(stop: TourStopEntry): string {
  return stop.place ? processName(stop.place.role, stop.place.workerId) : processName(stop.role, null);
}

/** The status bar item: `$(debug-breakpoint-log) stop 5/12 · primary`, or where the program is going. */
export function statusText(body: TourBody, shown: number | null): string {
  const total = body.stops.length;
  if (shown !== null && body.stops[shown]) {
    return `$(debug-breakpoint-log) stop ${shown + 1}/${total} · ${stopProcess(body.stops[shown])}`;
  }
  if (body.current !== null) {
    return `$(debug-breakpoint-log) on the way to stop ${body.current + 1}/${total}`;
  }
  return `$(debug-breakpoint-log) tour ${body.state}`;
}

export function claimLine(claim: TourClaimEntry): string {
  const mark = claim.ok === null ? '…' : claim.ok ? '✓' : '✗';
  const found = claim.ok === false && claim.actual !== undefined ? ` (found: ${claim.actual})` : '';
  return `${mark} ${claim.description}${found}`;
}

/** `Stop 3 of 11` */
export function stopHeading(stop: TourStopEntry, total: number): string {
  return `Stop ${stop.index + 1} of ${total}`;
}

/**
 * Markdown: the stop's explanation and, once reached, its claims; with the title and "Stop N of
 * M" first unless the place that shows it (a comment thread) has its own heading.
 */
export function explanationMarkdown(stop: TourStopEntry, total: number, heading = true): string {
  const parts = heading ? [`**${stop.title}** — ${stopHeading(stop, total)}`, stop.explanation] : [stop.explanation];
  if (stop.claims && stop.claims.length > 0) {
    parts.push(stop.claims.map((claim) => `- ${claimLine(claim)}`).join('\n'));
  } else if (!stop.place) {
    parts.push('_Not reached yet._');
  }
  if (stop.syscalls && stop.syscalls.length > 0) {
    parts.push(['The kernel\'s side (strace):', ...stop.syscalls.map((line) => `- \`${line}\``)].join('\n'));
  }
  return parts.join('\n\n');
}

/** The markdown of the explanation as plain text, for places that show no markdown (a view's message). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** What to tell people once the tour stops moving; undefined while it runs. */
export function completionMessage(body: TourBody): string | undefined {
  const failed = body.stops.flatMap((stop) =>
    (stop.claims ?? []).filter((claim) => claim.ok === false).map((claim) => `stop ${stop.index + 1} (${claim.description}${claim.actual === undefined ? '' : `; found: ${claim.actual}`})`),
  );
  const held = failed.length === 0 ? 'all claims held' : `claims that did not hold: ${failed.join(', ')}`;
  if (body.state === 'finished') {
    return `Tour complete: ${body.stops.length} stops, ${held}.`;
  }
  if (body.state === 'ended') {
    const reached = body.stops.filter((stop) => stop.place).length;
    return `The tour "${body.title}" ended after ${reached} of ${body.stops.length} stops; ${held}.`;
  }
  return undefined;
}
