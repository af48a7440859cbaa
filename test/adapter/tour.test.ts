// Guided tours over the stdio adapter, on this machine's node: a launch that names a tour runs its
// bundled sample, stops once per stop (never at a pause the tour lets go) where the call-site
// resolver says, reports each stop and its claims as clusterTour.tour events, walks on with
// clusterTour.nextStop or a continue request, and ends with the program, leaving nothing behind.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ResolvedCallSite } from '../../src/cluster/callSites/callSite';
import { callSites } from '../../src/cluster/callSites/callSites';
import { findExecutable } from '../../src/cluster/launch/launcher';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { findTour } from '../../src/cluster/tours/catalogue';
import type { Tour } from '../../src/cluster/tours/tour';
import type { TourBody } from '../../src/adapter/tourProtocol';
import { customEvents, customRequests } from '../../src/common/contributions';
import { RecordedClient, startAdapter } from '../support/adapter';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { assertNoProcessesLeft, testMarkerVariable } from '../support/processes';

type TourEvent = Omit<DebugProtocol.Event, 'body'> & { body: TourBody };

/** Where each call site is in the Node the adapter runs programs with (node on PATH). */
let sites: Map<string, ResolvedCallSite>;

function site(id: string): ResolvedCallSite {
  const found = sites.get(id);
  assert.ok(found, `call site ${id} resolves in this Node`);
  return found;
}

function requireTour(id: string): Tour {
  const tour = findTour(id);
  assert.ok(tour, `tour ${id} is shipped`);
  return tour;
}

/** A request that must be answered in time: DebugClient's requests wait for ever. */
async function within<T>(what: string, work: Promise<T>, recorded: RecordedClient, milliseconds = 15000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const events = recorded.events.map((event) => `${event.event} ${JSON.stringify(event.body ?? {}).slice(0, 160)}`).join('\n');
      reject(new Error(`${what}: no answer in ${milliseconds} ms. Events so far:\n${events}`));
    }, milliseconds);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('tours in the adapter', () => {
  const clients: RecordedClient[] = [];
  const start = async (): Promise<RecordedClient> => {
    const recorded = await startAdapter();
    clients.push(recorded);
    return recorded;
  };
  before(async () => {
    const node = findExecutable('node', process.cwd(), process.env);
    const { sources } = await readNodeSources(node, callSiteModules(callSites));
    sites = new Map(resolveCallSites(sources, callSites).flatMap((resolution) => (resolution.resolved ? [[resolution.site.id, resolution] as const] : [])));
  });
  after(async () => {
    await Promise.all(clients.map((each) => each.client.stop()));
  });

  /** Launches a tour on its bundled sample (no program), marked so its processes can be found. */
  async function launchTour(id: string): Promise<{ recorded: RecordedClient; marker: string }> {
    const recorded = await start();
    const marker = `tour-${randomUUID()}`;
    await Promise.all([recorded.client.configurationSequence(), recorded.client.launch({ tour: id, env: { [testMarkerVariable]: marker } } as DebugProtocol.LaunchRequestArguments)]);
    return { recorded, marker };
  }

  /**
   * Walks a whole tour: at each stop, checks the stopped event, the top frame and the tour event,
   * then moves on (a continue request at the stops `continueAt` names, else nextStop).
   */
  async function walk(recorded: RecordedClient, tour: Tour, continueAt: ReadonlySet<number>): Promise<void> {
    const { client } = recorded;
    let seen = 0;
    for (const [index, stop] of tour.stops.entries()) {
      const stopped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 20000, seen);
      seen = recorded.events.indexOf(stopped) + 1;
      const where = `stop ${index + 1} (${stop.id})`;
      assert.equal(stopped.body.reason, 'breakpoint', where);
      assert.equal(stopped.body.description, `Tour stop ${index + 1}/${tour.stops.length}: ${stop.title}`);
      const threadId = stopped.body.threadId as number;
      const thread = (await client.threadsRequest()).body.threads.find((each) => each.id === threadId);
      assert.equal(stopped.body.text, thread?.name, where);
      assert.match(thread?.name ?? '', stop.role === 'primary' ? /^Primary/ : /^Worker/, where);

      const top = (await client.stackTraceRequest({ threadId })).body.stackFrames[0];
      const expected = site(stop.callSite);
      assert.equal(top.source?.path, expected.url, `${where}: paused in the call site's script`);
      if (index === 0) {
        assert.equal(top.line, expected.lineNumber + 1, `${where}: at the resolver's line`);
      }
      // The paused frame answers like any other: scopes and evaluation.
      const scopes = (await client.scopesRequest({ frameId: top.id })).body.scopes;
      assert.ok(scopes.length > 0, `${where}: scopes`);

      const event = await recorded.next<TourEvent>(customEvents.tour, (each) => each.body.state === 'paused' && each.body.current === index, 10000);
      const entry = event.body.stops[index];
      assert.equal(entry.status, 'current', where);
      assert.deepEqual(
        event.body.stops.map((each) => each.status),
        tour.stops.map((_, other) => (other < index ? 'done' : other === index ? 'current' : 'pending')),
      );
      assert.deepEqual(entry.place?.source, top.source, `${where}: the place's source is the stack trace's`);
      assert.equal(entry.place?.line, top.line);
      assert.equal(entry.place?.column, top.column);
      assert.equal(entry.place?.threadId, threadId);
      assert.equal(entry.claims?.length, stop.claims.length, where);
      assert.ok(entry.claims?.every((claim) => claim.ok !== false), `${where}: no claim failed yet: ${JSON.stringify(entry.claims)}`);

      const before = recorded.events.length;
      if (continueAt.has(index)) {
        await within('continue', client.continueRequest({ threadId }), recorded);
      } else {
        const answer = (await within('nextStop', client.customRequest(customRequests.nextStop), recorded)).body as TourBody;
        assert.notEqual(answer.stops[index].status, 'current', `${where}: left`);
        // The client did not ask this thread to continue: it is told.
        await recorded.next<DebugProtocol.ContinuedEvent>('continued', (each) => each.body.threadId === threadId, 10000, before);
      }
    }
    const finished = await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'finished', 20000);
    assert.equal(finished.body.current, null);
    assert.ok(
      finished.body.stops.every((stop) => stop.status === 'done'),
      finished.body.stops.map((stop) => stop.status).join(', '),
    );
    const failed = finished.body.stops.flatMap((stop) => (stop.claims ?? [{ description: 'never reached', ok: null }]).filter((claim) => claim.ok !== true).map((claim) => `${stop.id}: ${JSON.stringify(claim)}`));
    assert.deepEqual(failed, [], 'every claim of every stop holds');
    // One stopped event per stop: the pauses the tour let go never showed.
    assert.equal(recorded.of('stopped').length, tour.stops.length);
  }

  it('walks connection-round-robin on its sample: each stop where its call site is, every claim true, then the program ends', async () => {
    const tour = requireTour('connection-round-robin');
    const { recorded, marker } = await launchTour(tour.id);
    // Launched, but the program has not got to the first stop yet.
    await assert.rejects(recorded.client.customRequest(customRequests.nextStop), /not paused at a stop.*stop 1.*\(E_TOUR_NOT_PAUSED\)/);
    const starting = recorded.of<TourEvent>(customEvents.tour)[0];
    assert.equal(starting?.body.state, 'starting');
    assert.equal(starting?.body.current, 0);

    const first = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 20000);
    const top = (await recorded.client.stackTraceRequest({ threadId: first.body.threadId as number })).body.stackFrames[0];
    assert.equal(top.source?.path, 'node:internal/cluster/round_robin_handle');
    assert.equal(top.line, site('rr:RoundRobinHandle.prototype.distribute').lineNumber + 1);

    await walk(recorded, tour, new Set([2]));
    await assert.rejects(recorded.client.customRequest(customRequests.nextStop), /has finished.*\(E_TOUR_NOT_PAUSED\)/);
    await recorded.next('terminated', () => true, 20000);
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the tour', timeoutMilliseconds: 5000 });
  });

  it('walks disconnect-in-flight to the end', async () => {
    const tour = requireTour('disconnect-in-flight');
    const { recorded, marker } = await launchTour(tour.id);
    await walk(recorded, tour, new Set());
    await recorded.next('terminated', () => true, 20000);
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the tour', timeoutMilliseconds: 5000 });
  });

  it("walks lost-disconnect to the end: 'exit' without 'disconnect', then today's worker.disconnect()", async () => {
    const tour = requireTour('lost-disconnect');
    const { recorded, marker } = await launchTour(tour.id);
    await walk(recorded, tour, new Set([3]));
    await recorded.next('terminated', () => true, 20000);
    const last = recorded.events.filter((event): event is TourEvent => event.event === customEvents.tour).at(-1);
    const failed = (last?.body.stops ?? []).flatMap((stop, index) => (stop.claims ?? []).filter((claim) => claim.ok !== true).map((claim) => `stop ${index + 1}: ${JSON.stringify(claim)}`));
    assert.deepEqual(failed, [], 'every claim held');
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the tour', timeoutMilliseconds: 5000 });
  });

  it('steps at a tour stop, and a continue then goes on to the next stop; terminate ends the tour', async () => {
    const tour = requireTour('connection-round-robin');
    const { recorded, marker } = await launchTour(tour.id);
    const { client } = recorded;
    const first = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 20000);
    const threadId = first.body.threadId as number;
    const line = (await client.stackTraceRequest({ threadId })).body.stackFrames[0].line;
    await within('next', client.nextRequest({ threadId }), recorded);
    const stepped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.reason === 'step', 10000);
    assert.equal(stepped.body.threadId, threadId);
    const afterStep = (await client.stackTraceRequest({ threadId })).body.stackFrames[0];
    assert.equal(afterStep.source?.path, 'node:internal/cluster/round_robin_handle');
    assert.notEqual(afterStep.line, line);
    await within('continue', client.continueRequest({ threadId }), recorded);
    const second = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.description?.startsWith('Tour stop 2/') === true, 20000);
    assert.equal(second.body.threadId, threadId);
    await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'paused' && event.body.current === 1, 10000);
    await within('terminate', client.terminateRequest({}), recorded);
    const ended = await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'ended', 10000);
    assert.deepEqual(
      ended.body.stops.slice(0, 3).map((stop) => stop.status),
      ['done', 'done', 'pending'],
    );
    // Stop 2 was never left: its claim about the next event is undecided, not false.
    const decided = await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'ended' && (event.body.stops[1].claims ?? []).every((claim) => claim.ok !== false), 10000);
    assert.deepEqual(
      decided.body.stops[1].claims?.map((claim) => claim.ok),
      [true, true, null],
    );
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'terminate', timeoutMilliseconds: 5000 });
  });

  it('restart walks the tour again from stop 1', async () => {
    const tour = requireTour('connection-round-robin');
    const { recorded, marker } = await launchTour(tour.id);
    const { client } = recorded;
    await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'paused', 20000);
    const before = recorded.events.length;
    await within('restart', client.restartRequest({}), recorded);
    // The first walk ends (its claims decided with what arrived), then the second starts.
    const ended = await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state !== 'paused', 10000, before);
    assert.equal(ended.body.state, 'ended', 'the first walk ended');
    const restarted = recorded.events.indexOf(ended as DebugProtocol.Event) + 1;
    const starting = await recorded.next<TourEvent>(customEvents.tour, () => true, 10000, restarted);
    assert.deepEqual([starting.body.state, starting.body.current], ['starting', 0]);
    assert.ok(starting.body.stops.every((stop) => stop.status !== 'done' && stop.place === undefined), 'nothing reached yet');
    const again = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 20000, restarted);
    assert.equal(again.body.description, `Tour stop 1/${tour.stops.length}: ${tour.stops[0].title}`);
    await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'paused' && event.body.current === 0, 10000, restarted);
    await within('terminate', client.terminateRequest({}), recorded);
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'terminate', timeoutMilliseconds: 5000 });
  });

  it('runs a tour on the program the configuration names, with the configuration\'s env over the tour\'s', async () => {
    const tour = requireTour('connection-round-robin');
    const recorded = await start();
    const { client } = recorded;
    const marker = `tour-${randomUUID()}`;
    const program = fixture('http-workers.js');
    await Promise.all([
      client.configurationSequence(),
      client.launch({ tour: tour.id, program, env: { [testMarkerVariable]: marker, WORKERS: '3' } } as DebugProtocol.LaunchRequestArguments),
    ]);
    await waitFor('LISTENING', () => listeningPort(recorded.output()) !== undefined, 20000, recorded.output);
    const threads = (await client.threadsRequest()).body.threads;
    assert.equal(threads.length, 4, 'the primary and the 3 workers WORKERS asks for');
    // The session ends with this request in flight: it may fail, which is no failure of the test.
    const response = get(listeningPort(recorded.output())!).then(
      () => 'answered',
      (error: Error) => `cut off: ${error.message}`,
    );
    const stopped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 20000);
    assert.equal(stopped.body.description, `Tour stop 1/${tour.stops.length}: ${tour.stops[0].title}`);
    const event = await recorded.next<TourEvent>(customEvents.tour, (each) => each.body.state === 'paused', 10000);
    // The app has 3 idle workers where the sample has 2: the claim says what it found.
    const idle = event.body.stops[0].claims?.find((claim) => claim.description.startsWith('both workers are idle'));
    assert.deepEqual([idle?.ok, idle?.actual], [false, '3']);
    await within('continue', client.continueRequest({ threadId: stopped.body.threadId as number }), recorded);
    await recorded.next<DebugProtocol.StoppedEvent>('stopped', (each) => each.body.description?.startsWith('Tour stop 2/') === true, 20000);
    await within('terminate', client.terminateRequest({}), recorded);
    assert.match(await response, /^(answered|cut off: .+)$/);
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'terminate', timeoutMilliseconds: 5000 });
  });

  it('refuses an unknown tour, naming the known ones', async () => {
    const { client } = await start();
    await client.initializeRequest();
    const answer = assert.rejects(client.launchRequest({ tour: 'round-robin' } as DebugProtocol.LaunchRequestArguments), /Unknown tour "round-robin".*connection-round-robin.*\(E_UNKNOWN_TOUR\)/);
    await client.configurationDoneRequest();
    await answer;
  });

  it('answers nextStop and tour with E_NO_TOUR in a session without a tour', async () => {
    const { client } = await start();
    await client.initializeRequest();
    await assert.rejects(client.customRequest(customRequests.nextStop), /walks no tour.*\(E_NO_TOUR\)/);
    await assert.rejects(client.customRequest(customRequests.tour), /\(E_NO_TOUR\)/);
  });
});
