// Presets people define: their checks, where their file is found, and how their names resolve
// in a real Node's source.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { BreakpointPlan } from '../../src/cluster/breakpointPlan';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { callSites } from '../../src/cluster/callSites/callSites';
import { checkPresetDefinitions, findPresetFile, readPresetFile, resolvePreset } from '../../src/cluster/callSites/presets';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';

describe('preset definitions', () => {
  it('refuses a preset without id, a built-in id, a repeated id, one that names nothing, and wrong types', () => {
    const refused = (value: unknown, pattern: RegExp): void => assert.throws(() => checkPresetDefinitions(value, 'test'), pattern);
    refused({}, /must be an array/);
    refused([{ callSites: ['x'] }], /preset 1 needs an "id"/);
    refused([{ id: 'accept', functions: ['f'] }], /"accept" is used twice \(or is a built-in preset\)/);
    refused([{ id: 'mine', functions: ['f'] }, { id: 'mine', functions: ['g'] }], /"mine" is used twice/);
    refused([{ id: 'empty' }], /names no call site and no function/);
    refused([{ id: 'typed', functions: 'RoundRobinHandle' }], /"functions" of preset "typed" must be an array of strings/);
    assert.deepEqual(checkPresetDefinitions([{ id: 'ok', functions: ['RoundRobinHandle.prototype.handoff'] }], 'test').map((definition) => definition.id), ['ok']);
  });

  it('finds .vscode/cluster-tour.json at or above a folder, and says which file is broken', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cluster-tour-presets-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    const nested = path.join(root, 'app', 'src');
    mkdirSync(nested, { recursive: true });
    assert.equal(findPresetFile(nested), undefined);
    assert.deepEqual(readPresetFile(nested), []);
    mkdirSync(path.join(root, '.vscode'));
    const file = path.join(root, '.vscode', 'cluster-tour.json');
    writeFileSync(file, JSON.stringify({ presets: [{ id: 'handoffs', functions: ['RoundRobinHandle.prototype.handoff'] }] }));
    assert.equal(findPresetFile(nested), file);
    assert.deepEqual(readPresetFile(nested).map((definition) => definition.id), ['handoffs']);
    writeFileSync(file, '{ not json');
    assert.throws(() => readPresetFile(nested), (error: Error) => error.message.includes(file) && /not valid JSON/.test(error.message));
  });

  it('resolves call-site ids and function names in this Node, and names what is not found', async () => {
    const { sources } = await readNodeSources(process.execPath, callSiteModules(callSites));
    const resolutions = resolveCallSites(sources, callSites);
    const sites = resolvePreset({ id: 'mine', callSites: ['rr:RoundRobinHandle.prototype.distribute'], functions: ['RoundRobinHandle.prototype.handoff'] }, resolutions, sources);
    assert.deepEqual(sites.map((site) => site.url), ['node:internal/cluster/round_robin_handle', 'node:internal/cluster/round_robin_handle']);
    assert.throws(() => resolvePreset({ id: 'bad', callSites: ['rr:nope'] }, resolutions, sources), /Preset "bad": there is no call site "rr:nope"/);
    assert.throws(() => resolvePreset({ id: 'bad', functions: ['NoSuchThing.prototype.method'] }, resolutions, sources), /Preset "bad": No function NoSuchThing/);

    // Armed, a defined preset adds a stop at each of its places, in every kind of process for a
    // named function and only in the catalogue site's own process for a call site.
    const plan = new BreakpointPlan(resolutions, ['mine'], false, new Map([['mine', sites]]));
    const stops = (role: 'primary' | 'worker') => plan.breakpointsFor(role).filter((breakpoint) => breakpoint.stopOwners.length > 0).length;
    assert.equal(stops('primary'), 2);
    assert.equal(stops('worker'), 1, 'the named function may run anywhere; distribute runs only in the primary');
    plan.setPreset('mine', false);
    assert.equal(stops('primary'), 0);
    assert.throws(() => plan.setPreset('unknown', true), /Unknown preset "unknown".*mine/);
  });
});
