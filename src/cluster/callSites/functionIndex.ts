// Names every function of a parsed module the way call sites name them (see CallSite.functionPath),
// so the resolver can look functions up by name instead of by line. Pure: acorn nodes in, records out.
import type * as acorn from 'acorn';

export type FunctionNode = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;

/** One function of a module with every name the source gives it. */
export interface IndexedFunction {
  names: string[];
  node: FunctionNode;
  /** The nearest function this one is written inside, or null at module level. */
  enclosing: IndexedFunction | null;
}

/** A node seen as a bag of fields, for walking without a visitor per node type. */
type NodeFields = acorn.Node & Record<string, unknown>;

const positionKeys = new Set(['type', 'start', 'end', 'loc', 'range']);

export function isFunctionNode(node: acorn.Node): node is FunctionNode {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression'
  );
}

function isNode(value: unknown): value is acorn.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The direct child nodes of a node, in source order. */
export function childNodes(node: acorn.Node): acorn.Node[] {
  const children: acorn.Node[] = [];
  for (const [key, value] of Object.entries(node as NodeFields)) {
    if (positionKeys.has(key)) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) children.push(item);
    } else if (isNode(value)) {
      children.push(value);
    }
  }
  return children.sort((left, right) => left.start - right.start);
}

/**
 * `a.b.c`, `this.x.y`, `a['b']` (normalised to `a.b`), `a?.b`; null for anything computed at run time.
 */
export function memberChainText(node: acorn.Node): string | null {
  switch (node.type) {
    case 'Identifier':
      return (node as acorn.Identifier).name;
    case 'ThisExpression':
      return 'this';
    case 'Super':
      return 'super';
    case 'ChainExpression':
      return memberChainText((node as acorn.ChainExpression).expression);
    case 'MemberExpression': {
      const member = node as acorn.MemberExpression;
      const objectText = memberChainText(member.object);
      const propertyText = propertyName(member.property, member.computed);
      return objectText === null || propertyText === null ? null : `${objectText}.${propertyText}`;
    }
    default:
      return null;
  }
}

/** The name of an object key or member property, when it is known without running the code. */
function propertyName(key: acorn.Node, computed: boolean): string | null {
  if (key.type === 'PrivateIdentifier') return `#${(key as acorn.PrivateIdentifier).name}`;
  if (key.type === 'Identifier' && !computed) return (key as acorn.Identifier).name;
  if (key.type === 'Literal') {
    const value = (key as acorn.Literal).value;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  if (key.type === 'TemplateLiteral' && computed) {
    const template = key as acorn.TemplateLiteral;
    if (template.expressions.length === 0) return template.quasis[0]?.value.cooked ?? null;
  }
  return null;
}

/** The name an expression gets from where its value is stored: a variable, a member chain or an object path. */
function storageNames(value: acorn.Node, ancestors: readonly acorn.Node[]): string[] {
  const parent = ancestors[ancestors.length - 1];
  if (parent === undefined) return [];
  const above = ancestors.slice(0, -1);
  if (parent.type === 'VariableDeclarator') {
    const declarator = parent as acorn.VariableDeclarator;
    return declarator.init === value && declarator.id.type === 'Identifier' ? [declarator.id.name] : [];
  }
  if (parent.type === 'AssignmentExpression') {
    const assignment = parent as acorn.AssignmentExpression;
    if (assignment.right !== value) return [];
    const target = memberChainText(assignment.left);
    // `a = b = function () {}` names the function after both targets.
    return [...(target === null ? [] : [target]), ...storageNames(parent, above)];
  }
  if (parent.type === 'Property' && (parent as acorn.Property).value === value) {
    const property = parent as acorn.Property;
    const key = propertyName(property.key, property.computed);
    const objectLiteral = above[above.length - 1];
    if (key === null || objectLiteral === undefined) return [];
    const prefixes = storageNames(objectLiteral, above.slice(0, -1));
    return prefixes.length === 0 ? [key] : prefixes.map((prefix) => `${prefix}.${key}`);
  }
  return [];
}

/** The name of a class, from its declaration or from where a class expression is stored. */
function className(classNode: acorn.Node, ancestors: readonly acorn.Node[]): string | null {
  const declared = (classNode as acorn.Class).id;
  if (declared) return declared.name;
  return storageNames(classNode, ancestors)[0] ?? null;
}

/** Every name the source gives the function at the end of `ancestors` (its parent chain, outermost first). */
function functionNames(fn: FunctionNode, ancestors: readonly acorn.Node[]): string[] {
  const names: string[] = [];
  if (fn.type !== 'ArrowFunctionExpression' && fn.id) names.push(fn.id.name);
  names.push(...storageNames(fn, ancestors));

  const parent = ancestors[ancestors.length - 1];
  if (parent?.type === 'MethodDefinition') {
    const method = parent as acorn.MethodDefinition;
    const classNode = ancestors[ancestors.length - 3];
    const owner = classNode === undefined ? null : className(classNode, ancestors.slice(0, -3));
    const key = propertyName(method.key, method.computed);
    if (owner !== null && key !== null) {
      if (method.kind === 'constructor') names.push(owner);
      else names.push(method.static ? `${owner}.${key}` : `${owner}.prototype.${key}`);
    }
  }
  if (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') {
    const call = parent as acorn.CallExpression | acorn.NewExpression;
    const callee = memberChainText(call.callee);
    if (callee !== null && call.arguments.includes(fn as acorn.Expression)) {
      // A callback is named by its call: `worker.process.once('exit')`, or `handle.add()` without a string.
      const first = call.arguments[0];
      const label = first?.type === 'Literal' && typeof first.value === 'string' ? first.value : null;
      names.push(label === null ? `${callee}()` : `${callee}('${label}')`);
    }
  }
  return [...new Set(names)];
}

/** Every function of the program, outer functions before the functions written inside them. */
export function indexFunctions(program: acorn.Program): IndexedFunction[] {
  const functions: IndexedFunction[] = [];
  const ancestors: acorn.Node[] = [];

  function visit(node: acorn.Node, enclosing: IndexedFunction | null): void {
    let inside = enclosing;
    if (isFunctionNode(node)) {
      inside = { names: functionNames(node, ancestors), node, enclosing };
      functions.push(inside);
    }
    ancestors.push(node);
    for (const child of childNodes(node)) visit(child, inside);
    ancestors.pop();
  }

  visit(program, null);
  return functions;
}

/** True when `inner` is written somewhere inside `outer` (at any depth). */
export function isInside(inner: IndexedFunction, outer: IndexedFunction): boolean {
  for (let current = inner.enclosing; current !== null; current = current.enclosing) {
    if (current === outer) return true;
  }
  return false;
}
