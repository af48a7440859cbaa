// StartUpWatch, on real processes: how a planned launch waits out its processes' start-up before
// connecting (see observeAfter in runtime.ts). An idle process is quiet: its start-up is over; one
// that keeps a core busy is not, until the longest start-up; one that ends during the wait is
// known at once; a zombie counts as ended once the program has ended; disposing settles every wait.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { childrenOf, statOf } from '../../src/cluster/processes/procfs';
import { StartUpTimes, StartUpWatch } from '../../src/cluster/processes/startUpWatch';

/** A node process that, once booted, waits (`idle`) or keeps a core busy (`busy`) until it is killed. */
function nodeProcess(kind: 'idle' | 'busy'): ChildProcess {
  return spawn(process.execPath, ['-e', kind === 'idle' ? 'setInterval(() => {}, 1000)' : 'for (;;) {}'], { stdio: 'ignore' });
}

/** Far longer than any test here may take (each has a timeout): a wait that ends, ends for another reason. */
const never = 120_000;
const times = (longestMilliseconds: number): StartUpTimes => ({ tickMilliseconds: 10, cpuEveryTicks: 5, quietCpuTicks: 1, longestMilliseconds });
const delay = (milliseconds: number): Promise<'still waiting'> => new Promise((resolve) => setTimeout(() => resolve('still waiting'), milliseconds));

describe('StartUpWatch', { timeout: 20_000 }, () => {
  it('ends the start-up of a process that has gone quiet', async () => {
    const child = nodeProcess('idle');
    const watch = new StartUpWatch(times(never));
    try {
      assert.equal(await watch.startUpOf(child.pid as number), 'over');
    } finally {
      child.kill('SIGKILL');
      watch.dispose();
    }
  });

  it('does not take the program for quiet while a process of it is busy, even one that is not waited for', async () => {
    // The waiting process is idle; its child (as a worker still booting, before its report) is busy.
    const parent = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
    const watch = new StartUpWatch(times(never));
    watch.watchProgram(parent.pid as number);
    try {
      assert.equal(await Promise.race([watch.startUpOf(parent.pid as number), delay(700)]), 'still waiting');
    } finally {
      for (const child of childrenOf(parent.pid as number)) process.kill(child, 'SIGKILL');
      parent.kill('SIGKILL');
      watch.dispose();
    }
  });

  it('does not take a process that keeps a core busy for quiet, until its longest start-up', async () => {
    const busy = nodeProcess('busy');
    const watch = new StartUpWatch(times(never));
    const bounded = new StartUpWatch(times(300));
    try {
      assert.equal(await Promise.race([watch.startUpOf(busy.pid as number), delay(700)]), 'still waiting');
      assert.equal(await bounded.startUpOf(busy.pid as number), 'over');
    } finally {
      busy.kill('SIGKILL');
      watch.dispose();
      bounded.dispose();
    }
  });

  it('knows a process that ends during the wait as soon as it is gone', async () => {
    const busy = nodeProcess('busy');
    const watch = new StartUpWatch(times(never));
    try {
      const startUp = watch.startUpOf(busy.pid as number);
      setTimeout(() => busy.kill('SIGKILL'), 100);
      assert.equal(await startUp, 'ended');
    } finally {
      watch.dispose();
    }
  });

  it('takes a zombie for ended once the program has ended, at the next tick', async () => {
    // A zombie of our own: a shell forks a child that exits a little later, and execs into
    // `sleep`, which never reaps it.
    const parent = spawn('/bin/sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = await new Promise<number>((resolve) => parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    for (let tries = 0; statOf(zombie)?.state !== 'Z'; tries += 1) {
      assert.ok(tries < 100, `pid ${zombie} became a zombie`);
      await delay(20);
    }
    // With no CPU reading (which also sees a zombie), only a signal 0 looks at it before the program ends.
    const watch = new StartUpWatch({ ...times(never), cpuEveryTicks: 1_000_000 });
    try {
      const startUp = watch.startUpOf(zombie);
      assert.equal(await Promise.race([startUp, delay(200)]), 'still waiting', 'a signal 0 reaches a zombie');
      watch.programEnded();
      assert.equal(await startUp, 'ended');
    } finally {
      parent.kill('SIGKILL');
      watch.dispose();
    }
  });

  it('settles every wait when disposed, and answers at once after', async () => {
    const busy = nodeProcess('busy');
    const watch = new StartUpWatch(times(never));
    try {
      const startUp = watch.startUpOf(busy.pid as number);
      watch.dispose();
      assert.equal(await startUp, 'ended');
      assert.equal(await watch.startUpOf(busy.pid as number), 'ended');
    } finally {
      busy.kill('SIGKILL');
    }
  });
});
