// Listing node processes on real processes: a cluster app without an inspector shows as a primary
// with its 2 workers inside, a plain node started with --inspect=127.0.0.1:0 shows its inspector's
// port, and the caller itself is not listed. Each process started here leads its own process
// group, which the test kills; none may be left.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { listNodeProcesses, type NodeProcess } from '../../src/cluster/attach/nodeProcesses';
import { testNodes } from '../support/cluster';
import { assertNoProcessesLeft, delay, repositoryRoot, testMarkerVariable } from '../support/processes';

const fixtures = path.join(repositoryRoot(), 'test', 'fixtures');
const marker = randomUUID();
const groups: ChildProcess[] = [];

/** Starts `node args` as the leader of a new process group; `output` collects stdout and stderr. */
function startGroup(args: readonly string[]): { child: ChildProcess; pid: number; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, [testMarkerVariable]: marker, WORKERS: '2' };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(testNodes[0], args, { env, cwd: fixtures, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(child.pid, `could not start node ${args.join(' ')}`);
  groups.push(child);
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { child, pid: child.pid, output: () => text };
}

async function waitForOutput(started: { child: ChildProcess; output: () => string }, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = pattern.exec(started.output());
    if (match) {
      return match;
    }
    if (Date.now() > deadline || started.child.exitCode !== null) {
      assert.fail(`no ${pattern} from pid ${started.child.pid}; output:\n${started.output()}`);
    }
    await delay(20);
  }
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

after(async () => {
  groups.forEach(killGroup);
  await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the test killed its process groups' });
});

function find(list: readonly NodeProcess[], pid: number): NodeProcess | undefined {
  return list.flatMap((each) => [each, ...each.workers]).find((each) => each.pid === pid);
}

describe('listNodeProcesses', () => {
  it('groups a cluster\'s workers under its primary, finds an inspector by port, and leaves out the caller', async () => {
    const cluster = startGroup([path.join(fixtures, 'http-workers.js')]);
    const inspected = startGroup(['--inspect=127.0.0.1:0', path.join(fixtures, 'process-attach-idle.js')]);
    await waitForOutput(cluster, /LISTENING \d+/);
    const [, port] = await waitForOutput(inspected, /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    await waitForOutput(inspected, /READY \d+/);

    const list = await listNodeProcesses();
    const primary = list.find((each) => each.pid === cluster.pid);
    assert.ok(primary, `the primary ${cluster.pid} is listed at the top level: ${JSON.stringify(list.map((each) => each.pid))}`);
    assert.equal(primary.workerId, undefined);
    assert.deepEqual(primary.workers.map((worker) => worker.workerId), [1, 2]);
    for (const worker of primary.workers) {
      assert.equal(worker.ppid, primary.pid);
      assert.equal(worker.inspector, undefined, 'no worker has an inspector');
      assert.ok(!list.some((each) => each.pid === worker.pid), 'a worker is not listed again on its own');
    }
    assert.equal(primary.inspector, undefined, 'the cluster app has no inspector');
    assert.equal(primary.cwd, fixtures);
    assert.match(primary.args.join(' '), /http-workers\.js$/);
    assert.ok(list.indexOf(primary) < list.findIndex((each) => each.workers.length === 0), 'primaries come first');

    const plain = list.find((each) => each.pid === inspected.pid);
    assert.ok(plain, 'the plain node process is listed');
    assert.deepEqual(plain.inspector, { host: '127.0.0.1', port: Number(port) });
    assert.deepEqual(plain.workers, []);

    assert.equal(find(list, process.pid), undefined, 'the caller is not listed');
  });

  it('leaves out the ancestors of a given pid, and an exited app', async () => {
    const cluster = startGroup([path.join(fixtures, 'http-workers.js')]);
    await waitForOutput(cluster, /LISTENING \d+/);
    const [firstWorker] = (await listNodeProcesses()).find((each) => each.pid === cluster.pid)?.workers ?? [];
    assert.ok(firstWorker, 'worker 1 is listed');

    const fromWorker = await listNodeProcesses({ excludeAncestorsOf: firstWorker.pid });
    assert.equal(find(fromWorker, firstWorker.pid), undefined, 'the pid itself is left out');
    assert.equal(find(fromWorker, cluster.pid), undefined, 'its parent, the primary, is left out');
    const orphan = fromWorker.find((each) => each.workerId === 2 && each.ppid === cluster.pid);
    assert.ok(orphan, 'worker 2, whose primary is left out, is listed on its own');

    killGroup(cluster.child);
    await assertNoProcessesLeft({ descendantsOf: cluster.pid }, { after: 'the cluster group was killed' });
    assert.equal(find(await listNodeProcesses(), cluster.pid), undefined, 'an exited app is not listed');
  });
});
