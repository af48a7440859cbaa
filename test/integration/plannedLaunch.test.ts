// A planned launch (LaunchOptions.observeOnly, what `cluster-tour trace` does): each process
// installs the agent and sets its role's tracepoints itself from plan.json, and runs at once.
// Proven on real cluster programs: with no controller connected at all, the program runs to its
// end and every process journals its stages; a controller that connects late gets what was
// kept, once, then the rest live, without enabling a Debugger of its own; a worker killed before
// anyone connected still has its stages told; and nothing that would stop a process is taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent, StageName } from '../../src/common/stages';
import { BreakpointPlan } from '../../src/cluster/breakpointPlan';
import { nodeCallSites } from '../../src/cluster/callSites/callSiteCache';
import { launchPlan, writeLaunchPlan } from '../../src/cluster/launch/launchPlan';
import { createSessionDirectory, ProcessReport, sessionEnvironment, withPreload } from '../../src/cluster/launch/launcher';
import { groupIsOurs, signalQuietly } from '../../src/cluster/processes/knownProcesses';
import { ClusterRuntime } from '../../src/cluster/runtime';
import { ProcessSession, reportedItems, takeJournal } from '../../src/cluster/session/processSession';
import { fixture, get, listeningPort, observe, preloadPath, repositoryRoot, testNodes, waitFor } from '../support/cluster';
import { assertNoProcessesLeft, testMarkerVariable } from '../support/processes';

const node = testNodes[0];

/** Writes the plan `cluster-tour trace` would write for `node`, in a new session folder. */
async function plannedSession(): Promise<string> {
  const { resolutions } = await nodeCallSites(node);
  const plan = new BreakpointPlan(resolutions, [], true);
  const directory = createSessionDirectory();
  writeLaunchPlan(directory, launchPlan({ primary: plan.breakpointsFor('primary'), worker: plan.breakpointsFor('worker') }, { perConnection: 100 }));
  return directory;
}

interface Started {
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `program` as a launch would (preload, session environment), in a process group of its own; this test process is the controller. */
function startPlanned(program: string, directory: string, marker: string): Started {
  const child = spawn(node, [program], {
    env: { ...process.env, NODE_OPTIONS: withPreload(undefined, preloadPath), ...sessionEnvironment(directory), CLUSTER_TOUR_ROOT: 'next', [testMarkerVariable]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (output += chunk));
  return { pid: child.pid as number, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/** The reports the preload wrote in the session folder (one per observed process). */
function reports(directory: string): ProcessReport[] {
  return fs
    .readdirSync(directory)
    .filter((name) => /^\d+\.json$/.test(name))
    .map((name) => JSON.parse(fs.readFileSync(path.join(directory, name), 'utf8')) as ProcessReport);
}

function stagesOf(events: readonly AnyLifecycleEvent[], process: 'primary' | 'worker'): StageName[] {
  return events.filter((event) => event.process === process).map((event) => event.stage);
}

describe('a planned launch', () => {
  it('runs to its end with no controller connected, every process journaling its stages', async () => {
    const directory = await plannedSession();
    const marker = `planned-${process.pid}-1`;
    const started = startPlanned(path.join(repositoryRoot, 'bench', 'fixtures', 'startup.js'), directory, marker);
    try {
      let timer: NodeJS.Timeout | undefined;
      // The old preload held every process at its gate until a controller released it.
      const code = await Promise.race([started.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 20 s'), 20_000)))]);
      clearTimeout(timer);
      assert.equal(code, 0, 'the program ran to its end by itself');
      const processes = reports(directory);
      assert.equal(processes.filter((report) => report.role === 'worker').length, 8, 'every worker reported');
      const events = processes.flatMap((report) =>
        reportedItems({ pid: report.pid, role: report.role, workerId: report.workerId, webSocketUrl: report.url }, takeJournal(path.join(directory, `${report.pid}.events`))).flatMap(
          (item) => ('event' in item ? [item.event] : assert.fail(`a tracepoint failed: ${JSON.stringify(item.problem)}`)),
        ),
      );
      const primary = stagesOf(events, 'primary');
      for (const stage of ['fork', 'online', 'query-server', 'listening', 'disconnect'] as const) {
        assert.equal(primary.filter((each) => each === stage).length, stage === 'query-server' ? 8 : stage === 'disconnect' ? 16 : 8, `primary's ${stage}: ${primary.join(', ')}`);
      }
      for (const report of processes.filter((each) => each.role === 'worker')) {
        const stages = events.filter((event) => event.pid === report.pid).map((event) => event.stage);
        assert.deepEqual(
          (['listen-requested', 'listening', 'disconnect'] as const).filter((stage) => stages.includes(stage)),
          ['listen-requested', 'listening', 'disconnect'],
          `worker ${report.workerId}: ${stages.join(', ')}`,
        );
      }
    } finally {
      killGroup(started.pid, marker);
      fs.rmSync(directory, { recursive: true, force: true });
      await assertNoProcessesLeft(marker);
    }
  });

  it('gives a controller that connects late what was kept, once, then the rest live, with no Debugger domain of its own', async () => {
    const directory = await plannedSession();
    const marker = `planned-${process.pid}-2`;
    const started = startPlanned(fixture('http-workers.js'), directory, marker);
    let session: ProcessSession | undefined;
    try {
      await waitFor('the workers to listen', () => listeningPort(started.output()) !== undefined, 15_000, started.output);
      const primary = reports(directory).find((report) => report.role === 'primary');
      assert.ok(primary, 'the primary reported');
      session = await ProcessSession.connect({ pid: primary.pid, role: 'primary', workerId: null, webSocketUrl: primary.url });
      const events: AnyLifecycleEvent[] = [];
      session.onStage((event) => events.push(event));
      assert.equal(primary.node?.execPath, fs.realpathSync(node), 'the report says which Node runs');
      await session.observe(directory);
      // All of it happened before the connection: it came with the agent's answer.
      assert.deepEqual(
        ['fork', 'online', 'query-server', 'listening'].map((stage) => events.filter((event) => event.stage === stage).length),
        [2, 2, 2, 2],
        events.map((event) => event.stage).join(', '),
      );
      assert.equal(session.scriptIdOf('node:net'), undefined, 'no script was announced: the controller enabled no Debugger');
      const port = listeningPort(started.output()) as number;
      await get(port);
      await waitFor('the connection handed over', () => events.some((event) => event.stage === 'newconn-sent'));
      await get(port, '/quit');
      assert.equal(await started.exited, 0);
      await waitFor('the session to close', () => session?.isClosed === true);
      const counts = new Map<string, number>();
      for (const event of events) counts.set(`${event.stage} ${JSON.stringify(event.detail)}`, (counts.get(`${event.stage} ${JSON.stringify(event.detail)}`) ?? 0) + 1);
      assert.deepEqual(
        [...counts].filter(([, count]) => count > 1),
        [],
        'no event twice, though each was kept, journaled and reported',
      );
      assert.deepEqual(
        ['accepted', 'newconn-sent', 'disconnect', 'exit'].map((stage) => events.some((event) => event.stage === stage)),
        [true, true, true, true],
      );
    } finally {
      await session?.close();
      killGroup(started.pid, marker);
      fs.rmSync(directory, { recursive: true, force: true });
      await assertNoProcessesLeft(marker);
    }
  });

  for (const [name, program, lastStage] of [
    ['killed right after it listened', 'killed-after-listening.js', 'listening'],
    ['that disconnects and kills itself at its start', 'disconnects-at-start.js', 'disconnect'],
  ] as const) {
    it(`tells the stages of a worker ${name}, most often gone before anyone could connect to it (from its journal)`, async () => {
      const observed = await observe(fixture(program), { runtimeExecutable: node, observeOnly: true });
      try {
        await observed.runtime.whenEnded();
        await observed.runtime.stop();
        const workerIds = [...new Set(observed.stage('fork').map((event) => (event.detail as { workerId: number }).workerId))];
        assert.ok(workerIds.length > 0);
        for (const workerId of workerIds) {
          const stages = observed.events.filter((event) => event.process === 'worker' && event.workerId === workerId).map((event) => event.stage);
          assert.ok(stages.includes(lastStage), `worker ${workerId}: ${stages.join(', ')}`);
          assert.equal(observed.stage('exit', (event) => (event.detail as { workerId: number | null }).workerId === workerId).length, 1, 'the primary saw it end');
        }
        assert.deepEqual(observed.problems, []);
      } finally {
        await observed.runtime.stop();
      }
    });
  }

  it('leaves a program alone during its start-up: one that ends within it is never connected to, and all its stages are told', async () => {
    const observed = await observe(fixture('short-cluster.js'), { runtimeExecutable: node, observeOnly: true });
    try {
      assert.equal((await observed.runtime.whenEnded()).code, 0);
      await observed.runtime.stop();
      assert.deepEqual(observed.attached, [], 'no process had a controller connected');
      const primary = stagesOf(observed.events, 'primary');
      for (const stage of ['fork', 'online', 'query-server', 'listening', 'exit'] as const) {
        assert.ok(primary.filter((each) => each === stage).length >= 2, `primary's ${stage}: ${primary.join(', ')}`);
      }
      for (const workerId of [1, 2]) {
        const stages = observed.events.filter((event) => event.process === 'worker' && event.workerId === workerId).map((event) => event.stage);
        assert.deepEqual(
          (['listen-requested', 'listening', 'disconnect'] as const).filter((stage) => stages.includes(stage)),
          ['listen-requested', 'listening', 'disconnect'],
          `worker ${workerId}: ${stages.join(', ')}`,
        );
      }
      assert.deepEqual(observed.problems, []);
    } finally {
      await observed.runtime.stop();
    }
  });

  it('refuses what would stop or change a process, before starting anything', async () => {
    for (const options of [{ presets: ['accept'] }, { stopOnEntry: true }, { breakpoints: [{ location: { url: 'file:///x.js', lineNumber: 0 } }] }, { debugging: {} }, { tracking: false }]) {
      await assert.rejects(ClusterRuntime.launch({ program: fixture('http-workers.js'), preloadPath, observeOnly: true, ...options }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'E_OBSERVE_ONLY', error.message);
        assert.match(error.message, new RegExp(Object.keys(options)[0]));
        return true;
      });
    }
    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: node, observeOnly: true });
    try {
      await observed.waitFor('LISTENING, and every process connected', () => listeningPort(observed.output()) !== undefined && observed.runtime.processes().length === 3);
      const pid = observed.runtime.processes()[0].pid;
      for (const attempt of [
        () => observed.runtime.setPreset('accept', true),
        () => observed.runtime.addBreakpoint({ location: { url: 'file:///x.js', lineNumber: 0 } }),
        () => observed.runtime.setPauseOnExceptions('all'),
        () => observed.runtime.pause(pid),
      ]) {
        await assert.rejects(attempt(), { code: 'E_OBSERVE_ONLY' });
      }
      await get(listeningPort(observed.output()) as number, '/quit');
      assert.equal((await observed.runtime.whenEnded()).code, 0, 'it ran on untouched');
    } finally {
      await observed.runtime.stop();
    }
  });
});

/** Ends what is left of a program this test started (its own process group, checked to be still its by the marker). */
function killGroup(pid: number, marker: string): void {
  if (groupIsOurs(pid, [], `${testMarkerVariable}=${marker}`)) {
    signalQuietly(-pid, 'SIGKILL');
  }
}
