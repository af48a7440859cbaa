// The environment scripts/ give an npm they start (scripts/npm-environment.mjs): nothing that an
// outer `npm test` or `npm run editor` passed down. The scripts are ES modules and the tests
// compile to CommonJS, so each check runs in a small `node --input-type=module` child.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

const scripts = path.resolve(__dirname, '..', '..', '..', 'scripts');
const moduleUrl = (name: string): string => pathToFileURL(path.join(scripts, name)).href;

/** Runs `code` as an ES module in a child Node with `env`; resolves with its stdout. */
function runModule(code: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const npmGypBin = '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin';

/** What npm 11 passes to `npm test`'s script, run by a Node 20 outer npm (a part of it). */
function outerNpmEnvironment(project: string, userPath: string): NodeJS.ProcessEnv {
  return {
    HOME: process.env.HOME,
    PATH: [path.join(project, 'node_modules', '.bin'), path.join(path.dirname(project), 'node_modules', '.bin'), '/node_modules/.bin', npmGypBin, userPath].join(':'),
    NODE: '/opt/outer-node/bin/node',
    INIT_CWD: project,
    npm_config_user_agent: 'npm/11.19.1 node/v0.1.0 linux x64 workspaces/false',
    npm_config_node_gyp: '/opt/outer-npm/node_modules/node-gyp/bin/node-gyp.js',
    npm_config_nodedir: '/opt/outer-node',
    npm_config_prefix: '/opt/outer-node',
    npm_config_global_prefix: '/opt/outer-node',
    npm_config_globalconfig: '/opt/outer-node/etc/npmrc',
    npm_config_local_prefix: project,
    npm_config_npm_version: '11.19.1',
    npm_config_registry: 'https://registry.npmjs.org/',
    npm_execpath: '/opt/outer-npm/bin/npm-cli.js',
    npm_node_execpath: '/opt/outer-node/bin/node',
    npm_lifecycle_event: 'test',
    npm_lifecycle_script: 'node scripts/test.mjs',
    npm_package_name: 'cluster-tour',
    npm_command: 'run-script',
  };
}

describe('a child npm of the scripts (npm-environment.mjs)', () => {
  let temporary: string;

  before(async () => {
    temporary = await mkdtemp(path.join(tmpdir(), 'cluster-tour-npm-environment-'));
  });

  after(async () => {
    await rm(temporary, { recursive: true, force: true });
  });

  it("drops the outer npm's variables and PATH folders, and keeps the user's", async () => {
    const userPath = '/usr/local/bin:/usr/bin:/bin';
    const outer = { ...outerNpmEnvironment('/work/project', userPath), LANG: 'C.UTF-8' };
    const code = `import { withoutOuterNpm } from '${moduleUrl('npm-environment.mjs')}';
      process.stdout.write(JSON.stringify(withoutOuterNpm(JSON.parse(process.env.OUTER), { npm_config_nodedir: '/opt/node-24' })));`;
    const clean = JSON.parse(await runModule(code, { ...process.env, OUTER: JSON.stringify(outer) })) as Record<string, string>;
    assert.deepEqual(clean, {
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      PATH: userPath,
      // Reaching the registry is the user's setting, not the outer npm's.
      npm_config_registry: 'https://registry.npmjs.org/',
      npm_config_nodedir: '/opt/node-24',
    });
  });

  it("installs with the Node it is given in npm's user agent, which code-server's postinstall checks", async () => {
    // A package whose postinstall records what code-server's postinstall reads.
    const packageFolder = path.join(temporary, 'probe');
    const installFolder = path.join(temporary, 'install');
    const project = path.join(temporary, 'project');
    await mkdir(packageFolder);
    await mkdir(installFolder);
    await writeFile(path.join(packageFolder, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', scripts: { postinstall: 'node record.js' } }));
    await writeFile(
      path.join(packageFolder, 'record.js'),
      `require('fs').writeFileSync(process.env.PROBE_RECORD, JSON.stringify({ userAgent: process.env.npm_config_user_agent, nodeGyp: process.env.npm_config_node_gyp, path: process.env.PATH }));`,
    );
    await writeFile(path.join(installFolder, 'package.json'), '{ "private": true }');
    const record = path.join(temporary, 'record.json');

    const code = `import { installWithNode } from '${moduleUrl('e2e-setup.mjs')}';
      installWithNode(${JSON.stringify(process.execPath)}, ${JSON.stringify(packageFolder)}, ${JSON.stringify(installFolder)});`;
    await runModule(code, { ...outerNpmEnvironment(project, process.env.PATH ?? ''), PROBE_RECORD: record });

    const seen = JSON.parse(await readFile(record, 'utf8')) as { userAgent: string; nodeGyp: string; path: string };
    assert.match(seen.userAgent, new RegExp(` node/${process.version.replaceAll('.', '\\.')} `), `user agent: ${seen.userAgent}`);
    assert.notEqual(seen.nodeGyp, '/opt/outer-npm/node_modules/node-gyp/bin/node-gyp.js');
    const outerFolders = seen.path.split(':').filter((folder) => folder.startsWith(project));
    assert.deepEqual(outerFolders, [], `PATH of the postinstall: ${seen.path}`);
  });
});
