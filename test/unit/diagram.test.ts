// The sequence-diagram model and its SVG (common/diagram): lanes, arrows and their call sites,
// aggregation past the limit, the OS lane, and an SVG that parses as XML. Pure logic on
// hand-written events (the CLI test draws a real run).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDiagram, arrowCallSites, type DiagramEvent } from '../../src/common/diagram/model';
import { renderSvg } from '../../src/common/diagram/svg';
import { callSites } from '../../src/cluster/callSites/callSites';
import { allElements, parseXml } from '../support/xml';
import { listeningPrologue, primary, restartClock, worker } from '../support/diagramEvents';


/** Connection `number` of the run; its newconn message's `seq` is not the same number, as in Node. */
function connection(number: number, workerId: number): DiagramEvent[] {
  const seq = 40 + 3 * number;
  return [
    primary('accepted', { seq, fd: 20 + number }),
    primary('newconn-sent', { seq, workerId, fd: 20 + number, handleType: 'net.Native' }),
    worker(workerId, 'newconn-received', { seq, fd: 30 }),
    worker(workerId, 'connection', { seq }),
  ];
}

function run(connections: number): DiagramEvent[] {
  restartClock();
  const events: DiagramEvent[] = listeningPrologue();
  for (let number = 1; number <= connections; number++) events.push(...connection(number, 1 + (number % 2)));
  events.push(
    primary('disconnect', { workerId: 1, side: 'primary', step: 'requested' }),
    primary('exit', { workerId: 1, code: 0, signal: null }),
    primary('fork', { workerId: 3 }),
    primary('exit', { workerId: null, code: 0, signal: null }),
  );
  return events;
}

describe('sequence diagram model', () => {
  it('has a lane per process, in order, whatever order the events came in', () => {
    const diagram = buildDiagram(run(2).reverse());
    assert.deepEqual(
      diagram.lanes.map((lane) => lane.id),
      ['clients', 'primary', 'worker:1', 'worker:2', 'worker:3'],
    );
    assert.equal(diagram.lanes.find((lane) => lane.id === 'worker:2')?.pid, 102);
  });

  it('draws every cluster message between primary and workers, with the call site it happens at', () => {
    const diagram = buildDiagram(run(1));
    const labels = diagram.arrows.map((arrow) => `${arrow.from}→${arrow.to} ${arrow.label}`);
    assert.deepEqual(labels.slice(0, 8), [
      'primary→worker:1 fork()',
      'primary→worker:2 fork()',
      'worker:1→primary online',
      'worker:2→primary online',
      'worker:1→primary queryServer 127.0.0.1:0',
      'primary→primary new RoundRobinHandle',
      'primary→worker:1 reply: no handle',
      'worker:1→primary listening 127.0.0.1:4000',
    ]);
    const newconn = diagram.arrows.find((arrow) => arrow.stage === 'newconn-sent');
    assert.equal(newconn?.label, 'newconn #1 fd 21');
    assert.equal(newconn?.callSite, 'rr:RoundRobinHandle.prototype.handoff');
    assert.deepEqual(
      diagram.arrows.filter((arrow) => arrow.connection === '1').map((arrow) => `${arrow.from}→${arrow.to}`),
      ['clients→primary', 'primary→worker:2', 'worker:2→primary', 'worker:2→worker:2'],
      'one connection: client → accept → newconn → ACK → connection',
    );
  });

  it('names only call sites of the catalogue', () => {
    const known = new Set(callSites.map((site) => site.id));
    assert.deepEqual(Object.values(arrowCallSites).filter((id) => !known.has(id)), []);
  });

  it('ends an exited worker with a mark, and gives a respawned one its lane from its fork', () => {
    const diagram = buildDiagram(run(1));
    const exited = diagram.lanes.find((lane) => lane.id === 'worker:1');
    const exitArrow = diagram.arrows.find((arrow) => arrow.stage === 'exit');
    assert.equal(exited?.end?.row, exitArrow?.row);
    const respawned = diagram.lanes.find((lane) => lane.id === 'worker:3');
    const fork = diagram.arrows.find((arrow) => arrow.to === 'worker:3');
    assert.equal(respawned?.startRow, fork?.row);
    assert.ok((respawned?.startRow ?? 0) > (exitArrow?.row ?? Infinity));
    assert.match(diagram.lanes.find((lane) => lane.id === 'primary')?.end?.text ?? '', /exit 0/);
  });

  it('past the limit, counts connections in one note instead of drawing them', () => {
    const diagram = buildDiagram(run(1000), { connectionLimit: 10 });
    assert.equal(diagram.connections.drawn, 10);
    assert.equal(diagram.connections.aggregated, 990);
    assert.equal(diagram.connections.arrowsNotDrawn, 990 * 4);
    const notes = diagram.arrows.filter((arrow) => arrow.kind === 'note');
    assert.equal(notes.length, 1);
    assert.match(notes[0].label, /^\+ 990 more connections \(3960 arrows not drawn\): worker \d: 495, worker \d: 495$/);
    assert.ok(diagram.arrows.length < 120, `${diagram.arrows.length} arrows drawn`);
  });

  it('has an OS lane only when syscall events exist, and puts the socket inode on newconn', () => {
    assert.equal(buildDiagram(run(1)).lanes.some((lane) => lane.kind === 'os'), false);
    const events = run(1);
    const accepted = events.findIndex((event) => event.stage === 'accepted');
    events.splice(accepted, 0, {
      stage: 'syscall',
      process: 'primary',
      workerId: null,
      pid: 100,
      time: events[accepted].time - 0.5,
      detail: { call: 'accept4', fd: 18, result: 21, socket: 424242, listening: 4242 },
    });
    const diagram = buildDiagram(events);
    assert.equal(diagram.lanes[diagram.lanes.length - 1].kind, 'os');
    assert.deepEqual(
      diagram.arrows.filter((arrow) => arrow.kind === 'syscall').map((arrow) => `${arrow.from}→${arrow.to} ${arrow.label}`),
      ['primary→os accept4(18) = 21'],
    );
    assert.equal(diagram.arrows.find((arrow) => arrow.stage === 'newconn-sent')?.label, 'newconn #1 fd 21 inode 424242');
  });
});

describe('sequence diagram SVG', () => {
  it('is well-formed XML with a lane per process and an arrow per message, text escaped', () => {
    const events = run(3);
    (events[4].detail as { address: string }).address = '<&"weird">';
    const svg = renderSvg(buildDiagram(events), { standalone: true, title: 'a & b', highlightConnection: '2', current: { laneId: 'primary', text: '▶ stop 1/2 <x>' } });
    const root = parseXml(svg);
    assert.equal(root.name, 'svg');
    assert.equal(root.attributes.xmlns, 'http://www.w3.org/2000/svg');
    const elements = allElements(root);
    const lanes = elements.filter((element) => element.attributes['data-lane']).map((element) => element.attributes['data-lane']);
    assert.deepEqual(lanes, ['clients', 'primary', 'worker:1', 'worker:2', 'worker:3']);
    assert.ok(elements.some((element) => element.name === 'text' && element.text === 'queryServer <&"weird">:0'));
    const highlighted = elements.filter((element) => element.attributes.class?.split(' ').includes('ct-highlight'));
    assert.deepEqual(
      highlighted.map((element) => element.attributes['data-connection']),
      ['2', '2', '2', '2'],
    );
    assert.ok(elements.some((element) => element.name === 'style'), 'a standalone file carries its colours');
  });

  it('keeps an ended lane\'s mark clear of the next row\'s label, and a last-lane self-arrow\'s label inside the picture', () => {
    const events = run(4);
    // Worker 2 exits right after worker 1: the primary's exit arrow from worker 2 crosses worker 1's lane one row below its end.
    events.splice(events.length - 2, 0, primary('exit', { workerId: 2, code: 0, signal: null }));
    const diagram = buildDiagram(events);
    const root = parseXml(renderSvg(diagram));
    const elements = allElements(root);
    const width = Number(root.attributes.width);
    const endTexts = elements.filter((element) => element.attributes.class === 'ct-end-text');
    const labels = elements.filter((element) => element.attributes.class === 'ct-label');
    assert.ok(endTexts.length >= 2, 'worker 1 and the primary end with a mark');
    const fontSize = 11;
    for (const endText of endTexts) {
      const bottom = Number(endText.attributes.y) + 3;
      for (const label of labels) {
        const labelTop = Number(label.attributes.y) - fontSize;
        const labelBottom = Number(label.attributes.y) + 3;
        const overlapsVertically = labelTop < bottom && labelBottom > bottom - fontSize;
        // Centred labels span about 6.4 px a character around x; the end text starts at x.
        const x = Number(label.attributes.x);
        const half = (label.text.length * 6.4) / 2;
        const startX = label.attributes['text-anchor'] === 'middle' ? x - half : x;
        const endX = label.attributes['text-anchor'] === 'middle' ? x + half : x + 2 * half;
        const textStart = Number(endText.attributes.x);
        const overlapsHorizontally = startX < textStart + endText.text.length * 6 && endX > textStart - 14;
        assert.ok(!(overlapsVertically && overlapsHorizontally), `"${endText.text}" at y ${endText.attributes.y} overlaps the label "${label.text}" at y ${label.attributes.y}`);
      }
    }
    for (const label of labels) {
      const x = Number(label.attributes.x);
      const right = label.attributes['text-anchor'] === 'middle' ? x + (label.text.length * 6.4) / 2 : x + label.text.length * 6.4;
      assert.ok(right <= width, `the label "${label.text}" ends at ${right}, past the picture's width ${width}`);
    }
  });

  it('the XML check itself refuses what is not well-formed', () => {
    assert.throws(() => parseXml('<svg><g></svg>'), /does not match/);
    assert.throws(() => parseXml('<svg><text>a & b</text></svg>'), /Bad entity/);
    assert.throws(() => parseXml('<svg a="1" a="2"/>'), /Duplicate/);
    assert.throws(() => parseXml('<svg/><svg/>'), /second root/);
  });
});
