// HeldEmitter: what is fired before anyone listens goes to the first subscriber, once, in order;
// after that it behaves as an Emitter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeldEmitter } from '../../src/common/emitter';

describe('HeldEmitter', () => {
  it('gives what was fired before any subscription to the first subscriber, in order', () => {
    const emitter = new HeldEmitter<number>();
    emitter.fire(1);
    emitter.fire(2);
    const first: number[] = [];
    const second: number[] = [];
    emitter.event((value) => first.push(value));
    emitter.event((value) => second.push(value));
    emitter.fire(3);
    assert.deepEqual(first, [1, 2, 3]);
    assert.deepEqual(second, [3]);
  });

  it('holds nothing once it has been heard, even with no listener left', () => {
    const emitter = new HeldEmitter<string>();
    const subscription = emitter.event(() => undefined);
    subscription.dispose();
    emitter.fire('lost, as with any emitter');
    const later: string[] = [];
    emitter.event((value) => later.push(value));
    emitter.fire('heard');
    assert.deepEqual(later, ['heard']);
  });
});
