// bin/cluster-tour, the command as installed: for a plain trace it starts the program before its
// tracer's Node has booted (the tracer then takes it over), and hands everything else to
// dist/cli.js. Real programs under each Node of CLUSTER_TOUR_TEST_NODES; the tracer runs under
// this test's Node. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNoProcessesLeft, repositoryRoot, spawnCli, type CliResult } from '../support/processes';
import { testNodes } from '../support/cluster';

const fixture = path.join(repositoryRoot(), 'test', 'fixtures', 'early-start.js');
/** `  +12.345 ms  worker 2   (pid 4242)  listening  …`: the process and the stage. */
const stagePattern = /^\s*\+\d+\.\d{3} ms {2}(primary|worker \d+)\s+\(pid \d+\)\s+(\S+)/;

function stages(result: CliResult): string[] {
  return result.stdout
    .split('\n')
    .flatMap((line) => {
      const match = stagePattern.exec(line);
      return match ? [`${match[1]} ${match[2]}`] : [];
    })
    .sort();
}

describe('bin/cluster-tour', () => {
  let cache: string;
  let sessions: string;
  let scratch: string;
  before(async () => {
    cache = await mkdtemp(path.join(tmpdir(), 'cluster-tour-test-cache-'));
    sessions = await mkdtemp(path.join(tmpdir(), 'cluster-tour-test-sessions-'));
    scratch = await mkdtemp(path.join(tmpdir(), 'cluster-tour-test-scratch-'));
  });
  after(async () => {
    await Promise.all([cache, sessions, scratch].map((folder) => rm(folder, { recursive: true, force: true })));
  });

  /** A preload for the tracer (CLUSTER_TOUR_TRACER_ARGS) that makes it boot 500 ms late. */
  let slowBoot: string;
  before(() => {
    slowBoot = path.join(scratch, 'slow-boot.js');
    writeFileSync(slowBoot, 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);\n');
  });

  /** The environment of a run: its own cache and session folders, so that both can be looked at. */
  const environment = (extra: Record<string, string> = {}): Record<string, string> => ({ XDG_CACHE_HOME: cache, TMPDIR: sessions, ...extra });

  const assertNothingLeft = async (run: { marker: string }, what: string): Promise<void> => {
    await assertNoProcessesLeft(run.marker, { after: what });
    assert.deepEqual(readdirSync(sessions), [], `session folders left ${what}`);
  };

  for (const node of testNodes) {
    it(`starts the program at once and traces it as dist/cli.js does (${node})`, { timeout: 60_000 }, async () => {
      const args = ['trace', '--runtime', node, fixture, 'one', 'two words', '--json'];
      const env = environment({ EARLY_EXIT_CODE: '7' });
      const early = await spawnCli(args, { launcher: 'bin', env, timeoutMilliseconds: 30_000 });
      await assertNothingLeft(early, 'after bin/cluster-tour');
      // Now on the plan the first run cached, with a tracer slow to boot: the primary has reported
      // before the tracer has even set its launch up.
      const cached = await spawnCli(args, { launcher: 'bin', env: { ...env, CLUSTER_TOUR_TRACER_ARGS: `--require ${slowBoot}` }, timeoutMilliseconds: 30_000 });
      await assertNothingLeft(cached, 'after bin/cluster-tour on a cached plan');
      const slow = await spawnCli(args, { env, timeoutMilliseconds: 30_000 });
      await assertNothingLeft(slow, 'after dist/cli.js');

      for (const [name, result] of [['bin/cluster-tour', early], ['bin/cluster-tour, cached plan', cached], ['dist/cli.js', slow]] as const) {
        assert.equal(result.code, 7, `${name}: the program's exit code\n${result.stderr}`);
        assert.match(result.stdout, /arguments: \["one","two words","--json"\]/, `${name}: the program's own arguments`);
        assert.match(result.stderr, /the primary ends/, `${name}: the program's stderr`);
        assert.doesNotMatch(result.stderr, /warning/, `${name}: no warning`);
        assert.doesNotMatch(result.stdout, /\+-/, `${name}: in time order from the first event:\n${result.stdout}`);
      }
      // The early start's program writes to the launcher's FIFOs; a spawned one to Node's pipes.
      assert.match(early.stdout, /stdout is a FIFO: true/, 'bin/cluster-tour started the program itself');
      assert.match(cached.stdout, /stdout is a FIFO: true/);
      assert.match(slow.stdout, /stdout is a FIFO: false/);
      const expected = ['primary exit', 'primary fork', 'primary fork', 'primary listening', 'primary listening', 'primary online', 'primary online'];
      for (const stage of expected) {
        assert.ok(stages(early).includes(stage), `bin/cluster-tour traced "${stage}":\n${early.stdout}`);
      }
      assert.deepEqual(stages(early), stages(slow), 'the same stages either way');
      assert.deepEqual(stages(cached), stages(slow), 'the same stages on a cached plan');
    });
  }

  it('keeps the plan of a trace in the cache, and says when the one there was another build\'s', { timeout: 60_000 }, async () => {
    const cacheHere = await mkdtemp(path.join(scratch, 'cache-'));
    const env = { ...environment(), XDG_CACHE_HOME: cacheHere };
    const plans = path.join(cacheHere, 'cluster-tour', 'trace-plans');
    // Entries an earlier build left: one for this Node binary (replaced by this build's), one for another.
    mkdirSync(plans, { recursive: true });
    writeFileSync(path.join(plans, 'earlier-build.json'), JSON.stringify({ key: `${process.execPath}\nv0.0.0\nan earlier build`, plan: {} }));
    writeFileSync(path.join(plans, 'other-node.json'), JSON.stringify({ key: `${process.execPath}-elsewhere\nv0.0.0`, plan: {} }));
    const first = await spawnCli(['trace', fixture], { launcher: 'bin', env, timeoutMilliseconds: 30_000 });
    assert.equal(first.code, 0, first.stderr);
    const entryName = readdirSync(plans).find((name) => name !== 'other-node.json');
    assert.deepEqual(readdirSync(plans).sort(), [entryName, 'other-node.json'].sort(), 'this build\'s plan replaced the earlier build\'s, and left the other Node\'s');
    assert.ok(entryName, 'a trace plan was cached');
    const entryFile = path.join(plans, entryName);
    const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as { key: string; plan: { agent: { url: string } } };
    const planned = entry.plan.agent.url;
    // Another build's plan under this build's key: what an update that kept the files' sizes and times would leave.
    entry.plan.agent.url = `${planned}-of-another-build`;
    writeFileSync(entryFile, JSON.stringify(entry));

    // A tracer slow to boot, so that the program surely starts on the cached plan, not on the tracer's.
    const second = await spawnCli(['trace', fixture], { launcher: 'bin', env: { ...env, CLUSTER_TOUR_TRACER_ARGS: `--require ${slowBoot}` }, timeoutMilliseconds: 30_000 });
    await assertNothingLeft(second, 'after the run on a stale plan');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /started with a cached plan of another build of Cluster Tour/);
    assert.equal((JSON.parse(readFileSync(entryFile, 'utf8')) as typeof entry).plan.agent.url, planned, 'the cache holds this build\'s plan again');

    const third = await spawnCli(['trace', fixture], { launcher: 'bin', env, timeoutMilliseconds: 30_000 });
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stderr, /another build/);
  });

  for (const cached of [false, true]) {
    it(`stops the program when its tracer dies before taking it over (${cached ? 'with' : 'without'} a cached plan)`, { timeout: 60_000 }, async () => {
      const cacheHere = await mkdtemp(path.join(scratch, 'cache-'));
      if (cached) {
        const warm = await spawnCli(['trace', fixture], { launcher: 'bin', env: { ...environment(), XDG_CACHE_HOME: cacheHere }, timeoutMilliseconds: 30_000 });
        assert.equal(warm.code, 0, warm.stderr);
      }
      const mark = path.join(scratch, `mark-${cached}`);
      // The tracer's Node runs this instead of dist/cli.js: it dies at once, as a crash would.
      const env = { ...environment(), XDG_CACHE_HOME: cacheHere, EARLY_MARK_FILE: mark, CLUSTER_TOUR_TRACER_ARGS: '--eval process.exit(3)' };
      const run = await spawnCli(['trace', fixture], { launcher: 'bin', env, timeoutMilliseconds: 30_000 });
      assert.equal(run.code, 3);
      await assertNothingLeft(run, 'after its tracer died');
      if (!cached) {
        // It waited for the plan in its preload: none of its own code ran.
        assert.equal(existsSync(mark), false, 'the program never ran its own code');
      }
    });
  }

  it('finds a relative program where the tracer does, in a folder reached through a symbolic link', { timeout: 60_000 }, async () => {
    const real = await mkdtemp(path.join(scratch, 'real-'));
    copyFileSync(fixture, path.join(real, 'app.js'));
    const link = path.join(scratch, 'link');
    symlinkSync(real, link);
    // A shell's $PWD names the folder as it was reached; process.cwd() names it physically.
    const run = await spawnCli(['trace', 'app.js', 'argument'], { launcher: 'bin', cwd: link, env: environment({ PWD: link }), timeoutMilliseconds: 30_000 });
    await assertNothingLeft(run, 'after the run');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /stdout is a FIFO: true/);
    assert.match(run.stdout, /arguments: \["argument"\]/);
    assert.doesNotMatch(run.stderr, /warning|E_STARTED|started early/);
  });

  it('leaves to dist/cli.js what it does not start itself', { timeout: 60_000 }, async () => {
    const version = await spawnCli(['--version'], { launcher: 'bin', env: environment() });
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(path.join(repositoryRoot(), 'package.json'), 'utf8')) as { version: string }).version);
    const badPolicy = await spawnCli(['trace', '--sched', 'fifo', fixture], { launcher: 'bin', env: environment() });
    assert.equal(badPolicy.code, 2);
    assert.match(badPolicy.stderr, /--sched takes rr or none, not "fifo"/);
    const missing = await spawnCli(['trace', path.join(scratch, 'missing.js')], { launcher: 'bin', env: environment() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.js does not exist/);
    const noRuntime = await spawnCli(['trace', '--runtime', path.join(scratch, 'no-node'), fixture], { launcher: 'bin', env: environment() });
    assert.equal(noRuntime.code, 2);
    assert.match(noRuntime.stderr, /Cannot find the runtime executable/);
    assert.deepEqual(readdirSync(sessions), [], 'nothing was started for any of them');
  });
});
