// The sequence-diagram webview as the e2e tests read it: its frame, what it has drawn, and the
// latency of each stage posted live (timed by media/diagram.js), with the workbench's hand-over
// of each batch to the webview and its long tasks, reported as numbers (never asserted: CI
// machines vary).
import type { Frame, Page } from 'playwright-core';
import { waitFor } from './waitFor';

/** The webview's own document (VS Code nests it in two iframes). */
export async function diagramFrame(page: Page): Promise<Frame> {
  let found: Frame | undefined;
  await waitFor(
    'the sequence diagram webview',
    async () => {
      for (const frame of page.frames()) {
        if (await frame.locator('#diagram').count().catch(() => 0)) {
          found = frame;
          return true;
        }
      }
      return false;
    },
    (present) => present,
    30000,
  );
  return found as Frame;
}

export interface Drawn {
  lanes: string[];
  stages: string[];
  current: string;
  markedStage: string | null;
  /** Events the extension posted in this session, and those the webview took in and drew. */
  posted: number;
  drawnEvents: number;
}

export const stageOf = (classes: string): string => classes.split(' ').find((name) => name.startsWith('ct-stage-'))?.slice('ct-stage-'.length) ?? '';

export function drawn(frame: Frame): () => Promise<Drawn> {
  return async () => {
    const classes = (selector: string): Promise<string[]> => frame.locator(selector).evaluateAll((elements) => elements.map((element) => element.getAttribute('class') ?? ''));
    const marker = frame.locator('[data-arrow="current"]');
    const marked = await classes('.ct-current');
    return {
      lanes: await frame.locator('[data-lane]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-lane') ?? '')),
      stages: (await classes('.ct-arrow')).map(stageOf),
      current: (await marker.count()) > 0 ? ((await marker.first().textContent()) ?? '') : '',
      markedStage: marked.length > 0 ? stageOf(marked[0]) : null,
      posted: Number(await frame.locator('#diagram').getAttribute('data-posted')),
      drawnEvents: Number(await frame.locator('#diagram').getAttribute('data-events')),
    };
  };
}

/**
 * Per event posted live: ms from its record in its process to the adapter sending it, on to the
 * post, to arrival in the webview, to drawn; the webview's visibility then; when it was posted
 * (Date.now()); how long its drawing took; its stage.
 */
export type Timing = [recordToExtension: number, extensionToPost: number, postToArrival: number, arrivalToDrawn: number, visibility: string, postedAt: number, drawMilliseconds: number, stage: string];

export async function timingsOf(frame: Frame): Promise<Timing[]> {
  return JSON.parse((await frame.locator('#diagram').getAttribute('data-timings')) ?? '[]') as Timing[];
}

/** Median, 90th percentile (nearest rank) and max. */
export function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 'none';
  const rank = (fraction: number): number => Math.round(sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]);
  return `median ${Math.round(sorted[Math.floor((sorted.length - 1) / 2)])} ms, p90 ${rank(0.9)} ms, max ${Math.round(sorted[sorted.length - 1])} ms (${sorted.length})`;
}

export const recordToDrawn = ([record, toPost, toArrival, toDrawn]: Timing): number => record + toPost + toArrival + toDrawn;
export const adapterToDrawn = ([, toPost, toArrival, toDrawn]: Timing): number => toPost + toArrival + toDrawn;

/**
 * Starts timing the workbench's page, through which the webview's messages pass: when a batch
 * comes in on the extension host's WebSocket, and when the workbench hands it on to the webview
 * (a MessagePort), which splits the hop into extension host → socket → workbench → webview; and
 * its long tasks (≥ 50 ms).
 */
export async function watchWorkbench(page: Page): Promise<void> {
  await page.evaluate(
    `globalThis.received = []; const scanned = new WeakSet(); const decoder = new TextDecoder(); const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data'); Object.defineProperty(MessageEvent.prototype, 'data', { configurable: true, get() { const value = data.get.call(this); if (!scanned.has(this) && typeof WebSocket !== 'undefined' && this.target instanceof WebSocket) { scanned.add(this); const now = Date.now(); const scan = (text) => { for (const match of text.matchAll(/postedAt[^:]{0,3}:(\\d+)/g)) globalThis.received.push(now - Number(match[1])); }; if (value instanceof Blob) void value.text().then(scan); else scan(value instanceof ArrayBuffer ? decoder.decode(value) : String(value)); } return value; } });`,
  );
  await page.evaluate(
    `globalThis.handedOn = []; const send = MessagePort.prototype.postMessage; MessagePort.prototype.postMessage = function (message, ...rest) { const posted = JSON.stringify(message ?? null).match(/"postedAt":(\\d+)/); if (posted) globalThis.handedOn.push(Date.now() - Number(posted[1])); return send.call(this, message, ...rest); };`,
  );
  await page.evaluate(
    `new PerformanceObserver((list) => { for (const entry of list.getEntries()) globalThis.longTasks.push([Math.round(performance.timeOrigin + entry.startTime), Math.round(entry.duration)]); }).observe({ type: 'longtask' }); globalThis.longTasks = [];`,
  );
}

/** The latencies of the stages posted live, as lines for the test's log. */
export async function latencyReport(page: Page, frame: Frame, counts: Drawn, options: { perEvent?: boolean; perStage?: boolean } = {}): Promise<string> {
  const timings = await timingsOf(frame);
  const handedOn = (await page.evaluate('globalThis.handedOn')) as number[];
  const received = (await page.evaluate('globalThis.received')) as number[];
  const longTasks = (await page.evaluate('globalThis.longTasks')) as Array<[start: number, duration: number]>;
  const duringHop = (postedAt: number, toArrival: number): Array<[number, number]> => longTasks.filter(([start, duration]) => start + duration > postedAt && start < postedAt + toArrival);
  const batches = [...new Map(timings.map((each) => [each[5], each])).values()];
  const lines = [
    `sequence diagram: ${counts.posted} events posted, ${counts.drawnEvents} drawn; ${timings.length} posted live in ${batches.length} batches (webview ${frame.url().split('?')[0]})`,
    `  from the adapter sending a stage (the runtime has it) to drawn: ${spread(timings.map(adapterToDrawn))}`,
    `  from its record in its process to drawn: ${spread(timings.map(recordToDrawn))}`,
    `  record→adapter ${spread(timings.map((each) => each[0]))}; adapter→post ${spread(timings.map((each) => each[1]))}; post→webview ${spread(timings.map((each) => each[2]))}; webview→drawn ${spread(timings.map((each) => each[3]))}`,
    `  drawing a batch took ${spread(batches.map((each) => each[6]))}`,
    `  from the post to the workbench receiving a batch on the extension host's socket: ${spread(received)}; to handing it on to the webview: ${spread(handedOn)}`,
    `  the workbench's long tasks (≥ 50 ms) while the diagram was open: ${longTasks.length}, ${longTasks.reduce((sum, [, duration]) => sum + duration, 0)} ms in all; ` +
      `batches whose hop to the webview overlapped one: ${batches.filter(([, , toArrival, , , postedAt]) => duringHop(postedAt, toArrival).length > 0).length} of ${batches.length}`,
  ];
  if (options.perStage) {
    const stages = [...new Set(timings.map((each) => each[7]))];
    const of = (stage: string): Timing[] => timings.filter((each) => each[7] === stage);
    lines.push(...stages.map((stage) => `  ${stage}: record→drawn ${spread(of(stage).map(recordToDrawn))}; record→adapter ${spread(of(stage).map((each) => each[0]))}`));
  }
  if (options.perEvent) {
    lines.push(
      `  from the post to the hand-over, per batch: ${JSON.stringify(handedOn)} ms`,
      `  per event, record→adapter / →post / →webview / →drawn ms, visibility: ${timings.map((each) => each.slice(0, 5).map((value) => (typeof value === 'number' ? Math.round(value) : value)).join('/')).join(' ')}`,
      `  long tasks during each event's hop to the webview (start after the post + duration): ${timings.map(([, , toArrival, , , postedAt]) => duringHop(postedAt, toArrival).map(([start, duration]) => `${start - postedAt}+${duration}`).join(',') || '-').join(' ')}`,
    );
  }
  return lines.join('\n');
}
