// Stops a person sets up before or during a launch, over the stdio adapter on real cluster apps:
// a breakpoint in Node's own round-robin handle set before launch, and exception breakpoints
// (uncaught in a worker, caught in user code, and none from Cluster Tour's own instrumentation).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { findFunction, readFunctionSources } from '../../src/cluster/callSites/functionBreakpoints';
import { callSites } from '../../src/cluster/callSites/callSites';
import { callSiteModules, readNodeSources } from '../../src/cluster/callSites/nodeSources';
import { resolveCallSites } from '../../src/cluster/callSites/resolver';
import { fixture, get, waitFor } from '../support/cluster';
import { startAdapter } from '../support/adapter';
import { continueEveryStop, endAndCheck, listening, markedLaunch, settle, startedThreads } from './lifecycleSupport';

describe('stops set up before launch', () => {
  it('a breakpoint in node:internal/cluster/round_robin_handle binds when the module loads and stops the primary on the first connection', async () => {
    // The line of distribute's first statement in the Node that runs the app, never hard-coded.
    const distribute = findFunction(await readFunctionSources(process.execPath), 'RoundRobinHandle.prototype.distribute');
    assert.equal(distribute.url, 'node:internal/cluster/round_robin_handle');
    const line = distribute.lineNumber + 1;
    const { args, marker } = markedLaunch(fixture('http-workers.js'));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await client.initializeRequest();
      const set = await client.setBreakpointsRequest({ source: { name: distribute.url, path: distribute.url }, breakpoints: [{ line }] });
      const planned = set.body.breakpoints[0];
      assert.equal(planned.verified, false, 'nothing runs yet');
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);

      const bound = await recorded.next<DebugProtocol.BreakpointEvent>('breakpoint', (event) => event.body.breakpoint.id === planned.id && event.body.breakpoint.verified);
      assert.equal(bound.body.breakpoint.line, line);
      const threads = await startedThreads(recorded, 3);
      const primary = threads.find((thread) => thread.name.startsWith('Primary'))!;
      const port = await listening(recorded);

      const answer = get(port);
      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(stop.body.reason, 'breakpoint');
      assert.equal(stop.body.threadId, primary.id);
      assert.deepEqual(stop.body.hitBreakpointIds, [planned.id]);
      const top = (await client.stackTraceRequest({ threadId: primary.id })).body.stackFrames[0];
      assert.equal(top.name, 'RoundRobinHandle.distribute');
      assert.equal(top.source?.path, distribute.url);
      assert.equal(top.line, line);

      continueEveryStop(recorded);
      await client.continueRequest({ threadId: primary.id });
      assert.match(await answer, /^worker [12]$/m);
    } finally {
      await endAndCheck(recorded, marker);
    }
  });
});

describe('a condition with a side effect where a preset stops', () => {
  it('still runs on every pass while the preset stops there', async () => {
    // A function breakpoint on distribute lands on the accept preset's own place (its first
    // statement): the two become one inspector breakpoint, and the condition must still run.
    const node = await readNodeSources(process.execPath, callSiteModules(callSites));
    const distribute = resolveCallSites(node.sources, callSites).find((each) => each.site.id === 'rr:RoundRobinHandle.prototype.distribute');
    assert.ok(distribute?.resolved);
    const viaFunction = findFunction(await readFunctionSources(process.execPath), 'RoundRobinHandle.prototype.distribute');
    assert.deepEqual([viaFunction.lineNumber, viaFunction.columnNumber], [distribute.lineNumber, distribute.columnNumber], 'the same place');
    const { args, marker } = markedLaunch(fixture('http-workers.js'), { presets: ['accept'] });
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await client.initializeRequest();
      await client.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'RoundRobinHandle.prototype.distribute', condition: "(globalThis.console.log('SIDE EFFECT err=' + err), false)" }],
      });
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);
      await startedThreads(recorded, 3);
      const port = await listening(recorded);
      const answer = get(port);
      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped');
      assert.match(stop.body.description ?? '', /round-robin accept/);
      await waitFor('the condition to run', () => /SIDE EFFECT err=0/.test(recorded.output()), 10000, () => recorded.output());
      continueEveryStop(recorded);
      await client.continueRequest({ threadId: Number(stop.body.threadId) });
      assert.match(await answer, /^worker [12]$/m);
    } finally {
      await endAndCheck(recorded, marker);
    }
  });
});

describe('exception breakpoints', () => {
  it('"uncaught" passes over a caught exception and stops in the worker whose request throws', async () => {
    const { args, marker } = markedLaunch(fixture('adapter-throwing-workers.js'));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await client.initializeRequest();
      await client.setExceptionBreakpointsRequest({ filters: ['uncaught'] });
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);
      const threads = await startedThreads(recorded, 2);
      const worker = threads.find((thread) => thread.name.startsWith('Worker'))!;
      const port = await listening(recorded);

      assert.equal(await get(port, '/caught'), 'caught: caught on purpose\n');
      assert.equal(recorded.of('stopped').length, 0, 'a caught exception is no stop with "uncaught"');

      const answer = settle(get(port, '/throw'));
      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(stop.body.reason, 'exception');
      assert.equal(stop.body.threadId, worker.id);
      assert.match(stop.body.text ?? '', /uncaught on purpose/);
      const top = (await client.stackTraceRequest({ threadId: worker.id })).body.stackFrames[0];
      assert.equal(top.name, 'failOnPurpose');
      assert.equal(top.source?.path, args.program);

      // Continued, the exception ends the worker, and its thread with it.
      await client.continueRequest({ threadId: worker.id });
      await recorded.next<DebugProtocol.ThreadEvent>('thread', (event) => event.body.reason === 'exited' && event.body.threadId === worker.id);
      assert.ok((await answer) instanceof Error, 'the request dies with its worker');
    } finally {
      await endAndCheck(recorded, marker);
    }
  });

  it('"all" stops where user code throws an exception it catches', async () => {
    const { args, marker } = markedLaunch(fixture('adapter-throwing-workers.js'));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await client.initializeRequest();
      await client.setExceptionBreakpointsRequest({ filters: ['all'] });
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);
      const threads = await startedThreads(recorded, 2);
      const worker = threads.find((thread) => thread.name.startsWith('Worker'))!;
      const port = await listening(recorded);
      assert.deepEqual(recorded.of('stopped'), [], 'no stop while the app starts');

      const answer = get(port, '/caught');
      const stop = await recorded.next<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(stop.body.reason, 'exception');
      assert.equal(stop.body.threadId, worker.id);
      assert.match(stop.body.text ?? '', /caught on purpose/);
      const top = (await client.stackTraceRequest({ threadId: worker.id })).body.stackFrames[0];
      assert.equal(top.name, 'failOnPurpose');
      assert.equal(top.source?.path, args.program);
      await client.continueRequest({ threadId: worker.id });
      assert.equal(await answer, 'caught: caught on purpose\n');
    } finally {
      await endAndCheck(recorded, marker);
    }
  });

  it('"all" on a normal request gives no stop: Cluster Tour’s own instrumentation throws nothing a person sees', async () => {
    const { args, marker } = markedLaunch(fixture('http-workers.js'));
    const recorded = await startAdapter();
    const { client } = recorded;
    try {
      await client.initializeRequest();
      await client.setExceptionBreakpointsRequest({ filters: ['all'] });
      await Promise.all([client.configurationDoneRequest(), client.launchRequest(args)]);
      const stops = continueEveryStop(recorded);
      await startedThreads(recorded, 3);
      const port = await listening(recorded);
      for (let request = 0; request < 4; request++) {
        assert.match(await get(port), /^worker [12]$/m);
      }
      // Stage tracking ran on each connection (tracepoints, the agent's hooks): it was there to throw.
      await recorded.next('clusterTour.stage', (event) => event.body.stage === 'connection');
      assert.deepEqual(stops.map((stop) => `${stop.body.reason}: ${stop.body.text ?? ''} (thread ${stop.body.threadId})`), [], 'no stop at all');
    } finally {
      await endAndCheck(recorded, marker);
    }
  });
});
