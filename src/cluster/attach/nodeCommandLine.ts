// A Node command line read once: node's own options apart from the script (the same words for
// the inspector options of a process one attaches to and for the script the Attach list shows),
// and the inspector options among them, with NODE_OPTIONS before them.
import { argumentsOf, environmentOf } from '../processes/procfs';

/** The inspector options of a running Node process, from its NODE_OPTIONS and command line. */
export function inspectorFlagsOf(pid: number): InspectorFlags {
  const nodeOptions = environmentOf(pid).find((entry) => entry.startsWith('NODE_OPTIONS='));
  const optionWords = nodeOptions?.slice('NODE_OPTIONS='.length).split(/\s+/).filter(Boolean) ?? [];
  // Command-line options come after NODE_OPTIONS and win over them.
  return inspectorFlags([...optionWords, ...readNodeCommandLine(argumentsOf(pid)).options]);
}

/** The inspector-related options a Node process was started with. */
export interface InspectorFlags {
  /** The port of --inspect[-brk|-wait][=[host:]port], when it gives one. */
  inspectorPort?: number;
  /** The port SIGUSR1 opens: --inspect-port / --debug-port, else the --inspect port. */
  inspectPort?: number;
  sigusr1Disabled: boolean;
  /** Any of --inspect*, --inspect-port, --debug-port was given. */
  mentionsInspector: boolean;
}

function inspectorFlags(words: readonly string[]): InspectorFlags {
  const flags: InspectorFlags = { sigusr1Disabled: false, mentionsInspector: false };
  for (let index = 0; index < words.length; index++) {
    const [name, inlineValue] = splitOption(words[index]);
    if (/^--(inspect|debug-port)/.test(name)) {
      flags.mentionsInspector = true;
    }
    if (name === '--disable-sigusr1') {
      flags.sigusr1Disabled = true;
    } else if (name === '--inspect-port' || name === '--debug-port') {
      const value = inlineValue ?? words[++index];
      flags.inspectPort = portOf(value) ?? flags.inspectPort;
    } else if (/^--inspect(-brk|-wait)?$/.test(name) && inlineValue !== undefined) {
      flags.inspectorPort = portOf(inlineValue) ?? flags.inspectorPort;
      flags.inspectPort = flags.inspectorPort;
    }
  }
  return flags;
}

/** Node's options whose value is the next word when no `=` joins them. */
const nodeOptionsWithValue: ReadonlySet<string> = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect-port', '--debug-port', '--title', '-C', '--conditions', '--env-file', '--input-type', '--stack-size']);

/** A node command line cut in two: node's own options, and the script they run (none for -e, -p, the REPL). */
export interface NodeCommandLine {
  options: string[];
  script: string | undefined;
}

/** Reads a node command line (its argv, the binary first): node's options end at the script, -e/-p code or --. */
export function readNodeCommandLine(commandLine: readonly string[]): NodeCommandLine {
  const options: string[] = [];
  for (let index = 1; index < commandLine.length; index++) {
    const word = commandLine[index];
    if (['-e', '--eval', '-p', '--print'].includes(word)) {
      return { options, script: undefined };
    }
    if (word === '--') {
      return { options, script: commandLine[index + 1] };
    }
    if (!word.startsWith('-')) {
      return { options, script: word };
    }
    options.push(word);
    if (!word.includes('=') && nodeOptionsWithValue.has(word) && index + 1 < commandLine.length) {
      options.push(commandLine[++index]);
    }
  }
  return { options, script: undefined };
}

/** The script of a node command line: the first word after node's own options (none for -e, REPL). */
export function scriptOf(args: readonly string[]): string | undefined {
  return readNodeCommandLine(args).script;
}

function splitOption(word: string): [string, string | undefined] {
  const equals = word.indexOf('=');
  return equals === -1 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}

/** The port of `port`, `host:port` or `[v6]:port`; undefined when there is none. */
function portOf(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /(?:^|:)(\d+)$/.exec(value);
  const port = match ? Number(match[1]) : NaN;
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}
