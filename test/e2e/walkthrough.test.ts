// In a real VS Code: the Get Started walkthrough is offered by "Welcome: Open Walkthrough…" and
// shows its steps, from opening the Cluster Tour view to tracing in a terminal, and the first
// step's page beside them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from './waitFor';
import { inWorkbench, repositoryRoot } from './workbench';

interface Walkthrough {
  title: string;
  steps: { title: string }[];
}

describe('the walkthrough in code-server', () => {
  it('opens from the palette with every step', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-walkthrough-'));
    const [walkthrough] = (JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs;
    await inWorkbench('walkthrough', folder, async (workbench) => {
      await workbench.page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('View: Close Primary Side Bar');
      await workbench.runCommand('View: Hide Secondary Side Bar');
      await workbench.runCommand('Welcome: Open Walkthrough');
      await workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: walkthrough.title }).first().click({ timeout: 30000 });
      const text = await waitFor(
        'the walkthrough with its steps',
        () => workbench.page.locator('.gettingStartedContainer').first().innerText({ timeout: 5000 }).catch(() => ''),
        (shown) => walkthrough.steps.every((step) => shown.includes(step.title)),
        30000,
      );
      assert.ok(text.includes(walkthrough.title), text);
      // The selected step's page (media/walkthrough/openView.md) renders beside the steps, in a
      // webview, once the editor is wide enough: without the side bars (closed first) it is.
      const page = workbench.page.frameLocator('.gettingStartedContainer iframe').first().frameLocator('iframe#active-frame');
      await page.locator('body', { hasText: 'Click the Cluster Tour icon in the activity bar' }).waitFor({ timeout: 30000 });
      await workbench.screenshot('walkthrough');
    });
  });
});
