// A tour stop whose claim check throws, on a real run of the tour's sample: the claim is reported
// failed with the error's message, the other claims are still checked, and the stop is still
// shown (the session announces it, so the client gets its stopped event) instead of leaving the
// process paused in silence. Binaries: CLUSTER_TOUR_TEST_NODES, else this Node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { TourRun } from '../../src/adapter/tourRun';
import type { TourBody } from '../../src/adapter/tourProtocol';
import { ClusterRuntime, type RuntimePausedEvent } from '../../src/cluster/runtime';
import { tours } from '../../src/cluster/tours/catalogue';
import { tourLaunchOptions } from '../../src/cluster/tours/launch';
import type { Claim, Tour } from '../../src/cluster/tours/tour';
import { preloadPath, repositoryRoot, testNodes, waitFor } from '../support/cluster';

// Tours are data: a claim of a kind this version cannot check makes its check throw.
const unknownClaim = { kind: 'heap-size', below: 1 } as unknown as Claim;
const base = tours[0];
const tour: Tour = { ...base, stops: base.stops.map((stop, index) => (index === 0 ? { ...stop, claims: [unknownClaim, ...stop.claims] } : stop)) };

for (const node of testNodes) {
  describe(`a throwing claim check on ${node}`, () => {
    it('is a failed claim with its message, and the stop is still announced', async () => {
      const runtime = await ClusterRuntime.launch(await tourLaunchOptions(tour, { root: repositoryRoot, runtimeExecutable: node, preloadPath }));
      const announced: RuntimePausedEvent[] = [];
      const bodies: TourBody[] = [];
      const run = new TourRun(tour, runtime, {
        send: (event: DebugProtocol.Event) => {
          if (event.event === 'clusterTour.tour') bodies.push(event.body as TourBody);
        },
        announce: (event) => announced.push(event),
        threadId: () => undefined,
        topFrame: () => undefined,
      });
      try {
        await run.start();
        await waitFor('the first stop to be announced', () => announced.length > 0, 30000);
        assert.equal(run.holds(announced[0].process.pid), true, 'the tour holds the process at its stop');
        const claims = run.body().stops[0].claims ?? [];
        assert.equal(claims[0].ok, false);
        assert.match(claims[0].actual ?? '', /^threw: .*"heap-size" is not one this Cluster Tour can check/);
        assert.equal(claims.length, tour.stops[0].claims.length, 'every claim of the stop has a result');
        assert.ok(claims.slice(1).some((claim) => claim.ok === true), `the other claims are checked: ${JSON.stringify(claims)}`);
        assert.equal(bodies.at(-1)?.state, 'paused');
      } finally {
        run.dispose();
        await runtime.stop();
      }
    });
  });
}
