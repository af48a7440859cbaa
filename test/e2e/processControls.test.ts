// In a real VS Code: the Processes view's run controls on a running cluster app whose primary
// forks a new worker when one is SIGKILLed. Pause All and Continue All in the view's title bar
// pause and resume every process; Pause and Continue on one row act on that process only; Kill
// Worker on a row ends that worker, which shows exited, and the respawned worker appears.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { listProcesses } from '../support/processes';
import { viewRows, waitFor } from './waitFor';
import { inWorkbench, launchFolder, repositoryRoot } from './workbench';

function appFolder(): string {
  // Stops (Pause All) would otherwise bring Run and Debug to the front over the Processes view.
  return launchFolder('controls', path.join(repositoryRoot, 'test', 'fixtures', 'ticking-workers.js'), {}, { 'debug.openDebug': 'neverOpen' });
}

/** Name → state of each process row ("Worker 1" → "paused"). */
function states(labels: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const label of labels) {
    const match = /^(Primary|Worker \d+) pid \d+ .*· (running|paused|exited)\b/.exec(label);
    if (match) found.set(match[1], match[2]);
  }
  return found;
}

describe('the Processes view run controls in code-server', () => {
  it('pauses and continues all or one process, and kills a worker that the primary then replaces', async () => {
    const folder = appFolder();
    const app = path.join(folder, 'app.js');
    await inWorkbench('process-controls', folder, async (workbench) => {
      const { page } = workbench;
      const rows = viewRows(page, 'Processes');
      const pane = page.locator('.pane:has(.pane-header[aria-label^="Processes"])');
      const titleAction = async (label: string): Promise<void> => {
        await pane.locator('.pane-header').hover();
        await pane.locator(`.pane-header .action-label[aria-label="${label}"]`).click({ timeout: 30000 });
      };
      const rowAction = async (name: string, label: string, screenshot?: string): Promise<void> => {
        const row = pane.locator(`.monaco-list-row[aria-label^="${name} pid "]`);
        await row.hover();
        const action = row.locator(`.action-label[aria-label="${label}"]`);
        await action.waitFor({ timeout: 30000 });
        if (screenshot) await workbench.screenshot(screenshot);
        await action.click({ timeout: 30000 });
      };
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('Debug: Select and Start Debugging');
      await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^Cluster$/ }).first().click({ timeout: 30000 });
      await page.waitForSelector('.debug-toolbar', { timeout: 60000 });
      await workbench.runCommand('View: Show Cluster Tour');
      // A wider side bar shows whole descriptions (and their states) in the screenshots.
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        await page.mouse.move(sidebar.x + sidebar.width + 1, sidebar.y + 400);
        await page.mouse.down();
        await page.mouse.move(sidebar.x + sidebar.width + 400, sidebar.y + 400, { steps: 5 });
        await page.mouse.up();
      }
      const everyone = ['Primary', 'Worker 1', 'Worker 2'];
      await waitFor('Primary, Worker 1 and Worker 2 running', rows, (labels) => everyone.every((name) => states(labels).get(name) === 'running'));

      await titleAction('Pause All');
      await waitFor('every process paused after Pause All', rows, (labels) => everyone.every((name) => states(labels).get(name) === 'paused'));
      await workbench.screenshot('process-controls-paused');
      await titleAction('Continue All');
      await waitFor('every process running after Continue All', rows, (labels) => everyone.every((name) => states(labels).get(name) === 'running'));

      await rowAction('Worker 2', 'Pause');
      const one = await waitFor('Worker 2 paused, the others running', rows, (labels) => states(labels).get('Worker 2') === 'paused');
      assert.equal(states(one).get('Worker 1'), 'running');
      assert.equal(states(one).get('Primary'), 'running');
      await rowAction('Worker 2', 'Continue');
      await waitFor('Worker 2 running again', rows, (labels) => states(labels).get('Worker 2') === 'running');

      const before = listProcesses().filter((each) => each.commandLine.includes(app)).map((each) => each.pid);
      await rowAction('Worker 1', 'Kill Worker', 'process-controls-row-actions');
      const after = await waitFor('Worker 1 exited and Worker 3 running', rows, (labels) => states(labels).get('Worker 1') === 'exited' && states(labels).get('Worker 3') === 'running');
      assert.equal(states(after).get('Primary'), 'running', 'the primary lives on');
      await page.locator('.monaco-list-row[aria-label^="Worker 1 pid "]').click();
      await page.keyboard.press('ArrowRight');
      await waitFor("Worker 1's exit by SIGKILL among its events", rows, (labels) => labels.some((label) => label.startsWith('exit (SIGKILL)')));
      await workbench.screenshot('process-controls-killed');
      assert.ok(before.length >= 3);

      await page.locator('.debug-toolbar .codicon-debug-stop').click();
      await waitFor('no process of the app left after Stop', async () => listProcesses().filter((each) => each.commandLine.includes(app)).map((each) => each.commandLine), (left) => left.length === 0, 15000);
    });
  });
});
