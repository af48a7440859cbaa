// In a real VS Code: the extension's command traces the bundled sample in a terminal, the
// lifecycle of the primary and both workers shows there, and nothing is left running. Once
// with this repository as the extension in development, once installed from its .vsix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoProcessesLeft } from '../support/processes';
import { repositoryRoot, Workbench } from './workbench';

async function traceSampleInTerminal(name: string, options: { vsix?: string }): Promise<void> {
  const marker = randomUUID();
  const workbench = await Workbench.open(path.join(repositoryRoot, 'samples'), marker, options);
  try {
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
  } catch (error) {
    await workbench.screenshot(`${name}-failure`);
    throw error;
  } finally {
    await workbench.close();
  }
  await assertNoProcessesLeft(`CLUSTER_TOUR_TEST_MARKER=${marker}`, { after: 'code-server was stopped' });
}

describe('the extension in code-server', () => {
  it('traces the sample cluster app in a terminal, from fork to exit (development mode)', async () => {
    await traceSampleInTerminal('trace-command', {});
  });

  it('does the same installed from the .vsix that vsce packages', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-vsix-'));
    try {
      const vsix = path.join(folder, 'cluster-tour.vsix');
      const vsce = path.join(repositoryRoot, 'node_modules', '.bin', 'vsce');
      // npm test has built dist/ already; the package holds only what .vscodeignore lets through.
      execFileSync(vsce, ['package', '--allow-missing-repository', '--no-dependencies', '-o', vsix], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const listing = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: repositoryRoot, encoding: 'utf8' });
      assert.doesNotMatch(listing, /^(src|test|out|bench)\//m, `sources and tests stay out of the package:\n${listing}`);
      assert.match(listing, /^dist\/adapter\.js$/m);
      await traceSampleInTerminal('vsix-trace-command', { vsix });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
