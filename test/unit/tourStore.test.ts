// The tour's state in the editor, from the adapter's TourBody events: which stop is shown, what
// Next and Previous Stop do, and what the status bar and the end-of-tour message say.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TourBody, TourStopEntry, TourStopStatus } from '../../src/adapter/tourProtocol';
import { TourStore } from '../../src/ui/tourStore';
import { completionMessage, explanationMarkdown, statusText } from '../../src/ui/tourText';

const roles = ['primary', 'primary', 'worker', 'worker'] as const;

/** A four-stop tour whose first `reached` stops were reached; `state` and `current` as given. */
function body(state: TourBody['state'], current: number | null, reached: number, failing?: number): TourBody {
  const stops = roles.map((role, index): TourStopEntry => {
    const status: TourStopStatus = current === null ? (index < reached ? 'done' : 'pending') : index < current ? 'done' : index === current ? 'current' : 'pending';
    const place = index < reached ? { pid: 100 + index, role, workerId: role === 'worker' ? 2 : null, threadId: 1, source: { name: 'round_robin_handle', sourceReference: 7 }, line: 40 + index, column: 1 } : undefined;
    return {
      index,
      id: `stop-${index}`,
      title: `Stop title ${index} · ${role}`,
      explanation: `What happens at **${index}**.`,
      role,
      callSite: 'rr:RoundRobinHandle.prototype.distribute',
      status,
      ...(place ? { place, claims: [{ description: `claim ${index}`, ok: index === failing ? false : true, ...(index === failing ? { actual: '3' } : {}) }] } : {}),
    };
  });
  return { tourId: 'connection-round-robin', title: 'One connection', summary: 's', state, current, stops };
}

describe('the tour store', () => {
  it('shows each stop the program reaches, and says so in the status bar', () => {
    const store = new TourStore();
    let changes = 0;
    store.onChange(() => changes++);
    store.start();
    assert.equal(store.inTour, true);
    store.apply(body('starting', 0, 0));
    assert.equal(store.shown, null);
    assert.equal(statusText(store.tour!, store.shown), '$(debug-breakpoint-log) on the way to stop 1/4');
    assert.deepEqual(store.nextAction(), { kind: 'none', reason: 'The program is on its way to stop 1 of 4.' });
    store.apply(body('paused', 0, 1));
    assert.equal(store.shown, 0);
    assert.equal(statusText(store.tour!, store.shown), '$(debug-breakpoint-log) stop 1/4 · primary');
    assert.deepEqual(store.nextAction(), { kind: 'resume' });
    store.apply(body('running', 1, 1));
    assert.equal(store.shown, 0, 'the stop left stays shown until the next is reached');
    store.apply(body('paused', 2, 3));
    assert.equal(store.shown, 2);
    assert.equal(statusText(store.tour!, store.shown), '$(debug-breakpoint-log) stop 3/4 · worker 2');
    assert.ok(changes >= 5);
  });

  it('Previous Stop walks back over reached stops while the program stays; Next comes back, then resumes', () => {
    const store = new TourStore();
    store.start();
    store.apply(body('paused', 2, 3));
    assert.equal(store.previousIndex(), 1);
    assert.ok(store.show(1));
    assert.equal(store.previousIndex(), 0);
    assert.ok(store.show(0));
    assert.equal(store.previousIndex(), undefined);
    assert.deepEqual(store.nextAction(), { kind: 'show', index: 1 });
    store.show(1);
    assert.deepEqual(store.nextAction(), { kind: 'show', index: 2 });
    store.show(2);
    assert.deepEqual(store.nextAction(), { kind: 'resume' });
    // The same body again (an answer, a claim decided) keeps the stop the person looks at.
    store.show(0);
    store.apply(body('paused', 2, 3));
    assert.equal(store.shown, 0);
  });

  it('refuses to show a stop not reached yet', () => {
    const store = new TourStore();
    store.start();
    store.apply(body('paused', 1, 2));
    assert.equal(store.show(3), false);
    assert.equal(store.shown, 1);
  });

  it('ends: no next stop, and the message says whether every claim held', () => {
    const store = new TourStore();
    store.start();
    store.apply(body('finished', null, 4));
    assert.equal(completionMessage(store.tour!), 'Tour complete: 4 stops, all claims held.');
    assert.deepEqual(store.nextAction(), { kind: 'none', reason: 'The tour is over: there is no next stop.' });
    assert.equal(completionMessage(body('finished', null, 4, 2)), 'Tour complete: 4 stops, claims that did not hold: stop 3 (claim 2; found: 3).');
    assert.equal(completionMessage(body('ended', null, 2)), 'The tour "One connection" ended after 2 of 4 stops; all claims held.');
    assert.equal(completionMessage(body('paused', 1, 2)), undefined);
    store.end();
    assert.equal(store.inTour, false);
    assert.equal(store.nextAction().kind, 'none');
  });

  it('explains a stop with its heading, explanation and claims', () => {
    const tour = body('paused', 1, 2, 1);
    assert.equal(explanationMarkdown(tour.stops[1], 4), '**Stop title 1 · primary** — Stop 2 of 4\n\nWhat happens at **1**.\n\n- ✗ claim 1 (found: 3)');
    assert.match(explanationMarkdown(tour.stops[3], 4), /_Not reached yet._$/);
    assert.equal(explanationMarkdown(tour.stops[1], 4, false), 'What happens at **1**.\n\n- ✗ claim 1 (found: 3)');
  });
});
