// What the editor's views learn over DAP from the stdio adapter on a real cluster app: each
// process's state with its real inspector port, the presets with their call sites bound in the
// running Node, a preset disarmed by request that no longer stops, and every process exited at
// the end.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CdpSession } from '../../src/cdp/session';
import { pidAlive } from '../../src/cluster/launch/launcher';
import type { PresetsBody, ProcessEventBody } from '../../src/adapter/viewProtocol';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { continueStops, RecordedClient, startAdapter, threadPids } from '../support/adapter';

/** The pid of the process whose inspector listens on `port`, asked through its own /json/list. */
async function pidBehindInspector(port: number): Promise<number> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  assert.ok(targets.length > 0 && targets[0].webSocketDebuggerUrl, `a target at ${port}: ${JSON.stringify(targets)}`);
  const session = await CdpSession.connect(targets[0].webSocketDebuggerUrl, { promptAcknowledgement: false });
  try {
    const evaluated = await session.evaluate({ expression: 'process.pid', returnByValue: true });
    return evaluated.result.value as number;
  } finally {
    await session.close();
  }
}

function within<T>(what: string, work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${milliseconds} ms`)), milliseconds)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('view protocol', () => {
  const project = mkdtempSync(path.join(tmpdir(), 'cluster-tour-views-'));
  let recorded: RecordedClient | undefined;
  after(async () => {
    await recorded?.client.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('reports processes with their inspector ports and states, and lists and toggles presets', async () => {
    mkdirSync(path.join(project, '.vscode'));
    writeFileSync(path.join(project, '.vscode', 'cluster-tour.json'), JSON.stringify({ presets: [{ id: 'handoffs', title: 'Every handoff', functions: ['RoundRobinHandle.prototype.handoff'] }] }));
    recorded = await startAdapter();
    const session = recorded;
    const { client } = session;
    const processEvents = (): ProcessEventBody[] => session.of('clusterTour.process').map((event) => event.body as ProcessEventBody);
    const statesOf = (pid: number): string[] => processEvents().flatMap((body) => (body.pid === pid ? [body.state] : []));
    const presetsRequest = async (): Promise<PresetsBody> => (await client.customRequest('clusterTour.presets')).body as PresetsBody;
    const setPreset = async (id: string, enabled: boolean): Promise<PresetsBody> => (await client.customRequest('clusterTour.setPreset', { id, enabled })).body as PresetsBody;
    const presetOf = (body: PresetsBody, id: string) => body.presets.find((preset) => preset.id === id)!;
    await Promise.all([client.configurationSequence(), client.launch({ program: fixture('http-workers.js'), cwd: project, presets: ['accept'] })]);

    // Each process is announced with its thread, role and the port of its own inspector.
    await waitFor('3 attached processes', () => processEvents().filter((body) => body.state === 'attached').length === 3, 15000);
    const attached = processEvents().filter((body) => body.state === 'attached');
    const threads = (await client.threadsRequest()).body.threads;
    const pids = threadPids(threads);
    assert.deepEqual(
      attached.map((body) => `${body.threadId}:${body.pid}`).sort(),
      threads.map((thread, index) => `${thread.id}:${pids[index]}`).sort(),
    );
    assert.deepEqual(attached.map((body) => `${body.role} ${body.workerId}`).sort(), ['primary null', 'worker 1', 'worker 2']);
    for (const body of attached) {
      assert.equal(await pidBehindInspector(body.inspectorPort), body.pid, `the inspector at ${body.inspectorPort} is that of pid ${body.pid}`);
    }
    const primary = attached.find((body) => body.role === 'primary')!;

    // The presets come once a process is attached.
    const firstPresets = session.events.findIndex((event) => event.event === 'clusterTour.presets');
    assert.ok(firstPresets > session.events.findIndex((event) => event.event === 'clusterTour.process'), 'presets are sent after the first process is attached');
    // Then no worker existed yet: the worker's stops of `accept` were armed but bound nowhere.
    const acceptAtFirst = presetOf(session.events[firstPresets].body as PresetsBody, 'accept');
    assert.equal(acceptAtFirst.enabled, true);
    const workerSitesAtFirst = acceptAtFirst.callSites.filter((site) => site.role === 'worker');
    assert.ok(workerSitesAtFirst.length > 0);
    assert.ok(
      workerSitesAtFirst.every((site) => !site.bound && site.reason === 'module not loaded yet in any process'),
      JSON.stringify(workerSitesAtFirst),
    );

    await waitFor('LISTENING', () => listeningPort(session.output()) !== undefined, 15000, session.output);
    const port = listeningPort(session.output())!;
    const response = get(port);
    const stop = await session.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.description === 'round-robin accept · primary');
    assert.equal(stop.body.threadId, primary.threadId);
    await waitFor('the primary paused', () => statesOf(primary.pid).at(-1) === 'paused');
    const paused = processEvents().filter((body) => body.pid === primary.pid).at(-1)!;
    assert.equal(paused.reason, 'breakpoint');
    assert.equal(paused.inspectorPort, primary.inspectorPort);
    const top = (await client.stackTraceRequest({ threadId: primary.threadId })).body.stackFrames[0];

    const continueAll = continueStops(client);
    await client.continueRequest({ threadId: primary.threadId });
    assert.match(await response, /^worker [12]$/m);
    await waitFor('every process running', () => attached.every((body) => ['attached', 'running'].includes(statesOf(body.pid).at(-1)!)));
    assert.deepEqual(statesOf(primary.pid).slice(0, 3), ['attached', 'paused', 'running']);
    const workerStates = attached.filter((body) => body.role === 'worker').map((body) => statesOf(body.pid));
    assert.ok(workerStates.some((states) => states.includes('paused')), `the accept preset stopped a worker too: ${JSON.stringify(workerStates)}`);
    assert.deepEqual(continueAll.stop(), []);

    // After the first connection every stop of `accept` is bound; the others are not armed.
    const listed = await presetsRequest();
    assert.deepEqual(
      listed.presets.map((preset) => `${preset.id} ${preset.builtIn} ${preset.enabled}`),
      ['listen true false', 'accept true true', 'handles true false', 'disconnect true false', 'shared true false', 'handoffs false false'],
    );
    const accept = presetOf(listed, 'accept');
    assert.ok(accept.callSites.length >= 3, `accept's call sites: ${JSON.stringify(accept.callSites)}`);
    for (const site of accept.callSites) {
      assert.equal(site.bound, true, `${site.id} is bound: ${site.reason}`);
    }
    assert.deepEqual(new Set(accept.callSites.map((site) => site.role)), new Set(['primary', 'worker']));
    const distribute = accept.callSites.find((site) => site.title === 'round-robin accept · primary')!;
    assert.equal(distribute.url, 'node:internal/cluster/round_robin_handle');
    assert.equal(distribute.line, top.line, 'the call site is on the line where it stopped (1-based)');
    for (const site of presetOf(listed, 'listen').callSites) {
      assert.deepEqual([site.bound, site.reason], [false, 'preset not armed'], site.id);
    }
    const handoffs = presetOf(listed, 'handoffs');
    assert.equal(handoffs.title, 'Every handoff');
    assert.deepEqual(
      handoffs.callSites.map((site) => [site.url, site.role, site.bound, site.reason]),
      [['node:internal/cluster/round_robin_handle', 'any', false, 'preset not armed']],
    );
    assert.deepEqual(session.of('clusterTour.presets').at(-1)?.body, listed, 'the last presets event says what the request says');

    // A defined preset armed by request is bound at once: its module is loaded in the primary.
    assert.deepEqual(presetOf(await setPreset('handoffs', true), 'handoffs').callSites.map((site) => site.bound), [true]);
    await setPreset('handoffs', false);

    // Disarmed by request: the event says so, and the next requests run without a stop.
    const beforeOff = session.events.length;
    const off = await setPreset('accept', false);
    assert.equal(presetOf(off, 'accept').enabled, false);
    assert.ok(presetOf(off, 'accept').callSites.every((site) => !site.bound && site.reason === 'preset not armed'), JSON.stringify(presetOf(off, 'accept')));
    const event = await session.next<DebugProtocol.Event>('clusterTour.presets', () => true, 5000, beforeOff);
    assert.deepEqual(event.body, off);
    const stopsBefore = session.of('stopped').length;
    for (let request = 0; request < 2; request++) {
      assert.match(await within('a request with accept disarmed', get(port), 5000), /^worker [12]$/m);
    }
    assert.equal(session.of('stopped').length, stopsBefore, 'no stop once accept is disarmed');

    await assert.rejects(client.customRequest('clusterTour.setPreset', { id: 'acept', enabled: true }), /Unknown preset "acept".*listen, accept, handles, disconnect, shared, handoffs/);

    // Terminate: every process says it exited, and none is left.
    await client.terminateRequest();
    await session.next('terminated');
    for (const body of attached) {
      assert.equal(statesOf(body.pid).at(-1), 'exited', `pid ${body.pid}: ${statesOf(body.pid).join(' → ')}`);
      assert.equal(processEvents().filter((each) => each.pid === body.pid).at(-1)?.reason, 'terminated');
    }
    await waitFor('every process gone', () => attached.every((body) => !pidAlive(body.pid)), 5000);
  });
});
