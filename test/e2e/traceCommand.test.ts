// In a real VS Code: the extension's command traces the bundled sample in a terminal, the
// lifecycle of the primary and both workers shows there, and nothing is left running.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoProcessesLeft } from '../support/processes';
import { repositoryRoot, Workbench } from './workbench';

describe('the extension in code-server', () => {
  it('traces the sample cluster app in a terminal, from fork to exit', async () => {
    const marker = `CLUSTER_TOUR_TEST_MARKER=${randomUUID()}`;
    const workbench = await Workbench.open(path.join(repositoryRoot, 'samples'), marker.split('=')[1]);
    try {
      await workbench.page.waitForSelector('.statusbar', { timeout: 60000 });
      assert.match(await workbench.page.title(), /Extension Development Host/);
      await workbench.runCommand('Cluster Tour: Trace the Sample Cluster App in a Terminal');
      const deadline = Date.now() + 60000;
      let text = '';
      while (Date.now() < deadline && !/exits \(code 0\)/.test(text)) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        text = await workbench.terminalText();
      }
      // Maximised, the panel shows the whole trace rather than its last screenful.
      await workbench.runCommand('View: Toggle Maximized Panel');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      text = await workbench.terminalText();
      await workbench.screenshot('trace-command');
      assert.match(text, /exits \(code 0\)/, `the trace ended; terminal:\n${text}`);
      for (const line of [/worker 1\s+\(pid \d+\)\s+connection\s+emits 'connection'/, /worker 2\s+\(pid \d+\)\s+connection/, /primary\s+\(pid \d+\)\s+exit\s+worker 2 exited \(code 0\)/]) {
        assert.match(text, line, `terminal:\n${text}`);
      }
    } catch (error) {
      await workbench.screenshot('trace-command-failure');
      throw error;
    } finally {
      await workbench.close();
    }
    await assertNoProcessesLeft(marker, { after: 'code-server was stopped' });
  });
});
