// The terminal tour's text and arguments (cli/tourText.ts, cli/tourArguments.ts): pure logic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArguments } from '../../src/cli/arguments';
import { claimLine, explanationLines, sourceExcerpt } from '../../src/cli/tourText';

describe('cluster-tour tour arguments', () => {
  it('takes an optional id, a program with its arguments, and --runtime', () => {
    assert.deepEqual(parseArguments(['tour']), { command: 'tour', args: [] });
    assert.deepEqual(parseArguments(['tour', '--runtime', '/n', 'listen', 'app.js', '--port', '1']), {
      command: 'tour',
      runtimeExecutable: '/n',
      tourId: 'listen',
      program: 'app.js',
      args: ['--port', '1'],
    });
    assert.throws(() => parseArguments(['tour', '--nope']), /Unknown option "--nope"/);
    assert.equal(parseArguments(['tour', '--help']).command, 'help');
  });

  it('trace takes --svg FILE', () => {
    assert.equal((parseArguments(['trace', '--svg', 'out.svg', 'app.js']) as { svg?: string }).svg, 'out.svg');
    assert.throws(() => parseArguments(['trace', '--svg']), /--svg needs a value/);
  });
});

describe('cluster-tour tour text', () => {
  it('shows the lines around the paused one, numbered from 1, the paused one marked', () => {
    const source = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    assert.deepEqual(sourceExcerpt(source, 8, 2), ['   7 │ g', '   8 │ h', '>  9 │ i', '  10 │ j']);
    assert.deepEqual(sourceExcerpt(source, 0, 1), ['> 1 │ a', '  2 │ b']);
  });

  it('marks claims ✓, ✗ with what was found, or … while undecided', () => {
    const claim = { kind: 'expression', expression: 'x', expected: 1, description: 'x is one' } as const;
    assert.equal(claimLine({ claim, ok: true, actual: 1 }), '✓ x is one');
    assert.equal(claimLine({ claim, ok: false, actual: 2 }), '✗ x is one (found: 2)');
    const next = { kind: 'next-stage', stage: 'accepted' } as const;
    assert.equal(claimLine({ claim: next, ok: false, actual: { stage: 'exit' } }), '✗ the next lifecycle event is accepted (found: exit)');
    assert.match(claimLine({ claim: next, ok: undefined, actual: undefined }), /^… the next lifecycle event is accepted \(decided once/);
  });

  it('wraps an explanation into indented paragraphs without markdown bold', () => {
    const lines = explanationLines('**Next:** one two three four five\n\nsecond', 20, '  ');
    assert.deepEqual(lines, ['  Next: one two', '  three four five', '', '  second']);
  });
});
