// Lint for src/, test/ and bench/: typescript-eslint's recommended rules (syntax only, no type
// information, so it stays fast) plus the import layering of STYLE.md rule 1:
//   common → cdp → cluster → adapter / cli / ui → extension.ts
// and, inside src/cluster/, the direction between its rooms (STYLE.md rule 11; see clusterRooms).
// Only src/cdp/ names the DevTools protocol's methods and imports devtools-protocol (STYLE.md rule 6:
// its typed calls name the method that failed).
// Each layer gets one config object listing everything it may not import; flat config replaces
// a rule's options rather than merging them, so every object carries its full list.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const typeScriptFiles = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];

const vscodeMessage = 'Only src/ui/**, src/extension.ts and test/e2e/** may import vscode (STYLE.md rule 1).';
const chromeRemoteInterfaceMessage =
  'Only src/cdp/** may import chrome-remote-interface: go through the cdp/ session (STYLE.md rule 1).';
const devtoolsProtocolMessage = "Only src/cdp/** may import devtools-protocol: take the types from src/cdp/protocol.ts (STYLE.md rule 1).";
const cdpNameMessage =
  'Only src/cdp/** names the DevTools protocol\'s methods and events: call the typed surface (src/cdp/inspector.ts), whose errors name the method.';

/** Package names matched exactly or with a subpath ("chrome-remote-interface/lib/…"). */
const packages = {
  vscode: { regex: '^vscode(/.*)?$', message: vscodeMessage },
  chromeRemoteInterface: { regex: '^chrome-remote-interface(/.*)?$', message: chromeRemoteInterfaceMessage },
  devtoolsProtocol: { regex: '^devtools-protocol(/.*)?$', message: devtoolsProtocolMessage },
};

/** A string that names a method or event of the protocol ("Debugger.resume", "Runtime.bindingCalled"). */
const cdpNameSelector =
  "Literal[value=/^(Debugger|Runtime|Profiler|HeapProfiler|NodeWorker|NodeRuntime|NodeTracing|Inspector|Schema|Console)\\.[A-Za-z]+$/]";

/**
 * A relative import whose first named folder (or file) is another layer, e.g. "../ui/treeView",
 * "../../cluster/tour" or "../extension". Layers are the top-level entries of src/, so a nested
 * folder reusing one of their names ("./ui/…" inside cluster/) would match too: name folders
 * after what they hold.
 */
function layerRegex(layers) {
  return `^(\\.\\.?/)+(${layers.join('|')})(/.*)?$`;
}

/**
 * The rooms of src/cluster/, lowest first. A room may import the rooms before it and never those
 * after it. The runtime (the files directly in cluster/) sits between attach/ and tours/: rooms
 * below it may not import it, except that launch/ and attach/ may use runtimeTypes.ts, the
 * runtime's contract (its options and events), which itself imports only rooms below launch/.
 */
const clusterRooms = ['agent', 'syscalls', 'callSites', 'tracking', 'session', 'processes', 'launch', 'attach', 'tours'];
const roomsUsingTheContract = ['launch', 'attach'];

/** Patterns for one room of src/cluster/: the rooms after it, and the runtime's files above it. */
function roomPatterns(room) {
  const above = clusterRooms.slice(clusterRooms.indexOf(room) + 1);
  const patterns = [];
  if (above.length > 0) {
    patterns.push({
      regex: `^\\.\\./(${above.join('|')})(/.*)?$`,
      message: `src/cluster/${room}/ may not import from ${above.join(', ')}: rooms of cluster/ import only the rooms below them (STYLE.md rule 11, eslint.config.mjs clusterRooms).`,
    });
  }
  if (room !== 'tours') {
    const contract = roomsUsingTheContract.includes(room);
    patterns.push({
      // A file directly in cluster/: "../runtime", "../breakpointPlan" (and "../runtimeTypes").
      regex: contract ? '^\\.\\./(?!runtimeTypes$)[^/]+$' : '^\\.\\./[^/]+$',
      message: `src/cluster/${room}/ may not import the runtime (the files directly in cluster/)${contract ? ' other than its contract, runtimeTypes.ts' : ''}: it sits above the rooms (STYLE.md rule 11).`,
    });
  }
  return patterns;
}

/**
 * The rules for one zone: `packages` it may not import, `layers` (folders of src/) it may not
 * reach by a relative import, and `patterns` of its own ({ regex, message }). Covers `import`,
 * `export … from`, `import x = require()`, `require()` and `import()`.
 */
function restrict({ packages: forbiddenPackages = [], layers = [], layerName, patterns: own = [], cdpNames = true }) {
  const patterns = forbiddenPackages.map(({ regex, message }) => ({ regex, message }));
  if (layers.length > 0) {
    patterns.push({
      regex: layerRegex(layers),
      message: `src/${layerName}/** may not import from ${layers.join(', ')}: imports flow one way (STYLE.md rule 1).`,
    });
  }
  patterns.push(...own);
  const syntax = patterns.flatMap(({ regex, message }) => [
    { selector: `CallExpression[callee.name='require'] > Literal.arguments[value=/${regex.replaceAll('/', '\\/')}/]`, message },
    { selector: `ImportExpression > Literal.source[value=/${regex.replaceAll('/', '\\/')}/]`, message },
  ]);
  if (cdpNames) {
    syntax.push({ selector: cdpNameSelector, message: cdpNameMessage });
  }
  return {
    '@typescript-eslint/no-restricted-imports': patterns.length > 0 ? ['error', { patterns }] : 'off',
    'no-restricted-syntax': syntax.length > 0 ? ['error', ...syntax] : 'off',
  };
}

const allPackages = [packages.vscode, packages.chromeRemoteInterface, packages.devtoolsProtocol];
const everythingAbove = ['cdp', 'cluster', 'adapter', 'cli', 'ui', 'extension'];
const clusterLayersAbove = ['adapter', 'cli', 'ui', 'extension'];

export default defineConfig(
  {
    ignores: ['out/', 'dist/', 'node_modules/', 'media/', 'test/fixtures/'],
  },
  {
    files: typeScriptFiles,
    extends: [tseslint.configs.recommended],
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      // Tests and benchmarks may build protocol values (types from devtools-protocol, names).
      ...restrict({ packages: [packages.vscode, packages.chromeRemoteInterface], cdpNames: false }),
    },
  },
  {
    files: ['src/common/**/*.ts'],
    rules: restrict({ packages: allPackages, layers: everythingAbove, layerName: 'common' }),
  },
  {
    files: ['src/cdp/**/*.ts'],
    rules: restrict({
      packages: [packages.vscode],
      layers: ['cluster', 'adapter', 'cli', 'ui', 'extension'],
      layerName: 'cdp',
      cdpNames: false,
    }),
  },
  {
    files: ['src/cluster/**/*.ts'],
    rules: restrict({ packages: allPackages, layers: clusterLayersAbove, layerName: 'cluster' }),
  },
  {
    // The runtime's contract may not reach the rooms that use it, nor the tours above the runtime.
    files: ['src/cluster/runtimeTypes.ts'],
    rules: restrict({
      packages: allPackages,
      layers: clusterLayersAbove,
      layerName: 'cluster',
      patterns: [{ regex: '^\\./(launch|attach|tours)(/.*)?$', message: 'src/cluster/runtimeTypes.ts is used by launch/ and attach/ and may not import them or tours/ (STYLE.md rule 11).' }],
    }),
  },
  {
    files: ['src/cluster/*.ts'],
    ignores: ['src/cluster/runtimeTypes.ts'],
    rules: restrict({
      packages: allPackages,
      layers: clusterLayersAbove,
      layerName: 'cluster',
      patterns: [{ regex: '^\\./tours(/.*)?$', message: 'The runtime (src/cluster/*.ts) may not import tours/, which sit above it (STYLE.md rule 11).' }],
    }),
  },
  ...clusterRooms.map((room) => ({
    files: [`src/cluster/${room}/**/*.ts`],
    rules: restrict({ packages: allPackages, layers: clusterLayersAbove, layerName: 'cluster', patterns: roomPatterns(room) }),
  })),
  {
    files: ['src/adapter/**/*.ts'],
    rules: restrict({ packages: allPackages, layers: ['extension'], layerName: 'adapter' }),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict({ packages: allPackages, layers: ['extension'], layerName: 'cli' }),
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: restrict({ packages: [packages.chromeRemoteInterface, packages.devtoolsProtocol], layers: ['extension'], layerName: 'ui' }),
  },
  {
    files: ['src/extension.ts'],
    rules: restrict({ packages: [packages.chromeRemoteInterface, packages.devtoolsProtocol] }),
  },
  {
    files: ['test/e2e/**/*.ts'],
    rules: restrict({ packages: [packages.chromeRemoteInterface], cdpNames: false }),
  },
  {
    // Plain JavaScript that runs inside the debugged processes (the cluster agent's preload).
    files: ['src/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-empty': ['error', { allowEmptyCatch: false }] },
  },
);
