// Helpers for tests that start real processes: run the built `cluster-tour` CLI with a marker in
// its environment, and find (from /proc, Linux only) whatever a run left behind.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A process seen in /proc. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  processGroup: number;
  /** One letter, as in /proc/<pid>/stat: R, S, D, Z, T… */
  state: string;
  commandLine: string;
}

/**
 * Which processes count as left over. `marker`: an environment entry (`NAME=value`, compared
 * whole) or, without `=`, a string some entry contains. `descendantsOf`: that pid, the members of
 * the process group it leads, and everything below them by parent links.
 * With both, a process matching either counts.
 */
export interface LeftoverQuery {
  marker?: string;
  descendantsOf?: number;
}

/** The environment variable `spawnCli` sets; every process the CLI starts inherits it. */
export const testMarkerVariable = 'CLUSTER_TOUR_TEST_MARKER';

/** The repository root: the first folder above this file that holds a package.json. */
export function repositoryRoot(): string {
  let directory = __dirname;
  while (!fs.existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) {
      throw new Error(`No package.json above ${__dirname}`);
    }
    directory = parent;
  }
  return directory;
}

/** dist/cli.js, or a failure that says how to make it. */
export function cliPath(): string {
  const cli = path.join(repositoryRoot(), 'dist', 'cli.js');
  assert.ok(fs.existsSync(cli), `${cli} is missing: run \`npm run build\` before the integration tests.`);
  return cli;
}

/** bin/cluster-tour, the command as package.json installs it (it runs dist/cli.js, so that too). */
export function binPath(): string {
  cliPath();
  return path.join(repositoryRoot(), 'bin', 'cluster-tour');
}

/** Reads a /proc file of a process that may exit at any moment; undefined once it is gone. */
function readProcessFile(pid: number, name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT/ESRCH: it exited between listing and reading. EACCES: not ours to inspect, so not ours.
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') {
      return undefined;
    }
    throw error;
  }
}

function parseStat(pid: number, text: string): Omit<ProcessInfo, 'commandLine'> {
  // The command name sits in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], ppid: Number(fields[1]), processGroup: Number(fields[2]) };
}

/** Every process alive now except this one, zombies included. */
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const pid = Number(entry);
    const stat = readProcessFile(pid, 'stat');
    if (pid === process.pid || stat === undefined) {
      continue;
    }
    const commandLine = (readProcessFile(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
    processes.push({ ...parseStat(pid, stat), commandLine });
  }
  return processes;
}

function environmentHas(pid: number, marker: string): boolean {
  const entries = (readProcessFile(pid, 'environ') ?? '').split('\0');
  return marker.includes('=') ? entries.includes(marker) : entries.some((entry) => entry.includes(marker));
}

/** The live processes (zombies left out) that match the query; see `LeftoverQuery`. */
export function leftoverProcesses(query: LeftoverQuery | string): ProcessInfo[] {
  const { marker, descendantsOf } = typeof query === 'string' ? { marker: query, descendantsOf: undefined } : query;
  const all = listProcesses();
  const found = new Set<number>();
  if (marker !== undefined) {
    for (const candidate of all) {
      if (environmentHas(candidate.pid, marker)) {
        found.add(candidate.pid);
      }
    }
  }
  if (descendantsOf !== undefined) {
    const below = new Set<number>([descendantsOf]);
    for (const candidate of all) {
      if (candidate.processGroup === descendantsOf) {
        below.add(candidate.pid);
      }
    }
    // Parent links form a tree; grow the set until a pass adds nothing.
    for (let grew = true; grew; ) {
      grew = false;
      for (const candidate of all) {
        if (!below.has(candidate.pid) && below.has(candidate.ppid)) {
          below.add(candidate.pid);
          grew = true;
        }
      }
    }
    for (const candidate of all) {
      if (below.has(candidate.pid)) {
        found.add(candidate.pid);
      }
    }
  }
  return all.filter((candidate) => found.has(candidate.pid) && candidate.state !== 'Z');
}

/** The processes of one Cluster Tour session: those started with `CLUSTER_TOUR_SESSION=<directory>`. */
export function processesOfSession(sessionDirectory: string): ProcessInfo[] {
  return leftoverProcesses({ marker: `CLUSTER_TOUR_SESSION=${sessionDirectory}` });
}

export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return processes.map((each) => `  pid ${each.pid} (ppid ${each.ppid}, group ${each.processGroup}, ${each.state}): ${each.commandLine}`).join('\n');
}

export interface NoneLeftOptions {
  /** How long the processes may take to go away. */
  timeoutMilliseconds?: number;
  /** Words for the failure message: left over after what. */
  after?: string;
}

/**
 * Waits until no process matches the query (polling /proc), or fails listing those still alive.
 * Those are then SIGKILLed one by one, so that a failure does not spill into the next test.
 */
export async function assertNoProcessesLeft(query: LeftoverQuery | string, options: NoneLeftOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMilliseconds ?? 3000);
  let left = leftoverProcesses(query);
  while (left.length > 0 && Date.now() < deadline) {
    await delay(50);
    left = leftoverProcesses(query);
  }
  if (left.length === 0) {
    return;
  }
  for (const each of left) {
    killIfAlive(each.pid);
  }
  assert.fail(
    `${left.length} process(es) still alive ${options.after ?? 'at the end of the test'} (matching ${JSON.stringify(query)}); killed them now:\n${describeProcesses(left)}`,
  );
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export interface CliOptions {
  cwd?: string;
  /** Added to the environment (after the marker, so a test can override anything). */
  env?: Record<string, string | undefined>;
  /** The CLI is SIGKILLed (by its pid) after this long; the result says `timedOut`. */
  timeoutMilliseconds?: number;
  /** 'bin': run bin/cluster-tour (the installed command) instead of `node dist/cli.js`. */
  launcher?: 'bin';
}

export interface CliResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMilliseconds: number;
  timedOut: boolean;
}

/** A CLI that is running: its output so far, a way to wait for a line, and its end. */
export interface CliRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `CLUSTER_TOUR_TEST_MARKER=<uuid>`: in the environment of the CLI and all it starts. */
  readonly marker: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout matches `pattern`; rejects (with the output so far) after the timeout or at exit. */
  waitForStdout(pattern: RegExp, timeoutMilliseconds?: number): Promise<void>;
  readonly finished: Promise<CliResult>;
}

/**
 * Starts `node dist/cli.js ...args` with this test's Node (its folder first on PATH too, so the
 * program runs under the same binary) and a fresh marker.
 */
export function startCli(args: readonly string[], options: CliOptions = {}): CliRun {
  const marker = `${testMarkerVariable}=${randomUUID()}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
    [testMarkerVariable]: marker.slice(testMarkerVariable.length + 1),
    ...options.env,
  };
  // The test runner's own variable would make a program that uses node:test report to it.
  delete env.NODE_TEST_CONTEXT;
  const started = Date.now();
  // bin/cluster-tour, the command as installed, runs its tracer with the first node on PATH: this test's.
  const [command, commandArgs] = options.launcher === 'bin' ? [binPath(), args] : [process.execPath, [cliPath(), ...args]];
  const child = spawn(command, commandArgs, {
    cwd: options.cwd ?? repositoryRoot(),
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    throw new Error(`Could not start ${process.execPath} ${cliPath()}`);
  }
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  const stdoutListeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
    stdoutListeners.forEach((listener) => listener());
  });
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));

  let timedOut = false;
  let closed = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killIfAlive(pid);
  }, options.timeoutMilliseconds ?? 60_000);
  const finished = new Promise<CliResult>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close': the exit and the end of both pipes, so the output is complete.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closed = true;
      stdoutListeners.forEach((listener) => listener());
      resolve({ code, signal, stdout, stderr, durationMilliseconds: Date.now() - started, timedOut });
    });
  });

  const waitForStdout = (pattern: RegExp, timeoutMilliseconds = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(stdout)) {
          done();
          resolve();
        } else if (closed) {
          done();
          reject(new Error(`The CLI ended before its stdout matched ${pattern}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      };
      const waitTimer = setTimeout(() => {
        done();
        reject(new Error(`No ${pattern} on the CLI's stdout within ${timeoutMilliseconds} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMilliseconds);
      const done = (): void => {
        clearTimeout(waitTimer);
        stdoutListeners.delete(check);
      };
      stdoutListeners.add(check);
      check();
    });

  return {
    child,
    pid,
    marker,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitForStdout,
    finished,
  };
}

/** Runs the CLI to its end (or its time limit) and returns what it printed and how it exited. */
/** What a CLI run did, for an assertion's message: its end, its stdout (the last `stdoutTail` characters) and its stderr. */
export function transcript(result: CliResult, stdoutTail = Number.POSITIVE_INFINITY): string {
  const stdout = Number.isFinite(stdoutTail) ? result.stdout.slice(-stdoutTail) : result.stdout;
  return `exit ${result.signal ?? result.code}${result.timedOut ? ' (timed out)' : ''}\n--- stdout\n${stdout}\n--- stderr\n${result.stderr}`;
}

export async function spawnCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult & { marker: string }> {
  const run = startCli(args, options);
  return { ...(await run.finished), marker: run.marker };
}
