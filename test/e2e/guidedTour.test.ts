// In a real VS Code: Start Guided Tour (from the palette, through its picker) walks "One
// connection under round-robin" on the bundled sample. The first stop opens Node's own
// round_robin_handle at the line the resolver finds in the same node binary, with its
// explanation; the status bar says where the tour is; Next Stop goes on, Previous Stop shows stop
// 1 again while the program stays; End Tour stops everything.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { callSites } from '../../src/cluster/callSites/callSites';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { roundRobinTour } from '../../src/cluster/tours/roundRobinTour';
import { schedNoneTour } from '../../src/cluster/tours/schedNoneTour';
import { listProcesses } from '../support/processes';
import { statusBarTexts, viewRows, waitFor } from './waitFor';
import { inWorkbench } from './workbench';

/** A folder whose settings run tours with this test's node, so the test can resolve the same lines. */
function tourFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-guided-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'clusterTour.runtimeExecutable': process.execPath }, null, 2));
  return folder;
}

/** The 1-based line of each stop's call site in this node's own source. */
async function expectedLines(): Promise<number[]> {
  const node = await readNodeSources(process.execPath, callSiteModules(callSites));
  const resolutions = resolveCallSites(node.sources, callSites);
  return roundRobinTour.stops.map((stop) => {
    const resolution = resolutions.find((each) => each.site.id === stop.callSite);
    assert.ok(resolution?.resolved, `${stop.callSite} resolves in ${process.version}`);
    return resolution.lineNumber + 1;
  });
}

describe('the guided tour in code-server', () => {
  it('starts from the palette, shows each stop at its line with its explanation, goes back and forth, and ends', async () => {
    const folder = tourFolder();
    const lines = await expectedLines();
    const total = roundRobinTour.stops.length;
    await inWorkbench('guided-tour', folder, async (workbench) => {
      const { page } = workbench;
      const status = (): Promise<string[]> => statusBarTexts(page);
      const editorLine = async (): Promise<number | undefined> => {
        const texts = await status();
        const found = texts.map((text) => /^Ln (\d+), Col \d+/.exec(text)).find(Boolean);
        return found ? Number(found[1]) : undefined;
      };
      const activeTab = (): Promise<string> => page.locator('.tab.active').first().getAttribute('aria-label').then((label) => label ?? '');
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('Cluster Tour: Start Guided Tour');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: roundRobinTour.title }).first().click({ timeout: 30000 });

      const first = await waitFor('the status bar at stop 1', status, (texts) => texts.some((text) => text.includes(`stop 1/${total} · primary`)), 90000);
      assert.ok(first.some((text) => text.includes(`stop 1/${total} · primary`)), JSON.stringify(first));
      await waitFor('round_robin_handle open at the first stop', activeTab, (label) => label.includes('round_robin_handle'));
      await waitFor(`the editor at line ${lines[0]}`, editorLine, (line) => line === lines[0]);
      // The Tour view stays in front (no Run and Debug on each stop), with the Processes view above it.
      assert.ok(await page.locator('.pane-header[aria-label^="Tour"]').isVisible(), 'the Cluster Tour views are shown at the first stop');
      await waitFor('Primary (paused), Worker 1 and Worker 2 with their stages', viewRows(page, 'Processes'), (labels) =>
        ['Primary', 'Worker 1', 'Worker 2'].every((name) => labels.some((label) => new RegExp(`^${name} pid \\d+ · :\\d+ · [a-z-]+`).test(label))) &&
        labels.some((label) => /^Primary .* · paused/.test(label)),
      );
      const stops = await waitFor('the Tour view lists the stops, the first current', viewRows(page, 'Tour'), (labels) => labels.some((label) => label.startsWith(`Stop 1 of ${total}, current, shown`)));
      assert.ok(stops.some((label) => label.startsWith(`Stop 2 of ${total}, pending:`)), JSON.stringify(stops));
      assert.ok(stops.every((label) => /^Stop \d+ of/.test(label)), `only stops in the Tour view: ${JSON.stringify(stops)}`);
      // The explanation where people look: at the stop's line (a comment) and in the Tour view.
      const explanation = 'distribute(err, handle)';
      await waitFor('the first stop\'s explanation in a comment at its line', () => page.locator('.review-widget', { hasText: explanation }).count(), (count) => count > 0, 15000);
      await workbench.screenshot('guided-tour-stop-1');

      await workbench.runCommand('Cluster Tour: Next Stop');
      await waitFor('the status bar at stop 2', status, (texts) => texts.some((text) => text.includes(`stop 2/${total} · primary`)), 60000);
      await waitFor(`the editor at line ${lines[1]}`, editorLine, (line) => line === lines[1]);
      assert.notEqual(lines[1], lines[0]);
      assert.ok(await page.locator('.pane-header[aria-label^="Tour"]').isVisible(), 'the Cluster Tour views are still shown at stop 2');
      await workbench.screenshot('guided-tour-stop-2');

      await workbench.runCommand('Cluster Tour: Previous Stop');
      await waitFor('the status bar back at stop 1', status, (texts) => texts.some((text) => text.includes(`stop 1/${total} · primary`)));
      await waitFor(`the editor back at line ${lines[0]}`, editorLine, (line) => line === lines[0]);
      // Stop 1 is shown again, done; the program stays at stop 2.
      await waitFor('the Tour view showing stop 1 while stop 2 is current', viewRows(page, 'Tour'), (labels) =>
        labels.some((label) => label.startsWith(`Stop 1 of ${total}, done, shown`)) && labels.some((label) => label.startsWith(`Stop 2 of ${total}, current:`)),
      15000);
      await workbench.screenshot('guided-tour-previous');

      // The keybindings, from the Tour view (not a text input): ctrl+right shows stop 2 again
      // (reached already: the program stays there), ctrl+left goes back to stop 1.
      const tourList = page.locator('.pane:has(.pane-header[aria-label^="Tour"]) .monaco-list').first();
      await tourList.focus();
      await page.keyboard.press('Control+ArrowRight');
      await waitFor('ctrl+right: the status bar at stop 2', status, (texts) => texts.some((text) => text.includes(`stop 2/${total} · primary`)), 15000);
      await tourList.focus();
      await page.keyboard.press('Control+ArrowLeft');
      await waitFor('ctrl+left: the status bar back at stop 1', status, (texts) => texts.some((text) => text.includes(`stop 1/${total} · primary`)), 15000);
      // A click on a reached stop in the Tour view shows it.
      await page.locator(`.pane:has(.pane-header[aria-label^="Tour"]) .monaco-list-row[aria-label^="Stop 2 of ${total}"]`).first().click();
      await waitFor('a click on stop 2: the status bar at stop 2', status, (texts) => texts.some((text) => text.includes(`stop 2/${total} · primary`)), 15000);
      await waitFor(`the editor at line ${lines[1]} again`, editorLine, (line) => line === lines[1]);

      await workbench.runCommand('Cluster Tour: End Tour');
      await waitFor('the session to end', () => page.locator('.debug-toolbar').isVisible(), (visible) => !visible, 30000);
      await waitFor('the tour gone from the status bar', status, (texts) => !texts.some((text) => /stop \d+\/\d+/.test(text)), 15000);
      await waitFor('no process of the tour left', async () => listProcesses().filter((each) => each.commandLine.includes('tour-cluster.js')).map((each) => each.commandLine), (left) => left.length === 0, 15000);
      await waitFor('the Tour view says the tour ended', () => page.locator('.pane:has(.pane-header[aria-label^="Tour"]) .message').first().innerText(), (text) => /ended after 2 of \d+ stops/.test(text), 15000);
      await workbench.screenshot('guided-tour-ended');
    });
  });

  it('walks a whole tour from the status bar item to "Tour complete", every claim held, and leaves nothing running', async () => {
    const folder = tourFolder();
    const total = schedNoneTour.stops.length;
    await inWorkbench('guided-tour-complete', folder, async (workbench) => {
      const { page } = workbench;
      const status = (): Promise<string[]> => statusBarTexts(page);
      const message = (): Promise<string> =>
        page.locator('.pane:has(.pane-header[aria-label^="Tour"]) .message').first().innerText({ timeout: 2000 }).catch(() => '');
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('Cluster Tour: Start Guided Tour');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: schedNoneTour.title }).first().click({ timeout: 30000 });
      for (let stop = 1; stop <= total; stop++) {
        const texts = await waitFor(`the status bar at stop ${stop}`, status, (each) => each.some((text) => text.includes(`stop ${stop}/${total} · `)), 90000);
        const item = texts.find((text) => text.includes(`stop ${stop}/${total} · `)) ?? '';
        // The item is the Next Stop button.
        await page.locator('.statusbar-item', { hasText: item }).first().click();
      }
      const done = await waitFor('the Tour view to say the tour is complete', message, (text) => text.startsWith('Tour complete'), 60000);
      assert.equal(done, `Tour complete: ${total} stops, all claims held.`);
      await workbench.screenshot('guided-tour-complete');
      await waitFor('the program to end by itself and the tour with it', status, (texts) => !texts.some((text) => /stop \d+\/\d+/.test(text)), 60000);
      await waitFor('no process of the tour left', async () => listProcesses().filter((each) => each.commandLine.includes('tour-cluster.js')).map((each) => each.commandLine), (left) => left.length === 0, 15000);
    });
  });
});
