// Run control over DAP on a real cluster app (two workers calling tick() every 100 ms): an edit of
// a file's breakpoints keeps the unchanged ones (ids, hit counts); the objects a pause handed out
// are released when the process resumes; continue and step resume every paused process unless
// `singleThread` asks for one; the Processes view's requests pause and continue all processes and
// kill a worker (never the primary), which the primary then replaces. Binaries: CLUSTER_TOUR_TEST_NODES, else this Node.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pidAlive } from '../../src/cluster/launch/launcher';
import { customRequests } from '../../src/common/contributions';
import { fixture, get, testNodes, waitFor } from '../support/cluster';
import { RecordedClient, startAdapter, threadPids } from '../support/adapter';

const program = fixture('ticking-workers.js');
const source = { path: program };
const lineOf = (marker: string): number => readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes(marker)) + 1;
const inWorker1 = 'globalThis.workerId === 1';

interface Stop {
  threadId: number;
  breakpointIds: number[];
  reason: string;
  /** tick's argument where it stopped. */
  tick: number;
}

for (const node of testNodes) {
  describe(`run control on ${node}`, () => {
    const clients: RecordedClient[] = [];
    after(async () => {
      await Promise.all(clients.map((recorded) => recorded.client.stop()));
    });

    /** Launches the fixture with these breakpoints already set; answers the setBreakpoints response. */
    const launch = async (breakpoints: DebugProtocol.SourceBreakpoint[]): Promise<{ recorded: RecordedClient; set: DebugProtocol.Breakpoint[] }> => {
      const recorded = await startAdapter();
      clients.push(recorded);
      const { client } = recorded;
      await client.initializeRequest();
      const set = (await client.setBreakpointsRequest({ source, breakpoints })).body.breakpoints;
      await Promise.all([client.configurationDoneRequest(), client.launchRequest({ program, runtimeExecutable: node } as DebugProtocol.LaunchRequestArguments)]);
      return { recorded, set };
    };

    /** The next stop after event `from` (of `threadId`, if given), with tick's argument there. */
    const nextStop = async (recorded: RecordedClient, from: number, threadId?: number): Promise<Stop> => {
      const event = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (stopped) => threadId === undefined || stopped.body.threadId === threadId, 15000, from);
      const stoppedThread = event.body.threadId!;
      const frame = (await recorded.client.stackTraceRequest({ threadId: stoppedThread })).body.stackFrames[0];
      const tick = Number((await recorded.client.evaluateRequest({ expression: 'i', frameId: frame.id, context: 'watch' })).body.result);
      return { threadId: stoppedThread, breakpointIds: event.body.hitBreakpointIds ?? [], reason: event.body.reason, tick };
    };

    /**
     * Launches http-workers.js and answers once its workers listen, with their port. Nothing in
     * it then runs JavaScript until a request comes.
     */
    const launchIdleCluster = async (): Promise<{ recorded: RecordedClient; port: number }> => {
      const recorded = await startAdapter();
      clients.push(recorded);
      const { client } = recorded;
      await client.initializeRequest();
      await Promise.all([client.configurationDoneRequest(), client.launchRequest({ program: fixture('http-workers.js'), runtimeExecutable: node } as DebugProtocol.LaunchRequestArguments)]);
      await waitFor('the workers listening', () => /LISTENING \d+/.test(recorded.output()));
      return { recorded, port: Number(/LISTENING (\d+)/.exec(recorded.output())![1]) };
    };

    /** Launches the idle cluster, pauses every process with the Processes view's request, and answers the stops. */
    const pauseIdleCluster = async (): Promise<{ recorded: RecordedClient; stopped: DebugProtocol.StoppedEvent[] }> => {
      const { recorded } = await launchIdleCluster();
      const { client } = recorded;
      const from = recorded.events.length;
      const paused = (await client.customRequest(customRequests.pauseProcesses, {})).body as { pids: number[] };
      assert.equal(paused.pids.length, 3);
      const stopped = (): DebugProtocol.StoppedEvent[] => recorded.events.slice(from).filter((event): event is DebugProtocol.StoppedEvent => event.event === 'stopped');
      await waitFor('every idle process paused', () => new Set(stopped().map((event) => event.body.threadId)).size === 3, 10000);
      return { recorded, stopped: stopped() };
    };

    it('keeps the ids and hit counts of unchanged breakpoints when a breakpoint is added to the file', async () => {
      const first = { line: lineOf('tick: first'), condition: inWorker1, hitCondition: '2' };
      const second = { line: lineOf('tick: second'), condition: inWorker1, hitCondition: '4' };
      const third = { line: lineOf('tick: third'), condition: inWorker1 };
      const { recorded, set } = await launch([first, second]);
      const { client } = recorded;
      const [firstId, secondId] = set.map((breakpoint) => breakpoint.id!);

      const hit = await nextStop(recorded, 0);
      assert.deepEqual([hit.breakpointIds, hit.tick], [[firstId], 2], 'the first breakpoint stops at its second hit');
      const edited = (await client.setBreakpointsRequest({ source, breakpoints: [first, second, third] })).body.breakpoints;
      assert.deepEqual(edited.slice(0, 2).map((breakpoint) => breakpoint.id), [firstId, secondId], 'the unchanged breakpoints keep their ids');
      const thirdId = edited[2].id!;
      assert.ok(![firstId, secondId].includes(thirdId));

      // The second breakpoint was hit once (tick 1): with its count kept, its fourth hit is tick 4;
      // the first (==2) never stops again. Re-created, the first would stop again at tick 4.
      const stops: string[] = [];
      for (let index = 0; index < 3; index++) {
        const from = recorded.events.length;
        await client.continueRequest({ threadId: hit.threadId });
        const stop = await nextStop(recorded, from);
        stops.push(`${stop.breakpointIds.map((id) => (id === firstId ? 'first' : id === secondId ? 'second' : id === thirdId ? 'third' : id)).join('+')} at tick ${stop.tick}`);
      }
      assert.deepEqual(stops, ['third at tick 2', 'third at tick 3', 'second at tick 4']);
      await client.terminateRequest();
      await recorded.next('terminated');
    });

    it('releases the objects a pause handed out when the process resumes', async () => {
      const { recorded } = await launch([{ line: lineOf('tick: third'), condition: inWorker1 }]);
      const { client } = recorded;
      const stop = await nextStop(recorded, 0);
      const frameId = (await client.stackTraceRequest({ threadId: stop.threadId })).body.stackFrames[0].id;
      // An object only the debugger holds (through the evaluation's result), watched by a WeakRef.
      const held = await client.evaluateRequest({ expression: "globalThis.held = { marker: 'held' }; globalThis.probe = new WeakRef(globalThis.held); globalThis.held", frameId, context: 'repl' });
      assert.ok(held.body.variablesReference > 0, 'the object is handed out by reference');
      const fields = (await client.variablesRequest({ variablesReference: held.body.variablesReference })).body.variables;
      assert.ok(fields.some((field) => field.name === 'marker'));
      await client.evaluateRequest({ expression: 'delete globalThis.held', frameId, context: 'repl' });

      const from = recorded.events.length;
      await client.continueRequest({ threadId: stop.threadId });
      const again = await nextStop(recorded, from, stop.threadId);
      const againFrameId = (await client.stackTraceRequest({ threadId: again.threadId })).body.stackFrames[0].id;
      const collected = await client.evaluateRequest({ expression: '(collect(), globalThis.probe.deref() === undefined)', frameId: againFrameId, context: 'repl' });
      assert.equal(collected.body.result, 'true', 'after the resume nothing holds the object: the garbage collector took it');
      await client.terminateRequest();
      await recorded.next('terminated');
    });

    it('continues and steps every paused process without singleThread, only the one asked with it', async () => {
      const { recorded } = await launch([{ line: lineOf('tick: first') }]);
      const { client } = recorded;
      // Both workers pause at the breakpoint (the second while the first is held).
      const stopped = (): number[] => [...new Set(recorded.of<DebugProtocol.StoppedEvent>('stopped').map((event) => event.body.threadId!))];
      await recorded.next<DebugProtocol.StoppedEvent>('stopped', () => stopped().length === 2);
      const [one, two] = stopped();

      let from = recorded.events.length;
      const single = await client.continueRequest({ threadId: one, singleThread: true });
      assert.equal(single.body.allThreadsContinued, false);
      await nextStop(recorded, from, one);
      const sinceSingle = recorded.events.slice(from);
      assert.ok(!sinceSingle.some((event) => ['stopped', 'continued'].includes(event.event) && event.body.threadId === two), 'the other worker stayed paused');
      assert.ok((await client.stackTraceRequest({ threadId: two })).body.stackFrames.length > 0, 'and still shows its frames');

      from = recorded.events.length;
      const all = await client.continueRequest({ threadId: one });
      assert.equal(all.body.allThreadsContinued, true);
      const [oneAgain, twoAgain] = await Promise.all([nextStop(recorded, from, one), nextStop(recorded, from, two)]);
      assert.equal(twoAgain.tick > 0 && oneAgain.tick > 0, true, 'both workers ran on to the breakpoint again');

      // Both paused again: a step with singleThread leaves the other paused, one without resumes it.
      from = recorded.events.length;
      await client.nextRequest({ threadId: one, singleThread: true });
      assert.equal((await nextStop(recorded, from, one)).reason, 'step');
      assert.ok(!recorded.events.slice(from).some((event) => event.event === 'stopped' && event.body.threadId === two), 'a single-thread step leaves the other paused');
      from = recorded.events.length;
      await client.nextRequest({ threadId: one });
      assert.equal((await nextStop(recorded, from, one)).reason, 'step');
      assert.equal((await nextStop(recorded, from, two)).reason, 'breakpoint', 'a step without singleThread resumed the other worker, which reached the breakpoint again');
      await client.terminateRequest();
      await recorded.next('terminated');
    });
  
    it('pauses and continues every process by request, and kills a worker but not the primary', async () => {
      const { recorded } = await launch([]);
      const { client } = recorded;
      const started = (): DebugProtocol.ThreadEvent[] => recorded.of<DebugProtocol.ThreadEvent>('thread').filter((event) => event.body.reason === 'started');
      await waitFor('3 threads', () => started().length === 3);
      const threads = (await client.threadsRequest()).body.threads;
      const primary = threads.find((thread) => thread.name.startsWith('Primary'))!;
      const worker = threads.find((thread) => thread.name.startsWith('Worker 1'))!;
      const [primaryPid, workerPid] = threadPids([primary, worker]);

      let from = recorded.events.length;
      const paused = (await client.customRequest(customRequests.pauseProcesses, {})).body as { pids: number[] };
      assert.equal(paused.pids.length, 3);
      const pausedThreads = (): Set<number> => new Set(recorded.events.slice(from).filter((event) => event.event === 'stopped').map((event) => event.body.threadId as number));
      await waitFor('every process paused', () => pausedThreads().size === 3);
      from = recorded.events.length;
      const resumed = (await client.customRequest(customRequests.continueProcesses, {})).body as { pids: number[] };
      assert.deepEqual([...resumed.pids].sort(), [...paused.pids].sort());
      // Not a DAP continue: the client learns of each resume from a continued event.
      await waitFor('a continued event per process', () => new Set(recorded.events.slice(from).filter((event) => event.event === 'continued').map((event) => event.body.threadId)).size === 3);

      await assert.rejects(client.customRequest(customRequests.killWorker, { pid: primaryPid }), /E_NOT_A_WORKER/);
      assert.ok(pidAlive(primaryPid));
      await client.customRequest(customRequests.killWorker, { pid: workerPid });
      await recorded.next<DebugProtocol.ThreadEvent>('thread', (event) => event.body.reason === 'exited' && event.body.threadId === worker.id);
      await waitFor('a new worker in place of the killed one', () => started().length === 4);
      assert.match(recorded.output(), /worker 1 exited \(SIGKILL\)/);
      await assert.rejects(client.customRequest(customRequests.killWorker, { pid: workerPid }), /E_NO_PROCESS/);
      await client.terminateRequest();
      await recorded.next('terminated');
    });

    it('continues every paused process though one of them has just been killed', async () => {
      const { recorded } = await pauseIdleCluster();
      const { client } = recorded;
      const threads = (await client.threadsRequest()).body.threads;
      const primary = threads.find((thread) => thread.name.startsWith('Primary'))!;
      const [workerPid] = threadPids(threads.filter((thread) => thread.name.startsWith('Worker 1')));
      // Killed while paused: its inspector's connection closes as the continue goes out.
      process.kill(workerPid, 'SIGKILL');
      const answer = await client.continueRequest({ threadId: primary.id });
      assert.equal(answer.success, true);
      await client.terminateRequest();
      await recorded.next('terminated');
    });

    it('cancels a pause that has not landed when Continue All comes first: every process runs on, and pauses again when asked', async () => {
      const { recorded, port } = await launchIdleCluster();
      const { client } = recorded;
      const from = recorded.events.length;
      // Idle processes: each pause would land only in our idle timer, 150 ms later.
      const [paused, continued] = await Promise.all([client.customRequest(customRequests.pauseProcesses, {}), client.customRequest(customRequests.continueProcesses, {})]);
      assert.equal((paused.body as { pids: number[] }).pids.length, 3);
      assert.equal((continued.body as { pids: number[] }).pids.length, 3, 'Continue All took the processes whose pause was on its way');
      // Long enough for an idle timer to fire and stop, and for every worker to serve.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const stopped = (): string[] => recorded.events.slice(from).flatMap((event) => (event.event === 'stopped' ? [`${event.body.reason} in thread ${event.body.threadId}`] : []));
      for (let request = 0; request < 4; request++) {
        // A paused worker would never answer.
        const answer = await Promise.race([get(port), new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 10 s'), 10000))]);
        assert.match(answer, /^worker \d/, `request ${request + 1}; stops: ${stopped().join(', ')}`);
      }
      assert.deepEqual(stopped(), [], 'no process stopped after Continue All');

      const again = recorded.events.length;
      await client.customRequest(customRequests.pauseProcesses, {});
      await waitFor('every process paused by the next Pause All', () => new Set(recorded.events.slice(again).filter((event) => event.event === 'stopped').map((event) => event.body.threadId)).size === 3, 10000);
      await client.customRequest(customRequests.continueProcesses, {});
      await client.terminateRequest();
      await recorded.next('terminated');
    });

    it('pauses processes idle in their event loop, in a frame that says so, and continues them', async () => {
      const { recorded, stopped } = await pauseIdleCluster();
      const { client } = recorded;
      for (const event of stopped) {
        const [top] = (await client.stackTraceRequest({ threadId: event.body.threadId! })).body.stackFrames;
        assert.equal(top.name, 'idle: waiting in the event loop');
        assert.equal(top.source?.name, 'event loop (idle)');
        const text = (await client.sourceRequest({ source: top.source, sourceReference: top.source!.sourceReference! })).body.content;
        assert.match(text.split('\n')[top.line - 1], /^\s*debugger;/, 'the frame is at the statement it stopped at');
        assert.match(text, /paused this process while it was idle/);
      }
      const resumedFrom = recorded.events.length;
      await client.customRequest(customRequests.continueProcesses, {});
      await waitFor('a continued event per process', () => new Set(recorded.events.slice(resumedFrom).filter((event) => event.event === 'continued').map((event) => event.body.threadId)).size === 3);
      await client.terminateRequest();
      await recorded.next('terminated');
    });
  });
}
