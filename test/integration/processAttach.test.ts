// Opening the inspector of a running Node process by pid, on real processes: by SIGUSR1, found
// without a signal when it is already open, a taken port, a dead pid and a program that is not
// Node. Every process started here is killed by its own pid, and none may be left.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ClusterTourError } from '../../src/common/errors';
import { listInspectorTargets } from '../../src/cdp/discovery';
import { CdpSession } from '../../src/cdp/session';
import { openInspector } from '../../src/cluster/attach/processAttach';
import { testNodes } from '../support/cluster';
import { assertNoProcessesLeft, repositoryRoot, testMarkerVariable } from '../support/processes';

const idleFixture = path.join(repositoryRoot(), 'test', 'fixtures', 'process-attach-idle.js');
const marker = `${testMarkerVariable}=${randomUUID()}`;

interface Started {
  pid: number;
  readonly output: string;
  waitFor(pattern: RegExp, timeoutMilliseconds?: number): Promise<RegExpExecArray>;
}

const started = new Map<number, ChildProcess>();

/** Starts a process with this file's marker in its environment; afterEach kills it. */
function start(command: string, args: readonly string[]): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, [testMarkerVariable]: marker.slice(testMarkerVariable.length + 1) };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(child.pid, `could not start ${command}`);
  const pid = child.pid;
  started.set(pid, child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return {
    pid,
    get output() {
      return output;
    },
    async waitFor(pattern, timeoutMilliseconds = 10_000) {
      const deadline = Date.now() + timeoutMilliseconds;
      for (;;) {
        const match = pattern.exec(output);
        if (match) {
          return match;
        }
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
          assert.fail(`${command} ${args.join(' ')} (pid ${pid}) did not print ${pattern}; output:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** A Node process running the idle fixture, once it says READY. */
async function startIdleNode(nodeOptions: readonly string[] = [], node = testNodes[0], fixtureArgs: readonly string[] = []): Promise<Started> {
  const idle = start(node, [...nodeOptions, idleFixture, ...fixtureArgs]);
  await idle.waitFor(/READY \d+/);
  return idle;
}

async function stopAll(): Promise<void> {
  const exits = [...started].map(
    ([pid, child]) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        process.kill(pid, 'SIGKILL');
      }),
  );
  await Promise.all(exits);
  started.clear();
}

afterEach(async () => {
  await stopAll();
  await assertNoProcessesLeft(marker, { after: 'the test killed what it started' });
});

/** Whether 127.0.0.1:port can be bound right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The pid that the inspector at 127.0.0.1:port reports for its own process. */
async function pidBehind(port: number): Promise<number> {
  const targets = await listInspectorTargets('127.0.0.1', port);
  assert.equal(targets.length, 1, `one target at ${port}`);
  const session = await CdpSession.connect(targets[0].webSocketDebuggerUrl);
  try {
    const answer = await session.evaluate({ expression: 'process.pid', returnByValue: true });
    return answer.result.value as number;
  } finally {
    await session.close();
  }
}

async function assertRejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ClusterTourError, `a ClusterTourError, not ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) {
      assert.match(error.message, message);
    }
    return true;
  });
}

describe('openInspector', () => {
  for (const node of testNodes) {
    it(`opens the inspector of a process without one, on the port of its --inspect-port=0 (${node})`, async () => {
      const idle = await startIdleNode(['--inspect-port=0'], node);
      const address = await openInspector(idle.pid);
      assert.equal(address.host, '127.0.0.1');
      const [, printed] = await idle.waitFor(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
      assert.equal(address.port, Number(printed));
      assert.equal(await pidBehind(address.port), idle.pid);
    });
  }

  it('opens the inspector on Node\'s default port 9229', async (test) => {
    if (!(await portIsFree(9229))) {
      test.skip('127.0.0.1:9229 is in use on this machine');
      return;
    }
    const idle = await startIdleNode();
    const address = await openInspector(idle.pid);
    assert.deepEqual(address, { host: '127.0.0.1', port: 9229 });
    assert.equal(await pidBehind(9229), idle.pid);
  });

  it('finds an inspector opened with --inspect=127.0.0.1:0 without signalling', async () => {
    const idle = await startIdleNode(['--inspect=127.0.0.1:0'], testNodes[0], ['report-signals']);
    const [, printed] = await idle.waitFor(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    const address = await openInspector(idle.pid);
    assert.deepEqual(address, { host: '127.0.0.1', port: Number(printed) });
    assert.equal(await pidBehind(address.port), idle.pid);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.doesNotMatch(idle.output, /SIGUSR1/, 'no SIGUSR1 reached the process');
  });

  it('says which port is taken, and by whom, when another process holds 9229', async (test) => {
    if (!(await portIsFree(9229))) {
      test.skip('127.0.0.1:9229 is in use on this machine, so the test cannot take it itself');
      return;
    }
    const holder = await startIdleNode(['--inspect=127.0.0.1:9229']);
    await holder.waitFor(/Debugger listening on ws:\/\/127\.0\.0\.1:9229\//);
    const idle = await startIdleNode();
    await assertRejectsWith(openInspector(idle.pid, { timeoutMs: 3000 }), 'E_PORT_TAKEN', new RegExp(`9229.*process ${holder.pid}.*--inspect-port=N, a free port from 1024 \\(not 0`));
    assert.equal(started.get(idle.pid)?.exitCode, null, 'the target still runs');
  });

  it('rejects a pid that no process has', async () => {
    const gone = start(testNodes[0], ['-e', '']);
    await new Promise((resolve) => started.get(gone.pid)?.once('exit', resolve));
    await assertRejectsWith(openInspector(gone.pid), 'E_NO_SUCH_PROCESS', new RegExp(String(gone.pid)));
    await assertRejectsWith(openInspector(0), 'E_NO_SUCH_PROCESS');
  });

  it('rejects a process that is not Node, and leaves it alone', async () => {
    // spawn() returns once exec succeeded, so the pid runs sleep already.
    const sleep = start('sleep', ['30']);
    await assertRejectsWith(openInspector(sleep.pid), 'E_NOT_NODE', /sleep/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // SIGUSR1 would have ended it: its default action is to terminate.
    assert.equal(started.get(sleep.pid)?.signalCode, null, 'sleep still runs');
  });
});
