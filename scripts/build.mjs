// Bundles the shipped JavaScript into dist/ with esbuild: the extension, the CLI, the debug
// adapter, the agent preloaded into debugged processes and the sequence-diagram webview's script
// (for the browser). `node scripts/build.mjs [--watch]`.
// An entry whose source does not exist yet is skipped with a note, so the build stays green
// while the tree is being written (in --watch mode too: restart it once a new entry exists).
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

/** Options every bundle shares: one CommonJS file for Node 18+, with its source map. */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  {
    source: 'src/extension.ts',
    options: { outfile: 'dist/extension.js', external: ['vscode'] },
  },
  {
    source: 'src/cli/main.ts',
    options: { outfile: 'dist/cli.js', external: ['vscode'], banner: { js: '#!/usr/bin/env node' } },
    executable: true,
  },
  {
    // The debug adapter as its own process (package.json's debuggers[0].program, over stdio).
    source: 'src/adapter/main.ts',
    options: { outfile: 'dist/adapter.js', external: ['vscode'] },
  },
  {
    // The sequence-diagram webview's script, with the drawing code it shares with the CLI.
    source: 'media/diagram.js',
    options: { outfile: 'dist/diagram.js', platform: 'browser', format: 'iife', target: 'chrome120' },
  },
  {
    // Runs inside the debugged Node processes (node --require): it must not pull in anything
    // but Node's builtins, which platform 'node' already leaves external.
    source: 'src/cluster/agent/preload.js',
    options: { outfile: 'dist/preload.js' },
  },
];

const present = [];
for (const entry of entries) {
  if (existsSync(join(root, entry.source))) {
    present.push(entry);
  } else {
    console.log(`build: skipping ${entry.source} (not written yet)`);
  }
}

/**
 * chrome-remote-interface cuts the inspector's URL into parts with Node's legacy url.parse().
 * Node 24 prints a DeprecationWarning (DEP0169) for that unless the caller's file lies in
 * node_modules, and a bundled library's no longer does: its `require('url')` gets
 * src/cdp/legacyUrl.ts, the same two functions over the WHATWG URL. No one else's.
 */
const chromeRemoteInterfaceUrl = {
  name: 'chrome-remote-interface-url',
  setup(build) {
    build.onResolve({ filter: /^(node:)?url$/ }, (args) =>
      /[\\/]node_modules[\\/]chrome-remote-interface[\\/]/.test(args.importer) ? { path: join(root, 'src', 'cdp', 'legacyUrl.ts') } : undefined,
    );
  },
};

/**
 * chrome-remote-interface's protocol description (1 MB of JSON, two thirds of the CLI's bundle)
 * is only read for `local: true`; src/cdp/session.ts passes its own empty description instead,
 * so the bundles carry an empty one too and start faster.
 */
const chromeRemoteInterfaceProtocol = {
  name: 'chrome-remote-interface-protocol',
  setup(build) {
    build.onResolve({ filter: /protocol\.json$/ }, (args) =>
      /[\\/]node_modules[\\/]chrome-remote-interface[\\/]/.test(args.importer) ? { path: 'protocol.json', namespace: 'empty-protocol' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty-protocol' }, () => ({ contents: '{"version":{"major":"1","minor":"3"},"domains":[]}', loader: 'json' }));
  },
};

/** Marks a bundle executable after every successful build (its banner is a shebang). */
const makeExecutable = (outfile) => ({
  name: 'make-executable',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length === 0) chmodSync(join(root, outfile), 0o755);
    });
  },
});

const optionsOf = (entry) => ({
  ...common,
  ...entry.options,
  entryPoints: [entry.source],
  plugins: [chromeRemoteInterfaceUrl, chromeRemoteInterfaceProtocol, ...(entry.executable ? [makeExecutable(entry.options.outfile)] : [])],
});

try {
  if (watch) {
    for (const entry of present) {
      const context = await esbuild.context(optionsOf(entry));
      await context.watch();
    }
    console.log(`build: watching ${present.map((entry) => entry.source).join(', ') || 'nothing'} (Ctrl+C to stop)`);
  } else {
    await Promise.all(present.map((entry) => esbuild.build(optionsOf(entry))));
    for (const entry of present) {
      console.log(`build: ${entry.source} → ${entry.options.outfile}`);
    }
  }
} catch (error) {
  // esbuild has already printed its errors with their locations; anything else is ours.
  const errors = error?.errors?.length;
  console.error(errors ? `build: failed with ${errors} error(s) (above)` : `build: failed: ${String(error)}`);
  process.exit(1);
}
