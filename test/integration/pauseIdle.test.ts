// Pause and resume of processes idle in their event loop (a cluster whose workers wait for
// connections), while a second client talks to each process: every pause lands and every resume
// is answered, round after round. A pause that stopped inside the inspector's handling of a
// message (the idle script once ran by Runtime.evaluate) hung Node 20, 22 and 24 for good when
// another message came meanwhile: paused, spinning, never reading the resume. And a resume that
// comes before an idle pause landed takes it back: the process runs on and answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CdpSession } from '../../src/cdp/session';
import type { RuntimePausedEvent } from '../../src/cluster/runtime';
import { fixture, get, listeningPort, observe, testNodes } from '../support/cluster';

/** Settles with `promise`, or fails naming `what` after `milliseconds`. */
function within<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${milliseconds} ms`)), milliseconds))),
  ]);
}

for (const node of testNodes) {
  describe(`pausing idle processes on ${node}`, () => {
    it('pauses and resumes every idle process 10 times while another client sends commands, and a resume first takes a pause back', async () => {
      const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: node });
      const others: CdpSession[] = [];
      let chatter: NodeJS.Timeout | undefined;
      try {
        await observed.waitFor('LISTENING, and every process attached', () => listeningPort(observed.output()) !== undefined && observed.runtime.processes().length === 3);
        const { runtime } = observed;
        const processes = runtime.processes();
        // Another client on each inspector, sending a command that runs no JavaScript every 2 ms.
        for (const identity of processes) {
          others.push(await CdpSession.connect(identity.webSocketUrl));
        }
        chatter = setInterval(() => others.forEach((client) => client.releaseObjectGroup('none').catch(() => undefined)), 2);

        for (let round = 1; round <= 10; round++) {
          const stops: RuntimePausedEvent[] = [];
          const subscription = runtime.onPaused((event) => stops.push(event));
          await within(Promise.all(processes.map((identity) => runtime.pause(identity.pid))), 10000, `round ${round}: Pause`);
          await observed.waitFor(`round ${round}: every process paused`, () => processes.every((identity) => runtime.session(identity.pid)?.isPaused === true), 10000);
          subscription.dispose();
          await within(Promise.all(processes.map((identity) => runtime.resume(identity.pid))), 10000, `round ${round}: Resume (a process stuck paused never answers it)`);
          await observed.waitFor(`round ${round}: every process running`, () => processes.every((identity) => runtime.session(identity.pid)?.isPaused === false), 10000);
          assert.equal(stops.length, 3, `round ${round}: one stop each`);
        }

        // Resumed before the pause could land (an idle process stops only after 150 ms).
        const stops: RuntimePausedEvent[] = [];
        runtime.onPaused((event) => stops.push(event));
        await within(
          Promise.all(processes.map((identity) => Promise.all([runtime.pause(identity.pid), runtime.resume(identity.pid)]))),
          10000,
          'Pause and Resume together',
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual(
          stops.map((event) => `${event.process.role} ${event.process.pid}: ${event.reason}`),
          [],
          'no process stopped after its pause was taken back',
        );
        assert.equal(processes.some((identity) => runtime.session(identity.pid)?.isPausing === true), false);
        const port = listeningPort(observed.output()) as number;
        for (let request = 0; request < 4; request++) {
          assert.match(await within(get(port), 10000, `request ${request + 1} (a paused worker never answers)`), /^worker \d/);
        }
      } finally {
        clearInterval(chatter);
        await Promise.all(others.map((client) => client.close()));
        await observed.runtime.stop();
      }
    });
  });
}
