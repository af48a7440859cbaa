// The resolver on small hand-written modules: every way a function can be named, nested paths,
// statement patterns, and each reason a call site fails to resolve.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallSite, CallSiteResolution } from '../../src/cluster/callSites/callSite';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';

function site(module: string, functionPath: string[], statement?: string): CallSite {
  return {
    id: `${module}:${functionPath.join('>')}${statement === undefined ? '' : `@${statement}`}`,
    stage: 'fork',
    role: 'primary',
    module,
    functionPath,
    statement,
    presets: [],
    tracking: 'none',
    title: 'test site',
  };
}

/** 0-based line and column of the first occurrence of `text` in `source`. */
function positionOf(source: string, text: string): { lineNumber: number; columnNumber: number } {
  const offset = source.indexOf(text);
  assert.notEqual(offset, -1, `test source lacks ${text}`);
  const before = source.slice(0, offset).split('\n');
  return { lineNumber: before.length - 1, columnNumber: (before[before.length - 1] ?? '').length };
}

function resolveOne(source: string, functionPath: string[], statement?: string): CallSiteResolution {
  const [resolution] = resolveCallSites(new Map([['mod', source]]), [site('mod', functionPath, statement)]);
  assert.ok(resolution);
  return resolution;
}

function assertAt(source: string, functionPath: string[], statement: string | undefined, expectedText: string): void {
  const resolution = resolveOne(source, functionPath, statement);
  assert.ok(resolution.resolved, `expected ${functionPath.join(' > ')} to resolve: ${resolution.resolved ? '' : resolution.reason}`);
  assert.deepEqual({ lineNumber: resolution.lineNumber, columnNumber: resolution.columnNumber }, positionOf(source, expectedText));
  assert.equal(resolution.url, 'node:mod');
}

function assertReason(source: string, functionPath: string[], statement: string | undefined, expected: RegExp): void {
  const resolution = resolveOne(source, functionPath, statement);
  assert.equal(resolution.resolved, false, `expected ${functionPath.join(' > ')} not to resolve`);
  if (!resolution.resolved) assert.match(resolution.reason, expected);
}

describe('resolveCallSites: naming forms', () => {
  const source = [
    "'use strict';",
    'function declared(a) {',
    '  declaredFirst(a);',
    '}',
    'const expressed = function() { expressedFirst(); };',
    'let arrow = (x) => { arrowFirst(x); };',
    'const bodyless = (x) => bodylessExpression(x);',
    'cluster.fork = function(env) {',
    '  forkFirst(env);',
    '};',
    "a['b'].c = function() { bracketFirst(); };",
    'Worker.prototype.disconnect = function() { prototypeFirst(); };',
    'const handleConversion = {',
    "  'net.Native': {",
    '    send(message, handle) { return sendFirst(handle); },',
    '    got: function(message) { gotFirst(message); },',
    '  },',
    '};',
    'class Server {',
    '  constructor() { constructorFirst(); }',
    '  listen() { listenFirst(); }',
    '  static create() { createFirst(); }',
    '}',
    'function ChildProcess() {',
    '  this._handle.onexit = (code) => { handleExitFirst(code); };',
    '}',
    "worker.process.once('exit', (code, signal) => { exitFirst(code, signal); });",
    'handle.add(worker, () => { addFirst(); });',
  ].join('\n');

  it('finds a function declaration', () => assertAt(source, ['declared'], undefined, 'declaredFirst'));
  it('finds a variable-declared function expression', () => assertAt(source, ['expressed'], undefined, 'expressedFirst'));
  it('finds a variable-declared arrow', () => assertAt(source, ['arrow'], undefined, 'arrowFirst'));
  it('stops at the body expression of an expression-bodied arrow', () =>
    assertAt(source, ['bodyless'], undefined, 'bodylessExpression'));
  it('finds an assignment to a member chain', () => assertAt(source, ['cluster.fork'], undefined, 'forkFirst'));
  it("normalises a['b'] to a.b", () => assertAt(source, ['a.b.c'], undefined, 'bracketFirst'));
  it('finds a prototype assignment', () => assertAt(source, ['Worker.prototype.disconnect'], undefined, 'prototypeFirst'));
  it("finds object-literal paths, including a 'net.Native' string key", () => {
    assertAt(source, ['handleConversion.net.Native.send'], undefined, 'return sendFirst');
    assertAt(source, ['handleConversion.net.Native.got'], undefined, 'gotFirst');
  });
  it('finds class constructors, methods and static methods', () => {
    assertAt(source, ['Server'], undefined, 'constructorFirst');
    assertAt(source, ['Server.prototype.listen'], undefined, 'listenFirst');
    assertAt(source, ['Server.create'], undefined, 'createFirst');
  });
  it('finds an assignment to a this.x.y chain inside its function', () =>
    assertAt(source, ['ChildProcess', 'this._handle.onexit'], undefined, 'handleExitFirst'));
  it("names a callback by its call and first string argument", () =>
    assertAt(source, ["worker.process.once('exit')"], undefined, 'exitFirst'));
  it('names a callback with no string argument by its callee', () => assertAt(source, ['handle.add()'], undefined, 'addFirst'));
});

describe('resolveCallSites: nested paths', () => {
  const source = [
    'function setupChannel(target) {',
    '  if (target) {',
    '    target.on("internalMessage", function(message) {',
    '      const helper = () => { deepFirst(); };',
    '      helper();',
    '    });',
    '  }',
    '  target._send = function() { sendFirst(); };',
    '}',
    'function other() {',
    '  function helper() { otherHelperFirst(); }',
    '}',
  ].join('\n');

  it('finds a nested segment at any depth inside the previous one', () => {
    assertAt(source, ['setupChannel', 'helper'], undefined, 'deepFirst');
    assertAt(source, ['setupChannel', "target.on('internalMessage')", 'helper'], undefined, 'deepFirst');
    assertAt(source, ['setupChannel', 'target._send'], undefined, 'sendFirst');
  });
  it('looks only inside the previous segment', () => assertAt(source, ['other', 'helper'], undefined, 'otherHelperFirst'));
  it('reports a function not inside the previous segment', () =>
    assertReason(source, ['other', 'target._send'], undefined, /function `target\._send` not found in `other`/));
});

describe('resolveCallSites: statement patterns', () => {
  const source = [
    'function onmessage(message, handle) {',
    "  if (message.act === 'newconn')",
    '    onconnection(message, handle);',
    "  else if (message.act === 'disconnect')",
    '    _disconnect.call(worker, true);',
    '  later(() => { nestedOnly(1); });',
    '  for (const item of list) {',
    '    if (item) {',
    '      deep( item ,',
    '        /* a comment */ 2);',
    '    }',
    '  }',
    '  const value = compute(1);',
    '  twice(1);',
    '  twice(1);',
    '}',
  ].join('\n');

  it('picks the innermost statement that contains the pattern', () => {
    assertAt(source, ['onmessage'], 'onconnection(', 'onconnection(message');
    assertAt(source, ['onmessage'], '_disconnect', '_disconnect.call');
    assertAt(source, ['onmessage'], "message.act === 'disconnect'", "if (message.act === 'disconnect')");
  });
  it('compares without white space and comments', () => assertAt(source, ['onmessage'], 'deep(item, 2)', 'deep( item'));
  it('takes the start of a declaration statement', () => assertAt(source, ['onmessage'], 'compute(1)', 'const value'));
  it('ignores statements of nested functions', () =>
    assertReason(source, ['onmessage'], 'nestedOnly(', /statement pattern `nestedOnly\(` not found in function `onmessage`/));
  it('matches the nested call itself, not the statements inside its callback', () =>
    assertAt(source, ['onmessage'], 'later(', 'later('));
  it('reports a pattern that matches several statements, with their lines', () =>
    assertReason(source, ['onmessage'], 'twice(1)', /ambiguous: .*2 statements.*node:mod:14, node:mod:15/));
  it('reports a pattern that is nowhere in the function', () =>
    assertReason(source, ['onmessage'], 'absent(', /statement pattern `absent\(` not found/));
});

describe('resolveCallSites: failures', () => {
  const source = ['function listenOnPrimaryHandle() { a(); }', 'function twin() { b(); }', 'obj.twin = function() { c(); };'].join('\n');

  it('reports a module missing from the sources', () => {
    const [resolution] = resolveCallSites(new Map(), [site('internal/cluster/primary', ['online'])]);
    assert.ok(resolution && !resolution.resolved);
    if (resolution && !resolution.resolved) assert.match(resolution.reason, /node:internal\/cluster\/primary is not among the sources/);
  });
  it('reports a missing function and names close ones', () =>
    assertReason(source, ['listenOnMasterHandle'], undefined, /function `listenOnMasterHandle` not found in module node:mod \(close names: `listenOnPrimaryHandle`\)/));
  it('reports functions of the same name as ambiguous, with their lines', () => {
    const twins = 'function twin() { a(); }\nif (x) { var twin = function() { b(); }; }';
    assertReason(twins, ['twin'], undefined, /ambiguous: 2 functions named `twin` in module node:mod, at node:mod:1, node:mod:2/);
  });
  it('does not confuse a bare name with a member chain of the same last word', () =>
    assertAt(source, ['twin'], undefined, 'b()'));
  it('reports a module that does not parse', () =>
    assertReason('function broken( {', ['broken'], undefined, /node:mod could not be parsed/));
  it('never drops a site and keeps their order', () => {
    const sites = [site('mod', ['missing']), site('absent', ['x']), site('mod', ['twin']), site('mod', ['twin'], 'nothing')];
    const resolutions = resolveCallSites(new Map([['mod', source]]), sites);
    assert.deepEqual(
      resolutions.map((resolution) => [resolution.site.id, resolution.resolved]),
      sites.map((input) => [input.id, input === sites[2]]),
    );
  });
});
