// Attaching the debug adapter to an app whose primary hits a breakpoint as soon as it is set:
// the client gets the stopped event of a pause that happened while the adapter was attaching.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, waitFor } from '../support/cluster';
import { startAdapter } from '../support/adapter';

const program = fixture('ticking-cluster.js');
const tickLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes('// primary tick')) + 1;

describe('attach with a breakpoint hit at once', () => {
  it('sends stopped for the primary, which paused before the adapter listened, and continues it', async () => {
    const app = spawn(process.execPath, ['--inspect=127.0.0.1:0', program], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let appOutput = '';
    app.stdout.on('data', (chunk: Buffer) => (appOutput += chunk));
    app.stderr.on('data', (chunk: Buffer) => (appOutput += chunk));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await waitFor('the app to be ready', () => appOutput.includes('READY'), 15000, () => appOutput);
      const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(appOutput)?.[1]);
      await client.initializeRequest();
      await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: tickLine }] });
      await Promise.all([client.configurationDoneRequest(), client.attachRequest({ port: inspectorPort } as DebugProtocol.AttachRequestArguments)]);

      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped');
      await waitFor('3 threads', () => recorded.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'started').length === 3);
      const threads = (await client.threadsRequest()).body.threads;
      const primary = threads.find((thread) => thread.name.startsWith('Primary'));
      assert.equal(stop.body.threadId, primary?.id, 'the primary stopped');
      const top = (await client.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0];
      assert.equal(top.line, tickLine);
      assert.equal(top.source?.path, program);

      await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
      await client.continueRequest({ threadId: stop.body.threadId! });
      await client.disconnectRequest({});
      await waitFor('threads to exit', () => recorded.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'exited').length === 3);
      assert.equal(recorded.of<DebugProtocol.StoppedEvent>('stopped').length, 1);
    } finally {
      await client.stop();
      if (app.pid !== undefined && app.exitCode === null) {
        process.kill(-app.pid, 'SIGKILL');
      }
    }
  });
});
