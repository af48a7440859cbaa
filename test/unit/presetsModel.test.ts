// What the Presets view lists with no session (built-in presets and people's own, armed by the
// clusterTour.presets setting) and how it describes presets and call sites.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetIds } from '../../src/common/stages';
import { mergePresetDefinitions } from '../../src/cluster/callSites/presets';
import { callSiteDescription, presetDescription, presetsWithoutSession, toggled } from '../../src/ui/presetsModel';

describe('the presets model', () => {
  it('lists the built-in presets with their call sites, then people\'s own; the setting checks them', () => {
    const presets = presetsWithoutSession(['accept', 'mine'], [{ id: 'mine', title: 'Handoffs', callSites: ['rr:RoundRobinHandle.prototype.distribute', 'nope'], functions: ['RoundRobinHandle.prototype.handoff'] }]);
    assert.deepEqual(presets.map((preset) => [preset.id, preset.enabled]), [...presetIds.map((id) => [id, id === 'accept']), ['mine', true]]);
    const accept = presets.find((preset) => preset.id === 'accept')!;
    assert.equal(accept.title, 'Round-robin accept and handoff');
    assert.ok(accept.callSites.some((site) => site.id === 'rr:RoundRobinHandle.prototype.distribute'));
    assert.ok(presets.every((preset) => preset.callSites.length > 0 && preset.callSites.every((site) => !site.bound)));
    const mine = presets.at(-1)!;
    assert.deepEqual(mine.callSites.map((site) => site.title), [
      presets.flatMap((preset) => preset.callSites).find((site) => site.id === 'rr:RoundRobinHandle.prototype.distribute')!.title,
      'nope',
      'RoundRobinHandle.prototype.handoff',
    ]);
    assert.equal(mine.callSites[1].reason, 'there is no call site "nope" in the catalogue');
    assert.equal(presetDescription(mine, false), 'mine · yours');
  });

  it('describes live presets and call sites, bound or not', () => {
    const preset = {
      id: 'accept',
      title: 'Round-robin accept and handoff',
      builtIn: true,
      enabled: true,
      callSites: [
        { id: 'a', title: 'A', url: 'node:internal/cluster/round_robin_handle', line: 42, role: 'primary' as const, bound: true },
        { id: 'b', title: 'B', url: 'node:net', line: null, role: 'worker' as const, bound: false, reason: 'preset not armed' },
      ],
    };
    assert.equal(presetDescription(preset, true), 'accept · built-in · 1/2 bound');
    assert.equal(callSiteDescription(preset.callSites[0]), 'cluster/round_robin_handle:42 · bound');
    assert.equal(callSiteDescription(preset.callSites[1]), 'net · not bound: preset not armed');
  });

  it('merges definitions from the settings and the file (the file wins, as in the adapter), and toggles ids', () => {
    const merged = mergePresetDefinitions([{ id: 'a', functions: ['f'] }, { id: 'accept', functions: ['g'] }, { id: 'c', functions: ['j'] }], [{ id: 'a', functions: ['h'] }, { id: 'b', functions: ['i'] }]);
    assert.deepEqual(merged.map((each) => [each.id, each.functions]), [['a', ['h']], ['b', ['i']], ['c', ['j']]]);
    assert.deepEqual(toggled(['listen', 'accept'], 'accept', false), ['listen']);
    assert.deepEqual(toggled(['listen'], 'accept', true), ['listen', 'accept']);
    assert.deepEqual(toggled(['listen'], 'listen', true), ['listen']);
  });
});
