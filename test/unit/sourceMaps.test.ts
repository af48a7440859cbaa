// Source maps on the committed TypeScript fixture (test/fixtures/ts-cluster): generated → original
// and back, type-only lines, inline maps, a tsconfig outDir, broken maps, and what the frame
// table and the breakpoint book make of them. Line numbers below are 1-based, as in an editor.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type Protocol from 'devtools-protocol';
import { BreakpointBook } from '../../src/adapter/breakpoints';
import { FrameTable } from '../../src/adapter/frames';
import { SourceMaps } from '../../src/adapter/sourceMaps';
import { repositoryRoot } from '../support/processes';

const directory = path.join(repositoryRoot(), 'test', 'fixtures', 'ts-cluster');
const tsUrl = pathToFileURL(path.join(directory, 'app.ts')).href;
const jsUrl = pathToFileURL(path.join(directory, 'app.js')).href;
const tsLines = fs.readFileSync(path.join(directory, 'app.ts'), 'utf8').split('\n');
const jsLines = fs.readFileSync(path.join(directory, 'app.js'), 'utf8').split('\n');

/** The 1-based line of the only line of `lines` that contains `text`. */
function lineOf(lines: readonly string[], text: string): number {
  const found = lines.flatMap((line, index) => (line.includes(text) ? [index + 1] : []));
  assert.equal(found.length, 1, `exactly one line holds ${JSON.stringify(text)}: ${found.join(', ')}`);
  return found[0];
}

/** A temporary folder, removed after the tests. */
const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tour-maps-'));
after(() => fs.rmSync(temporary, { recursive: true, force: true }));

describe('source maps of the TypeScript fixture', () => {
  const handlerTs = lineOf(tsLines, 'const reply: Reply = {');
  const handlerJs = lineOf(jsLines, 'const reply = {');
  const endTs = lineOf(tsLines, 'response.end(');
  const endJs = lineOf(jsLines, 'response.end(');

  it('has line numbers that differ between app.ts and app.js', () => {
    assert.notEqual(handlerTs, handlerJs);
    assert.notEqual(endTs - handlerTs, endJs - handlerJs, 'type-only text inside the handler shifts lines too');
  });

  it('maps a generated position to its original line and back', () => {
    const maps = new SourceMaps();
    const column = jsLines[handlerJs - 1].indexOf('const');
    assert.deepEqual(maps.originalPosition({ url: jsUrl, lineNumber: handlerJs - 1, columnNumber: column }), {
      url: tsUrl,
      lineNumber: handlerTs - 1,
      columnNumber: tsLines[handlerTs - 1].indexOf('const'),
    });
    // Before the first mapping of the line (its indentation): still that line.
    assert.equal(maps.originalPosition({ url: jsUrl, lineNumber: endJs - 1, columnNumber: 0 })?.lineNumber, endTs - 1);

    const place = maps.generatedPlace(tsUrl, handlerTs - 1);
    assert.deepEqual(place, { generated: { url: jsUrl, lineNumber: handlerJs - 1, columnNumber: column }, originalLineNumber: handlerTs - 1 });
    assert.equal(maps.generatedPlace(tsUrl, endTs - 1)?.generated.lineNumber, endJs - 1);
  });

  it('round-trips every original line that has code', () => {
    const maps = new SourceMaps();
    let lines = 0;
    for (let line = 0; line < tsLines.length; line++) {
      const place = maps.generatedPlace(tsUrl, line);
      if (place?.originalLineNumber !== line) {
        continue;
      }
      lines++;
      assert.equal(maps.originalPosition(place.generated)?.lineNumber, line, `app.ts line ${line + 1}`);
    }
    assert.ok(lines > 15, `${lines} lines with code`);
  });

  it('moves a breakpoint on a type-only line to the next line with code', () => {
    const maps = new SourceMaps();
    const typeLine = lineOf(tsLines, 'interface Reply {');
    const next = lineOf(tsLines, 'const workerCount = 2;');
    const place = maps.generatedPlace(tsUrl, typeLine - 1);
    assert.equal(place?.originalLineNumber, next - 1);
    assert.equal(place?.generated.lineNumber, lineOf(jsLines, 'const workerCount = 2;') - 1);
    assert.equal(maps.generatedPlace(tsUrl, tsLines.length + 10), undefined, 'no code after the end');
  });

  it('leaves files without a map alone', () => {
    const maps = new SourceMaps();
    const plain = pathToFileURL(path.join(directory, '..', 'http-workers.js')).href;
    assert.equal(maps.originalPosition({ url: plain, lineNumber: 20, columnNumber: 4 }), undefined);
    assert.equal(maps.generatedPlace(plain, 20), undefined);
    assert.equal(maps.originalPosition({ url: 'node:net', lineNumber: 20, columnNumber: 4 }), undefined);
    assert.equal(maps.generatedPlace(pathToFileURL(path.join(temporary, 'missing.ts')).href, 0), undefined);
  });

  it('reads an inline data: map', () => {
    const folder = fs.mkdtempSync(path.join(temporary, 'inline-'));
    fs.copyFileSync(path.join(directory, 'app.ts'), path.join(folder, 'app.ts'));
    const map = fs.readFileSync(path.join(directory, 'app.js.map'));
    const code = jsLines.filter((line) => !line.startsWith('//# sourceMappingURL=')).join('\n');
    fs.writeFileSync(path.join(folder, 'app.js'), `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map.toString('base64')}\n`);
    const maps = new SourceMaps();
    const inlineTs = pathToFileURL(path.join(folder, 'app.ts')).href;
    const inlineJs = pathToFileURL(path.join(folder, 'app.js')).href;
    assert.deepEqual(maps.originalPosition({ url: inlineJs, lineNumber: handlerJs - 1, columnNumber: 8 })?.url, inlineTs);
    assert.equal(maps.generatedPlace(inlineTs, handlerTs - 1)?.generated.url, inlineJs);
  });

  it('finds the compiled file in the outDir of the nearest tsconfig.json', () => {
    const project = fs.mkdtempSync(path.join(temporary, 'project-'));
    fs.mkdirSync(path.join(project, 'src', 'server'), { recursive: true });
    fs.mkdirSync(path.join(project, 'out', 'server'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{}');
    fs.writeFileSync(path.join(project, 'tsconfig.json'), '{\n  // compiled by tsc\n  "compilerOptions": { "outDir": "out", "sourceMap": true, },\n  "include": ["src/**/*"],\n}\n');
    fs.copyFileSync(path.join(directory, 'app.ts'), path.join(project, 'src', 'server', 'app.ts'));
    fs.writeFileSync(path.join(project, 'out', 'server', 'app.js'), fs.readFileSync(path.join(directory, 'app.js')));
    const map = JSON.parse(fs.readFileSync(path.join(directory, 'app.js.map'), 'utf8')) as { sources: string[] };
    map.sources = ['../../src/server/app.ts'];
    fs.writeFileSync(path.join(project, 'out', 'server', 'app.js.map'), JSON.stringify(map));
    const place = new SourceMaps().generatedPlace(pathToFileURL(path.join(project, 'src', 'server', 'app.ts')).href, handlerTs - 1);
    assert.equal(place?.generated.url, pathToFileURL(path.join(project, 'out', 'server', 'app.js')).href);
    assert.equal(place?.generated.lineNumber, handlerJs - 1);
  });

  it('reports a map it cannot read, once, and shows the JavaScript', () => {
    const folder = fs.mkdtempSync(path.join(temporary, 'broken-'));
    fs.writeFileSync(path.join(folder, 'app.js'), 'console.log(1);\n//# sourceMappingURL=app.js.map\n');
    fs.writeFileSync(path.join(folder, 'app.js.map'), '{ not json');
    const maps = new SourceMaps();
    const problems: string[] = [];
    maps.onProblem((problem) => problems.push(`${problem.code}: ${problem.message}`));
    const url = pathToFileURL(path.join(folder, 'app.js')).href;
    assert.equal(maps.originalPosition({ url, lineNumber: 0, columnNumber: 0 }), undefined);
    assert.equal(maps.originalPosition({ url, lineNumber: 0, columnNumber: 0 }), undefined);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^E_SOURCE_MAP: The source map of .*app\.js cannot be used/);
  });
});

describe('frames and breakpoints through source maps', () => {
  const handlerTs = lineOf(tsLines, 'const reply: Reply = {');
  const handlerJs = lineOf(jsLines, 'const reply = {');

  function callFrame(scriptId: string, lineNumber: number, columnNumber: number): Protocol.Debugger.CallFrame {
    return { callFrameId: `frame-${scriptId}`, functionName: '', location: { scriptId, lineNumber, columnNumber }, url: '', scopeChain: [], this: { type: 'undefined' } };
  }

  it('shows a frame in app.js at its app.ts line, and a frame without a map as it was', () => {
    const frames = new FrameTable();
    const plainUrl = pathToFileURL(path.join(directory, '..', 'http-workers.js')).href;
    const urls: Record<string, string> = { '1': jsUrl, '2': plainUrl };
    frames.setPaused(7, [callFrame('1', handlerJs - 1, 8), callFrame('2', 20, 6)], (scriptId) => urls[scriptId], () => false);
    const [mapped, plain] = frames.framesOf(7).map(({ record }) => record);
    assert.equal(mapped.url, tsUrl);
    assert.equal(mapped.frame.location.lineNumber, handlerTs - 1);
    assert.equal(mapped.frame.callFrameId, 'frame-1', 'evaluation still uses the real frame');
    assert.deepEqual(mapped.generated, { url: jsUrl, location: { scriptId: '1', lineNumber: handlerJs - 1, columnNumber: 8 } });
    assert.equal(frames.source(mapped.url, 7, '1').path, path.join(directory, 'app.ts'));
    assert.deepEqual(plain, { pid: 7, frame: callFrame('2', 20, 6), url: plainUrl });
  });

  it('sets a breakpoint on an app.ts line in app.js, and reports the app.ts line once bound', () => {
    const book = new BreakpointBook();
    const typeLine = lineOf(tsLines, 'interface Reply {');
    const next = lineOf(tsLines, 'const workerCount = 2;');
    const changes = book.setSource(tsUrl, [
      { line: handlerTs, debuggerLine: handlerTs - 1 },
      { line: typeLine, debuggerLine: typeLine - 1 },
    ]);
    const [handler, moved] = changes.added;
    assert.deepEqual(handler.request?.location, { url: jsUrl, lineNumber: handlerJs - 1, columnNumber: 8 });
    assert.equal(handler.state.line, handlerTs);
    assert.equal(handler.state.verified, false);
    assert.equal(moved.state.line, next, 'a type-only line moves to the next line with code');
    assert.equal(moved.request?.location.lineNumber, lineOf(jsLines, 'const workerCount = 2;') - 1);

    const bound = book.bound(handler.owner, handlerJs);
    assert.equal(bound?.verified, true);
    assert.equal(bound?.line, handlerTs);
    assert.equal(book.bound(handler.owner, handlerJs), undefined, 'a second process binding it changes nothing');
  });

  it('sets breakpoints in files without a map exactly as asked', () => {
    const book = new BreakpointBook();
    const plainUrl = pathToFileURL(path.join(directory, '..', 'http-workers.js')).href;
    const [planned] = book.setSource(plainUrl, [{ line: 21, debuggerLine: 20 }]).added;
    assert.deepEqual(planned.request?.location, { url: plainUrl, lineNumber: 20 });
    assert.equal(book.bound(planned.owner, 22)?.line, 22);
    const missing = pathToFileURL(path.join(temporary, 'nowhere.ts')).href;
    const [unmapped] = book.setSource(missing, [{ line: 3, debuggerLine: 2 }]).added;
    assert.deepEqual(unmapped.request?.location, { url: missing, lineNumber: 2 });
    assert.match(unmapped.state.message ?? '', /no compiled JavaScript with a source map/);
  });
});
