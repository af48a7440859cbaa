// Reads the library sources of the Node that will run the app (a throwaway process started the
// way the app will be: same executable, folder and environment, so that a version manager's shim
// picks the same Node), so call sites resolve against that Node's own lines before its modules load.
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { ClusterTourError } from '../../common/errors';
import type { CallSite } from './callSite';

export interface NodeSources {
  executable: string;
  /** `process.version` of that binary, e.g. `v24.21.0`. */
  version: string;
  /** `process.execPath` of the reader: the binary itself, behind any shim `executable` is. */
  execPath: string;
  major: number;
  /** Module id (`internal/cluster/primary`) → source text; ids the binary lacks are absent. */
  sources: Map<string, string>;
}

export interface ReadNodeSourcesOptions {
  timeoutMs?: number;
  /** The folder the app runs in (a shim may pick its Node by it, e.g. from .node-version). */
  cwd?: string;
  /** The app's environment (NODE_OPTIONS left out); the controller's when absent. */
  env?: Record<string, string | undefined>;
}

const oldestSupportedMajor = 18;
const defaultTimeoutMs = 10_000;

/**
 * Runs in the throwaway process. `process.binding('natives')` is deprecated but is the one way to
 * read internal modules that every supported Node has; `--no-deprecation` keeps stderr quiet.
 */
const readerScript = `
const ids = JSON.parse(process.argv[1]);
const natives = process.binding('natives');
const sources = {};
for (const id of ids) if (typeof natives[id] === 'string') sources[id] = natives[id];
process.stdout.write(JSON.stringify({ version: process.version, execPath: process.execPath, sources }));
`;

/** Sources already read, by executable path and modification time: a relaunch spawns nothing. */
const cache = new Map<string, { result: NodeSources; absent: Set<string> }>();

/** The distinct module ids a list of call sites needs, in first-seen order. */
export function callSiteModules(sites: readonly CallSite[]): string[] {
  return [...new Set(sites.map((site) => site.module))];
}

export async function readNodeSources(
  executable: string,
  moduleIds: readonly string[],
  options: ReadNodeSourcesOptions = {},
): Promise<NodeSources> {
  const cacheKey = await cacheKeyOf(executable);
  const cached = cacheKey === null ? undefined : cache.get(cacheKey);
  if (cached && moduleIds.every((id) => cached.result.sources.has(id) || cached.absent.has(id))) return cached.result;

  // Ask for what was cached before too, so the cache entry keeps growing instead of flip-flopping.
  const wanted = [...new Set([...moduleIds, ...(cached ? cached.result.sources.keys() : [])])];
  const output = await runReader(executable, wanted, options);
  const result = parseOutput(executable, output);
  if (cacheKey !== null) {
    cache.set(cacheKey, { result, absent: new Set(wanted.filter((id) => !result.sources.has(id))) });
  }
  return result;
}

/**
 * `path|mtime`, or null when the path cannot be stat'ed (a bare command name found through PATH)
 * or is a script: a version manager's shim picks a Node by folder or environment on each run.
 */
async function cacheKeyOf(executable: string): Promise<string | null> {
  try {
    const info = await stat(executable);
    return (await isScript(executable)) ? null : `${executable}|${info.mtimeMs}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && executable.includes('/')) {
      throw new ClusterTourError('E_RUNTIME_NOT_FOUND', `No Node executable at ${executable}: check the runtimeExecutable setting.`);
    }
    // A bare name like `node` is looked up on PATH by spawn; it is simply not cached.
    return null;
  }
}

/** True when the file starts with `#!`. */
async function isScript(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const start = Buffer.alloc(2);
    await handle.read(start, 0, 2, 0);
    return start.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

function runReader(executable: string, moduleIds: readonly string[], options: ReadNodeSourcesOptions): Promise<{ stdout: string; stderr: string }> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const environment = { ...(options.env ?? process.env) };
  // A preload from NODE_OPTIONS (ours included) must not run in this throwaway process.
  delete environment.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const reader = spawn(executable, ['--no-deprecation', '-e', readerScript, JSON.stringify(moduleIds)], {
      env: environment,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killReader(reader.pid);
    }, timeoutMs);
    reader.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    reader.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    reader.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new ClusterTourError('E_RUNTIME_NOT_FOUND', `No Node executable at ${executable}: check the runtimeExecutable setting.`)
          : new ClusterTourError('E_NODE_SOURCES', `Could not start ${executable} to read its sources: ${error.message}`),
      );
    });
    reader.on('close', (code, signal) => {
      clearTimeout(timer);
      const errorText = Buffer.concat(stderr).toString('utf8');
      if (timedOut) {
        reject(new ClusterTourError('E_NODE_SOURCES', `${executable} did not print its sources within ${timeoutMs} ms${excerpt(errorText)}`));
      } else if (code !== 0) {
        reject(new ClusterTourError('E_NODE_SOURCES', `${executable} failed to print its sources (exit ${code ?? signal})${excerpt(errorText)}`));
      } else {
        resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: errorText });
      }
    });
  });
}

function killReader(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    // ESRCH: it exited between the timer firing and the kill; 'close' reports the outcome either way.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function parseOutput(executable: string, output: { stdout: string; stderr: string }): NodeSources {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output.stdout);
  } catch (error) {
    throw new ClusterTourError(
      'E_NODE_SOURCES',
      `${executable} printed something other than its sources (${(error as Error).message})${excerpt(output.stderr || output.stdout)}`,
    );
  }
  const { version, execPath, sources } = (parsed ?? {}) as { version?: unknown; execPath?: unknown; sources?: unknown };
  const major = typeof version === 'string' ? Number(/^v(\d+)\./.exec(version)?.[1]) : NaN;
  if (typeof version !== 'string' || !Number.isInteger(major)) {
    throw new ClusterTourError('E_NODE_SOURCES', `${executable} reported no usable version${excerpt(output.stdout)}`);
  }
  if (major < oldestSupportedMajor) {
    throw new ClusterTourError(
      'E_NODE_TOO_OLD',
      `Cluster Tour supports Node ${oldestSupportedMajor} and newer; ${executable} is ${version}. Point runtimeExecutable at a newer Node.`,
    );
  }
  const map = new Map<string, string>();
  for (const [id, text] of Object.entries((sources ?? {}) as Record<string, unknown>)) {
    if (typeof text === 'string') map.set(id, text);
  }
  return { executable, version, execPath: typeof execPath === 'string' ? execPath : executable, major, sources: map };
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '.';
  return `: ${trimmed.length > 400 ? `${trimmed.slice(0, 400)}…` : trimmed}`;
}
