// Keeps the tours' explanations true: statements found false against Node 20/22/24 (issue 9) do
// not come back, the puzzle's tour names its history, and a claim whose expected value differs by
// Node version is decided against the running Node's major.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedOn } from '../../src/cluster/tours/claims';
import { findTour, tours } from '../../src/cluster/tours/catalogue';
import type { Claim } from '../../src/cluster/tours/tour';

const texts = tours.flatMap((tour) => [tour.summary, ...tour.stops.flatMap((stop) => [stop.title, stop.explanation])]);

describe('tour explanations', () => {
  it('do not repeat statements that are false on Node 20, 22 or 24', () => {
    const falseStatements: Array<[RegExp, string]> = [
      [/kernel woke one worker/i, 'on Linux every polling worker is woken (no EPOLLEXCLUSIVE)'],
      [/18–24|18-24/, "'disconnect' before 'exit' is usual, not promised"],
      [/will not count as a crash/, 'the worker-side flag only stops the worker exiting on its channel close'],
      [/installs a duplicate/, 'the worker gets its fd only when recvmsg() reads the message'],
      [/keep-alive interval/, "it is the faux handle's ref() interval"],
      [/before the first fork/, 'the policy is frozen by the first setupPrimary()'],
      [/with port 0, also the worker's `index`/, 'on Node 20 the key always ends with the index'],
      [/worker process is still alive/, 'it may be a zombie; the primary has not processed its exit'],
      [/can exit before the disconnect event fires/, "that comment in Node's test is about the worker's own 'disconnect', not the primary's order"],
    ];
    for (const [pattern, why] of falseStatements) {
      assert.deepEqual(texts.filter((text) => pattern.test(text)), [], `${pattern}: ${why}`);
    }
  });

  it("the puzzle's tour names the test, io.js #1953, nodejs/node #3677 and what still holds for child_process", () => {
    const tour = findTour('lost-disconnect');
    assert.ok(tour);
    const all = [tour.summary, ...tour.stops.map((stop) => stop.explanation)].join('\n');
    for (const needle of ['test-cluster-worker-wait-server-close.js', '#1953', '#3677', 'v5.1.0', '`child.send(message, handle)`', 'removeHandlesForWorker']) {
      assert.ok(all.includes(needle), `mentions ${needle}`);
    }
  });

  it('decides a versioned expected value by the running major', () => {
    const claim: Extract<Claim, { kind: 'expression' }> = {
      kind: 'expression', expression: 'x', expected: 'old', description: 'x', expectedByNode: [{ fromMajor: 22, expected: 'new' }, { fromMajor: 24, expected: 'newer' }],
    };
    assert.equal(expectedOn(claim, 'v20.20.2'), 'old');
    assert.equal(expectedOn(claim, 'v22.23.3'), 'new');
    assert.equal(expectedOn(claim, 'v24.22.3'), 'newer');
    assert.equal(expectedOn(claim, undefined), 'old');
  });
});
