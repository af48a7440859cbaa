// The sequence diagram at scale (common/diagram): thousands of connections are counted past the
// limit, so what is drawn stays bounded, with syscalls on too; the incremental builder the
// webview uses draws the same diagram as a whole build, whatever order batches arrive in, and
// its work per batch is the batch's. Pure logic on hand-written events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDiagram, DiagramBuilder, defaultConnectionLimit, type DiagramEvent } from '../../src/common/diagram/model';
import { renderSvg } from '../../src/common/diagram/svg';
import { listeningPrologue, primary, restartClock, syscall, worker } from '../support/diagramEvents';


/** A round-robin run with two workers and `connections` connections; with syscalls, each one's accept4 and sendmsg too. */
function run(connections: number, syscalls = false): DiagramEvent[] {
  restartClock();
  const events: DiagramEvent[] = listeningPrologue();
  for (let number = 1; number <= connections; number++) {
    const seq = 40 + 3 * number;
    const workerId = 1 + (number % 2);
    // The kernel reuses the lowest free descriptor: every connection gets fd 21, each its own socket.
    if (syscalls) events.push(syscall(100, { call: 'accept4', fd: 18, result: 21, socket: 500000 + number, listening: 4242 }));
    events.push(primary('accepted', { seq, fd: 21 }));
    if (syscalls) events.push(syscall(100, { call: 'sendmsg', fd: 5, result: 64, passedFds: [{ fd: 21, socket: 500000 + number }] }));
    events.push(
      primary('newconn-sent', { seq, workerId, fd: 21, handleType: 'net.Native' }),
      worker(workerId, 'newconn-received', { seq, fd: 30 }),
      worker(workerId, 'connection', { seq }),
    );
    if (syscalls) events.push(syscall(100, { call: 'close', fd: 21, result: 0, socket: 500000 + number }));
  }
  events.push(primary('exit', { workerId: 1, code: 0, signal: null }), primary('exit', { workerId: null, code: 0, signal: null }));
  return events;
}

/** A generator of pseudo-random numbers that repeats (mulberry32): a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sequence diagram at thousands of connections', () => {
  it('draws 40 connections and counts 4,960 more in one note, with the right numbers per worker', () => {
    const diagram = buildDiagram(run(5000));
    assert.equal(defaultConnectionLimit, 40);
    assert.deepEqual(diagram.connections, { drawn: 40, aggregated: 4960, arrowsNotDrawn: 4960 * 4, syscallsNotDrawn: 0 });
    const notes = diagram.arrows.filter((arrow) => arrow.kind === 'note');
    assert.deepEqual(notes.map((note) => note.label), ['+ 4960 more connections (19840 arrows not drawn): worker 1: 2480, worker 2: 2480']);
    // 8 before the connections, 4 per drawn connection, the note, the worker's exit.
    assert.equal(diagram.arrows.length, 8 + 40 * 4 + 1 + 1);
    assert.ok(renderSvg(diagram).length < 200_000, 'the SVG stays small');
  });

  it('with syscalls on, counts the OS lane\'s syscalls once connections are counted, instead of drawing thousands', () => {
    const diagram = buildDiagram(run(5000, true));
    assert.equal(diagram.connections.drawn, 40);
    assert.equal(diagram.connections.aggregated, 4960);
    const syscallArrows = diagram.arrows.filter((arrow) => arrow.kind === 'syscall').length;
    // The 40 drawn connections' three syscalls each, and the accept4 of the 41st (it comes before its accept).
    assert.equal(syscallArrows, 40 * 3 + 1);
    assert.equal(diagram.connections.syscallsNotDrawn, 5000 * 3 - syscallArrows);
    assert.ok(diagram.arrows.length < 400, `${diagram.arrows.length} arrows drawn`);
    assert.match(diagram.arrows.find((arrow) => arrow.kind === 'note')?.label ?? '', /^\+ 4960 more connections \(19840 arrows not drawn, 14879 syscalls not drawn\)/);
  });

  it('puts on each newconn the inode of its own socket when the kernel reuses the fd', () => {
    const newconns = buildDiagram(run(3, true)).arrows.filter((arrow) => arrow.stage === 'newconn-sent');
    assert.deepEqual(
      newconns.map((arrow) => arrow.label),
      ['newconn #1 fd 21 inode 500001', 'newconn #2 fd 21 inode 500002', 'newconn #3 fd 21 inode 500003'],
    );
  });
});

describe('the incremental diagram builder', () => {
  it('draws what a whole build draws, however late and in whatever batches events come', () => {
    for (const [seed, connections, syscalls] of [
      [1, 30, false],
      [2, 60, true],
      [3, 300, true],
    ] as const) {
      const events = run(connections, syscalls);
      const next = random(seed);
      // Batches as processes send them: each event is late by up to 12 events' time, batch sizes 1 to 20.
      const arrival = events.map((event, index) => ({ event, at: index + next() * 12 })).sort((a, b) => a.at - b.at);
      const builder = new DiagramBuilder();
      for (let index = 0; index < arrival.length; ) {
        const size = 1 + Math.floor(next() * 20);
        builder.add(arrival.slice(index, index + size).map((each) => each.event));
        index += size;
        // A diagram in the middle of the run matches too (what the webview draws between batches).
        if (next() < 0.2) builder.diagram();
      }
      assert.deepEqual(builder.diagram(), buildDiagram(events), `seed ${seed}`);
    }
  });

  it('replays only the new batch, and from a late event on, not the whole run, after 5,000 connections', () => {
    const events = run(5001);
    const [accepted, sent, received, connection, ...exits] = events.splice(events.length - 6); // the 5,001st connection, the exits
    const builder = new DiagramBuilder().add(events);
    builder.add([accepted, sent]);
    assert.equal(builder.lastReplayed, 2, 'a batch in time order is only taken in');
    builder.add([connection]);
    assert.equal(builder.lastReplayed, 1);
    builder.add([received]);
    assert.equal(builder.lastReplayed, 2, 'a late event is taken in with the one after it, nothing more');
    builder.add(exits);
    assert.equal(builder.lastReplayed, 2);
    assert.deepEqual(builder.diagram(), buildDiagram(run(5001)));
  });

  it('still draws the right diagram when an event is later than the rewind window', () => {
    const events = run(3000);
    const early = events.splice(3, 1);
    const builder = new DiagramBuilder().add(events).add(early);
    assert.equal(builder.lastReplayed, events.length + 1, 'replayed from the start');
    assert.deepEqual(builder.diagram(), buildDiagram(run(3000)));
  });
});
