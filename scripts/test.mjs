// The one test entry behind `npm test` (which builds, type-checks into out/ and lints first).
// `node scripts/test.mjs [unit|integration|adapter]... [--node-test-flag...]` runs Node's test runner on
// the compiled tests, part after part, and closes with the line "N passed, N failed".
//
// Integration tests get CLUSTER_TOUR_TEST_NODES: absolute paths of the Node binaries to run
// fixtures under, joined with path.delimiter (":"), this machine's node first, then Node 22 and
// 24 from scripts/fetch-node.mjs. Set it yourself to test other binaries (or only one).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchNode } from './fetch-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const extraNodeMajors = [22, 24];

/** The parts in the order they run; each is a folder of test/ compiled into out/test/. */
const parts = {
  unit: { flags: ['--test-timeout=60000'] },
  // Real processes on a 2-core machine: one test file at a time.
  integration: { flags: ['--test-concurrency=1', '--test-timeout=300000'], prepare: prepareIntegration },
  // The debug adapter over stdio, driven by DebugClient, on real cluster fixtures.
  adapter: { flags: ['--test-concurrency=1', '--test-timeout=180000'] },
  // The extension in a real VS Code: code-server on Node 24 and Debian's chromium, installed
  // outside the project by scripts/e2e-setup.mjs (see shared/reference/real-vscode-e2e.md).
  e2e: { flags: ['--test-concurrency=1', '--test-timeout=600000'], prepare: prepareEndToEnd },
};

const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const forwardedFlags = process.argv.slice(2).filter((argument) => argument.startsWith('--'));
for (const name of requested) {
  if (!(name in parts)) fail(`test: unknown part "${name}"; expected one of: ${Object.keys(parts).join(', ')}`);
}

let child;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child?.kill(signal);
    process.exit(130);
  });
}

const totals = { passed: 0, failed: 0 };
/** Each part's "failing tests" report, printed again at the end: CI logs often keep only the tail. */
const failureReports = [];
for (const name of requested.length > 0 ? requested : Object.keys(parts)) {
  const files = compiledTests(name);
  if (files.length === 0) {
    console.log(`test: no ${name} tests (test/${name}/**/*.test.ts)`);
    continue;
  }
  const env = { ...process.env, ...(await parts[name].prepare?.()) };
  console.log(`test: ${name}: ${files.length} file(s)`);
  const result = await runNodeTest([...parts[name].flags, ...forwardedFlags], files, env);
  totals.passed += result.passed;
  totals.failed += result.failed;
  if (result.failed > 0) failureReports.push({ name, lines: result.failureLines });
}

if (failureReports.length > 0) {
  console.log('test: the failing tests of each part again (an earlier part may have scrolled away):');
  for (const { name, lines } of failureReports) {
    console.log(`--- ${name} ---`);
    console.log(lines.length > 0 ? lines.join('\n') : '(node --test printed no "failing tests" report)');
  }
}

const ranNothing = totals.passed + totals.failed === 0;
if (ranNothing) console.log('test: no test ran');
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || ranNothing ? 1 : 0);

/**
 * The compiled tests of one part, sorted. A compiled file whose test/…/*.test.ts is gone (renamed
 * or deleted; tsc does not clean out/) is skipped, so stale tests never run.
 */
function compiledTests(name) {
  const directory = join(root, 'out', 'test', name);
  if (!existsSync(directory)) return [];
  const files = [];
  for (const entry of readdirSync(directory, { recursive: true }).sort()) {
    const file = join(directory, String(entry));
    if (!file.endsWith('.test.js')) continue;
    const source = join(root, relative(join(root, 'out'), file)).replace(/\.js$/, '.ts');
    if (existsSync(source)) {
      files.push(relative(root, file));
    } else {
      console.log(`test: skipping ${relative(root, file)}: ${relative(root, source)} no longer exists`);
    }
  }
  return files;
}

/** Installs code-server, Node 24 and chromium once (a no-op when they are there). */
async function prepareEndToEnd() {
  const { e2eSetup } = await import('./e2e-setup.mjs');
  await e2eSetup();
  return {};
}

/** CLUSTER_TOUR_TEST_NODES for the integration part, fetching the other majors when unset. */
async function prepareIntegration() {
  if (process.env.CLUSTER_TOUR_TEST_NODES) {
    console.log(`test: CLUSTER_TOUR_TEST_NODES=${process.env.CLUSTER_TOUR_TEST_NODES} (from the environment)`);
    return {};
  }
  const ownMajor = Number(process.versions.node.split('.')[0]);
  const nodes = [process.execPath];
  try {
    for (const major of extraNodeMajors.filter((major) => major !== ownMajor)) nodes.push(await fetchNode(major));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const value = nodes.join(delimiter);
  console.log(`test: CLUSTER_TOUR_TEST_NODES=${value}`);
  return { CLUSTER_TOUR_TEST_NODES: value };
}

/**
 * Runs `node --test` with the spec reporter, passing its output through while reading the
 * summary it closes with ("ℹ pass N", "ℹ fail N", "ℹ cancelled N"; the last of each counts, as
 * a test may print look-alike lines). Cancelled tests count as failed, and so does a run that
 * exits non-zero without reporting a failure.
 */
function runNodeTest(flags, files, env) {
  return new Promise((resolve) => {
    const summary = {};
    const failureLines = [];
    let inFailures = false;
    let pending = '';
    const read = (line) => {
      // Colours are stripped in case FORCE_COLOR is set.
      const plain = line.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
      const match = /^\S+ (tests|pass|fail|cancelled) (\d+)$/.exec(plain);
      if (match) summary[match[1]] = Number(match[2]);
      // The spec reporter closes with "✖ failing tests:" and each failure; kept, without stacks.
      if (/^\S+ failing tests:$/.test(plain)) inFailures = true;
      if (inFailures && failureLines.length < 120 && !/^\s+at /.test(plain)) failureLines.push(plain);
    };
    child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...flags, ...files], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      lines.forEach(read);
    });
    child.on('error', (error) => fail(`test: could not start ${process.execPath} --test: ${error.message}`));
    child.on('close', (code, signal) => {
      read(pending);
      child = undefined;
      const passed = summary.pass ?? 0;
      let failed = (summary.fail ?? 0) + (summary.cancelled ?? 0);
      if ((code !== 0 || signal) && failed === 0) {
        console.log(`test: node --test exited with ${signal ?? `code ${code}`} without reporting a failed test`);
        failed = 1;
      }
      resolve({ passed, failed, failureLines });
    });
  });
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
