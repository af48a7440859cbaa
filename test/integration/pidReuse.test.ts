// Stopping a launch signals only the processes it started: a pid it knew, taken by another
// process since (pids wrap around, often at 32768), is left alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { startTimeOf } from '../../src/cluster/processes/procfs';
import { fixture, get, listeningPort, observe, testNodes, waitFor } from '../support/cluster';
import { cannotChoosePids, startWithPid } from '../support/pidReuse';

for (const node of testNodes) {
  describe(`stopping after pid reuse on ${node}`, () => {
    it('leaves alone a process that took the pid of a worker that exited, and still stops the app', { skip: cannotChoosePids() }, async () => {
      const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: node });
      let stranger: Awaited<ReturnType<typeof startWithPid>> | undefined;
      try {
        await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
        await observed.waitFor('primary and 2 workers attached', () => observed.runtime.processes().length === 3);
        const worker = observed.runtime.processes().find((identity) => identity.workerId === 1);
        assert.ok(worker);
        process.kill(worker.pid, 'SIGKILL');
        // Reaped by the primary: the pid is free for anyone.
        await waitFor('the worker reaped', () => startTimeOf(worker.pid) === undefined && !pidAlive(worker.pid));
        await observed.waitFor('its exit recorded', () => observed.stage('exit', (event) => (event.detail as { workerId: number | null }).workerId === 1).length === 1);

        stranger = await startWithPid(node, worker.pid);
        const strangerStart = startTimeOf(worker.pid);
        await observed.runtime.stop();

        assert.ok(pidAlive(worker.pid) && startTimeOf(worker.pid) === strangerStart, `the process that took pid ${worker.pid} still runs after the stop`);
        const appPids = observed.attached.filter((identity) => identity.pid !== worker.pid).map((identity) => identity.pid);
        assert.ok(appPids.length === 2 && appPids.every((pid) => !pidAlive(pid)), 'the primary and the other worker are gone');
      } finally {
        await observed.runtime.stop();
        if (stranger?.pid !== undefined && stranger.exitCode === null && stranger.signalCode === null) {
          process.kill(stranger.pid, 'SIGKILL');
        }
      }
    });

    it('leaves alone a process group that took the number of the ended program\'s group', { skip: cannotChoosePids() }, async () => {
      const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: node });
      let stranger: Awaited<ReturnType<typeof startWithPid>> | undefined;
      try {
        await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
        const primary = observed.runtime.processes().find((identity) => identity.role === 'primary');
        assert.ok(primary);
        await get(listeningPort(observed.output()) as number, '/quit');
        assert.equal((await observed.runtime.whenEnded()).code, 0);
        await waitFor('the primary reaped', () => startTimeOf(primary.pid) === undefined && !pidAlive(primary.pid));

        // A process group of its own: its number is the pid the primary's group had.
        stranger = await startWithPid(node, primary.pid);
        await observed.runtime.stop();

        assert.ok(pidAlive(primary.pid), `the process group ${primary.pid} that came later still runs after the stop`);
      } finally {
        await observed.runtime.stop();
        if (stranger?.pid !== undefined && stranger.exitCode === null && stranger.signalCode === null) {
          process.kill(stranger.pid, 'SIGKILL');
        }
      }
    });
  });
}
