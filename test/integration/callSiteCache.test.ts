// The call sites of a Node binary are resolved once and kept under XDG_CACHE_HOME/cluster-tour:
// a second `cluster-tour trace` with the same binary does not read its sources again, and a
// changed binary (new mtime) is read anew. The binary is a copy of a test Node; an entry is
// written aside and renamed into place, so a new inode means it was resolved (and written) again.
// A script (a version manager's shim) picks its Node per run, so it is never cached.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { testNodes } from '../support/cluster';
import { assertNoProcessesLeft, spawnCli, type CliResult } from '../support/processes';

function transcript(result: CliResult): string {
  return `exit ${result.signal ?? result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

for (const node of testNodes) {
  describe(`call-site cache (${path.basename(path.dirname(path.dirname(node)))}/${path.basename(node)})`, () => {
    const folder = fs.mkdtempSync(path.join(tmpdir(), 'cluster-tour-cache-test-'));
    const cacheHome = path.join(folder, 'cache');
    const binary = path.join(folder, 'node');
    fs.copyFileSync(node, binary);
    fs.chmodSync(binary, 0o755);
    const directory = path.join(cacheHome, 'cluster-tour', 'call-sites');
    const entries = (): string[] => (fs.existsSync(directory) ? fs.readdirSync(directory).filter((name) => name.endsWith('.json')) : []);
    /** The inode of the one cache entry: it changes each time the entry is written. */
    const entryInode = (): number => {
      const [entry, ...others] = entries();
      assert.ok(entry !== undefined && others.length === 0, `one cache entry: ${entries().join(', ')}`);
      return fs.statSync(path.join(directory, entry)).ino;
    };
    const trace = async (runtime = binary): Promise<CliResult & { marker: string }> => {
      const result = await spawnCli(['trace', '--runtime', runtime], { env: { XDG_CACHE_HOME: cacheHome }, timeoutMilliseconds: 120_000 });
      assert.equal(result.code, 0, transcript(result));
      // The trace is whole: call sites from the cache still place every tracepoint.
      for (const stage of ['fork', 'listening', 'accepted', 'newconn-sent', 'connection', 'exit']) {
        assert.match(result.stdout, new RegExp(`\\s${stage}\\s`), `no ${stage} line\n${transcript(result)}`);
      }
      assert.doesNotMatch(result.stderr, /not found in Node/, transcript(result));
      await assertNoProcessesLeft(result.marker);
      return result;
    };

    after(() => fs.rmSync(folder, { recursive: true, force: true }));

    it('reads the sources once, then uses the cache until the binary changes', async () => {
      await trace();
      const first = entryInode();
      await trace();
      assert.equal(entryInode(), first, 'the second trace takes the call sites from the cache');

      // The same path, another binary as far as anyone can tell: a new modification time.
      const later = new Date(Date.now() + 60_000);
      fs.utimesSync(binary, later, later);
      await trace();
      const second = entryInode();
      assert.notEqual(second, first, 'a changed binary is read again');
      await trace();
      assert.equal(entryInode(), second, 'and its new entry is used in turn');
    });

    it('resolves again when the cache entry is damaged', async () => {
      await trace();
      const [entry] = entries();
      fs.writeFileSync(path.join(directory, entry), '{"key": trunc');
      const damaged = entryInode();
      await trace();
      const rewritten = entryInode();
      assert.notEqual(rewritten, damaged, 'a damaged entry is not used');
      await trace();
      assert.equal(entryInode(), rewritten, 'it was written whole again');
    });

    it('never caches a script, which may pick another Node on each run', async () => {
      const shim = path.join(folder, 'shim');
      fs.writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(node)} "$@"\n`, { mode: 0o755 });
      const before = entries().length;
      await trace(shim);
      assert.equal(entries().length, before, 'no entry for the script');
    });
  });
}
