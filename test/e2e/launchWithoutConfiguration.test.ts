// In a real VS Code: F5 on a cluster app in a folder with no launch.json. VS Code asks which
// debugger; Cluster Tour offers "launch the current file" (its configuration provider), which
// runs the open file, and the Processes view fills with the primary and both workers. The
// session's end leaves nothing.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { listProcesses } from '../support/processes';
import { viewRows, waitFor } from './waitFor';
import { inWorkbench, repositoryRoot } from './workbench';

describe('F5 without a launch.json in code-server', () => {
  it('launches the open cluster program under Cluster Tour once it is picked as the debugger', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-f5-'));
    const app = path.join(folder, 'app.js');
    copyFileSync(path.join(repositoryRoot, 'test', 'fixtures', 'http-workers.js'), app);
    await inWorkbench('launch-without-configuration', folder, async (workbench) => {
      const { page } = workbench;
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      // Open app.js the way people do: Quick Open.
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input', { timeout: 10000 });
      await page.keyboard.type('app.js');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.js' }).first().click({ timeout: 15000 });
      await page.waitForSelector('.tab.active[aria-label^="app.js"]', { timeout: 15000 });
      // F5. The palette's Start Debugging is the same command; retried until our debugger is offered.
      let offered = false;
      for (let attempt = 0; attempt < 20 && !offered; attempt++) {
        await workbench.runCommand('Debug: Start Debugging');
        offered = await page
          .locator('.quick-input-list .monaco-list-row', { hasText: 'Cluster Tour' })
          .first()
          .waitFor({ timeout: 5000 })
          .then(() => true)
          .catch(() => false);
        if (!offered) {
          await page.keyboard.press('Escape');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      assert.ok(offered, 'VS Code offers Cluster Tour as a debugger for the open file');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Cluster Tour' }).first().click();
      // Cluster Tour offers its configuration for the open file (the dynamic provider). VS Code
      // lists it in a second pick, or (once it knows it) already in the first, which then started it.
      const configuration = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Cluster Tour: launch the current file' }).first();
      const toolbar = page.locator('.debug-toolbar');
      await Promise.race([configuration.waitFor({ timeout: 60000 }), toolbar.waitFor({ timeout: 60000 })]);
      if (!(await toolbar.isVisible()) && (await configuration.isVisible())) {
        await configuration.click();
      }
      await toolbar.waitFor({ timeout: 60000 });
      await workbench.runCommand('View: Show Cluster Tour');
      const rows = viewRows(page, 'Processes');
      await waitFor('Primary, Worker 1 and Worker 2 with their stages', rows, (labels) =>
        ['Primary', 'Worker 1', 'Worker 2'].every((name) => labels.some((label) => new RegExp(`^${name} pid \\d+ · :\\d+ · [a-z-]+`).test(label))),
      );
      const running = listProcesses().filter((each) => each.commandLine.includes(app));
      assert.equal(running.length, 3, `the open file runs as primary and 2 workers: ${JSON.stringify(running.map((each) => each.commandLine))}`);
      assert.equal(existsSync(path.join(folder, '.vscode', 'launch.json')), false, 'no launch.json was needed or written');
      await workbench.screenshot('launch-without-configuration');

      await page.locator('.debug-toolbar .codicon-debug-stop').click();
      await waitFor('no process of the app left after Stop', async () => listProcesses().filter((each) => each.commandLine.includes(app)).length, (left) => left === 0, 15000);
    });
  });
});
