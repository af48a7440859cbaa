// Attaching to a running app with breakpoints that are hit at once: a process that pauses
// before anyone listens to the runtime is still reported to its first listener, and only while
// it is paused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ClusterRuntime, RuntimePausedEvent } from '../../src/cluster/runtime';
import { fixture, preloadPath, testNodes, waitFor } from '../support/cluster';

const program = fixture('ticking-cluster.js');
const tickLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes('// primary tick'));

for (const node of testNodes) {
  describe(`pauses while attaching on ${node}`, () => {
    it('reports a pause that happened before the first onPaused subscription, and the process resumes on request', async () => {
      const app = spawn(node, ['--inspect=127.0.0.1:0', program], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      app.stdout.on('data', (chunk: Buffer) => (output += chunk));
      app.stderr.on('data', (chunk: Buffer) => (output += chunk));
      let runtime: ClusterRuntime | undefined;
      try {
        await waitFor('the app to be ready', () => output.includes('READY'), 15000, () => output);
        const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1]);
        runtime = await ClusterRuntime.attach({
          host: '127.0.0.1',
          port: inspectorPort,
          preloadPath,
          breakpoints: [{ location: { url: pathToFileURL(program).href, lineNumber: tickLine }, roles: ['primary'] }],
        });
        // The primary ticks every millisecond: it paused while the runtime attached its workers.
        const primary = runtime.processes().find((identity) => identity.role === 'primary');
        assert.ok(primary);
        assert.equal(runtime.session(primary.pid)?.isPaused, true, 'the primary paused during the attach');

        const paused: RuntimePausedEvent[] = [];
        runtime.onPaused((event) => paused.push(event));
        await waitFor('the pause reported', () => paused.length > 0, 5000);
        assert.equal(paused[0].process.pid, primary.pid);
        assert.equal(paused[0].callFrames[0].location.lineNumber, tickLine);
        // Hit while its breakpoint was being set, the pause still names the breakpoint.
        assert.equal(paused[0].stopOwners.length, 1, `the pause names its breakpoint (reason ${paused[0].reason})`);

        // The first listener heard it; a later one hears only new pauses.
        const later: RuntimePausedEvent[] = [];
        runtime.onPaused((event) => later.push(event));
        await runtime.removeBreakpoint(paused[0].stopOwners[0]);
        await runtime.resume(primary.pid);
        await waitFor('the primary running', () => runtime!.session(primary.pid)?.isPaused === false, 5000);
        assert.equal(paused.length, 1);
        assert.deepEqual(later, []);
      } finally {
        await runtime?.stop();
        if (app.pid !== undefined && app.exitCode === null) {
          process.kill(-app.pid, 'SIGKILL');
        }
      }
    });
  });
}
