// An app that runs code in vm contexts (template engines, jsdom) keeps its sessions when those
// contexts are collected: only the end of a process's own context ends its session.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { pidAlive } from '../../src/cluster/launch/launcher';
import type { ProcessIdentity } from '../../src/cluster/session/processSession';
import { fixture, get, listeningPort, load, observe, testNodes, waitFor } from '../support/cluster';

/** The 0-based line of the fixture that holds `text`. */
function lineOf(file: string, text: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((candidate) => candidate.includes(text));
  assert.ok(line >= 0, `${text} is in ${file}`);
  return line;
}

for (const node of testNodes) {
  describe(`vm contexts on ${node}`, () => {
    it('keeps tracking, breakpoints and every process after vm contexts are collected in the primary and the workers', async () => {
      const program = fixture('vm-contexts.js');
      const observed = await observe(program, { runtimeExecutable: node, runtimeArgs: ['--expose-gc'] });
      const detached: ProcessIdentity[] = [];
      observed.runtime.onProcessDetached((identity) => detached.push(identity));
      try {
        await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
        const port = listeningPort(observed.output()) as number;
        await observed.waitFor('primary and 2 workers attached', () => observed.runtime.processes().length === 3);

        // Round-robin hands connections out in turn: a few requests reach both workers.
        const collectedIn = new Set<string>();
        let requests = 0;
        for (; requests < 10 && collectedIn.size < 2; requests++) {
          collectedIn.add((await get(port, '/vm')).trim());
        }
        assert.deepEqual([...collectedIn].sort(), ['worker 1 collected', 'worker 2 collected']);
        await observed.waitFor('the primary collected its vm contexts', () => /VM COLLECTED 2/.test(observed.output()));

        // Every connection, those before the collection and those after it, reaches the trace.
        await load(port, 4, 1);
        requests += 4;
        await observed.waitFor(`${requests} connections tracked in the workers and the primary`, () =>
          observed.stage('connection').length === requests && observed.stage('accepted').length === requests, 10000);

        // A breakpoint set now still binds and stops a worker.
        const line = lineOf(program, 'response.end(`worker ${cluster.worker.id}\\n`)');
        observed.runtime.onPaused((event) => void observed.runtime.resume(event.process.pid));
        await observed.runtime.addBreakpoint({ location: { url: pathToFileURL(program).href, lineNumber: line }, roles: ['worker'] });
        await get(port);
        await observed.waitFor('a worker paused at the new breakpoint', () => observed.paused.some((pause) => pause.callFrames[0].location.lineNumber === line));

        assert.deepEqual(detached, [], 'no process was detached while it ran');
        assert.equal(observed.runtime.processes().length, 3, 'all three processes still attached');
        await get(port, '/quit');
        const end = await observed.runtime.whenEnded();
        assert.equal(end.code, 0);
        assert.deepEqual(observed.problems, []);
      } finally {
        await observed.runtime.stop();
      }
      const pids = observed.attached.map((identity) => identity.pid);
      await waitFor('every process to be gone', () => pids.every((pid) => !pidAlive(pid)), 5000);
    });
  });
}
