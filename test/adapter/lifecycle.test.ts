// The life of a launched app under the stdio adapter: a restart replaces every process (the old
// ones gone by pid, new threads for the new ones), and an adapter killed with SIGKILL leaves no
// process of the app behind (the launch's watchdog kills its process group).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { fixture, get, waitFor } from '../support/cluster';
import { adapterPath, startAdapter, threadPids, type RecordedClient } from '../support/adapter';
import { assertNoProcessesLeft, describeProcesses, leftoverProcesses } from '../support/processes';
import { endAndCheck, listening, markedLaunch, startedThreads, watchdogsOf } from './lifecycleSupport';

/** A DebugClient over the stdio of an adapter process this test started (and may kill). */
class ClientOfProcess extends DebugClient {
  constructor(adapter: ChildProcess) {
    super('node', adapterPath, 'cluster-tour');
    this.defaultTimeout = 15000;
    this.connect(adapter.stdout!, adapter.stdin!);
  }
}

describe('lifecycle', () => {
  it('restart stops every old process and starts a new primary and workers, without ending the session', async () => {
    const { args, marker } = markedLaunch(fixture('http-workers.js'));
    const recorded: RecordedClient = await startAdapter();
    const { client } = recorded;
    try {
      await Promise.all([client.configurationSequence(), client.launch(args)]);
      const before = await startedThreads(recorded, 3);
      const oldPids = threadPids(before);
      assert.equal(leftoverProcesses({ marker }).length, 3, describeProcesses(leftoverProcesses({ marker })));
      assert.match(await get(await listening(recorded)), /^worker [12]$/m, 'the first app serves');

      const from = recorded.events.length;
      await client.restartRequest({ arguments: args });
      // The restart answers once the old program is stopped and the new one launched.
      assert.deepEqual(oldPids.filter(pidAlive), [], 'old processes still alive after restart');
      const exited = recorded.events.slice(from).filter((event): event is DebugProtocol.ThreadEvent => event.event === 'thread' && event.body.reason === 'exited');
      assert.deepEqual(exited.map((event) => event.body.threadId).sort(), before.map((thread) => thread.id).sort());

      const after = await startedThreads(recorded, 3, from);
      assert.deepEqual(after.map((thread) => thread.name.replace(/\d+\)$/, 'N)')).sort(), ['Primary (pid N)', 'Worker 1 (pid N)', 'Worker 2 (pid N)']);
      const newPids = threadPids(after);
      assert.deepEqual(newPids.filter((pid) => oldPids.includes(pid)), [], 'threads are the new processes only');
      assert.ok(newPids.every(pidAlive));
      assert.match(await get(await listening(recorded, from)), /^worker [12]$/m, 'the new app serves');
      assert.deepEqual(recorded.events.slice(from).filter((event) => event.event === 'terminated'), [], 'a restart does not end the session');
    } finally {
      await endAndCheck(recorded, marker);
    }
  });

  it('an adapter killed with SIGKILL leaves no process of the launched app', async () => {
    const { args, marker } = markedLaunch(fixture('long-cluster.js'));
    const adapter = spawn(process.execPath, [adapterPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new ClientOfProcess(adapter);
    let primaryPid: number | undefined;
    try {
      const threads: number[] = [];
      client.on('thread', (event: DebugProtocol.ThreadEvent) => event.body.reason === 'started' && threads.push(event.body.threadId));
      await client.initializeRequest();
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);
      await waitFor('3 threads', () => threads.length === 3);
      const primary = (await client.threadsRequest()).body.threads.find((thread) => thread.name.startsWith('Primary'))!;
      primaryPid = threadPids([primary])[0];
      assert.equal(leftoverProcesses({ marker }).length, 3, describeProcesses(leftoverProcesses({ marker })));
      assert.equal(watchdogsOf(primaryPid).length, 1, 'a watchdog guards the launch');

      adapter.kill('SIGKILL');
      await new Promise<void>((resolve) => (adapter.exitCode !== null || adapter.signalCode !== null ? resolve() : adapter.once('exit', () => resolve())));
      await assertNoProcessesLeft({ marker }, { timeoutMilliseconds: 5000, after: 'the adapter was SIGKILLed' });
      await waitFor('the watchdog to leave', () => watchdogsOf(primaryPid!).length === 0, 5000);
    } finally {
      if (adapter.exitCode === null && adapter.signalCode === null) {
        adapter.kill('SIGKILL');
      }
      await assertNoProcessesLeft({ marker }, { timeoutMilliseconds: 5000 });
      for (const watchdog of primaryPid === undefined ? [] : watchdogsOf(primaryPid)) {
        process.kill(-watchdog.pid, 'SIGKILL'); // its group: the shell, its reader and its poller
      }
    }
  });
});
