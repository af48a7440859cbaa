// What Start Guided Tour offers besides the bundled sample: the setting, the workspace's
// cluster-tour launch configurations and the open file when it uses cluster, each program once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { programCandidates, usesCluster } from '../../src/ui/tourPrograms';

describe('the programs a tour can run on', () => {
  it('knows a program that uses cluster, however it loads it', () => {
    for (const text of ["const cluster = require('cluster');", 'const c = require("node:cluster")', "import cluster from 'node:cluster';", "const { isPrimary } = await import('cluster')"]) {
      assert.equal(usesCluster(text), true, text);
    }
    for (const text of ["require('clusterize')", "const http = require('node:http'); // no cluster here", "require('./cluster')"]) {
      assert.equal(usesCluster(text), false, text);
    }
  });

  it('offers the setting, then launch configurations, then the open file, each program once', () => {
    const candidates = programCandidates({
      folder: '/work/app',
      setting: 'server.js',
      launchConfigurations: [
        { type: 'cluster-tour', request: 'launch', name: 'Cluster', program: '${workspaceFolder}/server.js' },
        { type: 'cluster-tour', request: 'launch', name: 'Other', program: '${workspaceFolder}/other.js' },
        { type: 'cluster-tour', request: 'launch', name: 'Current', program: '${file}' },
        { type: 'cluster-tour', request: 'attach', name: 'Attach', port: 9229 },
        { type: 'node', request: 'launch', name: 'Node', program: '${workspaceFolder}/node.js' },
      ],
      activeFile: { path: '/work/app/primary.js', text: "const cluster = require('node:cluster');" },
    });
    assert.deepEqual(candidates, [
      { program: '/work/app/server.js', source: 'clusterTour.tourProgram' },
      { program: '/work/app/other.js', source: 'launch.json: Other' },
      { program: '/work/app/primary.js', source: 'the open file' },
    ]);
  });

  it('offers nothing when nothing in the workspace is a cluster program', () => {
    assert.deepEqual(
      programCandidates({ folder: '/work/app', setting: undefined, launchConfigurations: undefined, activeFile: { path: '/work/app/util.js', text: "module.exports = require('node:os');" } }),
      [],
    );
    assert.deepEqual(programCandidates({ folder: undefined, setting: undefined, launchConfigurations: 'not a list', activeFile: { path: '/x/notes.md', text: "require('cluster')" } }), []);
  });
});
