// The `cluster-tour` command as a user runs it: the built dist/cli.js on real cluster programs,
// its exit codes and messages, and that it never leaves a process of the program behind.
// Needs `npm run build` first; runs the programs under the Node that runs the tests.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertNoProcessesLeft,
  cliPath,
  describeProcesses,
  leftoverProcesses,
  repositoryRoot,
  spawnCli,
  startCli,
  testMarkerVariable,
  transcript,
  type CliResult,
} from '../support/processes';
import { testNodes } from '../support/cluster';

const fixtures = path.join(repositoryRoot(), 'test', 'fixtures');
const fixture = (name: string): string => path.join(fixtures, name);

/** One parsed line of the readable trace. */
interface TraceLine {
  process: string;
  pid: number;
  stage: string;
  text: string;
}

/** `  +12.345 ms  worker 2   (pid 4242)  connection        emits 'connection' for #3` */
const traceLinePattern = /^\s*\+\d+\.\d{3} ms {2}(primary|worker \d+)\s+\(pid (\d+)\)\s+(\S+)\s+(.*)$/;

function traceLines(stdout: string): TraceLine[] {
  return stdout.split('\n').flatMap((line) => {
    const match = traceLinePattern.exec(line);
    return match ? [{ process: match[1], pid: Number(match[2]), stage: match[3], text: match[4] }] : [];
  });
}

interface JsonEvent {
  stage: string;
  process: string;
  workerId: number | null;
  pid: number;
  time: number;
  detail: Record<string, unknown>;
}

/** Every stdout line as JSON; fails on the first line that is not. */
function jsonLines(result: CliResult): JsonEvent[] {
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  assert.ok(lines.length > 0, `no JSON lines on stdout\n${transcript(result)}`);
  return lines.map((line) => {
    try {
      return JSON.parse(line) as JsonEvent;
    } catch {
      return assert.fail(`stdout has a line that is not JSON: ${JSON.stringify(line)}\n${transcript(result)}`);
    }
  });
}

/** Call sites that did not resolve in this Node: worth seeing next to a missing stage. */
function callSiteWarnings(stderr: string): string {
  const warnings = stderr.split('\n').filter((line) => /warning: call site .* not found/.test(line));
  return warnings.length > 0 ? `\n(the CLI warned: ${warnings.join('; ')})` : '';
}

/** A port where nothing listens: one the system just gave out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('cluster-tour CLI', () => {
  let temporary: string;

  before(async () => {
    cliPath(); // fails with "run npm run build" when dist/cli.js is missing
    temporary = await mkdtemp(path.join(tmpdir(), 'cluster-tour-cli-test-'));
  });

  after(async () => {
    await rm(temporary, { recursive: true, force: true });
  });

  describe('trace of the bundled sample', () => {
    it('prints every lifecycle stage, labelled by process, and passes the sample output through', async () => {
      const result = await spawnCli(['trace']);
      await assertNoProcessesLeft(result.marker, { after: 'the sample ended' });
      assert.equal(result.code, 0, transcript(result));
      assert.match(result.stdout, /hello from worker/, `the sample's own output is missing\n${transcript(result)}`);

      const seen = new Set(traceLines(result.stdout).map((line) => `${line.process}: ${line.stage}`));
      const expected = [
        ...['fork', 'online', 'query-server', 'handle-created', 'listening', 'accepted', 'newconn-sent', 'disconnect', 'exit'].map(
          (stage) => `primary: ${stage}`,
        ),
        ...['worker 1', 'worker 2'].flatMap((worker) =>
          ['listen-requested', 'listening', 'newconn-received', 'connection'].map((stage) => `${worker}: ${stage}`),
        ),
      ];
      const missing = expected.filter((entry) => !seen.has(entry));
      assert.deepEqual(missing, [], `stages missing from the trace${callSiteWarnings(result.stderr)}\n${transcript(result)}`);
    });

    describe('--json', () => {
      let result: CliResult;

      before(async () => {
        const run = await spawnCli(['trace', '--json']);
        result = run;
        await assertNoProcessesLeft(run.marker, { after: 'the sample ended' });
      });

      it('prints only JSON Lines of exactly stage, process, workerId, pid, time (sub-millisecond), detail', () => {
        assert.equal(result.code, 0, transcript(result));
        const events = jsonLines(result);
        for (const event of events) {
          assert.deepEqual(Object.keys(event).sort(), ['detail', 'pid', 'process', 'stage', 'time', 'workerId'], JSON.stringify(event));
        }
        assert.deepEqual(events.filter((event) => typeof event.time !== 'number' || !Number.isFinite(event.time)), [], 'every time is a number');
        // Sub-millisecond precision: times carry fractions. Not every one: at 1.8e12 ms a double
        // resolves about 0.0005 ms, so about one time in 2,000 lands on a whole number by chance.
        const whole = events.filter((event) => Number.isInteger(event.time));
        assert.ok(whole.length <= Math.max(1, events.length / 100), `times without a fraction: ${JSON.stringify(whole)}`);
        // The program's own output goes to stderr instead, so stdout stays machine-readable.
        assert.match(result.stderr, /hello from worker/, transcript(result));
      });

      it('gives a connection the same id in newconn-sent (primary), newconn-received and connection (worker)', () => {
        const events = jsonLines(result);
        const sent = events.filter((event) => event.stage === 'newconn-sent' && event.process === 'primary');
        const received = events.filter((event) => event.stage === 'newconn-received' && event.process === 'worker');
        const connections = events.filter((event) => event.stage === 'connection' && event.process === 'worker');
        const ids = (list: JsonEvent[]): unknown[] => list.map((event) => event.detail.connection).sort();
        assert.ok(sent.length > 0, `no newconn-sent from the primary${callSiteWarnings(result.stderr)}\n${transcript(result)}`);
        assert.deepEqual(ids(received), ids(sent), 'newconn-received ids differ from newconn-sent ids');
        assert.deepEqual(ids(connections), ids(sent), 'connection ids differ from newconn-sent ids');
        // Each connection arrives at the worker the primary sent it to.
        for (const event of sent) {
          const arrival = received.find((candidate) => candidate.detail.connection === event.detail.connection);
          assert.equal(arrival?.workerId, event.detail.workerId, `connection #${String(event.detail.connection)} went to another worker`);
        }
      });
    });

    it('--sched none shares the handle and sends no connection through the primary', async () => {
      const result = await spawnCli(['trace', '--json', '--sched', 'none']);
      await assertNoProcessesLeft(result.marker, { after: 'the sample ended' });
      assert.equal(result.code, 0, transcript(result));
      const events = jsonLines(result);
      const handles = events.filter((event) => event.stage === 'handle-created');
      assert.ok(
        handles.some((event) => event.detail.kind === 'shared'),
        `no handle-created of kind shared: ${JSON.stringify(handles)}${callSiteWarnings(result.stderr)}`,
      );
      assert.deepEqual(
        events.filter((event) => event.stage === 'newconn-sent'),
        [],
      );
      assert.ok(
        events.some((event) => event.stage === 'connection'),
        `the workers reported no connection\n${transcript(result)}`,
      );
    });
  });

  describe('exit codes and errors', () => {
    it("passes the program's own exit code through and notes that it started no worker", async () => {
      const result = await spawnCli(['trace', fixture('no-fork-exit-3.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.equal(result.code, 3, transcript(result));
      assert.match(result.stdout, /no-fork fixture: exiting with 3/, transcript(result));
      assert.match(result.stderr, /cluster-tour: .*(no cluster worker|before it started any cluster worker)/, transcript(result));
    });

    it('fails with a message naming a program that does not exist', async () => {
      const missing = path.join(temporary, 'does-not-exist.js');
      const result = await spawnCli(['trace', missing]);
      await assertNoProcessesLeft(result.marker);
      assert.notEqual(result.code, 0, transcript(result));
      assert.ok(result.stderr.includes(missing), `stderr does not name ${missing}\n${transcript(result)}`);
    });

    it('shows the error of a program that throws at start and exits with its code', async () => {
      const result = await spawnCli(['trace', fixture('throws-at-start.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.equal(result.code, 1, transcript(result));
      assert.match(result.stderr, /Error: thrown-at-start fixture failure/, transcript(result));
      assert.match(result.stderr, /cluster-tour: the program exited with code 1 before it started any cluster worker/, transcript(result));
    });

    it('refuses a fake --runtime "node" that reports v16, naming the version', async () => {
      // Answers the version probe the CLI sends to the runtime (node --no-deprecation -e <script> <ids>).
      const fakeNode = path.join(temporary, 'node');
      await writeFile(fakeNode, `#!/bin/sh\nprintf '%s' '{"version":"v16.20.2","sources":{}}'\n`);
      await chmod(fakeNode, 0o755);
      const result = await spawnCli(['trace', '--runtime', fakeNode, fixture('long-cluster.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.notEqual(result.code, 0, transcript(result));
      assert.match(result.stderr, /v16\.20\.2/, transcript(result));
      assert.match(result.stderr, /Node 18/, transcript(result));
    });

    it('refuses --attach to a host that is not loopback, at once', async () => {
      const result = await spawnCli(['trace', '--attach', '10.0.0.1:9229'], { timeoutMilliseconds: 20_000 });
      await assertNoProcessesLeft(result.marker);
      assert.notEqual(result.code, 0, transcript(result));
      assert.match(result.stderr, /Refusing to attach to 10\.0\.0\.1/, transcript(result));
      assert.match(result.stderr, /this machine|loopback/, transcript(result));
    });

    it('refuses a host that is not loopback before any connection attempt (seen by strace)', async (context) => {
      if (!existsSync('/usr/bin/strace')) {
        context.skip('strace is not installed');
        return;
      }
      const folder = await mkdtemp(path.join(tmpdir(), 'cluster-tour-refusal-'));
      try {
        const log = path.join(folder, 'connect.log');
        const code = await new Promise<number | null>((resolve) => {
          execFile('/usr/bin/strace', ['-f', '-qq', '-e', 'trace=connect', '-o', log, process.execPath, cliPath(), 'trace', '--attach', '10.0.0.1:9229'], { timeout: 60_000 }, (error) =>
            resolve(error ? ((error as { code?: number }).code ?? null) : 0),
          );
        });
        assert.notEqual(code, 0);
        const calls = readFileSync(log, 'utf8');
        assert.doesNotMatch(calls, /10\.0\.0\.1/, `the CLI tried to connect:\n${calls}`);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('says nothing is listening when --attach names a closed port', async () => {
      const port = await closedPort();
      const result = await spawnCli(['trace', '--attach', `127.0.0.1:${port}`]);
      await assertNoProcessesLeft(result.marker);
      assert.notEqual(result.code, 0, transcript(result));
      assert.match(result.stderr, new RegExp(`Nothing is listening on 127\\.0\\.0\\.1:${port}`), transcript(result));
    });

    it('says an HTTP server that answers 404 is not an inspector', async () => {
      const requests: string[] = [];
      const server = http.createServer((request, response) => {
        requests.push(request.url ?? '');
        response.statusCode = 404;
        response.end('not found\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const result = await spawnCli(['trace', '--attach', `127.0.0.1:${port}`]);
        await assertNoProcessesLeft(result.marker);
        assert.notEqual(result.code, 0, transcript(result));
        assert.match(result.stderr, /not like a Node inspector/, transcript(result));
        assert.ok(requests.length > 0, 'the CLI never asked the server');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('answers an unknown option with a usage error', async () => {
      const result = await spawnCli(['trace', '--no-such-option', fixture('no-fork-exit-3.js')]);
      await assertNoProcessesLeft(result.marker);
      assert.equal(result.code, 2, transcript(result));
      assert.match(result.stderr, /Unknown option "--no-such-option"/, transcript(result));
      assert.match(result.stderr, /Usage: cluster-tour trace/, transcript(result));
      assert.doesNotMatch(result.stdout, /no-fork fixture/, 'the program ran despite the usage error');
    });
  });

  describe('signals', () => {
    /** Starts the long-running fixture and waits until both workers listen. */
    async function startLongCluster() {
      const run = startCli(['trace', fixture('long-cluster.js')]);
      await run.waitForStdout(/^READY$/m);
      // The primary and both workers carry the session variable: the scan must see them,
      // or "nothing left" below would prove nothing.
      const app = leftoverProcesses(run.marker).filter((each) => each.pid !== run.pid && /long-cluster\.js/.test(each.commandLine));
      assert.ok(app.length >= 3, `expected the primary and 2 workers in /proc, found:\n${describeProcesses(app)}`);
      const environment = readFileSync(`/proc/${app[0].pid}/environ`, 'utf8').split('\0');
      const sessionDirectory = environment.find((entry) => entry.startsWith('CLUSTER_TOUR_SESSION='))?.slice('CLUSTER_TOUR_SESSION='.length);
      assert.ok(sessionDirectory && existsSync(sessionDirectory), 'the app runs with a session folder');
      return Object.assign(run, { sessionDirectory });
    }

    it('SIGINT to the CLI stops the program and exits with 130', async () => {
      const run = await startLongCluster();
      process.kill(run.pid, 'SIGINT');
      const result = await run.finished;
      assert.equal(result.code, 130, transcript(result));
      await assertNoProcessesLeft(run.marker, { after: 'the CLI exited on SIGINT' });
      assert.equal(existsSync(run.sessionDirectory), false, 'the session folder is removed');
    });

    it('its reader gone (`| head`): stops the program and exits with 141, without a stack trace', async () => {
      const run = await startLongCluster();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1];
      assert.ok(port, `no listening line in the trace\n${run.stdout}`);
      run.child.stdout?.destroy();
      // A connection makes the trace write again, into the closed pipe.
      await new Promise<void>((resolve) => {
        const request = http.get({ host: '127.0.0.1', port: Number(port), path: '/' }, (response) => response.resume().on('end', resolve));
        request.on('error', () => resolve()); // the program may be stopping already
      });
      const result = await run.finished;
      assert.equal(result.code, 141, transcript(result));
      assert.doesNotMatch(result.stderr, /EPIPE|at \S+ \(|unexpected error/, transcript(result));
      await assertNoProcessesLeft(run.marker, { after: 'the CLI lost its reader' });
      assert.equal(existsSync(run.sessionDirectory), false, 'the session folder is removed');
    });

    it('SIGKILL to the CLI: its watchdog kills the whole program', async () => {
      const run = await startLongCluster();
      process.kill(run.pid, 'SIGKILL');
      const result = await run.finished;
      assert.equal(result.signal, 'SIGKILL', transcript(result));
      await assertNoProcessesLeft(run.marker, { after: 'the CLI was SIGKILLed', timeoutMilliseconds: 4000 });
      // The watchdog removes it once the group is dead, just after.
      const deadline = Date.now() + 3000;
      while (existsSync(run.sessionDirectory) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(existsSync(run.sessionDirectory), false, 'the watchdog removed the session folder');
    });
  });

  describe("the tracer's own stderr", () => {
    /** `node dist/cli.js ...args` run by `node` (its folder first on PATH, so the program runs on it too). */
    function runCliOn(node: string, args: readonly string[], marker: string): Promise<CliResult> {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [path.dirname(node), process.env.PATH].filter(Boolean).join(path.delimiter),
        [testMarkerVariable]: marker,
      };
      delete env.NODE_TEST_CONTEXT;
      const started = Date.now();
      return new Promise((resolve) => {
        execFile(node, [cliPath(), ...args], { cwd: repositoryRoot(), env, timeout: 120_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
          const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
          resolve({
            code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
            signal: failure?.signal ?? null,
            stdout,
            stderr,
            durationMilliseconds: Date.now() - started,
            timedOut: failure?.killed === true,
          });
        });
      });
    }

    // Node 24 warns about url.parse() (DEP0169) when the caller is not in node_modules, and the
    // bundled chrome-remote-interface called it on every connection; a warning of any other kind
    // from the tracer or the sample would be as much noise.
    for (const node of testNodes) {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      it(`prints no Node warning when Node ${version} runs it on the bundled sample`, async () => {
        const marker = randomUUID();
        const result = await runCliOn(node, ['trace', path.join(repositoryRoot(), 'samples', 'http-cluster.js')], marker);
        await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the sample ended' });
        assert.equal(result.code, 0, transcript(result));
        assert.match(result.stdout, /exits \(code 0\)/, transcript(result));
        const warnings = result.stderr.split('\n').filter((line) => /^\(node:\d+\) |Warning:/.test(line));
        assert.deepEqual(warnings, [], transcript(result));
      });
    }
  });
});
