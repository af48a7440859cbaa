// CPU time used by a process group (the fixture's primary and workers), read from /proc. On a
// shared machine, wall-clock throughput swings with other load while the server's CPU time per
// request barely does, so it tells the cost of observing apart from the noise. Linux only.
import * as fs from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** Milliseconds of user and system CPU used so far by the live processes of the group; null without /proc. */
export function groupCpuMilliseconds(processGroup: number): number | null {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  let ticks = 0;
  for (const name of names) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it exited between the listing and the read
    }
    // Fields after the command (which may hold spaces): state ppid pgrp … utime (14th) stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === processGroup) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}
