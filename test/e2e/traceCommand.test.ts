// In a real VS Code: the extension's command traces the bundled sample in a terminal, the
// lifecycle of the primary and both workers shows there, and nothing is left running. Once
// with this repository as the extension in development, once installed from its .vsix (which
// also starts a guided tour, whose program the package must carry).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { schedNoneTour } from '../../src/cluster/tours/schedNoneTour';
import { listProcesses } from '../support/processes';
import { statusBarTexts, waitFor } from './waitFor';
import { inWorkbench, repositoryRoot, Workbench } from './workbench';

/**
 * Starts the SCHED_NONE tour (its program is a bundled sample of the installed extension), waits
 * for its first stop in the status bar, and ends it with nothing of it left running.
 */
async function startAndEndTour(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await workbench.runCommand('Cluster Tour: Start Guided Tour');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: schedNoneTour.title }).first().click({ timeout: 30000 });
  const total = schedNoneTour.stops.length;
  await waitFor('the tour at its first stop', () => statusBarTexts(page), (texts) => texts.some((text) => text.includes(`stop 1/${total} · `)), 90000);
  await workbench.screenshot('vsix-guided-tour');
  await workbench.runCommand('Cluster Tour: End Tour');
  await waitFor('the tour gone from the status bar', () => statusBarTexts(page), (texts) => !texts.some((text) => /stop \d+\/\d+/.test(text)), 30000);
  await waitFor('no process of the tour left', async () => listProcesses().filter((each) => each.commandLine.includes('tour-cluster.js')).length, (left) => left === 0, 15000);
}

async function traceSampleInTerminal(name: string, options: { vsix?: string }): Promise<void> {
  // The repository's own samples/ folder: kept.
  await inWorkbench(name, path.join(repositoryRoot, 'samples'), async (workbench) => {
    await workbench.page.waitForSelector('.statusbar', { timeout: 60000 });
    const title = await workbench.page.title();
    if (options.vsix) {
      assert.doesNotMatch(title, /Extension Development Host/, 'the installed extension runs, not the sources');
    } else {
      assert.match(title, /Extension Development Host/);
    }
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
    await workbench.screenshot(name);
    assert.match(text, /exits \(code 0\)/, `the trace ended; terminal:\n${text}`);
    for (const line of [/worker 1\s+\(pid \d+\)\s+connection\s+emits 'connection'/, /worker 2\s+\(pid \d+\)\s+connection/, /primary\s+\(pid \d+\)\s+exit\s+worker 2 exited \(code 0\)/]) {
      assert.match(text, line, `terminal:\n${text}`);
    }
    if (options.vsix) {
      await startAndEndTour(workbench);
    }
  }, { ...options, keepFolder: true });
}

describe('the extension in code-server', () => {
  it('traces the sample cluster app in a terminal, from fork to exit (development mode)', async () => {
    await traceSampleInTerminal('trace-command', {});
  });

  it('does the same installed from the .vsix that vsce packages, and runs a guided tour on a sample it ships', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-vsix-'));
    try {
      const vsix = path.join(folder, 'cluster-tour.vsix');
      const vsce = path.join(repositoryRoot, 'node_modules', '.bin', 'vsce');
      // npm test has built dist/ already; the package holds only what .vscodeignore lets through.
      execFileSync(vsce, ['package', '--allow-missing-repository', '--no-dependencies', '-o', vsix], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const listing = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: repositoryRoot, encoding: 'utf8' });
      assert.doesNotMatch(listing, /^(src|test|out|bench)\//m, `sources and tests stay out of the package:\n${listing}`);
      assert.match(listing, /^dist\/adapter\.js$/m);
      assert.match(listing, /^samples\/tour-cluster\.js$/m);
      await traceSampleInTerminal('vsix-trace-command', { vsix });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
