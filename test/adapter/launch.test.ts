// The debug adapter over stdio on a real cluster app: threads per process, a preset stop inside
// Node's round-robin handle with its real source, a function breakpoint in Node's internals and
// the worker it hands to, stepping, output labelled per process, lifecycle events, and nothing
// left running after terminate.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { continueStops, RecordedClient, startAdapter, threadPids } from '../support/adapter';

describe('launch', () => {
  let recorded: RecordedClient | undefined;
  after(async () => {
    await recorded?.client.stop();
  });

  it('stops in round_robin_handle, shows its source and the worker, steps, and leaves nothing behind', async () => {
    recorded = await startAdapter();
    const { client } = recorded;
    await Promise.all([client.configurationSequence(), client.launch({ program: fixture('http-workers.js'), presets: ['accept'] })]);

    // Threads are processes: the primary and two workers, each announced when attached.
    await waitFor('3 threads', () => recorded!.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'started').length === 3);
    const threads = (await client.threadsRequest()).body.threads;
    assert.deepEqual(threads.map((thread) => thread.name.replace(/\d+\)$/, 'N)')).sort(), ['Primary (pid N)', 'Worker 1 (pid N)', 'Worker 2 (pid N)']);
    const pids = threadPids(threads);
    const primary = threads.find((thread) => thread.name.startsWith('Primary'))!;

    // Output is labelled with the process that wrote it.
    await waitFor('LISTENING', () => listeningPort(recorded!.output()) !== undefined, 15000, recorded.output);
    assert.match(recorded.output(), /^\[primary\] LISTENING \d+$/m);
    const port = listeningPort(recorded.output())!;

    const response = get(port);
    const accept = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.description === 'round-robin accept · primary');
    assert.equal(accept.body.reason, 'breakpoint');
    assert.equal(accept.body.threadId, primary.id);
    assert.equal(accept.body.allThreadsStopped, false);

    const stack = (await client.stackTraceRequest({ threadId: primary.id })).body.stackFrames;
    const top = stack[0];
    assert.equal(top.name, 'RoundRobinHandle.distribute');
    assert.equal(top.source?.name, 'node:internal/cluster/round_robin_handle');
    assert.equal(top.source?.path, 'node:internal/cluster/round_robin_handle');
    assert.ok(top.source?.sourceReference, 'internal sources come by reference');
    assert.ok(stack.every((frame) => !/cluster-tour|preload/.test(frame.source?.path ?? frame.source?.name ?? '')), `no frame of ours: ${stack.map((frame) => frame.source?.name).join(', ')}`);
    const text = (await client.sourceRequest({ sourceReference: top.source!.sourceReference!, source: top.source })).body.content;
    const lines = text.split('\n');
    assert.ok(lines.slice(top.line - 4, top.line).some((line) => line.includes('RoundRobinHandle.prototype.distribute')), `line ${top.line} is in distribute:\n${lines.slice(top.line - 4, top.line).join('\n')}`);

    // Stepping stays in the same process and moves the line.
    await client.nextRequest({ threadId: primary.id });
    const stepped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.reason === 'step');
    assert.equal(stepped.body.threadId, primary.id);
    const afterStep = (await client.stackTraceRequest({ threadId: primary.id })).body.stackFrames[0];
    assert.equal(afterStep.name, 'RoundRobinHandle.distribute');
    assert.notEqual(afterStep.line, top.line);

    // A function breakpoint in Node's internals (handoff: it also runs at listen time, so it is
    // set only now) binds in the primary and shows the worker the connection goes to.
    const functions = await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'RoundRobinHandle.prototype.handoff' }] });
    const functionBreakpoint = functions.body.breakpoints[0];
    assert.equal(functionBreakpoint.verified, true, functionBreakpoint.message);
    assert.equal(functionBreakpoint.source?.path, 'node:internal/cluster/round_robin_handle');
    const handoffFrom = recorded.events.length;
    await client.continueRequest({ threadId: primary.id });
    const handoff = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.hitBreakpointIds?.includes(functionBreakpoint.id!) === true, 15000, handoffFrom);
    assert.equal(handoff.body.threadId, primary.id);
    const handoffFrame = (await client.stackTraceRequest({ threadId: primary.id })).body.stackFrames[0];
    assert.equal(handoffFrame.name, 'RoundRobinHandle.handoff');
    const scopes = (await client.scopesRequest({ frameId: handoffFrame.id })).body.scopes;
    const locals = (await client.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    const worker = locals.find((variable) => variable.name === 'worker');
    assert.ok(worker && worker.variablesReference > 0, `locals: ${locals.map((variable) => variable.name).join(', ')}`);
    const workerFields = (await client.variablesRequest({ variablesReference: worker.variablesReference })).body.variables;
    const workerId = workerFields.find((variable) => variable.name === 'id');
    assert.ok(workerId && ['1', '2'].includes(workerId.value), `worker fields: ${workerFields.map((variable) => `${variable.name}=${variable.value}`).join(', ')}`);
    const evaluated = await client.evaluateRequest({ expression: 'worker.id', frameId: handoffFrame.id, context: 'watch' });
    assert.equal(evaluated.body.result, workerId.value);

    // Let everything run: each later stop (the worker's side of accept) is continued.
    const continueAll = continueStops(client);
    await client.continueRequest({ threadId: primary.id });
    assert.match(await response, /^worker [12]$/m);
    const workerStop = recorded.of<DebugProtocol.StoppedEvent>('stopped').find((event) => event.body.threadId !== primary.id);
    assert.ok(workerStop, 'the accept preset also stops in the worker');
    assert.equal(workerStop.body.reason, 'breakpoint');
    assert.match(workerStop.body.description ?? '', /· worker$/);

    // Lifecycle events arrive as clusterTour.stage with the runtime's fields.
    // Each process sends its per-connection stages in batches of its own: the worker's
    // `connection` can come before the primary's `accepted`.
    const seen = (stage: string): boolean => recorded!.of('clusterTour.stage').some((event) => event.body.stage === stage);
    await waitFor('the accepted and connection stages', () => seen('accepted') && seen('connection'));
    const stages = recorded.of('clusterTour.stage').map((event) => event.body as { stage: string; process: string; workerId: number | null; pid: number; time: number; detail: unknown });
    const accepted = stages.find((stage) => stage.stage === 'accepted');
    assert.ok(accepted, `stages: ${stages.map((stage) => stage.stage).join(', ')}`);
    assert.equal(accepted.process, 'primary');
    assert.equal(accepted.workerId, null);
    assert.equal(accepted.pid, pids[threads.indexOf(primary)]);
    // CLOCK_MONOTONIC milliseconds (common/clock.ts), the same clock in every process: not a date.
    assert.ok(accepted.time > 0 && accepted.time < 1e12 && typeof accepted.detail === 'object');
    assert.ok(stages.some((stage) => stage.stage === 'fork') && stages.some((stage) => stage.stage === 'listening' && stage.process === 'worker'));

    assert.deepEqual(continueAll.stop(), []);
    await client.terminateRequest();
    await recorded.next('terminated');
    await waitFor('every process gone', () => pids.every((pid) => !pidAlive(pid)), 5000);
  });
});
