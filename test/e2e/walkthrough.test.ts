// In a real VS Code: the Get Started walkthrough is offered by "Welcome: Open Walkthrough…" and
// shows its steps, from opening the Cluster Tour view to tracing in a terminal.
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
      await workbench.runCommand('Welcome: Open Walkthrough');
      await workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: walkthrough.title }).first().click({ timeout: 30000 });
      const text = await waitFor(
        'the walkthrough with its steps',
        () => workbench.page.locator('.gettingStartedContainer').first().innerText({ timeout: 5000 }).catch(() => ''),
        (shown) => walkthrough.steps.every((step) => shown.includes(step.title)),
        30000,
      );
      assert.ok(text.includes(walkthrough.title), text);
      await workbench.screenshot('walkthrough');
    });
  });
});
