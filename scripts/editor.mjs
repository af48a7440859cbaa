// `npm run editor`: the guided tour in a real VS Code on a machine that has none. Installs
// code-server (scripts/e2e-setup.mjs, once, into ${XDG_CACHE_HOME:-~/.cache}/cluster-tour),
// packages this extension, installs it into a profile of its own and serves the editor on
// 127.0.0.1 with the bundled samples open; prints the address once the server answers, then
// waits. Ctrl+C stops code-server's whole process group.
// `node scripts/editor.mjs [--port N] [folder]`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { e2eSetup } from './e2e-setup.mjs';
import { cacheDirectory } from './fetch-node.mjs';
import { withoutOuterNpm } from './npm-environment.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const portIndex = argv.indexOf('--port');
const port = portIndex >= 0 ? Number(argv[portIndex + 1]) : 8080;
const folder = resolve(argv.find((argument, index) => !argument.startsWith('--') && index !== portIndex + 1) ?? join(root, 'samples'));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`editor: --port wants a TCP port (1-65535), not ${argv[portIndex + 1]}`);
  process.exit(2);
}

const setup = await e2eSetup();
const profile = join(cacheDirectory(), 'editor');
// The editor's terminals and the programs it runs get the user's environment, not the settings
// of the `npm run` that started this script (see npm-environment.mjs).
const serverEnvironment = withoutOuterNpm();
const userData = join(profile, 'user');
const extensions = join(profile, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
const vsix = join(profile, 'cluster-tour.vsix');
console.log('editor: packaging the extension');
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(join(root, 'node_modules', '.bin', 'vsce'), ['package', '--allow-missing-repository', '--no-dependencies', '-o', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
// A config file of its own, so that nothing is written to ~/.config/code-server.
const common = ['--user-data-dir', userData, '--extensions-dir', extensions, '--config', join(profile, 'config.yaml')];
execFileSync(setup.node24, [setup.codeServer, ...common, '--install-extension', vsix, '--force'], { env: serverEnvironment, stdio: ['ignore', 'ignore', 'inherit'] });

const server = spawn(
  setup.node24,
  [
    setup.codeServer,
    ...['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', ...common],
    ...['--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--reconnection-grace-time', '10'],
  ],
  { detached: true, env: serverEnvironment, stdio: ['ignore', 'inherit', 'inherit'] },
);
const stop = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('exit', stop);
server.on('exit', (code) => process.exit(code ?? 0));
await waitUntilServing(`http://127.0.0.1:${port}/healthz`);
console.log(`\neditor: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
console.log('editor: then F1 → "Cluster Tour: Start Guided Tour" (or the Cluster Tour icon in the activity bar). Ctrl+C here stops it.\n');

/** Resolves once code-server answers on `url`; exits with a message when it does not within a minute. */
async function waitUntilServing(url) {
  const deadline = Date.now() + 60_000;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error?.cause?.code ?? String(error);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  console.error(`editor: code-server did not answer on ${url} within a minute (${lastError}); stopping it`);
  process.exit(1);
}
