// One inspector connection on a real node process: closing it from two places at once (a stop,
// and the process's own end) must settle both, or a stop waits for ever; and every failure of
// the typed calls names the protocol method that failed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CdpSession } from '../../src/cdp/session';
import { ClusterTourError } from '../../src/common/errors';
import { testNodes } from '../support/cluster';

/** Starts `node --inspect=127.0.0.1:0` on an idle loop and returns it with its WebSocket URL. */
async function inspectedProcess(node: string): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const child = spawn(node, ['--inspect=127.0.0.1:0', '-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      text += chunk;
      const match = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(text);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`node exited (${code}) before its inspector opened: ${text}`)));
  });
  return { child, url };
}

function settledWithin<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle in ${milliseconds} ms`)), milliseconds))),
  ]);
}

describe('CdpSession', () => {
  for (const node of testNodes) {
    it(`settles every close() when two overlap and the process then ends (${node})`, async () => {
      const { child, url } = await inspectedProcess(node);
      try {
        const session = await CdpSession.connect(url);
        const first = session.close();
        const second = session.close();
        child.kill('SIGKILL');
        await settledWithin(Promise.allSettled([first, second]), 10000, 'both close() calls');
        assert.equal(session.isClosed, true);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it(`names the failing method: a refused command, a thrown evaluation, a closed connection (${node})`, async () => {
      const { child, url } = await inspectedProcess(node);
      try {
        const session = await CdpSession.connect(url);
        const named = (code: string, method: string) => (error: unknown) =>
          error instanceof ClusterTourError && error.code === code && error.cdpMethod === method && error.message.includes(method);
        await assert.rejects(session.getScriptSource('no-such-script'), named('E_CDP_COMMAND', 'Debugger.getScriptSource'));
        await assert.rejects(
          session.evaluateValue('throw new Error("refused")', (exception) => ({ code: 'E_TEST_THROWN', message: `Runtime.evaluate threw: ${exception.exception?.description}` })),
          named('E_TEST_THROWN', 'Runtime.evaluate'),
        );
        assert.equal(await session.evaluateValue('6 * 7', () => ({ code: 'E_TEST_THROWN', message: 'unexpected' })), 42);
        await session.close();
        await assert.rejects(session.resume(), named('E_CDP_CLOSED', 'Debugger.resume'));
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
