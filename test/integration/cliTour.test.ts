// `cluster-tour tour` as a user runs it: the built dist/cli.js walking a guided tour on real Node
// binaries (CLUSTER_TOUR_TEST_NODES, through --runtime), straight through when stdin is not a
// terminal, and by key presses through a real pseudo-terminal (util-linux `script`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { testNodes } from '../support/cluster';
import { assertNoProcessesLeft, cliPath, repositoryRoot, spawnCli, testMarkerVariable } from '../support/processes';

const stopHeader = /^── Stop (\d+) of (\d+) · /gm;

describe('cluster-tour tour', () => {
  it('with no id lists the tours', async () => {
    const result = await spawnCli(['tour']);
    assert.equal(result.code, 0, result.stderr);
    for (const id of ['listen', 'connection-round-robin', 'connection-sched-none', 'disconnect-in-flight']) {
      assert.match(result.stdout, new RegExp(`^  ${id} +\\S`, 'm'));
    }
  });

  it('refuses an unknown tour with the ids it knows', async () => {
    const result = await spawnCli(['tour', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no tour "nope"\. Tours: listen, connection-round-robin/);
  });

  for (const node of testNodes) {
    it(`listen, stdin not a terminal, on ${node}: all 11 stops, every claim ✓, exit 0`, async () => {
      const result = await spawnCli(['tour', '--runtime', node, 'listen'], { timeoutMilliseconds: 120_000 });
      const transcript = `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
      assert.equal(result.code, 0, transcript);
      const stops = [...result.stdout.matchAll(stopHeader)].map((match) => `${match[1]}/${match[2]}`);
      assert.deepEqual(stops, Array.from({ length: 11 }, (_, index) => `${index + 1}/11`), transcript);
      assert.doesNotMatch(result.stdout, /✗/, transcript);
      // Every stop shows the source around its line, from Node's own library.
      assert.equal([...result.stdout.matchAll(/^ {2}> +\d+ │ /gm)].length, 11, transcript);
      assert.match(result.stdout, /^ {2}node:internal\/cluster\/primary:\d+$/m);
      // What comes next is decided after each stop, and said.
      const undecided = [...result.stdout.matchAll(/^ {2}… /gm)].length;
      assert.equal([...result.stdout.matchAll(/^ {2}stop \d+, after it: ✓ /gm)].length, undecided, transcript);
      const summary = /Tour finished: 11 of 11 stops, (\d+) of (\d+) claims held\.$/m.exec(result.stdout);
      assert.ok(summary && summary[1] === summary[2], transcript);
      await assertNoProcessesLeft(result.marker, { after: 'the tour ended' });
    });
  }

  it('in a terminal: Enter goes on, q ends the tour and stops the program', async () => {
    const markerValue = randomUUID();
    const marker = `${testMarkerVariable}=${markerValue}`;
    const command = [process.execPath, cliPath(), 'tour', '--runtime', testNodes[0], 'listen'].map((part) => `'${part}'`).join(' ');
    // `script` runs the command in a new pseudo-terminal and relays our pipe to it as keys.
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repositoryRoot(),
      env: { ...process.env, [testMarkerVariable]: markerValue, PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let prompts = 0;
    const pressed: string[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const seen = (output.match(/\[Enter: next stop · q: end\]/g) ?? []).length;
      if (seen > prompts) {
        prompts = seen;
        const key = seen < 3 ? '\r' : 'q';
        pressed.push(key);
        child.stdin.write(key);
      }
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0, output);
    assert.deepEqual(pressed, ['\r', '\r', 'q'], output);
    const stops = [...output.matchAll(stopHeader)].map((match) => Number(match[1]));
    assert.deepEqual(stops, [1, 2, 3], 'two Enters reach stop 3, and q ends there');
    assert.match(output, /Tour ended by you after 3 of 11 stops: \d+ claims held, 0 did not\./);
    assert.doesNotMatch(output, /✗/);
    await assertNoProcessesLeft(marker, { after: 'q ended the tour' });
  });
});
