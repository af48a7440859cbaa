// A real VS Code for end-to-end tests: code-server (installed by scripts/e2e-setup.mjs) in a
// process group of its own with scratch folders, and Debian's chromium driven by playwright-core.
// The recipe is in shared/reference/real-vscode-e2e.md.
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assertNoProcessesLeft } from '../support/processes';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const screenshotFolder = path.join(repositoryRoot, 'test-results', 'screenshots');

interface Setup {
  node24: string;
  codeServer: string;
  chromium: string;
}

/** Runs scripts/e2e-setup.mjs (a no-op when everything is installed) and returns the paths. */
export function e2eSetup(): Setup {
  const output = execFileSync(process.execPath, [path.join(repositoryRoot, 'scripts', 'e2e-setup.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output.slice(output.indexOf('{'))) as Setup;
}

export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    private readonly scratch: string,
  ) {}

  /**
   * Starts code-server and opens `folder` with this repository as the extension in development,
   * or with the extension installed from `options.vsix`. `marker` goes into code-server's
   * environment, so that everything it starts (terminals and what runs in them) can be found in
   * /proc afterwards.
   */
  static async open(folder: string, marker: string, options: { vsix?: string } = {}): Promise<Workbench> {
    const setup = e2eSetup();
    const scratch = mkdtempSync(path.join(tmpdir(), 'cluster-tour-e2e-'));
    const userData = path.join(scratch, 'user');
    for (const name of ['home', 'config', 'data', 'tmp', 'extensions', 'user/User']) {
      mkdirSync(path.join(scratch, name), { recursive: true });
    }
    writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'workbench.tips.enabled': false,
        'chat.disableAIFeatures': true,
        // The DOM renderer keeps the terminal's text readable from the page.
        'terminal.integrated.gpuAcceleration': 'off',
      }),
    );
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = {
      ...process.env,
      HOME: path.join(scratch, 'home'),
      XDG_CONFIG_HOME: path.join(scratch, 'config'),
      XDG_DATA_HOME: path.join(scratch, 'data'),
      TMPDIR: path.join(scratch, 'tmp'),
      CLUSTER_TOUR_TEST_MARKER: marker,
    };
    const common = ['--user-data-dir', userData, '--extensions-dir', path.join(scratch, 'extensions')];
    if (options.vsix) {
      execFileSync(setup.node24, [setup.codeServer, ...common, '--install-extension', options.vsix], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const server = spawn(
      setup.node24,
      [
        setup.codeServer,
        ...['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', userData, '--extensions-dir', path.join(scratch, 'extensions')],
        ...['--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '10'],
        ...['--vscode-option', 'force-disable-user-env', '--vscode-option', 'enable-smoke-test-driver'],
      ],
      { env, detached: true, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const started = Date.now();
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) {
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() - started > 30000) {
        stopGroup(server);
        throw new Error('code-server did not answer /healthz within 30 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: setup.chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    // Tall enough that a maximised panel shows a whole trace.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const development = options.vsix ? '' : `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${repositoryRoot}`]]))}`;
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}${development}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    return new Workbench(page, browser, server, scratch);
  }

  /**
   * Runs a command from the command palette by its title. The palette lists the commands known
   * when it opens, and a development extension registers its contributions some seconds after
   * the workbench shows: reopen it until the command is there.
   */
  async runCommand(title: string, timeoutMilliseconds = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMilliseconds;
    for (;;) {
      await this.page.keyboard.press('F1');
      await this.page.waitForSelector('.quick-input-widget input', { timeout: 10000 });
      await this.page.keyboard.type(title);
      try {
        // Click the command's own row: Enter would run the focused row, which until the palette has
        // filtered what was typed is the most recently used command, not this one.
        await this.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first().click({ timeout: 3000 });
        return;
      } catch (error) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /**
   * Answers the save dialog that is opening (in code-server VS Code's own simple file dialog, a
   * quick input) with `file`, and waits until `file` is written whole (`complete` says so of its
   * text). That dialog takes Enter as "go into this folder" while its list still has a folder row
   * active, and as "list that folder" while its listing lags what was typed; either way it stays
   * open, and a person types the path again and presses Enter again. So does this, and on failure
   * says what the dialog showed after each Enter.
   */
  async answerSaveDialog(file: string, complete: (text: string) => boolean, timeoutMilliseconds = 30000): Promise<string> {
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: timeoutMilliseconds });
    const deadline = Date.now() + timeoutMilliseconds;
    const written = (): string | undefined => {
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return complete(text) ? text : undefined;
    };
    const seen: string[] = [];
    for (;;) {
      await input.fill(file);
      await this.page.keyboard.press('Enter');
      const retryAt = Date.now() + 5000;
      let open = true;
      while (Date.now() < deadline && (!open || Date.now() < retryAt)) {
        const text = written();
        if (text !== undefined) return text;
        await new Promise((resolve) => setTimeout(resolve, 250));
        open = await input.isVisible();
      }
      seen.push(open ? JSON.stringify(await this.quickInputState()) : 'the dialog closed');
      if (Date.now() >= deadline) {
        assert.fail(`${file} written after answering the save dialog, within ${timeoutMilliseconds} ms; after each Enter: ${seen.join('; ')}`);
      }
    }
  }

  /** What the quick input shows: its value, its message and its active rows. */
  private async quickInputState(): Promise<{ value: string; message: string; activeRows: string[] }> {
    const widget = this.page.locator('.quick-input-widget').first();
    return {
      value: await widget.locator('input').first().inputValue(),
      message: (await widget.locator('.quick-input-message').first().textContent().catch(() => '')) ?? '',
      activeRows: await widget.locator('.monaco-list-row.focused').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? '')),
    };
  }

  /** The text of the terminal's visible rows (xterm draws only those). */
  async terminalText(): Promise<string> {
    // The first is the terminal; a second one belongs to its sticky-scroll overlay.
    return this.page.locator('.xterm-screen .xterm-rows').first().innerText({ timeout: 5000 });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotFolder, { recursive: true });
    const file = path.join(screenshotFolder, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    stopGroup(this.server);
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/**
 * Opens `folder` in a new Workbench with a fresh marker and runs `work` in it. When `work` fails,
 * takes the screenshot `<name>-failure` and rethrows. Always closes the workbench and removes
 * `folder` (unless `options.keepFolder`: a folder of the repository, say), then asserts that no
 * process with the marker in its environment is left.
 */
/**
 * A scratch workspace for a test: `program` copied in as app.js, and a launch.json with one
 * Cluster Tour launch of it (no presets unless `launch` says otherwise), plus a settings.json
 * when `settings` are given.
 */
export function launchFolder(name: string, program: string, launch: Record<string, unknown> = {}, settings?: Record<string, unknown>): string {
  const folder = mkdtempSync(path.join(tmpdir(), `cluster-tour-${name}-`));
  copyFileSync(program, path.join(folder, 'app.js'));
  mkdirSync(path.join(folder, '.vscode'));
  const configuration = { type: 'cluster-tour', request: 'launch', name: 'Cluster', program: '${workspaceFolder}/app.js', presets: [], ...launch };
  writeFileSync(path.join(folder, '.vscode', 'launch.json'), JSON.stringify({ version: '0.2.0', configurations: [configuration] }, null, 2));
  if (settings) {
    writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  return folder;
}

export async function inWorkbench(
  name: string,
  folder: string,
  work: (workbench: Workbench, marker: string) => Promise<void>,
  options: { vsix?: string; keepFolder?: boolean } = {},
): Promise<void> {
  const marker = randomUUID();
  const workbench = await Workbench.open(folder, marker, { vsix: options.vsix });
  try {
    await work(workbench, marker);
  } catch (error) {
    await workbench.screenshot(`${name}-failure`);
    throw error;
  } finally {
    await workbench.close();
    if (!options.keepFolder) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  await assertNoProcessesLeft(`CLUSTER_TOUR_TEST_MARKER=${marker}`, { after: 'code-server was stopped' });
}

/** code-server leaves a file watcher behind unless its whole group is stopped. */
function stopGroup(server: ChildProcess): void {
  if (server.pid === undefined) {
    return;
  }
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-server.pid, signal);
    } catch {
      return; // the group is gone
    }
    if (signal === 'SIGTERM') {
      execFileSync('sleep', ['1']);
    }
  }
}
