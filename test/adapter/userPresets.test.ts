// A preset defined in .vscode/cluster-tour.json, or in the configuration's `userPresets` (the
// editor's settings), is armed by its id from a launch configuration and stops where it says; the
// file wins on an id both define; an id defined nowhere and a badly shaped `userPresets` are refused.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { RecordedClient, startAdapter, threadPids } from '../support/adapter';
import { customRequests } from '../../src/common/contributions';
import type { PresetsBody } from '../../src/adapter/viewProtocol';

describe('user-defined presets', () => {
  const project = mkdtempSync(path.join(tmpdir(), 'cluster-tour-user-preset-'));
  const clients: RecordedClient[] = [];
  const start = async (): Promise<RecordedClient> => {
    const recorded = await startAdapter();
    clients.push(recorded);
    return recorded;
  };
  after(async () => {
    await Promise.all(clients.map((each) => each.client.stop()));
    rmSync(project, { recursive: true, force: true });
  });

  it('stops at the functions of a preset from .vscode/cluster-tour.json', async () => {
    mkdirSync(path.join(project, '.vscode'));
    writeFileSync(
      path.join(project, '.vscode', 'cluster-tour.json'),
      JSON.stringify({ presets: [{ id: 'handoffs', title: 'Every handoff', functions: ['RoundRobinHandle.prototype.handoff'] }] }),
    );
    copyFileSync(fixture('http-workers.js'), path.join(project, 'app.js'));
    const session = await start();
    const { client } = session;
    await Promise.all([client.configurationSequence(), client.launch({ program: path.join(project, 'app.js'), cwd: project, presets: ['handoffs'] })]);
    // handoff runs when each worker joins the round-robin handle and for every connection: check
    // and continue each stop as it comes.
    const stops: string[] = [];
    let checked = 0;
    let finished = false;
    const checker = (async () => {
      while (!finished) {
        let stop: DebugProtocol.StoppedEvent;
        try {
          stop = await session.next<DebugProtocol.StoppedEvent>('stopped', () => true, 1000, checked);
        } catch {
          continue; // none yet: look again unless the test is done
        }
        checked = session.events.indexOf(stop) + 1;
        const threadId = stop.body.threadId as number;
        const frame = (await client.stackTraceRequest({ threadId })).body.stackFrames[0];
        const thread = (await client.threadsRequest()).body.threads.find((each) => each.id === threadId);
        stops.push(`${thread?.name.replace(/ \(pid \d+\)/, '')} ${frame.name} ${frame.source?.name}`);
        await client.continueRequest({ threadId });
      }
    })();
    checker.catch(() => undefined);
    await waitFor('LISTENING', () => listeningPort(session.output()) !== undefined, 20000, session.output);
    const before = stops.length;
    assert.ok(before >= 2, `a stop as each worker joined the handle: ${stops.join('; ')}`);
    await get(listeningPort(session.output())!);
    await waitFor('the handoff stop of the connection', () => stops.length > before, 10000);
    assert.deepEqual(new Set(stops), new Set(['Primary RoundRobinHandle.handoff node:internal/cluster/round_robin_handle']));
    finished = true;
    const pids = threadPids((await client.threadsRequest()).body.threads);
    await client.terminateRequest({});
    await waitFor('every process gone', () => pids.every((pid) => !pidAlive(pid)), 10000);
  });

  it('stops at a preset given in userPresets; the file\'s definition wins on the same id', async () => {
    const session = await start();
    const { client } = session;
    const userPresets = [
      { id: 'distributes', title: 'Every distribute', callSites: ['rr:RoundRobinHandle.prototype.distribute'] },
      // Also defined in the project's .vscode/cluster-tour.json (the first test), as the handoff function.
      { id: 'handoffs', callSites: ['rr:RoundRobinHandle.prototype.distribute'] },
    ];
    await Promise.all([client.configurationSequence(), client.launch({ program: path.join(project, 'app.js'), cwd: project, presets: ['distributes'], userPresets } as DebugProtocol.LaunchRequestArguments)]);
    const { presets } = (await client.customRequest(customRequests.presets)).body as PresetsBody;
    const byId = new Map(presets.map((preset) => [preset.id, preset]));
    assert.equal(byId.get('distributes')?.title, 'Every distribute');
    assert.equal(byId.get('distributes')?.enabled, true);
    assert.equal(byId.get('handoffs')?.title, 'Every handoff', 'the file\'s handoffs');
    assert.deepEqual(byId.get('handoffs')?.callSites.map((site) => site.id.startsWith('function:')), [true]);

    await waitFor('LISTENING', () => listeningPort(session.output()) !== undefined, 20000, session.output);
    const response = get(listeningPort(session.output())!);
    const stop = await session.next<DebugProtocol.StoppedEvent>('stopped', () => true, 15000);
    const threadId = stop.body.threadId as number;
    const frame = (await client.stackTraceRequest({ threadId })).body.stackFrames[0];
    assert.equal(frame.name, 'RoundRobinHandle.distribute');
    assert.equal(frame.source?.path, 'node:internal/cluster/round_robin_handle');
    await client.continueRequest({ threadId });
    await response;
    const pids = threadPids((await client.threadsRequest()).body.threads);
    await client.terminateRequest({});
    await waitFor('every process gone', () => pids.every((pid) => !pidAlive(pid)), 10000);
  });

  it('refuses a userPresets that is not an array of preset definitions, saying what is wrong', async () => {
    const refusedWith = async (userPresets: unknown, expected: RegExp): Promise<void> => {
      const { client } = await start();
      await client.initializeRequest();
      const answer = assert.rejects(client.launchRequest({ program: path.join(project, 'app.js'), cwd: project, userPresets } as DebugProtocol.LaunchRequestArguments), expected);
      await client.configurationDoneRequest();
      await answer;
    };
    await refusedWith({ id: 'accepts' }, /"userPresets" must be an array.*\(E_BAD_USER_PRESETS\)/);
    await refusedWith([{ id: 'accepts', callSites: 'rr:RoundRobinHandle.prototype.distribute' }], /"callSites" of preset "accepts" must be an array of strings.*\(E_BAD_USER_PRESETS\)/);
    await refusedWith([{ title: 'no id', functions: ['RoundRobinHandle.prototype.handoff'] }], /preset 1 needs an "id".*\(E_BAD_USER_PRESETS\)/);
    await refusedWith([{ id: 'titled', title: 3, functions: ['RoundRobinHandle.prototype.handoff'] }], /"title" of preset 1 must be a string.*\(E_BAD_USER_PRESETS\)/);
  });

  it('refuses an id defined nowhere, listing the defined ones', async () => {
    const { client } = await start();
    await assert.rejects(
      Promise.all([client.configurationSequence(), client.launch({ program: path.join(project, 'app.js'), cwd: project, presets: ['handofs'] })]),
      /Unknown preset "handofs".*handoffs/,
    );
  });
});
