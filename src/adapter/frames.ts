// Stack frames and sources for the debug adapter: frame ids for the call frames of a paused
// process (our own instrumentation left out), DAP sources for script URLs (user files by path,
// Node's internals by their stable `node:` name plus a sourceReference for their text). Frames in
// generated code with a source map show their original source and position.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { CallFrame, ScriptLocation } from '../cdp/protocol';
import { idleSourceUrl } from '../cluster/session/instrumentation';
import { SourceMaps } from './sourceMaps';

export interface FrameRecord {
  pid: number;
  /** The inspector's frame, except that `location` is where a person sees it: original when mapped. */
  frame: CallFrame;
  /** The URL of the script shown: the original source when mapped. */
  url: string;
  /** The script that runs, when `url` and `frame.location` are its original source's. */
  generated?: { url: string; location: ScriptLocation };
}

export interface SourceRecord {
  url: string;
  /** A process that compiled it, and the script id there. */
  pid: number;
  scriptId: string;
}

export class FrameTable {
  private readonly frames = new Map<number, FrameRecord>();
  private readonly paused = new Map<number, FrameRecord[]>();
  private nextFrameId = 1;
  private readonly sourceReferences = new Map<string, number>();
  private readonly sources = new Map<number, SourceRecord>();

  /** `sourceMaps`: shared with the BreakpointBook, so that each map is read once. */
  constructor(private readonly sourceMaps = new SourceMaps()) {}

  /** Records a pause: the frames a person may see (hidden ones dropped), in order, mapped to their sources. */
  setPaused(pid: number, callFrames: readonly CallFrame[], urlOf: (scriptId: string) => string, hidden: (url: string) => boolean): void {
    this.clear(pid);
    const records = callFrames
      .map((frame) => ({ pid, frame, url: urlOf(frame.location.scriptId) }))
      .filter((record) => !hidden(record.url))
      .map((record) => this.mapped(record));
    this.paused.set(pid, records);
  }

  hasFrames(pid: number): boolean {
    return (this.paused.get(pid)?.length ?? 0) > 0;
  }

  /** Frames of a paused process with fresh ids. */
  framesOf(pid: number): Array<{ id: number; record: FrameRecord }> {
    return (this.paused.get(pid) ?? []).map((record) => {
      const id = this.nextFrameId++;
      this.frames.set(id, record);
      return { id, record };
    });
  }

  frame(frameId: number): FrameRecord | undefined {
    return this.frames.get(frameId);
  }

  /** Forgets a process's frames (it resumed or went away). */
  clear(pid: number): void {
    this.paused.delete(pid);
    for (const [id, record] of this.frames) {
      if (record.pid === pid) {
        this.frames.delete(id);
      }
    }
  }

  /** The record as in its original source, when its script has a source map with this place. */
  private mapped(record: FrameRecord): FrameRecord {
    const location = record.frame.location;
    const original = this.sourceMaps.originalPosition({ url: record.url, lineNumber: location.lineNumber, columnNumber: location.columnNumber ?? 0 });
    if (!original) {
      return record;
    }
    return {
      pid: record.pid,
      frame: { ...record.frame, location: { scriptId: location.scriptId, lineNumber: original.lineNumber, columnNumber: original.columnNumber } },
      url: original.url,
      generated: { url: record.url, location },
    };
  }

  /** The DAP source of a script. */
  source(url: string, pid: number, scriptId: string): DebugProtocol.Source {
    if (url.startsWith('file://')) {
      const file = fileURLToPath(url);
      return { name: path.basename(file), path: file };
    }
    // Internals keep their node: name as path, so that a breakpoint set in one (even before
    // launch, in another session) names the same script; the text comes by reference.
    // The idle script is compiled anew at each such pause, in a process that may be gone by the
    // time another shows it: each is its own.
    const key = url === '' || url === idleSourceUrl ? `${pid}:${scriptId}` : url;
    let reference = this.sourceReferences.get(key);
    if (reference === undefined) {
      reference = this.sourceReferences.size + 1;
      this.sourceReferences.set(key, reference);
      this.sources.set(reference, { url, pid, scriptId });
    }
    if (url === '') {
      return { name: `<eval ${scriptId}>`, sourceReference: reference, presentationHint: 'deemphasize' };
    }
    return {
      name: url === idleSourceUrl ? 'event loop (idle)' : url,
      path: url,
      sourceReference: reference,
      // Not the idle script: VS Code focuses no deemphasized frame at a stop, and the idle stop's
      // other frames are Node's timers.
      presentationHint: url.startsWith('node:') ? 'deemphasize' : undefined,
      origin: url.startsWith('node:') ? 'internal module' : undefined,
    };
  }

  sourceOf(reference: number): SourceRecord | undefined {
    return this.sources.get(reference);
  }

  /** The script URL a DAP source names: `node:` paths as they are, files as file:// URLs. */
  urlOf(source: DebugProtocol.Source): string | undefined {
    if (source.sourceReference) {
      const record = this.sources.get(source.sourceReference);
      if (record) {
        return record.url;
      }
    }
    if (source.path === undefined) {
      return undefined;
    }
    if (source.path.startsWith('node:')) {
      return source.path;
    }
    return pathToFileURL(source.path).href;
  }
}
