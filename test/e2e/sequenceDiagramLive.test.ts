// In a real VS Code, the live case without a tour: the Sequence Diagram is open first, then a plain
// cluster-tour session runs the bundled sample (two workers, requests of its own, a disconnect),
// so that every stage of its life reaches the diagram while the workbench is not busy with a
// stop. Asserts what a person sees (the lanes, every posted stage drawn); logs how fast stages
// arrive (record → drawn, adapter → drawn, the workbench's hand-over), not asserted: CI varies.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { listProcesses } from '../support/processes';
import { diagramFrame, drawn, latencyReport, timingsOf, watchWorkbench } from './diagram';
import { waitFor } from './waitFor';
import { inWorkbench, launchFolder, repositoryRoot } from './workbench';

/** Enough requests that most of the run's connections come after the session's start-up settles. */
const requests = 30;

/** A folder with the bundled sample as app.js and a launch.json that runs it: no tour, no stops. */
function sampleFolder(): string {
  return launchFolder('live', path.join(repositoryRoot, 'samples', 'http-cluster.js'), { runtimeExecutable: process.execPath, env: { SAMPLE_REQUESTS: String(requests) } });
}

describe('the live sequence diagram in code-server', () => {
  it('draws every stage of a plain session as it runs, with lanes for the primary and both workers', async () => {
    const folder = sampleFolder();
    const app = path.join(folder, 'app.js');
    await inWorkbench('sequence-diagram-live', folder, async (workbench) => {
      const { page } = workbench;
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('Cluster Tour: Show Sequence Diagram');
      const frame = await diagramFrame(page);
      await watchWorkbench(page);

      await workbench.runCommand('Debug: Select and Start Debugging');
      await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^Cluster$/ }).first().click({ timeout: 30000 });
      // The sample ends by itself: its workers disconnect after its last request, then it exits.
      await page.waitForSelector('.debug-toolbar', { timeout: 60000 });
      await waitFor('the session to end with the sample', () => page.locator('.debug-toolbar').isVisible(), (visible) => !visible, 120000);
      const counts = await waitFor(
        'every stage posted drawn, with both workers exited',
        drawn(frame),
        (seen) => seen.posted > 0 && seen.drawnEvents === seen.posted && seen.stages.filter((stage) => stage === 'exit').length === 2,
      );
      for (const lane of ['primary', 'worker:1', 'worker:2']) assert.ok(counts.lanes.includes(lane), `the ${lane} lane: ${JSON.stringify(counts.lanes)}`);
      for (const stage of ['fork', 'online', 'query-server', 'listening', 'accepted', 'newconn-sent', 'connection', 'disconnect']) {
        assert.ok(counts.stages.includes(stage), `a ${stage} arrow: ${JSON.stringify([...new Set(counts.stages)])}`);
      }
      const timings = await timingsOf(frame);
      // The diagram was open before the session started: every stage came live, one connection's four at least per request.
      assert.equal(timings.length, counts.posted, 'every stage was posted live');
      assert.ok(timings.length >= 20 && timings.filter((each) => each[7] === 'connection').length === requests, `stages posted live: ${timings.length}`);
      console.log(await latencyReport(page, frame, counts, { perStage: true }));
      // The start and the end of the run.
      await frame.evaluate('window.scrollTo(0, 0)');
      await workbench.screenshot('sequence-diagram-live');
      await frame.evaluate('window.scrollTo(0, document.body.scrollHeight)');
      await workbench.screenshot('sequence-diagram-live-end');
      await waitFor('no process of the sample left', async () => listProcesses().filter((each) => each.commandLine.includes(app)).map((each) => each.commandLine), (left) => left.length === 0, 15000);
    });
  });
});
