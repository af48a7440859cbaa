// Attaching the debug adapter to a cluster app started by hand with --inspect: three threads, a
// preset stop in the primary, and after disconnect the app still runs (attach never kills). The
// presets file is the workspace's (`cwd`), wherever the adapter runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { customRequests } from '../../src/common/contributions';
import type { PresetsBody } from '../../src/adapter/viewProtocol';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { continueStops, startAdapter, threadPids } from '../support/adapter';

describe('attach', () => {
  it('sees the primary and both workers, stops at a preset, and leaves the app running on disconnect', async () => {
    const app = spawn(process.execPath, ['--inspect=127.0.0.1:0', fixture('http-workers.js')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let appOutput = '';
    app.stdout.on('data', (chunk: Buffer) => (appOutput += chunk));
    app.stderr.on('data', (chunk: Buffer) => (appOutput += chunk));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await waitFor('the app to listen', () => listeningPort(appOutput) !== undefined, 15000, () => appOutput);
      const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(appOutput)?.[1]);
      const port = listeningPort(appOutput)!;
      await client.initializeRequest();
      await Promise.all([client.configurationDoneRequest(), client.attachRequest({ port: inspectorPort, presets: ['accept'] } as DebugProtocol.AttachRequestArguments)]);

      await waitFor('3 threads', () => recorded.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'started').length === 3);
      const threads = (await client.threadsRequest()).body.threads;
      assert.deepEqual(threads.map((thread) => thread.name.replace(/\d+\)$/, 'N)')).sort(), ['Primary (pid N)', 'Worker 1 (pid N)', 'Worker 2 (pid N)']);
      const primary = threads.find((thread) => thread.name.startsWith('Primary'))!;
      assert.equal(threadPids([primary])[0], app.pid);

      const continueOthers = continueStops(client, (event) => event.body.threadId !== primary.id);
      const response = get(port);
      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.description === 'round-robin accept · primary');
      assert.equal(stop.body.threadId, primary.id);
      const top = (await client.stackTraceRequest({ threadId: primary.id })).body.stackFrames[0];
      assert.equal(top.name, 'RoundRobinHandle.distribute');
      assert.equal(top.source?.path, 'node:internal/cluster/round_robin_handle');
      assert.deepEqual(continueOthers.stop(), []);
      const continueAll = continueStops(client);
      await client.continueRequest({ threadId: primary.id });
      assert.match(await response, /^worker [12]$/m);
      assert.deepEqual(continueAll.stop(), []);

      await client.disconnectRequest({});
      await waitFor('threads to exit', () => recorded.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'exited').length === 3);
      assert.ok(pidAlive(app.pid!), 'the primary still runs after disconnect');
      assert.match(await get(port), /^worker [12]$/m, 'and still serves, with no stop left');
    } finally {
      await client.stop();
      if (app.pid !== undefined && app.exitCode === null) {
        process.kill(-app.pid, 'SIGKILL');
      }
    }
  });

  it("arms a preset of the workspace's .vscode/cluster-tour.json (cwd) from an adapter running in another folder", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'cluster-tour-attach-workspace-'));
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'cluster-tour-adapter-cwd-'));
    mkdirSync(path.join(workspace, '.vscode'));
    writeFileSync(path.join(workspace, '.vscode', 'cluster-tour.json'), JSON.stringify({ presets: [{ id: 'handoffs', title: 'Every handoff', functions: ['RoundRobinHandle.prototype.handoff'] }] }));
    const app = spawn(process.execPath, ['--inspect=127.0.0.1:0', fixture('http-workers.js')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let appOutput = '';
    app.stdout.on('data', (chunk: Buffer) => (appOutput += chunk));
    app.stderr.on('data', (chunk: Buffer) => (appOutput += chunk));
    const recorded = await startAdapter({ cwd: elsewhere });
    const { client } = recorded;
    try {
      await waitFor('the app to listen', () => listeningPort(appOutput) !== undefined, 15000, () => appOutput);
      const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(appOutput)?.[1]);
      await client.initializeRequest();
      await Promise.all([
        client.configurationDoneRequest(),
        client.attachRequest({ port: inspectorPort, cwd: workspace, presets: ['handoffs'] } as DebugProtocol.AttachRequestArguments),
      ]);
      const presets = (await client.customRequest(customRequests.presets)).body as PresetsBody;
      const handoffs = presets.presets.find((preset) => preset.id === 'handoffs');
      assert.ok(handoffs, `presets: ${presets.presets.map((preset) => preset.id).join(', ')}`);
      assert.equal(handoffs.enabled, true);
      await client.disconnectRequest({});
    } finally {
      await client.stop();
      if (app.pid !== undefined && app.exitCode === null) {
        process.kill(-app.pid, 'SIGKILL');
      }
      rmSync(workspace, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
