// Installs what the real-VS-Code tests need, outside the project (code-server needs Node 24 for
// its postinstall, which the project's own install does not use): from Debian chromium,
// libkrb5-dev and strace, then Node 24 from the npm registry, and code-server from npm, into
// ${XDG_CACHE_HOME:-~/.cache}/cluster-tour/. Does nothing for what is already there.
// `node scripts/e2e-setup.mjs` prints the paths as JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDirectory, fetchNode } from './fetch-node.mjs';
import { withoutOuterNpm } from './npm-environment.mjs';

export const codeServerVersion = '4.139.1';

function run(command, args, options = {}) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  } catch (error) {
    throw new Error(`e2e setup: \`${command} ${args.join(' ')}\` failed (${error.status ?? error.message})`);
  }
}

function ensureDebianPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  // Not for code-server: tests that watch a program's system calls need it.
  if (!existsSync('/usr/bin/strace')) missing.push('strace');
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ['sudo'];
  console.log(`e2e setup: installing ${missing.join(', ')} from Debian`);
  run(prefix[0] ?? 'apt-get', [...(root ? [] : ['apt-get']), 'update']);
  run(prefix[0] ?? 'apt-get', [...(root ? [] : ['apt-get']), 'install', '-y', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * `npm install spec` in `folder` with `node` first on PATH, so that npm and the install scripts
 * run on it, and its headers (the package's include/) for native modules. The environment is
 * clean: under `npm test` the outer npm's settings would tell code-server's postinstall that it
 * runs on the outer Node (see npm-environment.mjs).
 */
export function installWithNode(node, spec, folder) {
  const env = withoutOuterNpm(process.env, { npm_config_nodedir: dirname(dirname(node)) });
  env.PATH = [dirname(node), env.PATH].filter(Boolean).join(delimiter);
  run('npm', ['install', spec, '--no-audit', '--no-fund', '--no-save'], { cwd: folder, env });
}

/** code-server installed with Node 24. */
function ensureCodeServer(node24) {
  const folder = join(cacheDirectory(), `code-server-${codeServerVersion}`);
  const entry = join(folder, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (existsSync(entry)) return { folder, entry };
  const building = `${folder}.partial`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  console.log(`e2e setup: installing code-server ${codeServerVersion} with Node 24 (minutes: it compiles native modules)`);
  installWithNode(node24, `code-server@${codeServerVersion}`, building);
  rmSync(folder, { recursive: true, force: true });
  renameSync(building, folder);
  return { folder, entry };
}

export async function e2eSetup() {
  ensureDebianPackages();
  const node24 = await fetchNode(24);
  const codeServer = ensureCodeServer(node24);
  return { node24, codeServer: codeServer.entry, chromium: '/usr/bin/chromium' };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await e2eSetup(), null, 2));
}
