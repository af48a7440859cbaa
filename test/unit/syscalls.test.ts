// strace's lines as the trace reads them, and syscalls tied to stages: pure logic, on real
// strace output captured on this machine (test/fixtures/strace/, Node 20, strace 6.1).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import type { SyscallEvent } from '../../src/common/syscalls';
import { SyscallAttribution } from '../../src/cluster/syscalls/attribution';
import { wallSecondsToEventTime } from '../../src/cluster/syscalls/clock';
import { SyscallLinks } from '../../src/cluster/syscalls/links';
import { describeCall, StraceCall, StraceParser } from '../../src/cluster/syscalls/straceParser';
import { checkStrace } from '../../src/cluster/syscalls/strace';
import { repositoryRoot } from '../support/processes';

function calls(name: string): StraceCall[] {
  const parser = new StraceParser();
  const text = fs.readFileSync(path.join(repositoryRoot(), 'test', 'fixtures', 'strace', name), 'utf8');
  return text.split('\n').flatMap((line) => parser.push(line) ?? []);
}

/** Syscall events of a fixture, with the pids of its processes (primary first) as roles. */
function events(name: string, pids: readonly number[]): SyscallEvent[] {
  const out: SyscallEvent[] = [];
  const attribution = new SyscallAttribution(0, () => false);
  attribution.onSyscall((event) => out.push(event));
  pids.forEach((pid, index) => attribution.know({ pid, role: index === 0 ? 'primary' : 'worker', workerId: index === 0 ? null : index }));
  calls(name).forEach((call) => attribution.push(call));
  attribution.dispose();
  return out;
}

describe('StraceParser', () => {
  it('joins a call interrupted by another process (<unfinished ...> / <... resumed>) by pid', () => {
    const received = calls('round-robin.txt').filter((call) => call.pid === 8677 && call.call === 'recvmsg' && call.argumentsText.includes('SCM_RIGHTS'));
    assert.equal(received.length, 1);
    assert.equal(received[0].seconds, 1796163478.248805, 'the time of the first half');
    assert.deepEqual(describeCall(received[0]), { call: 'recvmsg', fd: 3, socket: 13169, result: 129, passedFds: [{ fd: 19, socket: 13198 }] });
  });

  it('reads accept4, sendmsg with SCM_RIGHTS, epoll_ctl and errors as the story needs them', () => {
    const details = calls('round-robin.txt').map(describeCall);
    assert.deepEqual(
      details.find((detail) => detail?.call === 'accept4'),
      { call: 'accept4', fd: 23, result: 23, socket: 13198, listening: 13367 },
    );
    assert.deepEqual(
      details.find((detail) => detail?.call === 'sendmsg' && detail.passedFds?.length),
      { call: 'sendmsg', fd: 20, socket: 13168, result: 129, passedFds: [{ fd: 23, socket: 13198 }] },
    );
    assert.deepEqual(
      details.find((detail) => detail?.call === 'epoll_ctl' && detail.socket === 13198),
      { call: 'epoll_ctl', fd: 23, socket: 13198, result: -1, error: 'ENOENT', op: 'DEL' },
    );
    assert.deepEqual(
      details.find((detail) => detail?.call === 'connect'),
      { call: 'connect', fd: 22, socket: 13192, result: -1, error: 'EINPROGRESS' },
    );
    const losing = calls('sched-none.txt').map(describeCall).find((detail) => detail?.error === 'EAGAIN');
    assert.deepEqual(losing, { call: 'accept4', fd: 19, result: -1, error: 'EAGAIN', listening: 16251 });
  });

  it('leaves out calls on files, pipes and eventfds, and lines that are not calls', () => {
    const parser = new StraceParser();
    assert.equal(parser.push('8662  1796163478.485048 --- SIGCHLD {si_signo=SIGCHLD} ---'), undefined);
    const pipe = parser.push('8676  1796163477.955463 close(5<pipe:[13145]>) = 0');
    assert.ok(pipe);
    assert.equal(describeCall(pipe), undefined);
    const eventfd = parser.push('8662  1796163477.971759 epoll_ctl(14<anon_inode:[eventpoll]>, EPOLL_CTL_ADD, 17<anon_inode:[eventfd]>, {events=EPOLLIN}) = 0');
    assert.ok(eventfd);
    assert.equal(describeCall(eventfd), undefined);
  });
});

describe('SyscallAttribution', () => {
  it('holds the calls of a pid until its process is known, then sends them in order; drops threads', () => {
    const out: SyscallEvent[] = [];
    const attribution = new SyscallAttribution(5, (pid) => pid === 7);
    attribution.onSyscall((event) => out.push(event));
    const parser = new StraceParser();
    for (const line of ['42  10.000100 listen(21<socket:[9]>, 511) = 0', '42  10.000200 close(21<socket:[9]>) = 0', '7  10.000300 listen(22<socket:[8]>, 511) = 0']) {
      attribution.push(parser.push(line) as StraceCall);
    }
    assert.equal(out.length, 0);
    attribution.know({ pid: 42, role: 'worker', workerId: 3 });
    attribution.dispose();
    assert.deepEqual(
      out.map((event) => [event.workerId, event.detail.call, event.time]),
      [
        [3, 'listen', wallSecondsToEventTime(10.0001, 5)],
        [3, 'close', wallSecondsToEventTime(10.0002, 5)],
      ],
    );
  });
});

describe('SyscallLinks', () => {
  const stage = (event: Partial<AnyLifecycleEvent> & Pick<AnyLifecycleEvent, 'stage' | 'pid' | 'time' | 'detail'>): AnyLifecycleEvent =>
    ({ process: event.pid === 8662 ? 'primary' : 'worker', workerId: event.pid === 8662 ? null : event.pid === 8676 ? 1 : 2, ...event }) as AnyLifecycleEvent;

  it('ties accept4 → sendmsg → recvmsg → epoll_ctl ADD of one connection to its stages by the socket inode', () => {
    const links = new SyscallLinks();
    events('round-robin.txt', [8662, 8676, 8677]).forEach((event) => links.add(event));
    const at = (seconds: number): number => wallSecondsToEventTime(seconds, 0);
    const accepted = stage({ stage: 'accepted', pid: 8662, time: at(1796163478.2478), detail: { seq: 1, fd: 23 } });
    const sent = stage({ stage: 'newconn-sent', pid: 8662, time: at(1796163478.2482), detail: { seq: 1, workerId: 2, fd: 23, handleType: 'net.Native' } });
    const received = stage({ stage: 'newconn-received', pid: 8677, time: at(1796163478.2500), detail: { seq: 1, fd: 19 } });
    const connection = stage({ stage: 'connection', pid: 8677, time: at(1796163478.2520), detail: { seq: 1 } });
    [accepted, sent, received, connection].forEach((event) => links.add(event));
    const [accept] = links.syscallsOf(accepted);
    const [send] = links.syscallsOf(sent);
    const [receive] = links.syscallsOf(received);
    const [register] = links.syscallsOf(connection);
    assert.equal(accept.detail.socket, 13198);
    assert.deepEqual(send.detail.passedFds, [{ fd: 23, socket: 13198 }]);
    assert.deepEqual(receive.detail.passedFds, [{ fd: 19, socket: 13198 }]);
    assert.deepEqual([register.detail.call, register.detail.op, register.detail.fd, register.detail.socket], ['epoll_ctl', 'ADD', 19, 13198]);
    assert.equal(links.stageOf(register), connection);
    assert.deepEqual(links.channelOf(send), { primaryEnd: 13168, workerEnd: 13169, workerId: 2 });
  });

  it('under SCHED_NONE, says which workers woke for a connection, which won and which got EAGAIN', () => {
    const links = new SyscallLinks();
    const all = events('sched-none.txt', [10134, 10143, 10146, 10148]);
    all.forEach((event) => links.add(event));
    const wins = all.filter((event) => event.detail.call === 'accept4' && event.detail.socket !== undefined);
    const herds = wins.map((win) => links.herdOf(win));
    assert.deepEqual(
      herds.map((herd) => [herd?.winner.workerId, herd?.losers.map((loser) => loser.workerId).sort()]),
      [
        [1, [3]],
        [2, []],
        [2, [1, 3]],
      ],
    );
    assert.ok(herds.every((herd) => herd?.listening === 16251));
  });
});

describe('checkStrace', () => {
  it('says in one line why there are no syscalls: another platform, or no strace', () => {
    const other = checkStrace('strace', process.env, 'darwin');
    assert.equal(other.available, false);
    assert.match(!other.available ? other.reason : '', /not available on this platform/);
    const missing = checkStrace('strace', { PATH: '/nonexistent' });
    assert.equal(missing.available, false);
    assert.match(!missing.available ? missing.reason : '', /^syscalls are off: strace was not found on PATH/);
    assert.doesNotMatch(!missing.available ? missing.reason : '', /\n/);
  });
});

describe('syscall claims of the tours', () => {
  it('name stops of shipped tours, and refer only to earlier stops for the same socket', async () => {
    const { findTour } = await import('../../src/cluster/tours/catalogue');
    const { syscallClaims } = await import('../../src/cluster/syscalls/syscallClaims');
    for (const [tourId, byStop] of Object.entries(syscallClaims)) {
      const tour = findTour(tourId);
      assert.ok(tour, `tour ${tourId}`);
      const ids = tour.stops.map((stop) => stop.id);
      for (const [stopId, claims] of Object.entries(byStop)) {
        assert.ok(ids.includes(stopId), `${tourId}: stop ${stopId}`);
        for (const claim of claims) {
          if (claim.sameSocketAs !== undefined) {
            assert.ok(ids.indexOf(claim.sameSocketAs) < ids.indexOf(stopId), `${tourId}/${stopId}: ${claim.sameSocketAs} comes earlier`);
            assert.equal(byStop[claim.sameSocketAs]?.[0]?.sameSocketAs, undefined, 'the socket is set by a first claim of its own');
          }
        }
      }
    }
  });
});
