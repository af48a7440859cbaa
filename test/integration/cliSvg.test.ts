// `cluster-tour trace --svg FILE` on a real run of the bundled sample (one per Node of
// CLUSTER_TOUR_TEST_NODES, through --runtime): the file parses as XML and has a lane per process,
// with the pids the trace printed, and the run's newconn arrows.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { testNodes } from '../support/cluster';
import { assertNoProcessesLeft, spawnCli } from '../support/processes';
import { allElements, parseXml } from '../support/xml';

describe('cluster-tour trace --svg', () => {
  for (const node of testNodes) {
    it(`writes a well-formed SVG with a lane per process on ${node}`, async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'cluster-tour-svg-'));
      try {
        const file = path.join(folder, 'run.svg');
        const result = await spawnCli(['trace', '--runtime', node, '--svg', file], { timeoutMilliseconds: 90_000 });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, /cluster-tour: wrote .*run\.svg \(4 lanes, \d+ arrows\)/);
        const root = parseXml(await readFile(file, 'utf8'));
        assert.equal(root.name, 'svg');
        const elements = allElements(root);
        const lanes = new Map(
          elements.filter((element) => element.attributes['data-lane']).map((element) => [element.attributes['data-lane'], allElements(element).map((each) => each.text).join(' ')]),
        );
        assert.deepEqual([...lanes.keys()], ['clients', 'primary', 'worker:1', 'worker:2']);
        // The pids of the processes the trace printed are the lanes' pids.
        for (const [, name, pid] of result.stdout.matchAll(/ (primary|worker \d) +\(pid (\d+)\)/g)) {
          assert.match(lanes.get(name.replace(' ', ':')) ?? '', new RegExp(`pid ${pid}\\b`), `${name} pid ${pid}`);
        }
        const connections = result.stdout.split('\n').filter((line) => / newconn-sent /.test(line)).length;
        const newconn = elements.filter((element) => element.attributes.class?.includes('ct-stage-newconn-sent'));
        assert.ok(connections > 0);
        assert.equal(newconn.length, connections, 'one newconn arrow per connection sent');
        assert.ok(newconn.every((element) => element.attributes['data-call-site'] === 'rr:RoundRobinHandle.prototype.handoff'));
        await assertNoProcessesLeft(result.marker);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });
  }

  it('says what went wrong when the file cannot be written', async () => {
    const result = await spawnCli(['trace', '--svg', '/nonexistent-folder/x.svg'], { timeoutMilliseconds: 90_000 });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Could not write the diagram to \/nonexistent-folder\/x\.svg: .*Check that its folder exists/);
    await assertNoProcessesLeft(result.marker);
  });
});
