// Tour validation: a stop needs a checkable claim, a real call site and an id of its own; every
// shipped tour passes; the next-stage rules pick the first event of the right processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { decideNextStage, isCandidate } from '../../src/cluster/tours/claims';
import { tours } from '../../src/cluster/tours/catalogue';
import { Tour, TourStop, validateTour, validateTours } from '../../src/cluster/tours/tour';

const stop = (overrides: Partial<TourStop> = {}): TourStop => ({
  id: 'accept',
  callSite: 'rr:RoundRobinHandle.prototype.distribute',
  role: 'primary',
  title: 'accept',
  explanation: 'The primary accepts.',
  claims: [{ kind: 'expression', expression: 'err', expected: 0, description: 'no error' }],
  ...overrides,
});

const tour = (stops: TourStop[], id = 'test'): Tour => ({ id, title: 'Test', summary: 'A test.', program: 'sample', schedulingPolicy: 'rr', stops });

describe('tour validation', () => {
  it('accepts a stop with a checkable claim at a known call site', () => {
    assert.deepEqual(validateTour(tour([stop()])), []);
  });

  it('rejects a stop whose only claim is the process', () => {
    const problems = validateTour(tour([stop({ claims: [{ kind: 'process', role: 'primary' }] })]));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /no checkable claim/);
  });

  it('rejects a stop with no claim at all', () => {
    assert.match(validateTour(tour([stop({ claims: [] })])).join('\n'), /no checkable claim/);
  });

  it('rejects an unknown call-site id', () => {
    const problems = validateTour(tour([stop({ callSite: 'rr:RoundRobinHandle.prototype.distrbute' })]));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /"rr:RoundRobinHandle.prototype.distrbute" is not a call site of the catalogue/);
  });

  it('rejects duplicate stop ids and duplicate tour ids', () => {
    assert.match(validateTour(tour([stop(), stop()])).join('\n'), /stop 2 \("accept"\): the id is used by an earlier stop/);
    assert.match(validateTours([tour([stop()], 'same'), tour([stop()], 'same')]).join('\n'), /Tour id "same" is used twice/);
  });

  it('rejects a process claim for the other role', () => {
    assert.match(validateTour(tour([stop({ claims: [{ kind: 'process', role: 'worker' }, { kind: 'next-stage', stage: 'newconn-sent' }] })])).join('\n'), /says worker/);
  });

  it('validates every shipped tour', () => {
    assert.deepEqual(validateTours(tours), []);
    assert.deepEqual(
      tours.map((each) => each.id),
      ['listen', 'connection-round-robin', 'connection-sched-none', 'disconnect-in-flight', 'lost-disconnect', 'net-connection'],
    );
  });
});

describe('next-stage claims', () => {
  const worker = { pid: 20, role: 'worker' as const, workerId: 1, webSocketUrl: 'ws://x' };
  const window = { process: worker, pausedAt: 1000, resumedAt: 1005 };
  const event = (stage: AnyLifecycleEvent['stage'], pid: number, time: number): AnyLifecycleEvent =>
    ({ stage, process: pid === 10 ? 'primary' : 'worker', workerId: pid === 10 ? null : pid - 19, pid, time, detail: {} }) as AnyLifecycleEvent;

  it("looks at the paused process's own events after its pause, by default", () => {
    const claim = { kind: 'next-stage' as const, stage: 'connection' as const };
    assert.equal(isCandidate(claim, window, event('connection', 20, 1001)), true);
    assert.equal(isCandidate(claim, window, event('connection', 20, 999)), false, 'before the pause');
    assert.equal(isCandidate(claim, window, event('accepted', 10, 1010)), false, 'another process');
  });

  it("looks at the primary's events after the resume with role primary", () => {
    const claim = { kind: 'next-stage' as const, stage: 'disconnect' as const, role: 'primary' as const };
    assert.equal(isCandidate(claim, window, event('disconnect', 10, 1003)), false, 'before the resume');
    assert.equal(isCandidate(claim, window, event('disconnect', 10, 1006)), true);
  });

  it('decides by the time each process stamped, not by arrival', () => {
    const claim = { kind: 'next-stage' as const, stage: 'newconn-received' as const };
    const result = decideNextStage(claim, [event('connection', 20, 1003), event('newconn-received', 20, 1002)]);
    assert.equal(result.ok, true);
    assert.equal(decideNextStage(claim, []).ok, false);
  });
});
