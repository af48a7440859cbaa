// Lint for src/, test/ and bench/: typescript-eslint's recommended rules (syntax only, no type
// information, so it stays fast) plus the import layering of STYLE.md rule 1:
//   common → cdp → cluster → adapter / cli / ui → extension.ts
// Each layer gets one config object listing everything it may not import; flat config replaces
// a rule's options rather than merging them, so every object carries its full list.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const typeScriptFiles = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];

const vscodeMessage = 'Only src/ui/**, src/extension.ts and test/e2e/** may import vscode (STYLE.md rule 1).';
const chromeRemoteInterfaceMessage =
  'Only src/cdp/** may import chrome-remote-interface: go through the cdp/ session (STYLE.md rule 1).';

/** Package names matched exactly or with a subpath ("chrome-remote-interface/lib/…"). */
const packages = {
  vscode: { regex: '^vscode(/.*)?$', message: vscodeMessage },
  chromeRemoteInterface: { regex: '^chrome-remote-interface(/.*)?$', message: chromeRemoteInterfaceMessage },
};

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
 * The rules for one zone: `packages` it may not import and `layers` (folders of src/) it may
 * not reach by a relative import. Covers `import`, `export … from`, `import x = require()`,
 * `require()` and `import()`.
 */
function restrict({ packages: forbiddenPackages = [], layers = [], layerName }) {
  const patterns = forbiddenPackages.map(({ regex, message }) => ({ regex, message }));
  if (layers.length > 0) {
    patterns.push({
      regex: layerRegex(layers),
      message: `src/${layerName}/** may not import from ${layers.join(', ')}: imports flow one way (STYLE.md rule 1).`,
    });
  }
  const syntax = patterns.flatMap(({ regex, message }) => [
    { selector: `CallExpression[callee.name='require'] > Literal.arguments[value=/${regex.replaceAll('/', '\\/')}/]`, message },
    { selector: `ImportExpression > Literal.source[value=/${regex.replaceAll('/', '\\/')}/]`, message },
  ]);
  return {
    '@typescript-eslint/no-restricted-imports': patterns.length > 0 ? ['error', { patterns }] : 'off',
    'no-restricted-syntax': syntax.length > 0 ? ['error', ...syntax] : 'off',
  };
}

const allPackages = [packages.vscode, packages.chromeRemoteInterface];
const everythingAbove = ['cdp', 'cluster', 'adapter', 'cli', 'ui', 'extension'];

export default defineConfig(
  {
    ignores: ['out/', 'dist/', 'node_modules/', 'media/', 'test/fixtures/'],
  },
  {
    files: typeScriptFiles,
    extends: [tseslint.configs.recommended],
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      ...restrict({ packages: allPackages }),
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
    }),
  },
  {
    files: ['src/cluster/**/*.ts'],
    rules: restrict({ packages: allPackages, layers: ['adapter', 'cli', 'ui', 'extension'], layerName: 'cluster' }),
  },
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
    rules: restrict({ packages: [packages.chromeRemoteInterface], layers: ['extension'], layerName: 'ui' }),
  },
  {
    files: ['src/extension.ts', 'test/e2e/**/*.ts'],
    rules: restrict({ packages: [packages.chromeRemoteInterface] }),
  },
  {
    // Plain JavaScript that runs inside the debugged processes (the cluster agent's preload).
    files: ['src/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-empty': ['error', { allowEmptyCatch: false }] },
  },
);
