// Call sites resolved once per Node binary and kept on disk (${XDG_CACHE_HOME:-~/.cache}/cluster-tour/
// call-sites/), with the sources they were found in: a launch then neither starts the binary to
// read its library nor parses it again (together most of the tracer's start-up CPU). An entry is
// used only while the binary (path, size, mtime, inode), the catalogue and the resolver are the same.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallSite, CallSiteResolution } from './callSite';
import { callSites as catalogue } from './callSites';
import { callSiteModules, readNodeSources, type ReadNodeSourcesOptions } from './nodeSources';
import { resolveCallSites, resolverRevision } from './resolver';

export interface NodeCallSites {
  version: string;
  /** `process.execPath` of that Node: the binary itself. */
  execPath: string;
  /** Module id → source, for what the catalogue does not name (functions, presets, internal sources). */
  sources: ReadonlyMap<string, string>;
  resolutions: CallSiteResolution[];
  /** True when read from the cache file, false when resolved (and written) now. */
  fromCache: boolean;
}

export interface CallSiteCacheOptions {
  /** The cache folder; default `${XDG_CACHE_HOME:-~/.cache}/cluster-tour/call-sites`; null: no cache. */
  directory?: string | null;
  /** The catalogue to resolve (default: the whole catalogue). */
  sites?: readonly CallSite[];
  /** How to run the reader when the cache has no entry: as the app will run (its folder, its environment). */
  reading?: ReadNodeSourcesOptions;
}

/** What a cache entry must match: it changes when the binary, the catalogue or the resolver does. */
interface EntryKey {
  format: number;
  executable: string;
  size: number;
  mtimeMs: number;
  inode: number;
  catalogue: string;
}

interface Entry {
  key: EntryKey;
  version: string;
  execPath: string;
  sources: Record<string, string>;
  /** By call-site id, in catalogue order. */
  resolutions: Array<{ id: string; url: string; lineNumber: number; columnNumber: number } | { id: string; reason: string }>;
}

const entryFormat = 2;

export function defaultCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  return path.join(environment.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cluster-tour', 'call-sites');
}

/** The catalogue's call sites in the Node at `executable` (a path), from the cache when it still holds. */
export async function nodeCallSites(executable: string, options: CallSiteCacheOptions = {}): Promise<NodeCallSites> {
  const sites = options.sites ?? catalogue;
  const directory = options.directory === undefined ? defaultCacheDirectory() : options.directory;
  const key = directory === null ? null : keyOf(executable, sites);
  const file = directory === null || key === null ? null : path.join(directory, `${hash(executable).slice(0, 16)}.json`);
  if (file !== null && key !== null) {
    const cached = readEntry(file, key, sites);
    if (cached) {
      return cached;
    }
  }
  const node = await readNodeSources(executable, callSiteModules(sites), options.reading);
  const resolutions = resolveCallSites(node.sources, sites);
  if (file !== null && key !== null) {
    writeEntry(file, { key, version: node.version, execPath: node.execPath, sources: Object.fromEntries(node.sources), resolutions: resolutions.map(entryOf) });
  }
  return { version: node.version, execPath: node.execPath, sources: node.sources, resolutions, fromCache: false };
}

/**
 * Null when the executable cannot be stat'ed (readNodeSources then says why) or is a script: a
 * version manager's shim picks a Node by folder or environment on each run.
 */
function keyOf(executable: string, sites: readonly CallSite[]): EntryKey | null {
  let info: fs.Stats;
  try {
    info = fs.statSync(executable);
    if (startsWithShebang(executable)) {
      return null;
    }
  } catch {
    return null; // not a path we can see (a bare name): uncached, and the reader reports what is wrong
  }
  return {
    format: entryFormat,
    executable,
    size: info.size,
    mtimeMs: info.mtimeMs,
    inode: info.ino,
    catalogue: hash(JSON.stringify({ resolverRevision, sites })),
  };
}

function readEntry(file: string, key: EntryKey, sites: readonly CallSite[]): NodeCallSites | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(fs.readFileSync(file, 'utf8')) as Entry;
  } catch {
    return undefined; // absent or unreadable (a write cut short): resolved again and rewritten
  }
  if (JSON.stringify(entry.key) !== JSON.stringify(key) || entry.resolutions?.length !== sites.length) {
    return undefined;
  }
  const resolutions = sites.map((site, index): CallSiteResolution | undefined => {
    const cached = entry.resolutions[index];
    if (cached?.id !== site.id) {
      return undefined;
    }
    return 'reason' in cached ? { resolved: false, site, reason: cached.reason } : { resolved: true, site, url: cached.url, lineNumber: cached.lineNumber, columnNumber: cached.columnNumber };
  });
  if (resolutions.some((resolution) => resolution === undefined)) {
    return undefined;
  }
  return { version: entry.version, execPath: entry.execPath, sources: new Map(Object.entries(entry.sources)), resolutions: resolutions as CallSiteResolution[], fromCache: true };
}

function writeEntry(file: string, entry: Entry): void {
  // Written aside and renamed, so that a launch running meanwhile reads a whole entry or none.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify(entry));
    fs.renameSync(temporary, file);
  } catch {
    // A cache that cannot be written (read-only home, full disk) only costs the next launch the
    // same resolution again; it must not fail this one.
    fs.rmSync(temporary, { force: true });
  }
}

function entryOf(resolution: CallSiteResolution): Entry['resolutions'][number] {
  return resolution.resolved
    ? { id: resolution.site.id, url: resolution.url, lineNumber: resolution.lineNumber, columnNumber: resolution.columnNumber }
    : { id: resolution.site.id, reason: resolution.reason };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function startsWithShebang(file: string): boolean {
  const descriptor = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(descriptor, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    fs.closeSync(descriptor);
  }
}
