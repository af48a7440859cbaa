// Nothing the trace saw is lost, and it reads in time order: events of a worker killed right after
// it listened, batched events of workers that exit normally, the terminal trace's merge of events
// and the program's output, connection numbers, and a 'connection' stamped before its listeners.
// Real programs under every Node of CLUSTER_TOUR_TEST_NODES; the CLI tests need `npm run build`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyLifecycleEvent } from '../../src/common/stages';
import { fixture, observe, testNodes } from '../support/cluster';
import { assertNoProcessesLeft, spawnCli, type CliResult } from '../support/processes';

function transcript(result: CliResult): string {
  return `exit ${result.signal ?? result.code}${result.timedOut ? ' (timed out)' : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** `  +12.345 ms  worker 2   (pid 4242)  connection        emits 'connection' for #3 (seq 4)` */
const traceLinePattern = /^\s*\+(\d+\.\d{3}) ms {2}(primary|worker \d+)\s+\(pid \d+\)\s+(\S+)\s+(.*)$/;

interface Line {
  index: number;
  text: string;
  event?: { time: number; process: string; stage: string; text: string };
}

function lines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((text) => text !== '')
    .map((text, index) => {
      const match = traceLinePattern.exec(text);
      return { index, text, event: match ? { time: Number(match[1]), process: match[2], stage: match[3], text: match[4] } : undefined };
    });
}

async function runProgram(node: string, program: string): Promise<AnyLifecycleEvent[]> {
  const observed = await observe(program, { runtimeExecutable: node });
  try {
    const end = await observed.runtime.whenEnded();
    assert.equal(end.code, 0, `the program failed\n${observed.output()}`);
    return observed.events;
  } finally {
    await observed.runtime.stop();
  }
}

for (const node of testNodes) {
  describe(`nothing the trace saw is lost, on ${node}`, () => {
    it("keeps the events of a worker SIGKILLed right after it listens (its listen-requested and listening)", async () => {
      for (let run = 1; run <= 2; run++) {
        const events = await runProgram(node, fixture('killed-after-listening.js'));
        const own = events.filter((event) => event.process === 'worker' && event.workerId === 1).map((event) => event.stage);
        assert.ok(own.includes('listen-requested') && own.includes('listening'), `run ${run}: worker 1 reported only [${own.join(', ')}]`);
        const exit = events.find((event) => event.stage === 'exit' && event.detail.workerId === 1);
        assert.equal(exit?.stage === 'exit' ? exit.detail.signal : undefined, 'SIGKILL', 'the worker was killed');
      }
    });

    it('keeps every connection of SCHED_NONE workers that exit after cluster.disconnect(), run after run', async () => {
      for (let run = 1; run <= 4; run++) {
        const result = await spawnCli(['trace', '--json', '--runtime', node, fixture('sched-none-disconnect.js')]);
        await assertNoProcessesLeft(result.marker);
        assert.equal(result.code, 0, transcript(result));
        const connections = result.stdout.split('\n').filter((line) => line.includes('"stage":"connection"'));
        assert.equal(connections.length, 6, `run ${run}: ${connections.length} connection events for 6 requests\n${transcript(result)}`);
      }
    });
  });

  describe(`the terminal trace reads in time order, on ${node}`, () => {
    it("merges the sample's output with the stages: each answer after its connection, queryServer before any newconn", async () => {
      const result = await spawnCli(['trace', '--runtime', node]);
      await assertNoProcessesLeft(result.marker, { after: 'the sample ended' });
      assert.equal(result.code, 0, transcript(result));
      const all = lines(result.stdout);
      const events = all.filter((line) => line.event);
      const times = events.map((line) => line.event?.time ?? 0);
      assert.deepEqual(times, [...times].sort((a, b) => a - b), `times go back\n${transcript(result)}`);
      // "primary: request 2 -> hello from worker 1": connection #2 reached worker 1 before that.
      const answers = all.filter((line) => /^primary: request \d+ -> hello from worker \d+/.test(line.text));
      assert.equal(answers.length, 4, transcript(result));
      for (const answer of answers) {
        const [, request, worker] = /request (\d+) -> hello from worker (\d+)/.exec(answer.text) ?? [];
        const connection = events.find((line) => line.event?.stage === 'connection' && line.event.text.startsWith(`emits 'connection' for #${request} `));
        assert.ok(connection, `no connection #${request}\n${transcript(result)}`);
        assert.equal(connection.event?.process, `worker ${worker}`, `connection #${request} is not the one worker ${worker} answered\n${transcript(result)}`);
        assert.ok(connection.index < answer.index, `"${answer.text}" printed before connection #${request}\n${transcript(result)}`);
      }
      const firstFork = events.find((line) => line.event?.stage === 'fork');
      assert.ok(firstFork && firstFork.index < answers[0].index, `output printed before the forks\n${transcript(result)}`);
      const lastQuery = events.filter((line) => line.event?.stage === 'query-server').at(-1);
      const firstNewconn = events.find((line) => line.event?.stage === 'newconn-received');
      assert.ok(lastQuery && firstNewconn && lastQuery.index < firstNewconn.index, `query-server after newconn-received\n${transcript(result)}`);
    });

    it('numbers connections 1, 2, 3, … and keeps the newconn seq in the detail; JSON in time order', async () => {
      const result = await spawnCli(['trace', '--json', '--runtime', node]);
      await assertNoProcessesLeft(result.marker, { after: 'the sample ended' });
      assert.equal(result.code, 0, transcript(result));
      const events = result.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { stage: string; time: number; detail: { connection?: number; seq?: number | null } });
      const times = events.map((event) => event.time);
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'JSON lines in time order');
      const sent = events.filter((event) => event.stage === 'newconn-sent');
      assert.deepEqual(
        sent.map((event) => event.detail.connection),
        [1, 2, 3, 4],
        JSON.stringify(sent),
      );
      // The primary numbers every message it sends a worker: the first newconn is not seq 1.
      assert.ok(sent.every((event) => typeof event.detail.seq === 'number' && event.detail.seq > 0), JSON.stringify(sent));
      for (const stage of ['accepted', 'newconn-received', 'connection']) {
        const numbers = events.filter((event) => event.stage === stage).map((event) => `${event.detail.connection}:${event.detail.seq}`);
        assert.deepEqual(numbers.sort(), sent.map((event) => `${event.detail.connection}:${event.detail.seq}`).sort(), `${stage} numbers`);
      }
    });

    it("prints a worker's 'connection' before the disconnect its 'connection' listener makes", async () => {
      const result = await spawnCli(['trace', '--runtime', node, fixture('disconnect-in-connection.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.equal(result.code, 0, transcript(result));
      const events = lines(result.stdout).filter((line) => line.event?.process === 'worker 1');
      const connection = events.findIndex((line) => line.event?.stage === 'connection');
      const disconnect = events.findIndex((line) => line.event?.stage === 'disconnect');
      assert.ok(connection !== -1 && disconnect !== -1, transcript(result));
      assert.ok(connection < disconnect, `the disconnect made in the 'connection' listener printed first\n${transcript(result)}`);
    });

    it('does not say the program started no worker when a child of it is the primary that forked one', async () => {
      const result = await spawnCli(['trace', '--runtime', node, fixture('primary-in-child.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.equal(result.code, 0, transcript(result));
      assert.match(result.stdout, /worker 1 .* listening/, transcript(result));
      assert.doesNotMatch(result.stderr, /no cluster worker|before it started any cluster worker/, transcript(result));
    });
  });
}
