// The Node.js processes of this user that one could attach to (Linux, /proc): each with its
// command line, folder, inspector if it has one, and its cluster workers grouped beneath it. The
// editor's own node processes (code-server, its extension hosts and language servers) are left out.
import * as path from 'node:path';
import type { InspectorAddress } from './processAttach';
import { inspectorFlagsOf, scriptOf, type InspectorFlags } from './nodeCommandLine';
import { answersAsInspector } from './processAttach';
import { allPids, argumentsOf, environmentOf, isNodeProcess, ownedLoopbackPorts, ownerOf, statOf, workingFolderOf } from '../processes/procfs';

/** One node process as /proc shows it, before grouping. */
export interface NodeProcessFacts {
  pid: number;
  ppid: number;
  /** Its argv: the node binary, node's options, the script and the script's arguments. */
  args: string[];
  cwd: string | undefined;
  /**
   * Its cluster worker id, when it is a cluster worker. cluster.fork() starts every worker with
   * NODE_UNIQUE_ID=<worker id> in its environment, and /proc/<pid>/environ keeps the environment a
   * process started with even after Node deletes the variable from process.env. NODE_CHANNEL_FD is
   * not enough: every child_process.fork() child has one.
   */
  workerId: number | undefined;
  inspector: InspectorAddress | undefined;
  /**
   * It was started with an inspector option (--inspect*, --inspect-port). Cluster gives workers
   * an inspector port only then: without one, attaching reaches only the workers forked later.
   */
  inspectorOptions: boolean;
}

export interface NodeProcess extends NodeProcessFacts {
  /** Its cluster workers, by worker id: a primary is a process that has some. */
  workers: NodeProcess[];
}

export interface ListNodeProcessesOptions {
  /** This pid and all its ancestors are left out: pass the extension host's own pid. */
  excludeAncestorsOf?: number;
  /**
   * Programs whose script lies in one of these folders are left out: pass VS Code's install
   * (vscode.env.appRoot) and the folders of installed extensions, whose language servers run on
   * node too.
   */
  excludeProgramsUnder?: readonly string[];
}

/** Node's port for an inspector that no option places elsewhere. */
const defaultInspectorPort = 9229;

/**
 * Every live node process of this user but the caller itself (and, when asked, its ancestors and
 * the editor's own processes), primaries first with their workers inside, then the others; workers
 * whose primary is left out or gone are listed on their own.
 */
export async function listNodeProcesses(options: ListNodeProcessesOptions = {}): Promise<NodeProcess[]> {
  const excluded = new Set<number>([process.pid, ...ancestorsOf(options.excludeAncestorsOf)]);
  const user = process.getuid?.();
  const found: Promise<NodeProcessFacts | undefined>[] = [];
  for (const pid of allPids()) {
    if (!excluded.has(pid) && (user === undefined || ownerOf(pid) === user)) {
      found.push(factsOf(pid, options.excludeProgramsUnder ?? []));
    }
  }
  const facts = (await Promise.all(found)).filter((each): each is NodeProcessFacts => each !== undefined);
  return groupWorkers(facts);
}

async function factsOf(pid: number, excludedFolders: readonly string[]): Promise<NodeProcessFacts | undefined> {
  const stat = statOf(pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X' || !isNodeProcess(pid).node) {
    return undefined;
  }
  const args = argumentsOf(pid);
  if (isEditorProcess(args, excludedFolders)) {
    return undefined;
  }
  const unique = environmentOf(pid).find((entry) => entry.startsWith('NODE_UNIQUE_ID='));
  const workerId = unique === undefined ? undefined : Number(unique.slice('NODE_UNIQUE_ID='.length));
  const flags = inspectorFlagsOf(pid);
  const inspector = await inspectorOf(pid, flags);
  return {
    pid,
    ppid: stat.ppid,
    args,
    cwd: workingFolderOf(pid),
    workerId: Number.isInteger(workerId) ? workerId : undefined,
    inspector,
    inspectorOptions: flags.mentionsInspector,
  };
}

function ancestorsOf(pid: number | undefined): number[] {
  const ancestors: number[] = [];
  for (let current = pid; current !== undefined && current > 1 && !ancestors.includes(current); current = statOf(current)?.ppid) {
    ancestors.push(current);
  }
  return ancestors;
}

/**
 * The inspector the process listens on now. Asking a port whether it is an inspector sends it an
 * HTTP request, and the process's other ports are the app's own: only the port its options (or
 * Node's default, 9229) point at is asked. With port 0 (`--inspect=127.0.0.1:0`,
 * `--inspect-port=0`) any port may be the inspector, so each of its ports is asked. An inspector
 * opened by `inspector.open(port)` on another port is not found; attaching opens or finds it anyway.
 */
async function inspectorOf(pid: number, flags: InspectorFlags): Promise<InspectorAddress | undefined> {
  for (const port of portsToAsk(ownedLoopbackPorts(pid), flags)) {
    if (await answersAsInspector(port)) {
      return { host: '127.0.0.1', port };
    }
  }
  return undefined;
}

/** Which of a process's listening ports to ask for an inspector; see inspectorOf. */
export function portsToAsk(ownedPorts: readonly number[], flags: Pick<InspectorFlags, 'inspectPort' | 'mentionsInspector'>): number[] {
  const expected = flags.mentionsInspector ? (flags.inspectPort ?? defaultInspectorPort) : defaultInspectorPort;
  if (expected === 0) {
    return [...ownedPorts];
  }
  return ownedPorts.includes(expected) ? [expected] : [];
}

/**
 * Whether a node command line is the editor's own: VS Code's server and its helpers (extension
 * host, pty host, file watcher — all run `out/bootstrap-fork.js --type=…`), code-server's entry,
 * or a program inside a folder the caller names (VS Code's install, extensions' language servers).
 * Only the script decides, so an app run from an editor's terminal is still listed.
 */
export function isEditorProcess(args: readonly string[], excludedFolders: readonly string[]): boolean {
  const script = scriptOf(args);
  if (args.some((word) => /^--type=(extensionHost|ptyHost|fileWatcher|watcherService)$/.test(word))) {
    return true;
  }
  if (script === undefined) {
    return false;
  }
  const normalized = script.replaceAll('\\', '/');
  if (/\/code-server\/(out|lib)\//.test(normalized) || /\/vscode(-server)?\/out\//.test(normalized) || /\/\.vscode-server(-insiders)?\//.test(normalized)) {
    return true;
  }
  return excludedFolders.some((folder) => folder !== '' && isInside(script, folder));
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Puts each cluster worker under its parent when the parent is listed (a primary), by worker id;
 * returns primaries first, then the other processes, each by pid.
 */
export function groupWorkers(facts: readonly NodeProcessFacts[]): NodeProcess[] {
  const byPid = new Map<number, NodeProcess>(facts.map((each) => [each.pid, { ...each, workers: [] }]));
  const nested = new Set<number>();
  for (const each of byPid.values()) {
    const parent = byPid.get(each.ppid);
    if (each.workerId !== undefined && parent !== undefined && parent !== each) {
      parent.workers.push(each);
      nested.add(each.pid);
    }
  }
  for (const each of byPid.values()) {
    each.workers.sort((left, right) => (left.workerId ?? 0) - (right.workerId ?? 0) || left.pid - right.pid);
  }
  const top = [...byPid.values()].filter((each) => !nested.has(each.pid));
  const primaries = top.filter((each) => each.workers.length > 0).sort((left, right) => left.pid - right.pid);
  const others = top.filter((each) => each.workers.length === 0).sort((left, right) => left.pid - right.pid);
  return [...primaries, ...others];
}
