// Gets other Node.js majors for the integration tests from the npm registry (the `node-<os>-<cpu>`
// packages carry the official binaries), cached in ${XDG_CACHE_HOME:-~/.cache}/cluster-tour.
// `node scripts/fetch-node.mjs 22 24` prints one binary path per line; progress goes to stderr.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withoutOuterNpm } from './npm-environment.mjs';

const run = promisify(execFile);

/** Where the binaries live: one `node-<major>/` folder each. */
export function cacheDirectory() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cluster-tour');
}

/** The path `fetchNode(major)` returns, whether or not it exists yet. */
export function nodePath(major) {
  return join(cacheDirectory(), `node-${major}`, 'bin', 'node');
}

/**
 * Ensures the newest Node.js `major` from the npm registry is unpacked in the cache and returns
 * the path of its `node` binary. Does nothing when the binary is already there.
 */
export async function fetchNode(major) {
  if (!/^\d+$/.test(String(major))) {
    throw new Error(`fetch-node: "${major}" is not a Node.js major version (expected e.g. 22)`);
  }
  const binary = nodePath(major);
  if (existsSync(binary)) return binary;

  const cache = cacheDirectory();
  const target = join(cache, `node-${major}`);
  const spec = `node-${process.platform}-${process.arch}@${major}`;
  await mkdir(cache, { recursive: true });
  // A folder left without its binary (by hand, or by an older script) would block the rename.
  await rm(target, { recursive: true, force: true });

  process.stderr.write(`fetch-node: downloading ${spec} into ${cache}\n`);
  // Each run packs and unpacks in a folder of its own: two runs fetching the same major at once
  // (a test part and the e2e setup, or two checkouts sharing the cache) must not unpack or
  // delete each other's tarball.
  const staging = await mkdtemp(join(cache, `.node-${major}-`));
  try {
    const packed = await runOrExplain('npm', ['pack', spec, '--pack-destination', staging, '--json'], staging, `npm pack ${spec}`, withoutOuterNpm());
    let tarball;
    try {
      tarball = join(staging, JSON.parse(packed)[0].filename);
    } catch (error) {
      throw new Error(`fetch-node: could not read the tarball name from npm pack's output: ${String(error)}\n${packed}`);
    }
    const unpacked = join(staging, 'node');
    await mkdir(unpacked);
    await runOrExplain('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1'], staging, `tar xzf ${tarball}`);
    const version = (await runOrExplain(join(unpacked, 'bin', 'node'), ['--version'], staging, `${spec}'s bin/node --version`)).trim();
    if (!version.startsWith(`v${major}.`)) {
      throw new Error(`fetch-node: ${spec} unpacked Node ${version}, not ${major}.x`);
    }
    await chmod(unpacked, 0o755);
    try {
      await rename(unpacked, target);
    } catch (error) {
      // Another run unpacked the same major meanwhile: keep theirs.
      if (!existsSync(binary)) throw new Error(`fetch-node: could not move ${unpacked} to ${target}: ${String(error)}`);
    }
    process.stderr.write(`fetch-node: Node ${version} is at ${binary}\n`);
    return binary;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Runs a command and returns its stdout; on failure, throws saying what failed and why. */
async function runOrExplain(command, args, cwd, what, env = process.env) {
  try {
    const { stdout } = await run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const output = [error.stderr, error.stdout].filter(Boolean).join('\n').trim().split('\n').slice(-15).join('\n');
    const reason = error.code === 'ENOENT' ? `${command} is not on PATH` : `exit code ${error.code ?? error.signal}`;
    throw new Error(`fetch-node: ${what} failed (${reason})${output ? `:\n${output}` : ''}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2);
  if (majors.length === 0) {
    process.stderr.write('usage: node scripts/fetch-node.mjs <major>... (e.g. 22 24)\n');
    process.exit(2);
  }
  try {
    for (const major of majors) console.log(await fetchNode(major));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
