// The pure parts of listing node processes and of the Attach to Cluster… picker: grouping
// workers under their primary, which ports are asked for an inspector, which command lines are
// the editor's own, and the picker's rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readNodeCommandLine, scriptOf } from '../../src/cluster/attach/nodeCommandLine';
import { groupWorkers, isEditorProcess, portsToAsk, type NodeProcessFacts } from '../../src/cluster/attach/nodeProcesses';
import { attachChoices, describeProcess, shortCommandLine } from '../../src/ui/attachChoices';

function facts(pid: number, ppid: number, workerId?: number, port?: number): NodeProcessFacts {
  return {
    pid,
    ppid,
    args: ['/usr/bin/node', '/home/me/app/server.js'],
    cwd: '/home/me/app',
    workerId,
    inspector: port === undefined ? undefined : { host: '127.0.0.1', port },
    inspectorOptions: port !== undefined,
  };
}

describe('groupWorkers', () => {
  it('puts workers under their primary by worker id, primaries first', () => {
    const grouped = groupWorkers([facts(50, 1), facts(12, 10, 2), facts(10, 1, undefined, 9229), facts(11, 10, 1), facts(7, 1)]);
    assert.deepEqual(
      grouped.map((each) => [each.pid, each.workers.map((worker) => worker.workerId)]),
      [
        [10, [1, 2]],
        [7, []],
        [50, []],
      ],
    );
  });

  it('lists a worker on its own when its primary is not listed, and a forked child that is not a worker apart', () => {
    const grouped = groupWorkers([facts(11, 10, 1), facts(21, 20), facts(20, 1)]);
    assert.deepEqual(
      grouped.map((each) => [each.pid, each.workers.length]),
      [
        [11, 0],
        [20, 0],
        [21, 0],
      ],
    );
  });
});

describe('portsToAsk', () => {
  it('asks only the port the options point at, all ports for port 0, 9229 by default', () => {
    assert.deepEqual(portsToAsk([3000, 9229], { mentionsInspector: false }), [9229]);
    assert.deepEqual(portsToAsk([3000], { mentionsInspector: false }), []);
    assert.deepEqual(portsToAsk([3000, 9230], { mentionsInspector: true, inspectPort: 9230 }), [9230]);
    assert.deepEqual(portsToAsk([3000, 41234], { mentionsInspector: true, inspectPort: 0 }), [3000, 41234]);
    assert.deepEqual(portsToAsk([3000, 9229], { mentionsInspector: true }), [9229], 'plain --inspect is 9229');
  });
});

describe('isEditorProcess and scriptOf', () => {
  it('knows VS Code\'s servers and helpers, code-server, and programs in the folders it is given', () => {
    assert.ok(isEditorProcess(['/opt/cs/lib/node', '/opt/cs/lib/vscode/out/bootstrap-fork', '--type=extensionHost'], []));
    assert.ok(isEditorProcess(['node', '/root/.cache/cluster-tour/code-server/out/node/entry.js'], []));
    assert.ok(isEditorProcess(['node', '/home/me/.vscode-server/bin/abc/out/server-main.js'], []));
    assert.ok(isEditorProcess(['node', '--max-old-space-size=3072', '/opt/vs/extensions/typescript/tsserver.js'], ['/opt/vs']));
  });

  it('keeps apps, also those run from an editor\'s terminal or next to it', () => {
    assert.equal(isEditorProcess(['node', '/home/me/app/server.js'], ['/opt/vs']), false);
    assert.equal(isEditorProcess(['node', '/opt/vscode-projects/app.js'], ['/opt/vs']), false, 'a sibling folder sharing a prefix');
    assert.equal(isEditorProcess(['node', '-e', 'setInterval(() => {}, 1000)'], ['/opt/vs']), false);
  });

  it('finds the script after node\'s options, skipping option values', () => {
    assert.equal(scriptOf(['node', '--inspect=127.0.0.1:0', '-r', 'ts-node/register', 'app.ts', '--port', '3']), 'app.ts');
    assert.equal(scriptOf(['node', '--', 'app.js']), 'app.js');
    assert.equal(scriptOf(['node', '-e', 'code']), undefined);
    assert.equal(scriptOf(['node']), undefined);
  });

  it('reads node\'s own options in the same pass: the script\'s arguments are not node\'s', () => {
    const read = readNodeCommandLine(['node', '--inspect-port', '9300', '-r', 'ts-node/register', 'app.ts', '--inspect=9229']);
    assert.deepEqual(read, { options: ['--inspect-port', '9300', '-r', 'ts-node/register'], script: 'app.ts' });
    assert.deepEqual(readNodeCommandLine(['node', '--inspect=0', '-e', 'code', '--stack-size']), { options: ['--inspect=0'], script: undefined });
  });
});

describe('the picker\'s rows', () => {
  it('shortens the command line: binary name, script relative to its folder, at most 70 characters', () => {
    assert.equal(shortCommandLine(['/usr/local/bin/node', '/home/me/app/server.js', '--port', '3000'], '/home/me/app'), 'node server.js --port 3000');
    assert.equal(shortCommandLine(['/usr/bin/node', '/srv/other/app.js'], '/home/me/app'), 'node /srv/other/app.js');
    const long = shortCommandLine(['node', 'app.js', ...Array(30).fill('--flag')], '/');
    assert.equal(long.length, 70);
    assert.ok(long.endsWith('…'));
  });

  it('describes pid, workers and inspector, and makes a worker\'s row attach to its primary', () => {
    const [primary, plain] = groupWorkers([facts(10, 1), facts(11, 10, 1), facts(12, 10, 2), facts(30, 1, undefined, 9229)]);
    assert.equal(describeProcess(primary), 'pid 10 · 2 workers · no inspector (will open one with SIGUSR1) · running workers unreachable: start it with --inspect-port=9300');
    assert.equal(describeProcess({ ...primary, inspectorOptions: true }), 'pid 10 · 2 workers · no inspector (will open one with SIGUSR1)');
    assert.equal(describeProcess(plain), 'pid 30 · inspector 127.0.0.1:9229');
    const choices = attachChoices([primary, plain]);
    assert.deepEqual(
      choices.map((choice) => [choice.section, choice.label, choice.processId]),
      [
        ['primaries', 'node server.js', 10],
        ['workers', '↳ worker 1 (pid 11)', 10],
        ['workers', '↳ worker 2 (pid 12)', 10],
        ['others', 'node server.js', 30],
      ],
    );
    assert.match(choices[1].description, /attaches to its primary, pid 10/);
    assert.equal(choices[0].detail, '/home/me/app');
  });
});
