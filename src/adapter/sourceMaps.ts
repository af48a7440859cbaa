// Source maps of user code (TypeScript and other compiled JavaScript): a generated file's
// positions to its original sources and back, so frames and breakpoints speak the files a person
// wrote. Maps come from disk, named by the generated file's `//# sourceMappingURL=` comment.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eachMapping, LEAST_UPPER_BOUND, originalPositionFor, TraceMap, type EncodedSourceMap } from '@jridgewell/trace-mapping';
import { Emitter } from '../common/emitter';
import { ClusterTourError, messageOf } from '../common/errors';

/** A place in a script, 0-based like the inspector's locations. */
export interface ScriptPosition {
  /** A file:// URL. */
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** Where a breakpoint on an original line goes in generated code, and the original line it stands for. */
export interface GeneratedBreakpointPlace {
  generated: ScriptPosition;
  /** The original line (0-based) of that mapping: the requested one or the next one with code. */
  originalLineNumber: number;
}

interface LoadedMap {
  trace: TraceMap;
  /** Original sources present on disk: their normalised file:// URL → the name trace-mapping uses. */
  sources: Map<string, string>;
  /** Per original source: original line → the earliest generated position mapped from it. */
  byOriginalLine?: Map<string, Map<number, { lineNumber: number; columnNumber: number }>>;
}

interface CacheEntry {
  /** The generated file's modification time and size when read: a rebuild makes a new entry. */
  stamp: string;
  map: LoadedMap | undefined;
}

/** A compiled file's extension for each extension of a source that compiles to JavaScript. */
const generatedExtensions: Record<string, string> = { '.ts': '.js', '.tsx': '.js', '.mts': '.mjs', '.cts': '.cjs', '.jsx': '.js' };

export class SourceMaps {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly problemEmitter = new Emitter<ClusterTourError>();
  /** A map that names itself but cannot be used (unreadable, not JSON, not on this disk): once per file version. */
  readonly onProblem = this.problemEmitter.event;

  /** The original position of a generated one; undefined without a map, a mapping, or the source on disk. */
  originalPosition(generated: ScriptPosition): ScriptPosition | undefined {
    const loaded = this.mapOf(generated.url);
    if (!loaded) {
      return undefined;
    }
    const line = generated.lineNumber + 1;
    let found = originalPositionFor(loaded.trace, { line, column: generated.columnNumber });
    if (found.source === null) {
      // Before the first mapping of its line (indentation, say): take that first mapping.
      found = originalPositionFor(loaded.trace, { line, column: generated.columnNumber, bias: LEAST_UPPER_BOUND });
    }
    if (found.source === null) {
      return undefined;
    }
    const url = normaliseUrl(found.source);
    if (!loaded.sources.has(url)) {
      return undefined;
    }
    return { url, lineNumber: found.line - 1, columnNumber: found.column };
  }

  /**
   * Where to break for an original line of `originalUrl`: the first mapping of that line in the
   * first generated file found whose map names the source, or of the next line that has one.
   * Generated files are looked for next to the source and in its tsconfig's outDir.
   */
  generatedPlace(originalUrl: string, originalLineNumber: number): GeneratedBreakpointPlace | undefined {
    const url = normaliseUrl(originalUrl);
    for (const generatedUrl of this.candidatesFor(url)) {
      const lines = this.linesOf(generatedUrl, url);
      if (!lines) {
        continue;
      }
      const last = Math.max(...lines.keys());
      for (let line = originalLineNumber; line <= last; line++) {
        const position = lines.get(line);
        if (position) {
          return { generated: { url: generatedUrl, ...position }, originalLineNumber: line };
        }
      }
      return undefined;
    }
    return undefined;
  }

  /** Whether `url` is a file a compiler turns into JavaScript (a breakpoint there needs a map to bind). */
  static isCompiledSource(url: string): boolean {
    return url.startsWith('file://') && path.extname(url) in generatedExtensions;
  }

  private linesOf(generatedUrl: string, originalUrl: string): Map<number, { lineNumber: number; columnNumber: number }> | undefined {
    const loaded = this.mapOf(generatedUrl);
    const source = loaded?.sources.get(originalUrl);
    if (!loaded || source === undefined) {
      return undefined;
    }
    loaded.byOriginalLine ??= indexByOriginalLine(loaded.trace);
    return loaded.byOriginalLine.get(source);
  }

  /** Generated files that may come from `originalUrl`: maps already read, the sibling, the tsconfig outDir. */
  private candidatesFor(originalUrl: string): string[] {
    const candidates: string[] = [];
    for (const [generatedUrl, entry] of this.cache) {
      if (entry.map?.sources.has(originalUrl)) {
        candidates.push(generatedUrl);
      }
    }
    if (SourceMaps.isCompiledSource(originalUrl)) {
      const file = fileURLToPath(originalUrl);
      const generatedName = path.basename(file, path.extname(file)) + generatedExtensions[path.extname(file)];
      candidates.push(pathToFileURL(path.join(path.dirname(file), generatedName)).href);
      try {
        for (const directory of outputDirectoriesFor(file)) {
          candidates.push(pathToFileURL(path.join(directory, generatedName)).href);
        }
      } catch (error) {
        this.problemEmitter.fire(error instanceof ClusterTourError ? error : new ClusterTourError('E_TSCONFIG', messageOf(error)));
      }
    }
    return [...new Set(candidates)];
  }

  /** The map of a generated file, read once per version of the file; undefined when it has none. */
  private mapOf(generatedUrl: string): LoadedMap | undefined {
    if (!generatedUrl.startsWith('file://')) {
      return undefined;
    }
    const file = fileURLToPath(generatedUrl);
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined; // a candidate that was never built, or a script only in memory
      }
      throw error;
    }
    const cached = this.cache.get(generatedUrl);
    if (cached?.stamp === stamp) {
      return cached.map;
    }
    let map: LoadedMap | undefined;
    try {
      map = readMap(generatedUrl, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      this.problemEmitter.fire(new ClusterTourError('E_SOURCE_MAP', `The source map of ${file} cannot be used, so its code is shown as JavaScript: ${messageOf(error)}`));
    }
    this.cache.set(generatedUrl, { stamp, map });
    return map;
  }
}

/** Parses the map a generated file's last `sourceMappingURL` comment names; undefined without one. */
function readMap(generatedUrl: string, text: string): LoadedMap | undefined {
  const reference = [...text.matchAll(/^\/\/[#@] sourceMappingURL=(\S+)\s*$/gm)].pop()?.[1];
  if (reference === undefined) {
    return undefined;
  }
  let json: string;
  let mapUrl: string;
  const inline = /^data:([^,]*),(.*)$/s.exec(reference);
  if (inline) {
    json = inline[1].endsWith(';base64') ? Buffer.from(inline[2], 'base64').toString('utf8') : decodeURIComponent(inline[2]);
    mapUrl = generatedUrl;
  } else {
    mapUrl = new URL(reference, generatedUrl).href;
    if (!mapUrl.startsWith('file://')) {
      throw new Error(`only maps on disk are read, not ${mapUrl}`);
    }
    json = fs.readFileSync(fileURLToPath(mapUrl), 'utf8');
  }
  const trace = new TraceMap(JSON.parse(json) as EncodedSourceMap, mapUrl);
  const sources = new Map<string, string>();
  for (const source of trace.resolvedSources) {
    const url = normaliseUrl(source);
    if (url.startsWith('file://') && fs.existsSync(fileURLToPath(url))) {
      sources.set(url, source);
    }
  }
  return { trace, sources };
}

function indexByOriginalLine(trace: TraceMap): Map<string, Map<number, { lineNumber: number; columnNumber: number }>> {
  const index = new Map<string, Map<number, { lineNumber: number; columnNumber: number }>>();
  eachMapping(trace, (mapping) => {
    if (mapping.source === null) {
      return;
    }
    let lines = index.get(mapping.source);
    if (!lines) {
      lines = new Map();
      index.set(mapping.source, lines);
    }
    const line = mapping.originalLine - 1;
    const earliest = lines.get(line);
    const position = { lineNumber: mapping.generatedLine - 1, columnNumber: mapping.generatedColumn };
    if (!earliest || position.lineNumber < earliest.lineNumber || (position.lineNumber === earliest.lineNumber && position.columnNumber < earliest.columnNumber)) {
      lines.set(line, position);
    }
  });
  return index;
}

/** One spelling per file (percent-encoding, `..`), so that URLs from maps and from the client compare. */
function normaliseUrl(url: string): string {
  return url.startsWith('file://') ? pathToFileURL(fileURLToPath(url)).href : url;
}

/**
 * Folders where tsc may have put the compiled twin of `file`: the nearest tsconfig.json's outDir,
 * keeping the file's path below rootDir (when unset, below any folder between tsconfig and file).
 */
function outputDirectoriesFor(file: string): string[] {
  for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
    const tsconfig = path.join(directory, 'tsconfig.json');
    if (fs.existsSync(tsconfig)) {
      const options = readCompilerOptions(tsconfig);
      if (typeof options.outDir !== 'string') {
        return [];
      }
      const outDir = path.resolve(directory, options.outDir);
      const roots: string[] = [];
      if (typeof options.rootDir === 'string') {
        roots.push(path.resolve(directory, options.rootDir));
      } else {
        for (let root = path.dirname(file); root !== directory; root = path.dirname(root)) {
          roots.push(root);
        }
        roots.push(directory);
      }
      return roots.filter((root) => !path.relative(root, file).startsWith('..')).map((root) => path.join(outDir, path.relative(root, path.dirname(file))));
    }
    if (path.dirname(directory) === directory || fs.existsSync(path.join(directory, 'package.json'))) {
      return [];
    }
  }
}

/** compilerOptions of a tsconfig.json (JSON with comments and trailing commas); `extends` is not followed. */
function readCompilerOptions(tsconfig: string): { outDir?: unknown; rootDir?: unknown } {
  // Drop comments and trailing commas outside strings; strings are matched first and kept.
  const text = fs.readFileSync(tsconfig, 'utf8').replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\/|,(\s*[}\]])/g, (match, string: string | undefined, closing: string | undefined) => string ?? closing ?? '');
  try {
    const parsed = JSON.parse(text) as { compilerOptions?: { outDir?: unknown; rootDir?: unknown } };
    return parsed.compilerOptions ?? {};
  } catch (error) {
    throw new ClusterTourError('E_TSCONFIG', `${tsconfig} is not valid JSON (${messageOf(error)}); breakpoints in its sources cannot find their compiled files.`);
  }
}
