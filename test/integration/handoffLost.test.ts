// The trace's diagnosis of a lost handoff, on real cluster processes: `handoff-lost` exactly when
// a `newconn` sent to a worker is never received before its channel closes (the lost-disconnect
// sample's worker 1), and not for a clean worker.disconnect() with a connection in flight.
// Binaries: CLUSTER_TOUR_TEST_NODES (colon-separated), else this Node. Needs `npm run build`.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoProcessesLeft, repositoryRoot, spawnCli, type CliResult } from '../support/processes';

const nodes = (process.env.CLUSTER_TOUR_TEST_NODES ?? process.execPath).split(':').filter((entry) => entry !== '');
const sample = (name: string): string => path.join(repositoryRoot(), 'samples', name);

interface JsonEvent {
  stage: string;
  process: string;
  workerId: number | null;
  detail: Record<string, unknown>;
}

function transcript(result: CliResult): string {
  return `exit ${result.signal ?? result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

async function trace(node: string, program: string): Promise<{ result: CliResult; events: JsonEvent[] }> {
  const result = await spawnCli(['trace', '--json', '--runtime', node, program]);
  await assertNoProcessesLeft(result.marker, { after: 'the program ended' });
  assert.equal(result.code, 0, transcript(result));
  const events = result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonEvent);
  return { result, events };
}

const workerExit = (events: JsonEvent[], workerId: number): JsonEvent | undefined =>
  events.find((event) => event.stage === 'exit' && event.process === 'primary' && event.detail.workerId === workerId);

for (const node of nodes) {
  describe(`handoff-lost on ${node}`, () => {
    it("reports the newconn worker 1 never read, and that worker 1's 'disconnect' never came", async () => {
      const { result, events } = await trace(node, sample('lost-disconnect.js'));
      const lost = events.filter((event) => event.stage === 'handoff-lost');
      const sentToWorker1 = events.filter((event) => event.stage === 'newconn-sent' && event.detail.workerId === 1);
      assert.equal(sentToWorker1.length, 1, `one connection was handed to worker 1\n${transcript(result)}`);
      assert.deepEqual(
        lost.map((event) => ({ process: event.process, workerId: event.detail.workerId, seq: event.detail.seq })),
        [{ process: 'primary', workerId: 1, seq: sentToWorker1[0].detail.seq }],
        transcript(result),
      );
      assert.equal(workerExit(events, 1)?.detail.neverDisconnected, true, `worker 1's exit says 'disconnect' never came\n${transcript(result)}`);
      assert.equal(workerExit(events, 2)?.detail.disconnected, true, `worker 2 disconnected before it exited\n${transcript(result)}`);
      assert.equal(workerExit(events, 2)?.detail.neverDisconnected, undefined, transcript(result));
    });

    it('reports nothing for worker.disconnect() with a connection in flight', async () => {
      const { result, events } = await trace(node, sample('tour-disconnect.js'));
      assert.ok(events.some((event) => event.stage === 'newconn-received'), `the connection reached the worker\n${transcript(result)}`);
      assert.deepEqual(events.filter((event) => event.stage === 'handoff-lost'), [], transcript(result));
      assert.equal(workerExit(events, 1)?.detail.neverDisconnected, undefined, transcript(result));
      assert.equal(workerExit(events, 1)?.detail.handleUnacknowledged, false, transcript(result));
    });
  });
}
