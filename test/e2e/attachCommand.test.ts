// In a real VS Code: "Cluster Tour: Attach to Cluster…" lists a cluster app started outside the
// editor (no inspector open), attaches to the picked primary, and the Processes view shows it
// and both workers while the app keeps serving; after Disconnect the app still runs. The app is
// this test's own process group, killed at the end; nothing may be left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoProcessesLeft, leftoverProcesses } from '../support/processes';
import { waitFor } from './waitFor';
import { inWorkbench, repositoryRoot } from './workbench';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of 3 consecutive free ports: the primary's SIGUSR1 port and its 2 workers'. */
async function freeInspectPorts(): Promise<number> {
  for (;;) {
    const first = 30000 + Math.floor(Math.random() * 30000);
    if ((await Promise.all([0, 1, 2].map((offset) => portIsFree(first + offset)))).every(Boolean)) {
      return first;
    }
  }
}

/**
 * The fixture as app.js in a folder of its own, started as the leader of a new process group.
 * `--inspect-port` opens no inspector; it gives cluster ports for the workers' inspectors, without
 * which attaching reaches only workers forked later.
 */
async function startApp(folder: string): Promise<{ pid: number; port: number; output: () => string }> {
  copyFileSync(path.join(repositoryRoot, 'test', 'fixtures', 'http-workers.js'), path.join(folder, 'app.js'));
  const env: NodeJS.ProcessEnv = { ...process.env, WORKERS: '2' };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const app = spawn(process.execPath, [`--inspect-port=${await freeInspectPorts()}`, 'app.js'], { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(app.pid, 'the app started');
  let output = '';
  app.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  app.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const pid = app.pid;
  try {
    const listening = await waitFor('the app to listen', async () => /LISTENING (\d+)/.exec(output), (match) => match !== null, 15000);
    return { pid, port: Number(listening?.[1]), output: () => output };
  } catch (error) {
    killGroup(pid);
    throw error;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return response.text();
}

describe('Attach to Cluster… in code-server', () => {
  it('attaches to a running cluster app picked by pid; the Processes view shows its primary and workers; Disconnect leaves it running', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-attach-'));
    const { pid, port, output } = await startApp(folder);
    try {
      // The folder is the app's as well: it goes with the app.
      await inWorkbench('attach-command', folder, async (workbench) => {
        const page = workbench.page;
        await page.waitForSelector('.statusbar', { timeout: 60000 });
        await workbench.runCommand('Cluster Tour: Attach to Cluster…');
        // The picker lists the app's primary by pid, with its workers beneath.
        const row = page.locator(`.quick-input-list .monaco-list-row:has-text("pid ${pid} · 2 workers")`).first();
        await row.waitFor({ timeout: 30000 });
        assert.match(await row.innerText(), /^node --inspect-port=\d+ app\.js/);
        await workbench.screenshot('attach-command-picker');
        await row.click();

        await page.waitForSelector('.debug-toolbar', { timeout: 60000 });
        await workbench.runCommand('View: Show Cluster Tour');
        await page.waitForSelector('.pane-header[aria-label*="Processes"]', { state: 'attached', timeout: 30000 });
        const rows = (): Promise<string[]> =>
          page.locator('.pane:has(.pane-header[aria-label*="Processes"]) .monaco-list-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
        const seen = await waitFor('Primary, Worker 1 and Worker 2 in the Processes view', rows, (labels) =>
          ['Primary', 'Worker 1', 'Worker 2'].every((name) => labels.some((label) => label.startsWith(`${name} pid `))),
        );
        assert.ok(seen.some((label) => label.startsWith(`Primary pid ${pid} `)), `the primary is the picked pid: ${JSON.stringify(seen)}`);

        // The app keeps serving while attached, and its workers report the connections.
        for (let index = 0; index < 4; index++) {
          assert.match(await get(port), /^worker [12]$/m);
        }
        await waitFor('4 connections counted on the workers', rows, (labels) =>
          labels.map((label) => Number(/ · (\d+) connections?$/.exec(label)?.[1] ?? 0)).reduce((sum, count) => sum + count, 0) === 4,
        );
        // A wider side bar shows whole descriptions in the screenshot.
        const sideBar = await page.locator('.part.sidebar').boundingBox();
        if (sideBar) {
          await page.mouse.move(sideBar.x + sideBar.width + 1, sideBar.y + 400);
          await page.mouse.down();
          await page.mouse.move(sideBar.x + sideBar.width + 400, sideBar.y + 400, { steps: 5 });
          await page.mouse.up();
        }
        await workbench.screenshot('attach-command');

        // Disconnect (the toolbar of an attach session shows it in place of Stop).
        await page.locator('.debug-toolbar .codicon-debug-disconnect, .debug-toolbar .codicon-debug-stop').first().click();
        await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: 30000 });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const running = leftoverProcesses({ descendantsOf: pid });
        assert.equal(running.length, 3, `the primary and both workers still run after Disconnect:\n${output()}`);
        assert.match(await get(port), /^worker [12]$/m, 'and the app still serves');
      }, { keepFolder: true });
    } finally {
      killGroup(pid);
      rmSync(folder, { recursive: true, force: true });
    }
    await assertNoProcessesLeft({ descendantsOf: pid }, { after: 'the app\'s process group was killed' });
  });
});
