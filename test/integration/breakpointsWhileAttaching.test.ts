// A breakpoint asked for while a process is still attaching (connected, not yet released) is set
// in that process before it runs its code, like those asked for earlier.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { delay } from '../support/processes';
import { fixture, get, listeningPort, observe, testNodes } from '../support/cluster';

const program = fixture('http-workers.js');
const listenLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes(".listen(0, '127.0.0.1');"));
const workers = 4;

/** The children of a process (Linux; a cheap read, as this test reads it every few milliseconds). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return []; // the primary ended
    }
    throw error;
  }
}

for (const node of testNodes) {
  describe(`breakpoints while attaching on ${node}`, () => {
    it(`stops each of ${workers} workers at a breakpoint asked for while that worker was attaching`, async () => {
      const observed = await observe(program, { runtimeExecutable: node, env: { WORKERS: String(workers) } });
      const { runtime } = observed;
      runtime.onPaused((event) => void runtime.resume(event.process.pid));
      /** Per worker caught while attaching, the breakpoint request made then (its stop owner once answered). */
      const asked = new Map<number, Promise<string>>();
      let watching = true;
      const watch = async (): Promise<void> => {
        while (watching) {
          const primary = runtime.processes().find((identity) => identity.role === 'primary');
          for (const pid of primary ? childrenOf(primary.pid) : []) {
            // Attaching: connected, its release not sent yet (processes() lists it only once the
            // release is answered, when it may already run its code).
            const attaching = runtime.session(pid)?.isReleased === false;
            if (attaching && !asked.has(pid)) {
              const location = { url: pathToFileURL(program).href, lineNumber: listenLine };
              asked.set(pid, runtime.addBreakpoint({ location, condition: `process.pid === ${pid}`, roles: ['worker'] }));
            }
          }
          await delay(1);
        }
      };
      const watching$ = watch();
      try {
        await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined, 30000);
        watching = false;
        await watching$;
        const workerPids = observed.attached.filter((identity) => identity.role === 'worker').map((identity) => identity.pid);
        assert.equal(workerPids.length, workers);
        assert.deepEqual([...asked.keys()].sort(), [...workerPids].sort(), 'each worker was caught while attaching (connected, not yet released)');
        const owners = await Promise.all(asked.values());
        for (const [index, pid] of [...asked.keys()].entries()) {
          const pause = observed.paused.find((event) => event.process.pid === pid);
          assert.ok(pause, `worker pid ${pid} stopped at the breakpoint asked for while it attached`);
          assert.equal(pause.callFrames[0].location.lineNumber, listenLine);
          assert.ok(pause.stopOwners.includes(owners[index]), `its pause names that breakpoint (${pause.stopOwners.join(', ')})`);
        }
        await get(listeningPort(observed.output()) as number, '/quit');
        assert.equal((await runtime.whenEnded()).code, 0);
        assert.deepEqual(observed.problems, []);
      } finally {
        watching = false;
        await watching$;
        await runtime.stop();
      }
    });
  });
}
