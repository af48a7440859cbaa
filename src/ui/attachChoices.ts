// The rows of the Attach to Cluster… picker, from the listed node processes: a short command
// line, pid, workers and inspector, and which pid picking the row attaches to. No vscode here, so
// unit tests can check the wording; attachCommand.ts turns the rows into QuickPickItems.
import * as path from 'node:path';
import type { NodeProcess } from '../cluster/attach/nodeProcesses';
import { scriptOf } from '../cluster/attach/nodeCommandLine';

export interface AttachChoice {
  /** `primaries` (with workers), `workers` (inside the primary before them) or `others`. */
  section: 'primaries' | 'workers' | 'others';
  label: string;
  description: string;
  /** The working folder. */
  detail: string;
  /** The pid the debug session attaches to: a worker's row attaches to its primary. */
  processId: number;
}

const longestCommandLine = 70;

/** Primaries first, each followed by its workers, then every other node process. */
export function attachChoices(processes: readonly NodeProcess[]): AttachChoice[] {
  const choices: AttachChoice[] = [];
  for (const each of processes) {
    const primary = each.workers.length > 0;
    choices.push({
      section: primary ? 'primaries' : 'others',
      label: shortCommandLine(each.args, each.cwd),
      description: describeProcess(each),
      detail: each.cwd ?? '',
      processId: each.pid,
    });
    for (const worker of each.workers) {
      choices.push({
        section: 'workers',
        label: `↳ worker ${worker.workerId} (pid ${worker.pid})`,
        description: `picking it attaches to its primary, pid ${each.pid}, and all its workers`,
        detail: worker.cwd ?? '',
        processId: each.pid,
      });
    }
  }
  return choices;
}

/**
 * `pid 1234 · 2 workers · inspector 127.0.0.1:9229`, or `· no inspector (will open one with
 * SIGUSR1)`, and a hint when the running workers cannot be reached.
 */
export function describeProcess(process: NodeProcess): string {
  const parts = [`pid ${process.pid}`];
  if (process.workers.length > 0) {
    parts.push(process.workers.length === 1 ? '1 worker' : `${process.workers.length} workers`);
  }
  if (process.workerId !== undefined) {
    parts.push(`cluster worker ${process.workerId} of pid ${process.ppid}`);
  }
  parts.push(process.inspector ? `inspector ${process.inspector.host}:${process.inspector.port}` : 'no inspector (will open one with SIGUSR1)');
  if (process.workers.length > 0 && !process.inspectorOptions && !process.inspector) {
    // Its workers share the primary's SIGUSR1 port (9229): only workers forked later are reached.
    parts.push('running workers unreachable: start it with --inspect-port=9300');
  }
  return parts.join(' · ');
}

/**
 * `node app.js --port 3000`: the binary's name instead of its path, the script relative to the
 * working folder when it lies inside, and at most 70 characters (an ellipsis ends a longer one).
 */
export function shortCommandLine(args: readonly string[], cwd: string | undefined): string {
  if (args.length === 0) {
    return 'node';
  }
  const script = scriptOf(args);
  const words = args.map((word, index) => {
    if (index === 0) {
      return path.basename(word);
    }
    if (word === script && cwd !== undefined && path.isAbsolute(word)) {
      const relative = path.relative(cwd, word);
      return relative.startsWith('..') || path.isAbsolute(relative) ? word : relative;
    }
    return word;
  });
  const line = words.join(' ');
  return line.length <= longestCommandLine ? line : `${line.slice(0, longestCommandLine - 1)}…`;
}
