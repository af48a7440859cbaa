// In a real VS Code: launching a cluster app under the cluster-tour debugger fills the Processes
// view with the primary and both workers (pid, inspector port, stage); stopping the session marks
// them exited and leaves no process of the app running.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { listProcesses } from '../support/processes';
import { waitFor } from './waitFor';
import { inWorkbench, launchFolder, repositoryRoot } from './workbench';

/** A folder with the fixture as app.js (it serves until told to quit) and a launch.json for it. */
function appFolder(): string {
  return launchFolder('view', path.join(repositoryRoot, 'test', 'fixtures', 'http-workers.js'));
}

describe('the Processes view in code-server', () => {
  it('shows the primary and each worker with pid, port and stage while debugging, and exited after Stop', async () => {
    const folder = appFolder();
    const app = path.join(folder, 'app.js');
    await inWorkbench('processes-view', folder, async (workbench) => {
      const rows = (): Promise<string[]> =>
        workbench.page.locator('.pane:has(.pane-header[aria-label*="Processes"]) .monaco-list-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
      await workbench.page.waitForSelector('.statusbar', { timeout: 60000 });
      // Pick the launch.json's configuration by name, as F5 with nothing selected yet would ask.
      await workbench.runCommand('Debug: Select and Start Debugging');
      await workbench.page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^Cluster$/ }).first().click({ timeout: 30000 });
      // Starting a session opens Run and Debug in the side bar (debug.openDebug): show ours after it.
      await workbench.page.waitForSelector('.debug-toolbar', { timeout: 60000 });
      await workbench.runCommand('View: Show Cluster Tour');
      await workbench.page.waitForSelector('.pane-header[aria-label*="Processes"]', { state: 'attached', timeout: 30000 });
      const processRow = /^(Primary|Worker \d+) pid \d+ · :\d+ · [a-z-]+ · (running|paused)/;
      const seen = await waitFor(
        'Primary, Worker 1 and Worker 2 with a pid, an inspector port and a stage',
        rows,
        (labels) => ['Primary', 'Worker 1', 'Worker 2'].every((name) => labels.some((label) => label.startsWith(`${name} `) && processRow.test(label))),
      );
      assert.ok(seen.some((label) => /^Worker 1 .* · \d+ connections?$/.test(label)), `workers show their connections: ${JSON.stringify(seen)}`);

      // Requests to the app count as connections on the workers, and show as their events.
      const repl = await waitFor('the app to print its port in the Debug Console', () => workbench.page.locator('.repl').first().innerText(), (text) => /LISTENING \d+/.test(text));
      const port = Number(/LISTENING (\d+)/.exec(repl)?.[1]);
      for (let index = 0; index < 4; index++) {
        await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).then((response) => response.text());
      }
      const served = await waitFor('4 connections counted on the workers', rows, (labels) => {
        const counts = labels.map((label) => Number(/ · (\d+) connections?$/.exec(label)?.[1] ?? 0));
        return counts.reduce((sum, count) => sum + count, 0) === 4;
      });
      const busy = served.find((label) => /^Worker \d+ .* · [1-9]\d* connections?$/.test(label)) ?? '';
      const busyWorker = /^Worker \d+/.exec(busy)?.[0] ?? 'Worker 1';
      // A wider side bar shows whole descriptions in the screenshot.
      const sash = await workbench.page.locator('.part.sidebar').boundingBox();
      if (sash) {
        await workbench.page.mouse.move(sash.x + sash.width + 1, sash.y + 400);
        await workbench.page.mouse.down();
        await workbench.page.mouse.move(sash.x + sash.width + 400, sash.y + 400, { steps: 5 });
        await workbench.page.mouse.up();
      }
      await workbench.page.locator(`.monaco-list-row[aria-label^="${busyWorker} "]`).click();
      await workbench.page.keyboard.press('ArrowRight');
      const events = await waitFor(`${busyWorker}'s events`, rows, (labels) => labels.some((label) => /^connection seq \d+ \+\d+\.\d ms/.test(label)));
      assert.ok(events.length > 3, JSON.stringify(events));
      await workbench.screenshot('processes-view');

      // The debug toolbar's Stop, as a person would.
      await workbench.page.locator('.debug-toolbar .codicon-debug-stop').click();
      await waitFor('every process marked exited after Stop', rows, (labels) => {
        const processes = labels.filter((label) => /^(Primary|Worker \d+) pid /.test(label));
        return processes.length === 3 && processes.every((label) => / · exited\b/.test(label));
      });
      await workbench.screenshot('processes-view-stopped');
      // The app's processes end with the session, before code-server does.
      await waitFor('no process of the app left after Stop', async () => listProcesses().filter((each) => each.commandLine.includes(app)).map((each) => each.commandLine), (left) => left.length === 0, 10000);
    });
  });
});
