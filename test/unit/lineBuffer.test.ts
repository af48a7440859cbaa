// Partial-line buffering (common/lineBuffer.ts), shared by the program's pipes, the per-process
// output labels and strace's FIFO: lines cut anywhere by chunking come out whole, once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineBuffer } from '../../src/common/lineBuffer';

describe('LineBuffer', () => {
  it('passes on complete lines only and keeps the rest for its line break', () => {
    const buffer = new LineBuffer();
    assert.equal(buffer.push('wor'), '');
    assert.equal(buffer.push('ker 1\nworker'), 'worker 1\n');
    assert.equal(buffer.push(' 2\nend\n'), 'worker 2\nend\n');
    assert.equal(buffer.end(), '');
  });

  it('hands over an unfinished last line once, at the end', () => {
    const buffer = new LineBuffer();
    assert.equal(buffer.push('a\nb'), 'a\n');
    assert.equal(buffer.end(), 'b');
    assert.equal(buffer.end(), '');
    assert.equal(buffer.push('c\n'), 'c\n');
  });
});
