// The debug adapter over stdio on a TypeScript cluster app run from its compiled JavaScript
// (test/fixtures/ts-cluster): a breakpoint set in app.ts binds in app.js and is verified at its
// app.ts line, a worker stops there with app.ts on top, stepping stays in app.ts, and terminate
// leaves nothing running.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, get, listeningPort, waitFor } from '../support/cluster';
import { assertNoProcessesLeft, testMarkerVariable } from '../support/processes';
import { RecordedClient, startAdapter } from '../support/adapter';

const program = fixture(path.join('ts-cluster', 'app.js'));
const source = fixture(path.join('ts-cluster', 'app.ts'));

/** The 1-based line of app.ts that holds `text`. */
function sourceLine(text: string): number {
  const index = fs.readFileSync(source, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `app.ts holds ${JSON.stringify(text)}`);
  return index + 1;
}

describe('source maps', () => {
  let recorded: RecordedClient | undefined;
  const marker = randomUUID();
  after(async () => {
    await recorded?.client.stop();
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'the source map test' });
  });

  it('breaks, shows frames and steps in app.ts while app.js runs', async () => {
    const handlerLine = sourceLine('const reply: Reply = {');
    const javascriptLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes('const reply = {')) + 1;
    assert.notEqual(handlerLine, javascriptLine, 'the fixture has different lines in app.ts and app.js');

    recorded = await startAdapter();
    const { client } = recorded;
    // Set before launch, like an editor does: it must bind in every process that loads app.js.
    let breakpoint: DebugProtocol.Breakpoint | undefined;
    await Promise.all([
      client.waitForEvent('initialized').then(async () => {
        const response = await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: handlerLine }] });
        breakpoint = response.body.breakpoints[0];
        await client.configurationDoneRequest();
      }),
      client.launch({ program, env: { [testMarkerVariable]: marker } }),
    ]);
    assert.ok(breakpoint?.id !== undefined);
    assert.equal(breakpoint.line, handlerLine);

    await waitFor('LISTENING', () => listeningPort(recorded!.output()) !== undefined, 15000, recorded.output);
    const port = listeningPort(recorded.output())!;
    const verified = await recorded.next<DebugProtocol.BreakpointEvent>('breakpoint', (event) => event.body.breakpoint.id === breakpoint!.id && event.body.breakpoint.verified);
    assert.equal(verified.body.breakpoint.line, handlerLine, 'verified at its app.ts line, not app.js line');

    const response = get(port);
    const stopped = await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.hitBreakpointIds?.includes(breakpoint!.id!) === true);
    assert.equal(stopped.body.reason, 'breakpoint');
    const threads = (await client.threadsRequest()).body.threads;
    const thread = threads.find((each) => each.id === stopped.body.threadId);
    assert.match(thread?.name ?? '', /^Worker [12] \(pid \d+\)$/);

    const top = (await client.stackTraceRequest({ threadId: thread!.id })).body.stackFrames[0];
    assert.equal(top.source?.path, source);
    assert.equal(top.source?.name, 'app.ts');
    assert.equal(top.line, handlerLine);

    const stepFrom = recorded.events.length;
    await client.nextRequest({ threadId: thread!.id });
    await recorded.next<DebugProtocol.StoppedEvent>('stopped', (event) => event.body.reason === 'step' && event.body.threadId === thread!.id, 15000, stepFrom);
    const stepped = (await client.stackTraceRequest({ threadId: thread!.id })).body.stackFrames[0];
    assert.equal(stepped.source?.path, source);
    assert.equal(stepped.line, sourceLine("if (reply.path === '/quit')"));

    await client.continueRequest({ threadId: thread!.id });
    assert.match(await response, /^worker [12]$/m);

    await client.terminateRequest();
    await recorded.next('terminated');
    await assertNoProcessesLeft(`${testMarkerVariable}=${marker}`, { after: 'terminate', timeoutMilliseconds: 5000 });
  });
});
