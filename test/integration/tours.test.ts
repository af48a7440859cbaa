// Every shipped tour on real Node binaries: launch its program, walk every stop with the engine,
// and check that every claim of every stop holds in the paused frame (and, for next-stage claims,
// in the events after it). Binaries: CLUSTER_TOUR_TEST_NODES (colon-separated), else this Node.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ClusterRuntime } from '../../src/cluster/runtime';
import { tours } from '../../src/cluster/tours/catalogue';
import { TourEngine, TourFinishedEvent } from '../../src/cluster/tours/engine';
import { tourLaunchOptions } from '../../src/cluster/tours/launch';
import type { ProblemEvent } from '../../src/cluster/runtime';
import { preloadPath, repositoryRoot, testNodes } from '../support/cluster';

const tourTimeoutMilliseconds = 30_000;

function failures(finished: TourFinishedEvent): string[] {
  return finished.stops.flatMap((stop) =>
    stop.claimResults
      .filter((result) => result.ok !== true)
      .map(
        (result) =>
          `stop ${stop.stopIndex + 1} "${stop.stop.id}" (${stop.process.role} ${stop.process.workerId ?? ''}, pid ${stop.process.pid}): ` +
          `${inspect(result.claim, { breakLength: Infinity })} → actual ${inspect(result.actual, { breakLength: Infinity, depth: 4 })}`,
      ),
  );
}

for (const node of testNodes) {
  describe(`tours on ${node}`, () => {
    for (const tour of tours) {
      it(`${tour.id}: every stop is reached and every claim holds`, async () => {
        const runtime = await ClusterRuntime.launch(await tourLaunchOptions(tour, { root: repositoryRoot, runtimeExecutable: node, preloadPath }));
        const engine = new TourEngine(runtime, tour);
        const problems: ProblemEvent[] = [];
        let output = '';
        runtime.onOutput((chunk) => (output += chunk.text));
        runtime.onProblem((problem) => problems.push(problem));
        engine.onProblem((problem) => problems.push(problem));
        try {
          const finished = new Promise<TourFinishedEvent>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`The tour did not finish in ${tourTimeoutMilliseconds} ms (at stop ${engine.currentIndex}).\n--- problems ---\n${inspect(problems)}\n--- output ---\n${output}`)),
              tourTimeoutMilliseconds,
            );
            engine.onFinished((event) => {
              clearTimeout(timer);
              resolve(event);
            });
          });
          engine.onStop(() => {
            engine.next().catch((error: unknown) => problems.push({ code: 'E_TEST_NEXT', message: String(error) }));
          });
          await engine.start();
          const result = await finished;
          const end = await runtime.whenEnded();
          assert.deepEqual(problems, []);
          assert.equal(result.completed, true, `the program ended before the last stop\n--- output ---\n${output}`);
          assert.deepEqual(
            result.stops.map((stop) => stop.stop.id),
            tour.stops.map((stop) => stop.id),
            'every stop reached, in order',
          );
          assert.deepEqual(failures(result), [], `claims that do not hold on ${runtime.nodeVersion}`);
          assert.equal(end.code, 0, `the program exits cleanly\n--- output ---\n${output}`);
        } finally {
          engine.dispose();
          await runtime.stop();
        }
      });
    }
  });
}
