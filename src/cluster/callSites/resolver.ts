// Turns call sites (data: a module, a function path, a statement pattern) into 0-based lines and
// columns of one Node's own library source. Pure: no I/O; one bad site never hides the others.
import { parse, type Node, type Program } from 'acorn';
import type { CallSite, CallSiteResolution } from './callSite';
import { callSites as catalogue } from './callSites';
import { childNodes, indexFunctions, isFunctionNode, isInside, type IndexedFunction } from './functionIndex';

interface ParsedModule {
  source: string;
  program: Program;
  functions: IndexedFunction[];
  /** Source ranges of comments, left out when statement text is compared with a pattern. */
  comments: Array<[number, number]>;
}

type Located = { found: true; line: number; column: number } | { found: false; reason: string };

/** Statements a pattern may name; a block is never chosen itself (one of its statements is). */
const statementTypes = new Set([
  'ExpressionStatement', 'VariableDeclaration', 'ReturnStatement', 'IfStatement', 'ForStatement',
  'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement', 'TryStatement',
  'ThrowStatement', 'SwitchStatement', 'LabeledStatement', 'BreakStatement', 'ContinueStatement',
  'ClassDeclaration', 'FunctionDeclaration', 'EmptyStatement', 'DebuggerStatement',
]);

const removeWhiteSpace = (text: string): string => text.replace(/\s+/g, '');

/**
 * Bump when a change here (or in functionIndex.ts) can move or fail a resolution: resolutions
 * cached on disk (callSiteCache.ts) are used only with the revision they were made with.
 */
export const resolverRevision = 1;

export function resolveCallSites(
  sources: ReadonlyMap<string, string>,
  sites: readonly CallSite[] = catalogue,
): CallSiteResolution[] {
  const parsed = new Map<string, ParsedModule | string>();
  return sites.map((site): CallSiteResolution => {
    const source = sources.get(site.module);
    if (source === undefined) {
      return { resolved: false, site, reason: `module node:${site.module} is not among the sources read from this Node` };
    }
    let module = parsed.get(site.module);
    if (module === undefined) {
      module = parseModule(site.module, source);
      parsed.set(site.module, module);
    }
    if (typeof module === 'string') return { resolved: false, site, reason: module };
    try {
      const located = locate(site, module);
      return located.found
        ? { resolved: true, site, url: `node:${site.module}`, lineNumber: located.line, columnNumber: located.column }
        : { resolved: false, site, reason: located.reason };
    } catch (error) {
      // A resolver bug on one site must not hide the others: report it as that site's reason.
      return { resolved: false, site, reason: `internal error while resolving: ${String(error)}` };
    }
  });
}

/** Parses one module, or returns why it could not be parsed. */
function parseModule(moduleId: string, source: string): ParsedModule | string {
  const comments: Array<[number, number]> = [];
  try {
    const program = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowReturnOutsideFunction: true,
      allowHashBang: true,
      locations: true,
      onComment: (_block: boolean, _text: string, start: number, end: number) => comments.push([start, end]),
    });
    return { source, program, functions: indexFunctions(program), comments };
  } catch (error) {
    return `node:${moduleId} could not be parsed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function lineOf(node: Node): number {
  return node.loc ? node.loc.start.line : 0;
}

function locate(site: CallSite, module: ParsedModule): Located {
  if (site.functionPath.length === 0) return { found: false, reason: 'the call site has an empty function path' };
  let outer: IndexedFunction | null = null;
  for (const [depth, name] of site.functionPath.entries()) {
    const pool: IndexedFunction[] = module.functions.filter((fn) => outer === null || isInside(fn, outer));
    const named = pool.filter((fn) => fn.names.includes(name));
    // A path's first name may also name a callback deep inside (net's `function connect` and the
    // `once('connect', function connect() {})` in `_writeGeneric`): the module-level one is meant.
    const moduleLevel: IndexedFunction[] = outer === null ? named.filter((fn) => fn.enclosing === null) : [];
    const matches: IndexedFunction[] = moduleLevel.length === 1 ? moduleLevel : named;
    const where: string = outer === null ? `module node:${site.module}` : `\`${site.functionPath.slice(0, depth).join(' > ')}\``;
    if (matches.length === 0) {
      const close = closeNames(name, pool);
      const hint = close.length === 0 ? '' : ` (close names: ${close.map((text) => `\`${text}\``).join(', ')})`;
      return { found: false, reason: `function \`${name}\` not found in ${where}${hint}` };
    }
    if (matches.length > 1) {
      const lines = matches.map((fn) => `node:${site.module}:${lineOf(fn.node)}`).join(', ');
      return { found: false, reason: `ambiguous: ${matches.length} functions named \`${name}\` in ${where}, at ${lines}` };
    }
    outer = matches[0] ?? null;
  }
  if (outer === null) return { found: false, reason: 'the call site has an empty function path' };
  return locateStatement(site, module, outer.node);
}

/** The statement to stop at inside `fn`: the innermost one containing the pattern, or the first one. */
function locateStatement(site: CallSite, module: ParsedModule, fn: IndexedFunction['node']): Located {
  const body = fn.body;
  if (site.statement === undefined) {
    const first = body.type === 'BlockStatement' ? (body.body[0] ?? body) : body;
    return positionOf(first);
  }
  const pattern = removeWhiteSpace(site.statement);
  if (pattern === '') return { found: false, reason: 'the statement pattern is empty' };

  const statements = ownStatements(body);
  const excluded = [...module.comments, ...nestedFunctionBodies(body)];
  const containing = statements.filter((node) => removeWhiteSpace(textWithout(module.source, node, excluded)).includes(pattern));
  const innermost = containing.filter(
    (node) => !containing.some((other) => other !== node && other.start >= node.start && other.end <= node.end),
  );
  const name = site.functionPath.join(' > ');
  if (innermost.length === 0) {
    return { found: false, reason: `statement pattern \`${site.statement}\` not found in function \`${name}\` of node:${site.module}` };
  }
  if (innermost.length > 1) {
    const lines = innermost.map((node) => `node:${site.module}:${lineOf(node)}`).join(', ');
    return { found: false, reason: `ambiguous: statement pattern \`${site.statement}\` matches ${innermost.length} statements of \`${name}\`, at ${lines}` };
  }
  const [statement] = innermost;
  return statement === undefined ? { found: false, reason: 'no statement' } : positionOf(statement);
}

function positionOf(node: Node): Located {
  if (!node.loc) return { found: false, reason: 'the parser gave no location (internal error)' };
  return { found: true, line: node.loc.start.line - 1, column: node.loc.start.column };
}

/** Statements of a function body, at any depth, but not those of functions written inside it. */
function ownStatements(body: Node): Node[] {
  const statements: Node[] = [];
  const visit = (node: Node, parent: Node | null): void => {
    if (isFunctionNode(node)) return;
    // `const x` in `for (const x of ...)` is part of the loop, not a statement one can stop at.
    const isLoopHead = parent !== null && parent.type.startsWith('For') && node.type === 'VariableDeclaration';
    if (statementTypes.has(node.type) && !isLoopHead) statements.push(node);
    for (const child of childNodes(node)) visit(child, node);
  };
  for (const child of childNodes(body)) visit(child, body);
  return statements;
}

/** Ranges of the bodies of functions written inside `body`; their statements belong to those functions. */
function nestedFunctionBodies(body: Node): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const visit = (node: Node): void => {
    if (isFunctionNode(node)) {
      ranges.push([node.body.start, node.body.end]);
      return;
    }
    for (const child of childNodes(node)) visit(child);
  };
  for (const child of childNodes(body)) visit(child);
  return ranges;
}

/** The source of `node` with the `excluded` ranges cut out. */
function textWithout(source: string, node: Node, excluded: ReadonlyArray<readonly [number, number]>): string {
  const inside = excluded.filter(([start, end]) => start >= node.start && end <= node.end).sort((a, b) => a[0] - b[0]);
  let text = '';
  let cursor = node.start;
  for (const [start, end] of inside) {
    if (start < cursor) continue; // Inside a range already cut.
    text += source.slice(cursor, start);
    cursor = end;
  }
  return text + source.slice(cursor, node.end);
}

/** Names in `pool` that a person probably meant: the same last word, or a few letters apart. */
function closeNames(wanted: string, pool: readonly IndexedFunction[]): string[] {
  const lastWord = (name: string): string => {
    const callee = name.replace(/\((?:'[^']*')?\)$/, '');
    return callee.slice(callee.lastIndexOf('.') + 1).toLowerCase();
  };
  const wantedLast = lastWord(wanted);
  const close = new Set<string>();
  for (const name of pool.flatMap((fn) => fn.names)) {
    const nameLast = lastWord(name);
    const nearby = editDistance(nameLast, wantedLast) <= Math.max(1, Math.floor(wantedLast.length / 3));
    const typo = wanted.length > 6 && editDistance(name.toLowerCase(), wanted.toLowerCase()) <= 3;
    if (nearby || typo) close.add(name);
  }
  return [...close].slice(0, 5);
}

/** Levenshtein distance; names are short, so the quadratic table is fine. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
