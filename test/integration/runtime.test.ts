// The runtime on real cluster programs: every stage for the right process in both scheduling
// policies, one connection followed from accept to worker, every kind of worker observed, stops
// at call sites and at a worker's first line, attach to a running app, nothing left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { ClusterRuntime } from '../../src/cluster/runtime';
import { attachTarget } from '../../src/adapter/requestArguments';
import { fixture, get, listeningPort, load, observe, Observed, preloadPath, testNodes, waitFor } from '../support/cluster';

const nodes = testNodes;
const firstNode = nodes[0];

async function assertAllGone(observed: Observed): Promise<void> {
  const pids = [...new Set([...observed.attached.map((identity) => identity.pid), ...observed.events.map((event) => event.pid)])];
  await waitFor('every observed process to be gone', () => pids.every((pid) => !pidAlive(pid)), 5000);
}

const workerEvents = (observed: Observed, workerId: number): AnyLifecycleEvent[] =>
  observed.events.filter((event) => event.process === 'worker' && event.workerId === workerId);

for (const node of nodes) {
  for (const policy of ['rr', 'none'] as const) {
    describe(`stages with SCHED_${policy.toUpperCase()} on ${node}`, () => {
      // Planned (observeOnly, as `cluster-tour trace` launches): each process sets its own
      // tracepoints from the plan and runs before the controller connects.
      for (const observeOnly of [false, true]) {
      it(`reports every stage for the right process, in time order per process${observeOnly ? ', in a planned launch' : ''}`, async () => {
        const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: node, schedulingPolicy: policy, observeOnly });
        try {
          await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
          const port = listeningPort(observed.output()) as number;
          await load(port, 6, 2);
          await get(port, '/quit');
          const end = await observed.runtime.whenEnded();
          assert.equal(end.code, 0);
          await observed.runtime.stop();

          const primaryStages = new Set(observed.events.filter((event) => event.process === 'primary').map((event) => event.stage));
          for (const stage of ['fork', 'online', 'query-server', 'handle-created', 'listening', 'disconnect', 'exit'] as const) {
            assert.ok(primaryStages.has(stage), `primary reported ${stage}; got ${[...primaryStages].join(', ')}`);
          }
          const handle = observed.stage('handle-created')[0];
          assert.equal(handle.detail && (handle.detail as { kind: string }).kind, policy === 'rr' ? 'round-robin' : 'shared');
          for (const workerId of [1, 2]) {
            const stages = workerEvents(observed, workerId).map((event) => event.stage);
            for (const stage of ['listen-requested', 'listening', 'disconnect'] as const) {
              assert.ok(stages.includes(stage), `worker ${workerId} reported ${stage}; got ${stages.join(', ')}`);
            }
            assert.deepEqual(
              observed
                .stage('exit', (event) => (event.detail as { workerId: number | null }).workerId === workerId)
                .map((event) => {
                  // `disconnected` is left out: 'disconnect' usually, not always, comes before 'exit'.
                  const { code, signal, handleUnacknowledged } = event.detail as { code: number; signal: string | null; handleUnacknowledged?: boolean };
                  return { workerId, code, signal, handleUnacknowledged };
                }),
              [{ workerId, code: 0, signal: null, handleUnacknowledged: false }],
            );
          }
          const connections = observed.stage('connection');
          assert.equal(connections.length, 7, 'one connection event per request (6 + /quit)');
          assert.ok(connections.every((event) => event.process === 'worker'));
          if (policy === 'rr') {
            assert.equal(observed.stage('accepted').length, 7);
            assert.equal(observed.stage('newconn-received').length, 7);
            assert.ok(observed.stage('accepted').every((event) => event.process === 'primary'));
          } else {
            assert.equal(observed.stage('accepted').length, 0, 'no round-robin accept under SCHED_NONE');
            assert.equal(observed.stage('newconn-sent').length, 0);
          }
          for (const event of observed.events) {
            assert.ok(Number.isFinite(event.time) && event.time > 0 && event.time < 1e12, 'time is CLOCK_MONOTONIC milliseconds, not a date');
          }
          assert.ok(observed.events.some((event) => !Number.isInteger(event.time)), 'time has sub-millisecond precision');
          for (const workerId of [1, 2]) {
            const fork = observed.stage('fork', (event) => (event.detail as { workerId: number }).workerId === workerId)[0];
            const listen = workerEvents(observed, workerId).find((event) => event.stage === 'listen-requested');
            assert.ok(fork && listen && fork.time < listen.time, 'fork in the primary comes before listen in the worker');
          }
          assert.deepEqual(observed.problems, []);
          await assertAllGone(observed);
        } finally {
          await observed.runtime.stop();
        }
      });
      }
    });
  }
}

describe('following connections', () => {
  it('maps every worker connection to exactly one accept in the primary, under 60 concurrent connections', async () => {
    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: firstNode, env: { WORKERS: '3' } });
    try {
      await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
      const port = listeningPort(observed.output()) as number;
      const bodies = await load(port, 120, 60);
      assert.equal(bodies.length, 120);
      await observed.waitFor('every connection reported', () => observed.stage('connection').length === 120 && observed.stage('accepted').length === 120);
      const accepted = new Map<number, number>();
      for (const event of observed.stage('accepted')) {
        const id = (event.detail as { seq: number }).seq;
        accepted.set(id, (accepted.get(id) ?? 0) + 1);
      }
      const sentTo = new Map(observed.stage('newconn-sent').map((event) => [(event.detail as { seq: number }).seq, (event.detail as { workerId: number }).workerId]));
      for (const event of observed.stage('connection')) {
        const id = (event.detail as { seq: number }).seq;
        assert.equal(accepted.get(id), 1, `connection ${id} was accepted exactly once`);
        assert.equal(sentTo.get(id), event.workerId, `connection ${id} went to the worker that got it`);
      }
      assert.equal(new Set(observed.stage('connection').map((event) => (event.detail as { seq: number }).seq)).size, 120);
      await get(port, '/quit');
      await observed.runtime.whenEnded();
    } finally {
      await observed.runtime.stop();
    }
    await assertAllGone(observed);
  });
});

describe('every kind of worker', () => {
  const launches = Number(process.env.CLUSTER_TOUR_FIRST_LINE_LAUNCHES ?? 20);
  for (const node of nodes) {
    // The full count on the machine's Node; a few on the others, to keep CI short.
    const count = node === firstNode ? launches : Math.min(3, launches);
    it(`stops at the first line of every worker (plain, silent, setupPrimary exec, respawned) in ${count} launches on ${node}`, async () => {
      const bodyUrl = pathToFileURL(fixture('four-workers-body.js')).href;
      const execUrl = pathToFileURL(fixture('four-workers-exec.js')).href;
      for (let launch = 0; launch < count; launch++) {
        const observed = await observe(fixture('four-workers.js'), {
          runtimeExecutable: node,
          breakpoints: [{ location: { url: bodyUrl, lineNumber: 0 } }, { location: { url: execUrl, lineNumber: 0 } }],
        });
        const stopped = new Set<number>();
        observed.runtime.onPaused((event) => {
          stopped.add(event.process.pid);
          void observed.runtime.resume(event.process.pid);
        });
        try {
          await observed.waitFor('ALL LISTENING', () => observed.output().includes('ALL LISTENING'));
          const workers = observed.attached.filter((identity) => identity.role === 'worker');
          assert.deepEqual(workers.map((identity) => identity.workerId).sort(), [1, 2, 3, 4, 5], `launch ${launch}: all five workers attached`);
          for (const worker of workers) {
            assert.ok(stopped.has(worker.pid), `launch ${launch}: worker ${worker.workerId} stopped at its first line`);
          }
          for (const pause of observed.paused) {
            assert.equal(pause.callFrames[0].location.lineNumber, 0);
          }
          for (const workerId of [2, 3, 5]) {
            await observed.waitFor(`launch ${launch}: worker ${workerId} observed listening`, () =>
              workerEvents(observed, workerId).some((event) => event.stage === 'listening'),
            );
          }
          assert.ok(observed.stage('exit', (event) => (event.detail as { workerId: number | null; code: number | null }).workerId === 4).length === 1);
        } finally {
          await observed.runtime.stop();
        }
        await assertAllGone(observed);
      }
    });
  }
});

describe('stop presets', () => {
  it('pauses at the accept call sites in the right processes, and no more once disarmed', async () => {
    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: firstNode, presets: ['accept'] });
    observed.runtime.onPaused((event) => void observed.runtime.resume(event.process.pid));
    try {
      await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
      const port = listeningPort(observed.output()) as number;
      await get(port);
      await observed.waitFor('stops in primary and worker', () => observed.paused.some((pause) => pause.process.role === 'worker'));
      const primaryStops = observed.paused.filter((pause) => pause.process.role === 'primary').flatMap((pause) => pause.callSites.map((site) => site.site.id));
      const workerStops = observed.paused.filter((pause) => pause.process.role === 'worker').flatMap((pause) => pause.callSites.map((site) => site.site.id));
      assert.ok(primaryStops.includes('rr:RoundRobinHandle.prototype.distribute'), `primary stops: ${primaryStops.join(', ')}`);
      assert.ok(workerStops.some((id) => id.includes('onconnection')), `worker stops: ${workerStops.join(', ')}`);
      const distribute = observed.paused.find((pause) => pause.callSites.some((site) => site.site.id === 'rr:RoundRobinHandle.prototype.distribute'));
      const frame = distribute?.callFrames[0];
      assert.equal(observed.runtime.session(distribute!.process.pid)?.scriptUrl(frame!.location.scriptId), 'node:internal/cluster/round_robin_handle');
      assert.equal(distribute?.callFrames[0].functionName, 'RoundRobinHandle.distribute');

      await observed.runtime.setPreset('accept', false);
      const before = observed.paused.length;
      await load(port, 3, 1);
      await get(port, '/quit');
      await observed.runtime.whenEnded();
      assert.equal(observed.paused.length, before, 'no stop after the preset was disarmed');
    } finally {
      await observed.runtime.stop();
    }
    await assertAllGone(observed);
  });

  it('stops where a tracepoint also records (the round-robin constructor) and still records', async () => {
    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: firstNode, presets: ['listen'] });
    observed.runtime.onPaused((event) => void observed.runtime.resume(event.process.pid));
    try {
      await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
      const stops = observed.paused.flatMap((pause) => pause.callSites.map((site) => `${pause.process.role}:${site.site.id}`));
      assert.ok(stops.includes('primary:rr:RoundRobinHandle'), `stops: ${stops.join(', ')}`);
      assert.ok(stops.some((stop) => stop.startsWith('worker:')), 'the listen path stops in workers too');
      await observed.waitFor('handle-created recorded', () => observed.stage('handle-created').length === 1);
      await get(listeningPort(observed.output()) as number, '/quit');
      await observed.runtime.whenEnded();
    } finally {
      await observed.runtime.stop();
    }
    await assertAllGone(observed);
  });

  it('refuses an unknown preset id', async () => {
    await assert.rejects(observe(fixture('http-workers.js'), { presets: ['accpet' as never] }), /Unknown preset "accpet"/);
  });
});

describe('attach', () => {
  it('attaches to a running primary and its workers, then to a worker forked later', async () => {
    const app = spawn(firstNode, ['--inspect=127.0.0.1:0', fixture('http-workers.js')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    app.stdout.on('data', (chunk: Buffer) => (output += chunk));
    app.stderr.on('data', (chunk: Buffer) => (output += chunk));
    let runtime: ClusterRuntime | undefined;
    try {
      await waitFor('the app to listen', () => listeningPort(output) !== undefined, 15000, () => output);
      const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1]);
      runtime = await ClusterRuntime.attach({ host: '127.0.0.1', port: inspectorPort, preloadPath });
      const attached = runtime.processes();
      const events: AnyLifecycleEvent[] = [];
      runtime.onStage((event) => events.push(event));
      await waitFor('primary and 2 workers attached', () => runtime!.processes().length === 3, 10000);
      assert.equal(attached[0].role, 'primary');
      const port = listeningPort(output) as number;
      await load(port, 4, 1);
      await waitFor('connections reported', () => events.filter((event) => event.stage === 'connection').length === 4, 10000);
      assert.equal(events.filter((event) => event.stage === 'newconn-sent').length, 4);

      await get(port, '/fork');
      await waitFor('the new worker attached', () => runtime!.processes().some((identity) => identity.workerId === 3), 10000);
      await waitFor('the new worker listening', () => events.some((event) => event.workerId === 3 && event.stage === 'listening'), 10000);
      await get(port, '/quit');
      await runtime.whenEnded();
    } finally {
      await runtime?.stop();
      if (app.pid !== undefined && app.exitCode === null) {
        process.kill(-app.pid, 'SIGKILL');
      }
    }
  });

  it('attaches by pid to a cluster app started with --inspect-port but no inspector, its running workers included, and leaves it running', async () => {
    // Cluster gives workers the ports after the primary's, and signals them when the primary's
    // inspector opens: SIGUSR1 to the primary reaches every worker.
    const inspectPort = await freePorts(3);
    const app = spawn(firstNode, [`--inspect-port=${inspectPort}`, fixture('http-workers.js')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    app.stdout.on('data', (chunk: Buffer) => (output += chunk));
    app.stderr.on('data', (chunk: Buffer) => (output += chunk));
    let runtime: ClusterRuntime | undefined;
    try {
      await waitFor('the app to listen', () => listeningPort(output) !== undefined, 15000, () => output);
      assert.doesNotMatch(output, /Debugger listening/, 'no inspector before the attach');
      const { host, port } = await attachTarget({ processId: app.pid });
      assert.equal(port, inspectPort);
      runtime = await ClusterRuntime.attach({ host, port, preloadPath });
      const problems: string[] = [];
      runtime.onProblem((problem) => problems.push(problem.message));
      await waitFor('primary and 2 workers attached', () => runtime!.processes().length === 3, 15000, () => problems.join('\n'));
      assert.deepEqual(runtime.processes().map((identity) => identity.workerId ?? 0).sort(), [0, 1, 2]);
      const events: AnyLifecycleEvent[] = [];
      runtime.onStage((event) => events.push(event));
      const appPort = listeningPort(output) as number;
      await load(appPort, 4, 1);
      await waitFor('connections reported by the workers', () => events.filter((event) => event.stage === 'connection').length === 4, 10000);
      await runtime.stop();
      runtime = undefined;
      assert.ok(pidAlive(app.pid!), 'the app still runs after the runtime stopped');
      assert.match(await get(appPort), /^worker [12]$/m, 'and serves');
    } finally {
      await runtime?.stop();
      if (app.pid !== undefined && app.exitCode === null) {
        process.kill(-app.pid, 'SIGKILL');
      }
    }
  });

  it('refuses a host that is not loopback, before any traffic', async () => {
    await assert.rejects(ClusterRuntime.attach({ host: '192.0.2.1', port: 9229 }), /only to inspectors on this machine/);
  });
});

/** Whether 127.0.0.1:port can be bound right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports, free on 127.0.0.1 now, from 30000 up. */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const first = 30000 + Math.floor(Math.random() * 30000);
    const free = await Promise.all(Array.from({ length: count }, (_, index) => portIsFree(first + index)));
    if (free.every(Boolean)) {
      return first;
    }
  }
}
