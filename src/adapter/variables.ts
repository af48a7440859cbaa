// Variables for the debug adapter: variablesReference ↔ a remote object in one process, values
// shown as people expect, and large arrays paged (indexed/named counts, start/count).
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RemoteObject } from '../cdp/protocol';
import { ClusterTourError } from '../common/errors';
import type { DebugOperations } from '../cluster/session/debugOperations';

interface ObjectHandle {
  pid: number;
  objectId: string;
  /** Arrays and typed arrays: their length, for paging. */
  length?: number;
  /** Shown first: a scope's `this`. */
  extras?: ReadonlyArray<readonly [string, RemoteObject]>;
}

/** Copies `count` elements from `start` into a plain object, so that one page is one request. */
const slice = `function (start, count) {
  const page = Object.create(null);
  const end = Math.min(this.length, start + count);
  for (let index = start; index < end; index++) page[index] = this[index];
  return page;
}`;

const isIndex = (name: string): boolean => /^(0|[1-9]\d*)$/.test(name);

export class VariableTable {
  private readonly handles = new Map<number, ObjectHandle>();
  private nextReference = 1;

  /** A reference for an object of a process; 0 for values with nothing inside. */
  reference(pid: number, object: RemoteObject): number {
    if (!object.objectId || (object.type !== 'object' && object.type !== 'function') || object.subtype === 'null') {
      return 0;
    }
    const reference = this.nextReference++;
    this.handles.set(reference, { pid, objectId: object.objectId, length: arrayLength(object) });
    return reference;
  }

  /** A reference for a scope; the local scope also shows the frame's `this`. */
  scope(pid: number, object: RemoteObject, thisObject?: RemoteObject): number {
    const reference = this.reference(pid, object);
    const handle = this.handles.get(reference);
    if (handle && thisObject && thisObject.type !== 'undefined') {
      handle.extras = [['this', thisObject]];
    }
    return reference;
  }

  handle(reference: number): ObjectHandle {
    const handle = this.handles.get(reference);
    if (!handle) {
      throw new ClusterTourError('E_STALE_VARIABLE', 'This value belongs to a pause that has ended: pause again to inspect it.');
    }
    return handle;
  }

  /** Forgets a process's objects (it resumed: the inspector's object ids no longer hold). */
  clear(pid: number): void {
    for (const [reference, handle] of this.handles) {
      if (handle.pid === pid) {
        this.handles.delete(reference);
      }
    }
  }

  /** A DAP variable for a value, with a reference and paging counts when it has children. */
  variable(pid: number, name: string, object: RemoteObject, evaluateName?: string): DebugProtocol.Variable {
    const variablesReference = this.reference(pid, object);
    const length = arrayLength(object);
    return {
      name,
      value: describe(object),
      type: object.subtype ?? object.type,
      variablesReference,
      evaluateName,
      indexedVariables: length !== undefined && variablesReference !== 0 ? length : undefined,
    };
  }

  async children(operations: DebugOperations, args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const handle = this.handle(args.variablesReference);
    if (args.filter === 'indexed' && handle.length !== undefined) {
      const start = args.start ?? 0;
      const count = args.count ?? handle.length - start;
      const page = await operations.callFunctionOn(handle.objectId, slice, [start, count]);
      if (!page.result.objectId) {
        return [];
      }
      return this.properties(handle.pid, operations, page.result.objectId, () => true);
    }
    const keep = handle.length !== undefined ? (name: string) => !isIndex(name) : () => true;
    const extras = (handle.extras ?? []).map(([name, object]) => this.variable(handle.pid, name, object, name));
    return [...extras, ...(await this.properties(handle.pid, operations, handle.objectId, keep))];
  }

  private async properties(pid: number, operations: DebugOperations, objectId: string, keep: (name: string) => boolean): Promise<DebugProtocol.Variable[]> {
    const answer = await operations.getProperties(objectId);
    const variables: DebugProtocol.Variable[] = [];
    for (const property of answer.result) {
      if (!keep(property.name)) {
        continue;
      }
      if (property.value) {
        variables.push(this.variable(pid, property.name, property.value));
      } else if (property.get || property.set) {
        variables.push({ name: property.name, value: '(accessor)', variablesReference: 0 });
      }
    }
    for (const property of answer.internalProperties ?? []) {
      // Map and Set entries, a function's target, a promise's state; not the closure scopes.
      if (property.value && property.name !== '[[Scopes]]') {
        variables.push(this.variable(pid, property.name, property.value));
      }
    }
    return variables;
  }
}

function arrayLength(object: RemoteObject): number | undefined {
  if (object.subtype !== 'array' && object.subtype !== 'typedarray') {
    return undefined;
  }
  const match = /\((\d+)\)$/.exec(object.description ?? '');
  return match ? Number(match[1]) : undefined;
}

/** How a value reads in the Variables view. */
export function describe(object: RemoteObject): string {
  switch (object.type) {
    case 'string':
      return JSON.stringify(object.value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return object.subtype === 'null' ? 'null' : (object.description ?? 'Object');
    case 'function':
      return (object.description ?? 'function').split('\n')[0];
    default:
      return object.unserializableValue ?? object.description ?? String(object.value);
  }
}
