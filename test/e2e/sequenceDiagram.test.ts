// In a real VS Code: during the round-robin tour, Show Sequence Diagram opens a webview beside the
// editor that draws the primary's and both workers' lanes, the queryServer and newconn arrows and
// the current stop; a click on the newconn arrow opens round_robin_handle at the line the
// resolver finds for the handoff; Save as SVG writes a file that has the lanes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { arrowCallSites } from '../../src/common/diagram/model';
import { callSites } from '../../src/cluster/callSites/callSites';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { roundRobinTour } from '../../src/cluster/tours/roundRobinTour';
import { allElements, parseXml } from '../support/xml';
import { diagramFrame, drawn, latencyReport, stageOf, timingsOf, watchWorkbench } from './diagram';
import { statusBarTexts, waitFor } from './waitFor';
import { inWorkbench, screenshotFolder } from './workbench';

function tourFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-diagram-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'clusterTour.runtimeExecutable': process.execPath }, null, 2));
  return folder;
}

/** The lane whose lifeline is nearest the middle of the current-stop marker. */
async function markerLane(frame: Frame): Promise<string | undefined> {
  const box = await frame.locator('[data-arrow="current"] rect').boundingBox();
  const lanes = await frame.locator('[data-lane]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-lane') ?? ''));
  let best: { lane: string; distance: number } | undefined;
  for (const lane of lanes) {
    const line = await frame.locator(`[data-lane="${lane}"] line`).first().boundingBox();
    if (!box || !line) continue;
    const distance = Math.abs(box.x + box.width / 2 - line.x);
    if (!best || distance < best.distance) best = { lane, distance };
  }
  return best?.lane;
}

describe('the sequence diagram in code-server', () => {
  it('draws the round-robin tour live, marks the stop, opens an arrow\'s call site and saves an SVG', async () => {
    const folder = tourFolder();
    const node = await readNodeSources(process.execPath, callSiteModules(callSites));
    const handoff = resolveCallSites(node.sources, callSites).find((each) => each.site.id === arrowCallSites.newconn);
    assert.ok(handoff?.resolved, 'the handoff resolves in this Node');
    const handoffLine = handoff.lineNumber + 1;
    const total = roundRobinTour.stops.length;
    await inWorkbench(
      'sequence-diagram',
      folder,
      async (workbench) => {
        const { page } = workbench;
        const status = (): Promise<string[]> => statusBarTexts(page);
        await page.waitForSelector('.statusbar', { timeout: 60000 });
        await workbench.runCommand('Cluster Tour: Start Guided Tour');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: roundRobinTour.title }).first().click({ timeout: 30000 });
        await waitFor('the status bar at stop 1', status, (texts) => texts.some((text) => text.includes(`stop 1/${total} · primary`)), 90000);

        // The button in the Processes view's title bar (its actions show while the header is hovered).
        const header = page.locator('.pane-header[aria-label^="Processes"]').first();
        await header.hover();
        await header.locator('.actions [aria-label*="Show Sequence Diagram"]').first().click({ timeout: 30000 });
        const frame = await diagramFrame(page);
        await watchWorkbench(page);
        const first = await waitFor('lanes for the primary and both workers, queryServer arrows, stop 1 marked', drawn(frame), (seen) =>
          ['primary', 'worker:1', 'worker:2'].every((lane) => seen.lanes.includes(lane)) &&
          seen.stages.filter((stage) => stage === 'query-server').length === 2 &&
          seen.current.startsWith(`▶ stop 1/${total} · `),
        );
        assert.ok(first.stages.includes('fork') && first.stages.includes('listening'), JSON.stringify(first));
        await workbench.screenshot('sequence-diagram-stop-1');

        // On to stop 6 (in worker 1): by then the primary has sent newconn.
        const stopNow = async (): Promise<number> => Number(/stop (\d+)\//.exec((await status()).find((text) => /stop \d+\//.test(text)) ?? '')?.[1] ?? 0);
        for (let stop = await stopNow(); stop < 6; stop = await stopNow()) {
          // The status bar item is the Next Stop button (the palette is slow to click on a loaded machine).
          await page.locator('.statusbar-item', { hasText: `stop ${stop}/${total} · ` }).first().click({ timeout: 30000 });
          await waitFor(`the status bar past stop ${stop}`, stopNow, (now) => now > stop, 60000);
        }
        const reached = await stopNow();
        assert.equal(roundRobinTour.stops[reached - 1].role, 'worker', `stop ${reached} is in a worker`);
        await waitFor(`the newconn arrow, and stop ${reached} marked`, drawn(frame), (seen) => seen.stages.includes('newconn-sent') && seen.current.startsWith(`▶ stop ${reached}/${total} · `));
        assert.equal(await markerLane(frame), 'worker:1', "the current stop is marked on worker 1's lane");
        // VS Code reveals the paused frame after the stop is announced; a click before that reveal
        // would see its call site replaced by the stop's source (as a person clicking then would).
        await waitFor(
          "the stop's frame revealed in child_process",
          async () => ({ tab: await page.locator('.tab.active').first().getAttribute('aria-label'), frame: await page.locator('.debug-top-stack-frame-line').count() }),
          (shown) => (shown.tab ?? '').includes('child_process') && shown.frame > 0,
          30000,
        );
        await workbench.screenshot('sequence-diagram-worker-stop');

        // A click on the newconn arrow: its connection lights up and the handoff opens in Node's source.
        await frame.locator('.ct-stage-newconn-sent .ct-label').first().click();
        const highlighted = await waitFor(
          "the connection's arrows highlighted across lanes",
          () => frame.locator('.ct-highlight').evaluateAll((elements) => elements.map((element) => element.getAttribute('class') ?? '')).then((list) => list.map(stageOf)),
          (stages) => stages.includes('accepted') && stages.includes('newconn-sent'),
        );
        assert.ok(highlighted.length >= 2, JSON.stringify(highlighted));
        const activeTab = (): Promise<string> => page.locator('.tab.active').first().getAttribute('aria-label').then((label) => label ?? '');
        await waitFor('round_robin_handle open', () => page.locator('.tab.active', { hasText: 'round_robin_handle' }).count(), (count) => count > 0, 30000);
        const editorLine = async (): Promise<number | undefined> => {
          const found = (await status()).map((text) => /^Ln (\d+), Col \d+/.exec(text)).find(Boolean);
          return found ? Number(found[1]) : undefined;
        };
        await waitFor(`the editor at the handoff's line ${handoffLine}`, editorLine, (line) => line === handoffLine, 30000);
        assert.match(await activeTab(), /round_robin_handle/, "in the first group, where the stop's source was");
        const activeTabs = await page.locator('.tab.active').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label') ?? ''));
        assert.ok(activeTabs.some((label) => label.includes('Sequence Diagram')), `the diagram is still shown beside it: ${activeTabs.join(' | ')}`);
        await workbench.screenshot('sequence-diagram-call-site');

        // Save as SVG: the save dialog offers cluster-sequence.svg in the workspace folder.
        const saved = path.join(folder, 'cluster-sequence.svg');
        await frame.locator('#save').click();
        const root = parseXml(await workbench.answerSaveDialog(saved, (text) => text.trimEnd().endsWith('</svg>'), 60000));
        const texts = allElements(root).map((element) => element.text);
        for (const lane of ['primary', 'worker 1', 'worker 2']) assert.ok(texts.includes(lane), `the saved SVG has the ${lane} lane`);
        assert.ok(allElements(root).some((element) => element.attributes.class?.includes('ct-stage-newconn-sent')));

        // Every stage posted was drawn; how fast is reported, not asserted (a loaded machine).
        const counts = await waitFor('every posted event drawn', drawn(frame), (seen) => seen.drawnEvents === seen.posted);
        const timings = await timingsOf(frame);
        assert.ok(counts.posted > 0 && timings.length > 0, JSON.stringify(counts));
        console.log(await latencyReport(page, frame, counts, { perEvent: true }));
        writeFileSync(path.join(screenshotFolder, 'sequence-diagram-saved.svg'), readFileSync(saved));

        // With the diagram focused, a stop shown from the Tour view opens beside it, not over it.
        await frame.locator('svg').first().click({ position: { x: 5, y: 5 } });
        await waitFor('the diagram focused', () => page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label'), (label) => (label ?? '').includes('Sequence Diagram'));
        const shownStop = 4;
        const module = roundRobinTour.stops[shownStop - 1].callSite.split(':')[0];
        await page.locator(`.pane:has(.pane-header[aria-label^="Tour"]) .monaco-list-row[aria-label^="Stop ${shownStop} of ${total}"]`).first().click();
        const tabsNow = (): Promise<string[]> => page.locator('.tab.active').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label') ?? ''));
        const shown = await waitFor(`${module} shown for stop ${shownStop}`, tabsNow, (tabs) => tabs.some((label) => label.startsWith(module)), 30000);
        assert.ok(shown.some((label) => label.includes('Sequence Diagram')), `the diagram is still shown beside the stop's source: ${shown.join(' | ')}`);
        await workbench.screenshot('sequence-diagram-shown-stop');
        const tourHeader = page.locator('.pane-header[aria-label^="Tour"]').first();
        await tourHeader.hover();
        await tourHeader.locator('.actions [aria-label*="End Tour"]').first().click({ timeout: 30000 });
        await waitFor('the session to end', () => page.locator('.debug-toolbar').isVisible(), (visible) => !visible, 30000);
      },
    );
  });
});
