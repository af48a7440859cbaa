// Attach and detach leave the app as it was, on real cluster apps: a worker forked after a clean
// stop, after a failed attach, or after the tracer was SIGKILLed (even one waiting at the gate
// then) starts with no trace of Cluster Tour and serves; the primary's environment is restored;
// attaching again and again sees all traffic; one unreachable worker does not fail the attach.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { listInspectorTargets } from '../../src/cdp/discovery';
import { CdpSession } from '../../src/cdp/session';
import { ClusterRuntime, ProblemEvent } from '../../src/cluster/runtime';
import { ClusterApp, freePorts, occupy } from '../support/clusterApp';
import { get, load, preloadPath, testNodes, waitFor } from '../support/cluster';
import { assertNoProcessesLeft, CliRun, delay, startCli, testMarkerVariable } from '../support/processes';

/**
 * --inspect on a port whose next two are free too: cluster gives workers the primary's port + 1,
 * + 2, and from port 0 those are ports next to an ephemeral one, which a busy machine may hold.
 */
/**
 * The primary's inspector on a port whose next `workers` ports are free too: cluster gives worker
 * N the primary's port + N, and a worker whose port is taken runs without an inspector.
 */
async function inspectOption(workers = 2): Promise<string> {
  return `--inspect=127.0.0.1:${await freePorts(workers + 1)}`;
}

/** Every process the test starts (the app, the runtime's watchdog) carries this marker. */
function newMarker(): string {
  const value = randomUUID();
  process.env[testMarkerVariable] = value;
  return `${testMarkerVariable}=${value}`;
}

/** The worker started with nothing of Cluster Tour, ran to serving, and nothing crashed. */
async function assertUntouched(app: ClusterApp, worker: { id: number; env: Record<string, string> }, original: Record<string, string>, sessionDirectory: string): Promise<void> {
  assert.deepEqual(worker.env, original, `worker ${worker.id} inherited the app's own NODE_OPTIONS and CLUSTER_TOUR_* variables: no preload, no session`);
  await app.servedBy(worker.id);
  assert.deepEqual(app.failedExits(), [], `no worker died:\n${app.output}`);
  assert.ok(!fs.existsSync(sessionDirectory) || fs.readdirSync(sessionDirectory).length === 0, `no session file was written in ${sessionDirectory}`);
}

/**
 * What Cluster Tour left in the process behind an inspector port, asked through a session of our
 * own: its globals, wrapped stdout/stderr writers, wrapped worker channels, cluster.fork.
 */
async function leftovers(port: number): Promise<string[]> {
  const [target] = await listInspectorTargets('127.0.0.1', port);
  const session = await CdpSession.connect(target.webSocketDebuggerUrl);
  try {
    const answer = await session.evaluate({
      returnByValue: true,
      expression: `(() => {
        const found = [];
        for (const name of ['agent', 'guest', 'output-capture', 'preload']) {
          if (globalThis[Symbol.for('cluster-tour.' + name)] !== undefined) found.push('global ' + name);
        }
        for (const stream of ['stdout', 'stderr']) {
          if (String(process[stream].write).includes('binding')) found.push(stream + '.write wrapped');
        }
        const cluster = process.getBuiltinModule('cluster');
        if (String(cluster.fork).includes('originalFork')) found.push('cluster.fork wrapped');
        for (const worker of Object.values(cluster.workers || {})) {
          if (String(worker.process.send).includes('newconn')) found.push('worker ' + worker.id + ' send wrapped');
        }
        if (process.listeners('internalMessage').some((listener) => String(listener).includes('newconn'))) found.push('internalMessage listener');
        return found;
      })()`,
    });
    return answer.result.value as string[];
  } finally {
    await session.close();
  }
}

/** Waits until the tracer has attached (the primary passes its session on); returns the session folder. */
async function attachedSession(app: ClusterApp, tracer: CliRun): Promise<string> {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const sessionDirectory = (await app.primaryEnvironment()).CLUSTER_TOUR_SESSION;
    if (sessionDirectory) {
      return sessionDirectory;
    }
    await delay(100);
  }
  throw new Error(`The tracer did not attach within 30 s:\n${tracer.stderr}`);
}

async function attach(app: ClusterApp): Promise<{ runtime: ClusterRuntime; events: AnyLifecycleEvent[]; problems: ProblemEvent[] }> {
  const runtime = await ClusterRuntime.attach({ host: '127.0.0.1', port: app.inspectorPort, preloadPath, debugging: { captureOutput: true } });
  const events: AnyLifecycleEvent[] = [];
  const problems: ProblemEvent[] = [];
  runtime.onStage((event) => events.push(event));
  runtime.onProblem((problem) => problems.push(problem));
  return { runtime, events, problems };
}

for (const node of testNodes) {
  describe(`detach on ${node}`, () => {
    it('after a clean stop, a worker forked later starts untouched and the primary has its own environment back', async () => {
      const marker = newMarker();
      const app = await ClusterApp.start(node, [await inspectOption()], { NODE_OPTIONS: '--max-old-space-size=200' });
      try {
        const original = await app.primaryEnvironment();
        const { runtime, problems } = await attach(app);
        await waitFor('primary and 2 workers attached', () => runtime.processes().length === 3, 20000, () => JSON.stringify(problems));
        const sessionDirectory = (await app.primaryEnvironment()).CLUSTER_TOUR_SESSION;
        assert.ok(sessionDirectory, 'while attached, the primary passes the session on to new workers');
        await runtime.stop();

        assert.deepEqual(await app.primaryEnvironment(), original, "the primary's NODE_OPTIONS and variables are exactly as before");
        for (const [index, port] of [app.inspectorPort, app.inspectorPort + 1, app.inspectorPort + 2].entries()) {
          assert.deepEqual(await leftovers(port), [], `nothing of Cluster Tour is left in ${index === 0 ? 'the primary' : `worker ${index}`}`);
        }
        await assertUntouched(app, await app.fork(), original, sessionDirectory);
      } finally {
        app.kill();
      }
      await assertNoProcessesLeft(marker);
    });

    it('after Ctrl+C in `trace --attach`, a worker forked later starts untouched', async () => {
      const marker = newMarker();
      const app = await ClusterApp.start(node, [await inspectOption()]);
      const tracer = startCli(['trace', '--attach', `127.0.0.1:${app.inspectorPort}`], { env: { [testMarkerVariable]: marker.split('=')[1] }, timeoutMilliseconds: 120_000 });
      try {
        const original = await app.primaryEnvironment();
        const sessionDirectory = await attachedSession(app, tracer);
        // The trace handles Ctrl+C once it has attached and prints what it sees.
        const deadline = Date.now() + 30000;
        while (!/connection/.test(tracer.stdout) && Date.now() < deadline) {
          await get(app.port);
          await delay(200);
        }
        assert.match(tracer.stdout, /connection/, `the trace attached and printed:\n${tracer.stderr}`);
        process.kill(tracer.pid, 'SIGINT');
        const result = await tracer.finished;
        assert.equal(result.code, 130, result.stderr);

        assert.deepEqual(await app.primaryEnvironment(), original, "the primary's environment is its own again");
        await assertUntouched(app, await app.fork(), original, sessionDirectory);
      } finally {
        if (tracer.child.exitCode === null && tracer.child.signalCode === null) {
          process.kill(tracer.pid, 'SIGKILL');
        }
        app.kill();
      }
      await assertNoProcessesLeft(marker);
    });

    it('after a failed attach (another session holds the app), a worker forked later starts untouched', async () => {
      const marker = newMarker();
      const app = await ClusterApp.start(node, [await inspectOption()]);
      let first: Awaited<ReturnType<typeof attach>> | undefined;
      try {
        const original = await app.primaryEnvironment();
        first = await attach(app);
        const events = first.events;
        await waitFor('primary and 2 workers attached', () => first!.runtime.processes().length === 3, 20000, () => JSON.stringify(first!.problems));
        const sessionDirectory = (await app.primaryEnvironment()).CLUSTER_TOUR_SESSION;
        await assert.rejects(ClusterRuntime.attach({ host: '127.0.0.1', port: app.inspectorPort, preloadPath }), /Another Cluster Tour session/);
        // The session that was there first goes on seeing all traffic.
        const connections = (): number => events.filter((event) => event.stage === 'connection').length;
        await waitFor('the requests so far seen', () => connections() === 1, 15000);
        await load(app.port, 2, 1);
        await waitFor('the first session sees both new connections', () => connections() === 3, 15000);
        await first.runtime.stop();

        assert.deepEqual(await app.primaryEnvironment(), original, "the primary's environment is its own again");
        await assertUntouched(app, await app.fork(), original, sessionDirectory);
      } finally {
        await first?.runtime.stop();
        app.kill();
      }
      await assertNoProcessesLeft(marker);
    });

    it('after the tracer is SIGKILLed, a worker waiting at the gate goes on, later workers start untouched, and a new attach sees all traffic', async () => {
      const marker = newMarker();
      const app = await ClusterApp.start(node, [await inspectOption(4)]);
      const tracer = startCli(['trace', '--attach', `127.0.0.1:${app.inspectorPort}`], { env: { [testMarkerVariable]: marker.split('=')[1] }, timeoutMilliseconds: 120_000 });
      let again: ClusterRuntime | undefined;
      try {
        const original = await app.primaryEnvironment();
        const sessionDirectory = await attachedSession(app, tracer);

        // Frozen, the tracer cannot release the next worker: it waits at the gate when the tracer dies.
        process.kill(tracer.pid, 'SIGSTOP');
        await get(app.port, '/fork');
        await waitFor('the new worker to wait at the gate', () => fs.readdirSync(sessionDirectory).some((name) => name.endsWith('.json')), 20000, () => app.output);
        process.kill(tracer.pid, 'SIGKILL');
        await tracer.finished;
        await waitFor('the gated worker to go on', () => app.workers().length === 3, 20000, () => app.output);
        const gated = app.workers()[2];
        await assertUntouched(app, gated, original, sessionDirectory);

        await assertUntouched(app, await app.fork(), original, sessionDirectory);
        assert.deepEqual(await app.primaryEnvironment(), original, "the primary's environment is its own again");

        const attached = await attach(app);
        again = attached.runtime;
        await waitFor('primary and 4 workers attached', () => attached.runtime.processes().length === 5, 20000, () => `${JSON.stringify(attached.problems)}\n${app.output}`);
        await load(app.port, 4, 1);
        await waitFor('a new attach sees every connection', () => attached.events.filter((event) => event.stage === 'connection').length === 4, 15000);
      } finally {
        await again?.stop();
        if (tracer.child.exitCode === null && tracer.child.signalCode === null) {
          process.kill(tracer.pid, 'SIGKILL');
        }
        app.kill();
      }
      await assertNoProcessesLeft(marker);
    });

    it('attaches three times in a row, each time seeing every request it makes', async () => {
      const marker = newMarker();
      const app = await ClusterApp.start(node, [await inspectOption()]);
      try {
        for (let round = 1; round <= 3; round++) {
          const { runtime, events, problems } = await attach(app);
          try {
            await waitFor(`attach ${round}: primary and 2 workers attached`, () => runtime.processes().length === 3, 20000, () => JSON.stringify(problems));
            await load(app.port, 4, 1);
            const count = (stage: string): number => events.filter((event) => event.stage === stage).length;
            await waitFor(`attach ${round}: 4 connections seen in the primary and the workers`, () => count('newconn-sent') === 4 && count('connection') === 4, 15000, () =>
              JSON.stringify(events.map((event) => event.stage)),
            );
          } finally {
            await runtime.stop();
          }
        }
        assert.deepEqual(app.failedExits(), []);
      } finally {
        app.kill();
      }
      await assertNoProcessesLeft(marker);
    });

    it('attaches to every worker it can reach and reports the one it cannot', async () => {
      const marker = newMarker();
      // Worker 2's inspector port (the primary's + 2) is taken: it runs without an inspector.
      const first = await freePorts(3);
      const blocker = await occupy(first + 2);
      const app = await ClusterApp.start(node, [`--inspect=127.0.0.1:${first}`]);
      let runtime: ClusterRuntime | undefined;
      try {
        const attached = await attach(app);
        runtime = attached.runtime;
        await waitFor('primary and worker 1 attached', () => runtime!.processes().length === 2, 20000);
        assert.deepEqual(runtime.processes().map((identity) => identity.workerId ?? 0).sort(), [0, 1]);
        const worker2 = app.workers().find((worker) => worker.id === 2)!;
        await waitFor('the unreachable worker reported', () => attached.problems.some((problem) => problem.code === 'E_WORKER_UNREACHABLE'), 10000);
        const problem = attached.problems.find((each) => each.code === 'E_WORKER_UNREACHABLE')!;
        assert.match(problem.message, new RegExp(`worker 2 \\(pid ${worker2.pid}\\)`));
        assert.match(problem.message, new RegExp(`${first + 2}`), 'the message names the taken port');
        await load(app.port, 4, 1);
        await waitFor('connections to worker 1 seen', () => attached.events.some((event) => event.stage === 'connection' && event.workerId === 1), 15000);
      } finally {
        await runtime?.stop();
        app.kill();
        blocker.close();
      }
      await assertNoProcessesLeft(marker);
    });
  });
}
