// `cluster-tour trace --syscalls` on real cluster programs under strace, on every Node of
// CLUSTER_TOUR_TEST_NODES: the inode chain of a round-robin connection, the thundering herd of
// SCHED_NONE, a missing strace, and that stopping leaves nothing (strace included) behind.
// Needs `npm run build` first, and Linux with strace (Debian: apt-get install strace).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoProcessesLeft, repositoryRoot, spawnCli, startCli, transcript, type CliResult } from '../support/processes';
import { testNodes } from '../support/cluster';

interface JsonEvent {
  stage: string;
  process: string;
  workerId: number | null;
  pid: number;
  time: number;
  detail: {
    call?: string;
    fd?: number | null;
    socket?: number;
    listening?: number;
    error?: string;
    op?: string;
    passedFds?: Array<{ fd: number; socket: number | null }>;
    connection?: number | null;
    [key: string]: unknown;
  };
}

const sample = path.join(repositoryRoot(), 'samples', 'http-cluster.js');
const longCluster = path.join(repositoryRoot(), 'test', 'fixtures', 'long-cluster.js');

/** The trace of a syscall run is long: its end is what tells. */
const transcriptOf = (result: CliResult): string => transcript(result, 6000);

function jsonLines(result: CliResult): JsonEvent[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonEvent);
}

const syscalls = (events: readonly JsonEvent[], call: string): JsonEvent[] => events.filter((event) => event.stage === 'syscall' && event.detail.call === call);

for (const node of testNodes) {
  describe(`trace --syscalls (${node})`, () => {
    it('proves a round-robin connection by its inode: accept4 in the primary → sendmsg SCM_RIGHTS → recvmsg in a worker → epoll_ctl ADD there', async () => {
      const result = await spawnCli(['trace', '--json', '--syscalls', '--runtime', node, sample], { env: { SAMPLE_REQUESTS: '3' } });
      await assertNoProcessesLeft(result.marker, { after: 'the traced sample ended' });
      assert.equal(result.code, 0, transcriptOf(result));
      assert.doesNotMatch(result.stderr, /syscalls are off/, transcriptOf(result));
      const events = jsonLines(result);
      const received = events.filter((event) => event.stage === 'newconn-received');
      assert.ok(received.length > 0, `no newconn-received\n${transcriptOf(result)}`);
      for (const arrival of received) {
        const worker = arrival.pid;
        const recv = syscalls(events, 'recvmsg').find((event) => event.pid === worker && event.detail.passedFds?.some((passed) => passed.fd === arrival.detail.fd));
        assert.ok(recv, `no recvmsg with SCM_RIGHTS of fd ${arrival.detail.fd} in worker ${arrival.workerId}\n${transcriptOf(result)}`);
        const inode = recv.detail.passedFds?.find((passed) => passed.fd === arrival.detail.fd)?.socket;
        assert.ok(typeof inode === 'number');
        const accept = syscalls(events, 'accept4').find((event) => event.detail.socket === inode);
        assert.equal(accept?.process, 'primary', `the socket:[${inode}] was not accept4ed by the primary`);
        const send = syscalls(events, 'sendmsg').find((event) => event.detail.passedFds?.some((passed) => passed.socket === inode));
        assert.equal(send?.process, 'primary', `no sendmsg of socket:[${inode}] in the primary`);
        assert.ok(send.detail.passedFds?.some((passed) => passed.fd === accept.detail.fd), 'the primary sends the fd it accepted');
        const register = syscalls(events, 'epoll_ctl').find((event) => event.pid === worker && event.detail.op === 'ADD' && event.detail.socket === inode);
        assert.ok(register, `worker ${arrival.workerId} did not epoll_ctl(ADD) socket:[${inode}]`);
        assert.equal(register.detail.fd, arrival.detail.fd, 'the worker registers its own fd of the socket');
        assert.ok(accept.time < send.time && send.time < recv.time && recv.time < register.time, 'accept4, sendmsg, recvmsg, epoll_ctl in time order');
      }
      // Round-robin: the primary alone polls the listening socket; no worker's epoll holds it.
      const listening = new Set(syscalls(events, 'listen').map((event) => event.detail.socket));
      assert.ok(syscalls(events, 'listen').every((event) => event.process === 'primary'));
      const workerRegistrations = syscalls(events, 'epoll_ctl').filter((event) => event.process === 'worker' && event.detail.op === 'ADD');
      assert.deepEqual(workerRegistrations.filter((event) => listening.has(event.detail.socket)), []);
    });

    it('shows each stage with its syscalls in the terminal, the IPC channel named as a socket pair', async () => {
      const result = await spawnCli(['trace', '--syscalls', '--runtime', node, sample], { env: { SAMPLE_REQUESTS: '2' } });
      await assertNoProcessesLeft(result.marker, { after: 'the traced sample ended' });
      assert.equal(result.code, 0, transcriptOf(result));
      assert.match(result.stdout, /accepted .*\n\s+└ primary \(pid \d+\) accept4\(listening socket:\[\d+\]\) = fd \d+ socket:\[(\d+)\]/, transcriptOf(result));
      assert.match(result.stdout, /newconn-sent .*\n\s+└ primary \(pid \d+\) sendmsg\(fd \d+ socket:\[\d+\], SCM_RIGHTS \[fd \d+ socket:\[\d+\]\]\) = \d+ over the IPC channel, a Unix socket pair \[\d+\]↔\[\d+\]/, transcriptOf(result));
      assert.match(result.stdout, /connection .*\n\s+└ worker \d \(pid \d+\) epoll_ctl\(ADD, fd \d+ socket:\[\d+\]\) = 0/, transcriptOf(result));
    });

    it('under SCHED_NONE, every worker polls the same listening socket and a connection wakes more than one', async () => {
      const result = await spawnCli(['trace', '--syscalls', '--json', '--sched', 'none', '--runtime', node, sample], { env: { SAMPLE_WORKERS: '4', SAMPLE_REQUESTS: '12' } });
      await assertNoProcessesLeft(result.marker, { after: 'the traced sample ended' });
      assert.equal(result.code, 0, transcriptOf(result));
      const events = jsonLines(result);
      const polled = syscalls(events, 'epoll_ctl').filter((event) => event.process === 'worker' && event.detail.op === 'ADD');
      const listening = syscalls(events, 'listen').map((event) => event.detail.socket);
      const shared = polled.filter((event) => listening.includes(event.detail.socket));
      assert.equal(new Set(shared.map((event) => event.detail.socket)).size, 1, 'one listening socket');
      assert.ok(new Set(shared.map((event) => event.pid)).size >= 2, `fewer than 2 workers poll the listening socket\n${transcriptOf(result)}`);
      const lost = syscalls(events, 'accept4').filter((event) => event.process === 'worker' && event.detail.error === 'EAGAIN');
      assert.ok(lost.length > 0, `no worker lost an accept4 race (EAGAIN)\n${transcriptOf(result)}`);
    });

    it('says once that strace is missing and traces as usual', async () => {
      const result = await spawnCli(['trace', '--syscalls', '--strace', '/nonexistent/strace', '--runtime', node, sample], { env: { SAMPLE_REQUESTS: '1' } });
      await assertNoProcessesLeft(result.marker, { after: 'the sample ended' });
      assert.equal(result.code, 0, transcriptOf(result));
      const notes = result.stderr.split('\n').filter((line) => line.includes('syscalls are off'));
      assert.deepEqual(notes, ['cluster-tour: syscalls are off: /nonexistent/strace was not found (Debian: apt-get install strace)']);
      assert.match(result.stdout, /connection/, transcriptOf(result));
      assert.doesNotMatch(result.stdout, / syscall |└/, transcriptOf(result));
    });

    it('SIGINT stops the program and strace with it: nothing is left', async () => {
      const run = startCli(['trace', '--syscalls', '--runtime', node, longCluster]);
      await run.waitForStdout(/READY/, 60000);
      process.kill(run.pid, 'SIGINT');
      const result = await run.finished;
      await assertNoProcessesLeft(run.marker, { after: 'the CLI exited on SIGINT' });
      assert.equal(result.code, 130, transcriptOf(result));
    });
  });
}
