// The catalogue against real Node binaries: every call site resolves inside the function it names,
// and every capture and filter uses only names V8's debug-evaluate can see in that frame.
// Binaries: CLUSTER_TOUR_TEST_NODES (colon-separated paths), or the Node running the tests.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseExpressionAt, type Expression, type Node } from 'acorn';
import { ClusterTourError } from '../../src/common/errors';
import { derivedStages, perConnectionStages, presetIds, stageNames, type StageDetails, type StageName } from '../../src/common/stages';
import type { CallSite } from '../../src/cluster/callSites/callSite';
import { callSites } from '../../src/cluster/callSites/callSites';
import { childNodes, isFunctionNode, type FunctionNode } from '../../src/cluster/callSites/functionIndex';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';

const nodes = (process.env.CLUSTER_TOUR_TEST_NODES ?? process.execPath).split(':').filter((entry) => entry !== '');

/** The keys each stage's detail has in stages.ts; a capture must produce exactly these. */
const detailKeys: { [S in StageName]: ReadonlyArray<keyof StageDetails[S]> } = {
  fork: ['workerId'],
  online: ['workerId', 'workerPid'],
  'listen-requested': ['address', 'port', 'addressType'],
  'query-server': ['workerId', 'address', 'port', 'addressType'],
  'handle-created': ['kind', 'key', 'address', 'port'],
  listening: ['workerId', 'address', 'port'],
  accepted: ['seq', 'fd'],
  'newconn-sent': ['seq', 'workerId', 'fd', 'handleType'],
  'newconn-received': ['seq', 'fd'],
  connection: ['seq'],
  disconnect: ['workerId', 'side', 'step'],
  // `neverDisconnected` is the controller's (handoffWatch.ts), not the process's.
  exit: ['workerId', 'code', 'signal', 'disconnected', 'handleUnacknowledged'],
  'handoff-lost': ['workerId', 'seq', 'fd'],
};

/** Parses `text` as exactly one expression; the parentheses around an object literal are dropped. */
function parseWhole(text: string): Expression {
  const expression = parseExpressionAt(text, 0, { ecmaVersion: 'latest', preserveParens: true });
  assert.equal(text.slice(expression.end).trim(), '', `trailing text after the expression in ${text}`);
  return expression.type === 'ParenthesizedExpression' ? expression.expression : expression;
}

/**
 * Identifiers `node` reads or binds, leaving out property names and object keys. Functions inside
 * `node` are skipped: their own names are not visible in the frame being evaluated.
 */
function referencedNames(node: Node, names = new Set<string>()): Set<string> {
  if (node.type === 'Identifier') names.add((node as unknown as { name: string }).name);
  const fields = node as unknown as { property?: Node; key?: Node; computed?: boolean; shorthand?: boolean };
  for (const child of childNodes(node)) {
    if (isFunctionNode(child)) continue;
    const isPropertyName = node.type === 'MemberExpression' && child === fields.property && !fields.computed;
    const isObjectKey = node.type === 'Property' && child === fields.key && !fields.computed && !fields.shorthand;
    if (!isPropertyName && !isObjectKey) referencedNames(child, names);
  }
  return names;
}

/** What the function itself names: its parameters and its own code, and where its variables are declared. */
function ownNames(fn: FunctionNode): { names: Set<string>; declaredAt: Map<string, number>; parameters: Set<string> } {
  const parameters = new Set<string>();
  for (const parameter of fn.params) referencedNames(parameter, parameters);
  const names = referencedNames(fn.body, new Set(parameters));
  const declaredAt = new Map<string, number>();
  const visit = (node: Node): void => {
    if (isFunctionNode(node)) return;
    if (node.type === 'VariableDeclarator') {
      for (const name of referencedNames((node as unknown as { id: Node }).id)) {
        if (!declaredAt.has(name)) declaredAt.set(name, node.start);
      }
    }
    for (const child of childNodes(node)) visit(child);
  };
  visit(fn.body);
  return { names, declaredAt, parameters };
}

/** Names of the internal-module wrapper: unreliable inside a paused internal frame, use `globalThis.*`. */
const wrapperNames = ['process', 'require', 'module', 'exports', 'internalBinding', 'primordials'];

/** Names a module takes from `primordials` (`const { Symbol, ArrayIsArray } = primordials`). */
function primordialNames(program: Node): Set<string> {
  const names = new Set<string>();
  for (const statement of childNodes(program)) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const declarator of (statement as unknown as { declarations: Array<{ id: Node; init: Node | null }> }).declarations) {
      if (declarator.init?.type === 'Identifier' && (declarator.init as unknown as { name: string }).name === 'primordials') {
        referencedNames(declarator.id, names);
      }
    }
  }
  return names;
}

function containsFunction(node: Node): boolean {
  return isFunctionNode(node) || childNodes(node).some(containsFunction);
}

/** The innermost function whose source range holds `offset`. */
function functionAt(program: Node, offset: number): FunctionNode | null {
  let found: FunctionNode | null = null;
  const visit = (node: Node): void => {
    if (offset < node.start || offset >= node.end) return;
    if (isFunctionNode(node)) found = node;
    for (const child of childNodes(node)) visit(child);
  };
  visit(program);
  return found;
}

function offsetOf(source: string, lineNumber: number, columnNumber: number): number {
  const lines = source.split('\n');
  return lines.slice(0, lineNumber).reduce((total, line) => total + line.length + 1, 0) + columnNumber;
}

/** The last segment's own word, as its function's first line must show it: `distribute`, `once('exit'`. */
function headerWord(site: CallSite): string {
  const last = site.functionPath[site.functionPath.length - 1] ?? '';
  const call = /([\w$]+\('[^']*')\)$/.exec(last);
  if (call?.[1]) return call[1].replace(/'/g, '');
  return last.slice(last.lastIndexOf('.') + 1);
}

describe('call site catalogue', () => {
  it('has unique ids', () => {
    const ids = callSites.map((site) => site.id);
    assert.deepEqual(ids.filter((id, index) => ids.indexOf(id) !== index), []);
  });
  it('covers every stage and every preset', () => {
    for (const stage of stageNames.filter((name) => !derivedStages.includes(name))) {
      assert.ok(callSites.some((site) => site.stage === stage), `no call site for stage ${stage}`);
    }
    for (const preset of presetIds) assert.ok(callSites.some((site) => site.presets.includes(preset)), `no call site in preset ${preset}`);
  });
  it('gives every tracepoint a capture of exactly its stage detail', () => {
    for (const site of callSites.filter((entry) => entry.tracking === 'tracepoint')) {
      assert.ok(site.capture, `${site.id} is a tracepoint without a capture`);
      const expression = parseWhole(site.capture);
      assert.equal(expression.type, 'ObjectExpression', `${site.id}: capture must be an object literal`);
      const keys = (expression as unknown as { properties: Array<{ key: { name?: string } }> }).properties.map((property) => property.key.name);
      assert.deepEqual([...keys].sort(), [...detailKeys[site.stage]].sort(), `${site.id}: capture keys`);
    }
  });
  it('tracks exactly the per-connection stages with hooks, at most one hook per stage', () => {
    const hooked = callSites.filter((site) => site.tracking === 'hook').map((site) => site.stage);
    assert.deepEqual([...hooked].sort(), [...perConnectionStages].sort());
  });
  it('records every other stage with at least one tracepoint', () => {
    for (const stage of stageNames.filter((name) => !perConnectionStages.includes(name) && !derivedStages.includes(name))) {
      assert.ok(callSites.some((site) => site.stage === stage && site.tracking === 'tracepoint'), `no tracepoint for ${stage}`);
    }
  });
});

for (const executable of nodes) {
  describe(`call sites on ${executable}`, async () => {
    const node = await readNodeSources(executable, callSiteModules(callSites));
    const resolutions = resolveCallSites(node.sources);
    const programs = new Map([...node.sources].map(([id, source]) => [id, parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true })]));

    it(`reads the sources of ${node.version}`, () => {
      for (const id of callSiteModules(callSites)) assert.ok(node.sources.has(id), `${node.version} lacks ${id}`);
    });

    for (const resolution of resolutions) {
      const site = resolution.site;
      it(`${site.id} (${node.version})`, () => {
        assert.ok(resolution.resolved, `${site.id} did not resolve on ${node.version}: ${resolution.resolved ? '' : resolution.reason}`);
        const source = node.sources.get(site.module) ?? '';
        const program = programs.get(site.module);
        assert.ok(program);
        const offset = offsetOf(source, resolution.lineNumber, resolution.columnNumber);
        const fn = functionAt(program, offset);
        assert.ok(fn, `${site.id}: line ${resolution.lineNumber + 1} is not inside any function`);
        // Independent of the resolver's naming: the function's first line shows the name's last word.
        const headerLine = source.slice(source.lastIndexOf('\n', fn.start) + 1, source.indexOf('\n', fn.start));
        assert.ok(headerLine.replace(/\s+|'/g, '').includes(headerWord(site)), `${site.id}: resolved into a function starting "${headerLine.trim()}"`);
        if (site.statement !== undefined) {
          const rest = source.slice(offset, fn.end).replace(/\s+/g, '');
          assert.ok(rest.includes(site.statement.replace(/\s+/g, '')), `${site.id}: the statement is not at the resolved line`);
        }

        const { names, declaredAt, parameters } = ownNames(fn);
        for (const [label, text] of [['capture', site.capture], ['filter', site.filter]] as const) {
          if (text === undefined) continue;
          const expression = parseWhole(text);
          assert.ok(!containsFunction(expression), `${site.id}: ${label} may not define functions`);
          for (const name of referencedNames(expression)) {
            if (name === 'globalThis') continue;
            const wrapperOrPrimordial = wrapperNames.includes(name) || primordialNames(program).has(name);
            assert.ok(!wrapperOrPrimordial, `${site.id}: ${label} uses \`${name}\`, a module-wrapper or primordials name: use globalThis`);
            assert.ok(names.has(name), `${site.id}: ${label} uses \`${name}\`, which the function does not name (debug-evaluate cannot see it)`);
            const declared = declaredAt.get(name);
            const readable = parameters.has(name) || declared === undefined || declared < offset;
            assert.ok(readable, `${site.id}: ${label} reads \`${name}\` before it is declared`);
          }
        }
      });
    }
  });
}

describe('readNodeSources refusals', () => {
  it('refuses a missing executable with E_RUNTIME_NOT_FOUND', async () => {
    const missing = path.join(tmpdir(), 'cluster-tour-no-such-node', 'node');
    await assert.rejects(readNodeSources(missing, ['net']), (error: unknown) => {
      assert.ok(error instanceof ClusterTourError);
      assert.equal(error.code, 'E_RUNTIME_NOT_FOUND');
      assert.match(error.message, /cluster-tour-no-such-node/);
      return true;
    });
  });

  it('refuses a Node older than 18 with E_NODE_TOO_OLD', async () => {
    // A FAKE node: a shell script that answers like a v16 binary would. Only for this refusal.
    const directory = await mkdtemp(path.join(tmpdir(), 'cluster-tour-fake-node-'));
    const fakeNode = path.join(directory, 'fake-node-v16');
    await writeFile(fakeNode, '#!/bin/sh\nprintf \'{"version":"v16.20.0","sources":{}}\'\n');
    await chmod(fakeNode, 0o755);
    try {
      await assert.rejects(readNodeSources(fakeNode, ['net']), (error: unknown) => {
        assert.ok(error instanceof ClusterTourError);
        assert.equal(error.code, 'E_NODE_TOO_OLD');
        assert.match(error.message, /Node 18 and newer; .*fake-node-v16 is v16\.20\.0/);
        return true;
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reads a binary once: a second launch spawns nothing', async () => {
    const first = await readNodeSources(process.execPath, ['net']);
    const second = await readNodeSources(process.execPath, ['net']);
    assert.equal(second, first);
    assert.match(first.version, /^v\d+\./);
  });
});
