// Installs what the real-VS-Code tests need, outside the project (code-server needs Node 24 for
// its postinstall, which the project's own install does not use): Debian's chromium and
// libkrb5-dev (and strace, for --syscalls), Node 24 from the npm registry, and code-server from npm, into
// ${XDG_CACHE_HOME:-~/.cache}/cluster-tour/. Does nothing for what is already there.
// `node scripts/e2e-setup.mjs` prints the paths as JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchNode } from './fetch-node.mjs';

export const codeServerVersion = '4.139.1';
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cluster-tour');

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
  if (!existsSync('/usr/bin/strace')) missing.push('strace');
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ['sudo'];
  console.log(`e2e setup: installing ${missing.join(', ')} from Debian`);
  run(prefix[0] ?? 'apt-get', [...(root ? [] : ['apt-get']), 'update']);
  run(prefix[0] ?? 'apt-get', [...(root ? [] : ['apt-get']), 'install', '-y', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** code-server installed with Node 24 first on PATH and its headers for native modules. */
function ensureCodeServer(node24) {
  const folder = join(cache, `code-server-${codeServerVersion}`);
  const entry = join(folder, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (existsSync(entry)) return { folder, entry };
  const nodeHome = dirname(dirname(node24));
  const building = `${folder}.partial`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  console.log(`e2e setup: installing code-server ${codeServerVersion} with Node 24 (a few minutes)`);
  run('npm', ['install', `code-server@${codeServerVersion}`, '--no-audit', '--no-fund', '--no-save'], {
    cwd: building,
    env: { ...process.env, PATH: `${dirname(node24)}:${process.env.PATH}`, npm_config_nodedir: nodeHome },
  });
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
