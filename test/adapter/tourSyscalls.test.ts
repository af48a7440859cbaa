// A guided tour with `syscalls: true` over the stdio adapter: each stop carries the syscalls its
// stage caused, and they prove the round-robin story by one inode: the primary's accept4 at the
// first stop, its sendmsg with SCM_RIGHTS, the worker's recvmsg and epoll_ctl(ADD).
// Needs Linux with strace.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TourBody } from '../../src/adapter/tourProtocol';
import { customEvents, customRequests } from '../../src/common/contributions';
import type { SyscallEvent } from '../../src/common/syscalls';
import { RecordedClient, startAdapter } from '../support/adapter';
import { assertNoProcessesLeft, testMarkerVariable } from '../support/processes';

type TourEvent = Omit<DebugProtocol.Event, 'body'> & { body: TourBody };

describe('a tour with syscalls in the adapter', () => {
  const clients: RecordedClient[] = [];
  after(async () => {
    await Promise.all(clients.map((each) => each.client.stop()));
  });

  /** Walks a whole tour with syscalls on; answers the recorded session and the tour once every claim is decided. */
  async function walkWithSyscalls(tourId: string): Promise<{ recorded: RecordedClient; body: TourBody }> {
    const recorded = await startAdapter();
    clients.push(recorded);
    const marker = `tour-syscalls-${randomUUID()}`;
    await Promise.all([
      recorded.client.configurationSequence(),
      recorded.client.launch({ tour: tourId, syscalls: true, env: { [testMarkerVariable]: marker } } as DebugProtocol.LaunchRequestArguments),
    ]);
    let seen = 0;
    for (;;) {
      const stopped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => true, 30000, seen);
      seen = recorded.events.indexOf(stopped) + 1;
      const answer = (await recorded.client.customRequest(customRequests.nextStop)).body as TourBody;
      if (answer.current === null) {
        break;
      }
    }
    await recorded.next<TourEvent>(customEvents.tour, (event) => event.body.state === 'finished', 30000);
    const decided = await recorded.next<TourEvent>(
      customEvents.tour,
      (event) => event.body.state === 'finished' && event.body.stops.every((stop) => (stop.claims ?? []).every((claim) => claim.ok !== null)),
      15000,
    );
    await recorded.next('terminated', () => true, 20000);
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the tour', timeoutMilliseconds: 5000 });
    return { recorded, body: decided.body };
  }

  const failedClaims = (body: TourBody): string[] =>
    body.stops.flatMap((stop) => (stop.claims ?? [{ description: 'never reached', ok: null }]).filter((claim) => claim.ok !== true).map((claim) => `${stop.id}: ${JSON.stringify(claim)}`));

  it('SCHED_NONE: the worker listens on the primary\'s bound socket and polls it in its own epoll; every claim holds', async () => {
    const { body } = await walkWithSyscalls('connection-sched-none');
    assert.deepEqual(failedClaims(body), []);
    const listen = body.stops.find((stop) => stop.id === 'listen-on-shared-handle');
    assert.ok(listen?.claims?.some((claim) => claim.ok === true && claim.actual?.startsWith('epoll_ctl(ADD')), JSON.stringify(listen));
  });

  it('net-connection: bind and listen on one socket, connect() with EINPROGRESS, the worker\'s epoll_ctl ADD; every claim holds', async () => {
    const { body } = await walkWithSyscalls('net-connection');
    assert.deepEqual(failedClaims(body), []);
    const connect = body.stops.find((stop) => stop.id === 'client-internal-connect');
    assert.ok(connect?.syscalls?.some((line) => /^connect\(fd \d+ socket:\[\d+\]\) = -1 EINPROGRESS$/.test(line)), JSON.stringify(connect));
  });

  it('shows at each stop the syscalls its stage caused, one inode from accept4 to epoll_ctl ADD', async () => {
    const { recorded, body } = await walkWithSyscalls('connection-round-robin');
    assert.deepEqual(failedClaims(body), []);
    assert.ok(body.stops.some((stop) => stop.claims?.some((claim) => claim.actual?.startsWith('sendmsg('))), 'the syscall claims are there');
    const stops = body.stops;
    const lines = (role: string): string[] => stops.filter((stop) => stop.place?.role === role).flatMap((stop) => stop.syscalls ?? []);
    const context = JSON.stringify(stops.map((stop) => [stop.id, stop.syscalls]), null, 1);
    const accepted = /^accept4\(listening socket:\[\d+\]\) = fd \d+ socket:\[(\d+)\]$/.exec((stops[0].syscalls ?? []).find((line) => line.startsWith('accept4')) ?? '');
    assert.ok(accepted, `the first stop (distribute) shows the primary's accept4\n${context}`);
    const inode = accepted[1];
    assert.ok(
      lines('primary').some((line) => line.startsWith('sendmsg(') && line.includes(`SCM_RIGHTS [fd `) && line.includes(`socket:[${inode}]]`)),
      `a primary stop shows the sendmsg of socket:[${inode}]\n${context}`,
    );
    assert.ok(lines('worker').some((line) => line.startsWith('recvmsg(') && line.includes(`socket:[${inode}]]`)), `a worker stop shows the recvmsg of socket:[${inode}]\n${context}`);
    assert.ok(lines('worker').some((line) => line.startsWith('epoll_ctl(ADD,') && line.includes(`socket:[${inode}])`)), `a worker stop shows the epoll_ctl ADD of socket:[${inode}]\n${context}`);
    // The Processes view's feed: syscall events, attributed to processes.
    const syscalls = recorded.of<Omit<DebugProtocol.Event, 'body'> & { body: SyscallEvent }>(customEvents.syscall);
    assert.ok(syscalls.some((event) => event.body.process === 'worker' && event.body.detail.call === 'epoll_ctl'));
  });
});
