// EndWatch, on real processes: how a planned launch waits out a process's start-up (see
// observeAfterMilliseconds in runtime.ts). A process that runs on outlives the wait; one that
// ends during it is known at once, not at the end of the wait; a zombie counts as ended once the
// program has ended; disposing settles every wait.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { EndWatch } from '../../src/cluster/processes/endWatch';

/** A node process that runs until it is killed. */
function idleProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/** Settles with whichever comes first; the window the tests give is far longer than the test's timeout. */
const longWait = 120_000;

describe('EndWatch', { timeout: 20_000 }, () => {
  it('says a process that runs on outlives the wait', async () => {
    const child = idleProcess();
    const watch = new EndWatch(10);
    try {
      assert.equal(await watch.outlives(child.pid as number, 50), true);
    } finally {
      child.kill('SIGKILL');
      watch.dispose();
    }
  });

  it('knows a process that ends during the wait as soon as it is gone, long before the wait is over', async () => {
    const child = idleProcess();
    const watch = new EndWatch(10);
    try {
      const outlives = watch.outlives(child.pid as number, longWait);
      setTimeout(() => child.kill('SIGKILL'), 50);
      assert.equal(await outlives, false);
    } finally {
      watch.dispose();
    }
  });

  it('takes a zombie for ended once the program has ended', async () => {
    // A zombie of our own: a shell that execs into `sleep` after forking a child that exits at
    // once; the child stays a zombie while its parent (sleep) never reaps it.
    const parent = spawn('/bin/sh', ['-c', 'sh -c "exit 0" & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = await new Promise<number>((resolve) => parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    const watch = new EndWatch(10);
    try {
      const outlives = watch.outlives(zombie, longWait);
      await new Promise((resolve) => setTimeout(resolve, 100));
      watch.programEnded();
      assert.equal(await outlives, false);
    } finally {
      parent.kill('SIGKILL');
      watch.dispose();
    }
  });

  it('settles every wait when disposed', async () => {
    const child = idleProcess();
    const watch = new EndWatch(10);
    try {
      const outlives = watch.outlives(child.pid as number, longWait);
      watch.dispose();
      assert.equal(await outlives, false);
      assert.equal(await watch.outlives(child.pid as number, longWait), false, 'and answers at once after');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
