// In a real VS Code: the Presets view with no session lists the built-in presets, checked as the
// clusterTour.presets setting arms them; a checkbox there changes the setting; a call site opens
// Node's own source at its line (Show Internal Source). During a session armed with `accept`, the program stops
// at accept, unchecking `accept` in the view disarms it at once, and after Continue the program
// runs to its end with no further stop, leaving nothing running.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { callSites } from '../../src/cluster/callSites/callSites';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { listProcesses } from '../support/processes';
import { statusBarTexts, viewRows, waitFor } from './waitFor';
import { inWorkbench, launchFolder, repositoryRoot } from './workbench';

/** The bundled sample (a few requests, then a clean exit) as app.js, launched with presets ["accept"]. */
function appFolder(): string {
  // This test's node shows internal sources, so the test resolves the same lines.
  return launchFolder('presets', path.join(repositoryRoot, 'samples', 'http-cluster.js'), { presets: ['accept'] }, { 'clusterTour.presets': ['listen'], 'clusterTour.runtimeExecutable': process.execPath });
}

describe('the Presets view in code-server', () => {
  it('disarms a preset of the running session from its checkbox: the program then runs to its end', async () => {
    const folder = appFolder();
    const app = path.join(folder, 'app.js');
    await inWorkbench('presets-view', folder, async (workbench) => {
      const presets = viewRows(workbench.page, 'Presets');
      const processes = viewRows(workbench.page, 'Processes');
      await workbench.page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('View: Show Cluster Tour');
      const idle = await waitFor('the built-in presets, listen armed by the setting', presets, (labels) => labels.some((label) => /^The listen path listen · built-in armed/.test(label)));
      assert.ok(idle.some((label) => /^Round-robin accept and handoff accept · built-in not armed/.test(label)), JSON.stringify(idle));
      // With no session the Processes view says how to get one.
      const welcome = workbench.page.locator('.pane:has(.pane-header[aria-label^="Processes"]) .welcome-view-content', { hasText: 'No cluster app is being debugged' });
      await welcome.first().waitFor({ timeout: 15000 });
      assert.ok(await welcome.locator('a, .monaco-button', { hasText: 'Attach to Cluster' }).count(), 'the welcome offers Attach to Cluster…');
      await workbench.screenshot('presets-view-no-session');

      // With no session a checkbox arms the preset for the next sessions: the setting changes.
      const settingsFile = path.join(folder, '.vscode', 'settings.json');
      const presetRow = (title: string) => workbench.page.locator(`.pane:has(.pane-header[aria-label^="Presets"]) .monaco-list-row[aria-label^="${title}"]`);
      await presetRow('The shared handle of SCHED_NONE').locator('.custom-view-tree-node-item-checkbox').click();
      await waitFor('the setting to arm shared', async () => (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)['clusterTour.presets'], (value) => JSON.stringify(value) === JSON.stringify(['listen', 'shared']), 15000);
      await waitFor('shared checked', presets, (labels) => labels.some((label) => /^The shared handle of SCHED_NONE shared · built-in armed/.test(label)), 15000);
      // Toggle Preset from the palette does the same: a pick of the presets, the armed ones checked.
      await workbench.runCommand('Cluster Tour: Toggle Preset');
      const sharedPick = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'The shared handle of SCHED_NONE' }).first();
      await sharedPick.waitFor({ timeout: 15000 });
      assert.equal(await sharedPick.getAttribute('aria-checked'), 'true', 'the pick shows shared armed');
      await sharedPick.click();
      await workbench.page.keyboard.press('Enter');
      await waitFor('the setting to disarm shared', async () => (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)['clusterTour.presets'], (value) => JSON.stringify(value) === JSON.stringify(['listen']), 15000);

      // A call site of a preset opens Node's own source there, read-only, at the resolver's line.
      const distribute = resolveCallSites((await readNodeSources(process.execPath, callSiteModules(callSites))).sources, callSites).find((each) => each.site.id === 'rr:RoundRobinHandle.prototype.distribute');
      assert.ok(distribute?.resolved);
      await presetRow('Round-robin accept and handoff').click();
      await workbench.page.keyboard.press('ArrowRight');
      await presetRow(distribute.site.title).click();
      await waitFor('round_robin_handle.js open', () => workbench.page.locator('.tab.active').first().getAttribute('aria-label').then((label) => label ?? ''), (label) => label.includes('round_robin_handle.js'), 30000);
      await waitFor(`the editor at line ${distribute.lineNumber + 1}`, () => statusBarTexts(workbench.page), (texts) => texts.some((text) => text.startsWith(`Ln ${distribute.lineNumber + 1},`)), 15000);
      await workbench.screenshot('presets-view-internal-source');
      await workbench.runCommand('View: Close All Editors');
      await waitFor('no editor open', () => workbench.page.locator('.tab').count(), (count) => count === 0, 15000);

      // The same from the palette: Show Internal Source lists the call sites; net's 'connection' opens net.js there.
      const emit = resolveCallSites((await readNodeSources(process.execPath, callSiteModules(callSites))).sources, callSites).find((each) => each.site.id === 'net:onconnection');
      assert.ok(emit?.resolved);
      await workbench.runCommand('Cluster Tour: Show Internal Source');
      await workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: emit.site.title }).first().click({ timeout: 30000 });
      await waitFor('net.js open', () => workbench.page.locator('.tab.active').first().getAttribute('aria-label').then((label) => label ?? ''), (label) => label.includes('net.js'), 30000);
      await waitFor(`the editor at line ${emit.lineNumber + 1}`, () => statusBarTexts(workbench.page), (texts) => texts.some((text) => text.startsWith(`Ln ${emit.lineNumber + 1},`)), 15000);
      await workbench.runCommand('View: Close All Editors');
      await waitFor('no editor open', () => workbench.page.locator('.tab').count(), (count) => count === 0, 15000);

      await workbench.runCommand('Debug: Select and Start Debugging');
      await workbench.page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^Cluster$/ }).first().click({ timeout: 30000 });
      await workbench.page.waitForSelector('.debug-toolbar', { timeout: 60000 });
      // The pause opens Run and Debug (debug.openDebug) and the stop's source: show ours after it.
      await workbench.page.waitForSelector('.tab[aria-label*="round_robin_handle"]', { timeout: 60000 });
      await workbench.runCommand('View: Show Cluster Tour');
      await waitFor('the primary paused at accept', processes, (labels) => labels.some((label) => /^Primary .* · paused/.test(label)));
      const live = await waitFor('accept armed and bound in the session', presets, (labels) => labels.some((label) => /^Round-robin accept and handoff accept · built-in · [1-9]\d*\/\d+ bound armed/.test(label)));
      assert.ok(live.some((label) => /^The listen path listen · built-in · 0\/\d+ bound not armed/.test(label)), `the session's presets, not the setting's: ${JSON.stringify(live)}`);
      const accept = workbench.page.locator('.pane:has(.pane-header[aria-label*="Presets"]) .monaco-list-row[aria-label^="Round-robin accept and handoff"]');
      await accept.locator('.custom-view-tree-node-item-checkbox').click();
      await waitFor('accept disarmed in the session', presets, (labels) => labels.some((label) => /^Round-robin accept and handoff accept · built-in · 0\/\d+ bound not armed/.test(label)));
      await workbench.screenshot('presets-view-disarmed');

      await workbench.page.locator('.debug-toolbar .codicon-debug-continue').click();
      await waitFor('the primary to run again', processes, (labels) => !labels.some((label) => / · paused/.test(label)), 15000);
      // The sample makes 4 requests and exits: with accept disarmed nothing stops it any more.
      let pausedAgain = false;
      await waitFor(
        'the session to end by itself',
        async () => {
          pausedAgain ||= (await processes()).some((label) => / · paused/.test(label));
          return workbench.page.locator('.debug-toolbar').isVisible();
        },
        (visible) => !visible,
        60000,
      );
      assert.equal(pausedAgain, false, 'a process paused again after accept was disarmed');
      // With the session gone, the view shows the next sessions' presets again: the setting's.
      await waitFor('the setting\'s presets again after the session', presets, (labels) => labels.some((label) => /^The listen path listen · built-in armed/.test(label)), 15000);
      await workbench.screenshot('presets-view-ended');
      await waitFor('no process of the app left', async () => listProcesses().filter((each) => each.commandLine.includes(app)).map((each) => each.commandLine), (left) => left.length === 0, 10000);
    });
  });
});
