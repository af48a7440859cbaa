// Telling a process Cluster Tour started or saw from a later one that got the same pid (pids wrap
// around at /proc/sys/kernel/pid_max, often 32768): a pid with its start time, and signals only
// to that very process, or to a process group that such a process (or our session's mark in its
// environment) shows to be still ours. Without /proc, pids are all there is to go by.
import * as fs from 'node:fs';
import { allPids, environmentOf, startTimeOf, statOf } from './procfs';

/** A process as it was when seen. */
export interface KnownProcess {
  pid: number;
  /** From /proc/<pid>/stat; undefined when it had already ended, or without /proc. */
  startTime: string | undefined;
}

const hasProcfs = fs.existsSync('/proc/self/stat');

/** Remembers a process that runs now (call while something holds it: an open inspector, an unreaped child). */
export function knowProcess(pid: number): KnownProcess {
  return { pid, startTime: startTimeOf(pid) };
}

/** True while that very process runs: not ended, not a zombie, not a later process with its pid. */
export function isRunning(known: KnownProcess): boolean {
  if (!hasProcfs) {
    return signalQuietly(known.pid, 0);
  }
  return known.startTime !== undefined && startTimeOf(known.pid) === known.startTime;
}

/** Sends `signal` to that very process if it still runs; false when it did not. */
export function signalKnown(known: KnownProcess, signal: NodeJS.Signals): boolean {
  return isRunning(known) && signalQuietly(known.pid, signal);
}

/**
 * True when process group `group` is the one we started: one of its live members is a known
 * process, or carries `mark` (`NAME=value`) in the environment it started with. A group number
 * cannot be reused while a member lives, so one such member proves the whole group.
 */
export function groupIsOurs(group: number, known: readonly KnownProcess[], mark: string | undefined): boolean {
  if (!hasProcfs) {
    return true;
  }
  try {
    process.kill(-group, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false; // no process is left in it: nothing to read /proc for (a trace's usual end)
    }
  }
  return membersOf(group).some(
    (pid) => known.some((each) => each.pid === pid && isRunning(each)) || (mark !== undefined && environmentOf(pid).includes(mark)),
  );
}

/** The live members of a process group now (zombies left out), each remembered. */
export function membersOf(group: number): number[] {
  return allPids().filter((pid) => {
    const stat = statOf(pid);
    return stat !== undefined && stat.processGroup === group && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** Sends a signal to a process or (negative) a group; false when there is none (ESRCH). */
export function signalQuietly(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
    throw error;
  }
}
