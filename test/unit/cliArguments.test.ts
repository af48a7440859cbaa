// `cluster-tour trace`'s command line: options up to `--` or the program, values read from the
// next word, and usage errors that say what was wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArguments } from '../../src/cli/arguments';
import { ClusterTourError } from '../../src/common/errors';

const usageError = (text: string) => (error: unknown) => error instanceof ClusterTourError && error.code === 'E_USAGE' && error.message.startsWith(text);

describe('cluster-tour trace arguments', () => {
  it('reads options, then the program and its own arguments', () => {
    assert.deepEqual(parseArguments(['trace', '--json', '--sched', 'none', '--runtime', '/usr/bin/node', 'app.js', '--json', '-x']), {
      command: 'trace',
      json: true,
      schedulingPolicy: 'none',
      runtimeExecutable: '/usr/bin/node',
      program: 'app.js',
      args: ['--json', '-x'],
    });
    assert.deepEqual(parseArguments(['trace', '--', '-odd-name.js']), { command: 'trace', json: false, program: '-odd-name.js', args: [] });
    assert.deepEqual(parseArguments(['trace', '--attach', '127.0.0.1:9229']), { command: 'trace', json: false, args: [], attach: { host: '127.0.0.1', port: 9229 } });
    assert.deepEqual(parseArguments(['trace', '--json', '--help', '--bogus']), { command: 'help' });
  });

  it('says which option is wrong', () => {
    assert.throws(() => parseArguments(['trace', '--sched']), usageError('--sched needs a value.'));
    assert.throws(() => parseArguments(['trace', '--sched', 'fifo']), usageError('--sched takes rr or none, not "fifo".'));
    assert.throws(() => parseArguments(['trace', '--bogus']), usageError('Unknown option "--bogus".'));
    assert.throws(() => parseArguments(['trace', '--attach', '127.0.0.1:9229', 'app.js']), usageError('--attach takes no program'));
  });
});
