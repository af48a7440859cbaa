// Call sites resolve in the sources of the Node that runs the app, also when runtimeExecutable is
// a version manager's shim that picks a Node by the app's folder; and when a process runs
// another Node all the same, the runtime says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callSites } from '../../src/cluster/callSites/callSites';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { fixture, get, listeningPort, observe, testNodes } from '../support/cluster';

const versionOf = (node: string): string => execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
/** A test Node of another version than the one running this test (the controller's). */
const other = testNodes.find((node) => versionOf(node) !== process.version);
/** A call site of the accept preset on another line in each of Node 20, 22 and 24. */
const emitConnection = 'net:onconnection';

/** The 0-based line of every call site that resolves, by id, in a Node's own sources. */
async function linesIn(node: string): Promise<Map<string, number>> {
  const { sources } = await readNodeSources(node, callSiteModules(callSites));
  return new Map(resolveCallSites(sources, callSites).flatMap((resolution) => (resolution.resolved ? [[resolution.site.id, resolution.lineNumber] as [string, number]] : [])));
}

describe('the Node whose sources call sites resolve in', { skip: other === undefined ? 'needs a test Node of another version than this one (CLUSTER_TOUR_TEST_NODES)' : false }, () => {
  const otherNode = other as string;
  let folder: string;
  let appFolder: string;
  before(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tour-shim-'));
    appFolder = path.join(folder, 'app');
    fs.mkdirSync(appFolder);
    // Like nodenv's or asdf's shim: the Node named in .node-version of the current folder, else the default one.
    fs.writeFileSync(path.join(appFolder, '.node-version'), 'other\n');
    fs.writeFileSync(
      path.join(folder, 'node'),
      `#!/bin/sh\nif [ "$(cat .node-version 2>/dev/null)" = other ]; then exec ${JSON.stringify(otherNode)} "$@"; fi\nexec ${JSON.stringify(process.execPath)} "$@"\n`,
      { mode: 0o755 },
    );
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("resolves in the sources of the Node the shim runs the app with, in the app's folder", async () => {
    const [controllerLines, otherLines] = await Promise.all([linesIn(process.execPath), linesIn(otherNode)]);
    assert.notEqual(controllerLines.get(emitConnection), otherLines.get(emitConnection), `${emitConnection} is on another line in ${versionOf(otherNode)} than in ${process.version}`);

    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: path.join(folder, 'node'), cwd: appFolder, presets: ['accept'] });
    observed.runtime.onPaused((event) => void observed.runtime.resume(event.process.pid));
    try {
      assert.equal(observed.runtime.nodeVersion, versionOf(otherNode));
      const resolved = new Map(observed.runtime.resolutions.flatMap((resolution) => (resolution.resolved ? [[resolution.site.id, resolution.lineNumber] as [string, number]] : [])));
      assert.deepEqual(resolved, otherLines);

      await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
      const port = listeningPort(observed.output()) as number;
      await get(port);
      await observed.waitFor("a stop where a worker emits 'connection'", () => observed.paused.some((pause) => pause.callSites.some((site) => site.site.id === emitConnection)));
      const stop = observed.paused.find((pause) => pause.callSites.some((site) => site.site.id === emitConnection));
      assert.equal(stop?.callFrames[0].functionName, 'onconnection');
      assert.equal(stop?.callFrames[0].location.lineNumber, otherLines.get(emitConnection));
      await get(port, '/quit');
      assert.equal((await observed.runtime.whenEnded()).code, 0);
      assert.deepEqual(observed.problems, []);
    } finally {
      await observed.runtime.stop();
    }
  });

  it('says so when the app runs another Node than the one whose sources were read', async () => {
    // A wrapper that gives the program another Node than it gives a script run with -e.
    const wrapper = path.join(folder, 'node-wrapper');
    fs.writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *" -e "*) exec ${JSON.stringify(process.execPath)} "$@";; esac\nexec ${JSON.stringify(otherNode)} "$@"\n`, { mode: 0o755 });
    const observed = await observe(fixture('http-workers.js'), { runtimeExecutable: wrapper });
    try {
      assert.equal(observed.runtime.nodeVersion, process.version);
      await observed.waitFor('LISTENING', () => listeningPort(observed.output()) !== undefined);
      await observed.waitFor('the mismatch reported for every process', () => observed.problems.filter((problem) => problem.code === 'E_NODE_MISMATCH').length === 3);
      const primary = observed.problems.find((problem) => problem.message.startsWith('the primary'));
      assert.match(primary?.message ?? '', new RegExp(`runs Node ${versionOf(otherNode).replace(/\./g, '\\.')} .* sources of Node ${process.version.replace(/\./g, '\\.')}`));
      assert.ok(primary?.message.includes(`Set runtimeExecutable to ${otherNode}`), primary?.message);
      await get(listeningPort(observed.output()) as number, '/quit');
      await observed.runtime.whenEnded();
    } finally {
      await observed.runtime.stop();
    }
  });
});
