// Entry of `npm run bench:diagram`: what the sequence diagram costs with 10, 1,000 and 10,000
// connections, as a ratio against 10 measured in the same run. The events are synthetic, shaped
// on a real trace recorded first (`cluster-tour trace --json` of the bundled sample: its prelude,
// one connection's stages with their processes and offsets, its end), with connections 1 ms apart
// and delivered as the agent reports them (per process, per-connection stages every 100 ms).
// Measured: the webview's work per batch (incremental model, SVG parts, the diff of what changed;
// not the DOM, which the e2e test times) against the old webview's (everything again), the whole
// live run, and a whole-run SVG (Save as SVG, `trace --svg`) with its size. Writes bench/results/diagram.json. Exits non-zero only when the
// benchmark itself broke.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildDiagram, DiagramBuilder, defaultConnectionLimit, type DiagramEvent } from '../src/common/diagram/model';
import { renderSvg, renderSvgParts } from '../src/common/diagram/svg';
import { perConnectionStages } from '../src/common/stages';
import { parseBenchArguments } from './arguments';
import { median, ratio, round } from './stats';

const repository = path.resolve(__dirname, '..', '..');
/** How long the agent keeps per-connection stages before it reports them (processSession.ts). */
const agentFlushMilliseconds = 100;
const connectionSpacingMilliseconds = 1;

interface Shape {
  prelude: DiagramEvent[];
  /** One connection's stages, times relative to its accept. */
  connection: DiagramEvent[];
  epilogue: DiagramEvent[];
  workerIds: number[];
}

/** Records the bundled sample with `cluster-tour trace --json` and cuts it into its parts. */
function recordShape(node: string): Shape {
  const output = execFileSync(node, [path.join(repository, 'dist', 'cli.js'), 'trace', '--json'], { encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] });
  const events = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as DiagramEvent);
  const perConnection = new Set<string>(perConnectionStages);
  const first = events.findIndex((event) => perConnection.has(event.stage));
  const last = events.length - 1 - [...events].reverse().findIndex((event) => perConnection.has(event.stage));
  if (first < 0) throw new Error(`E_BENCH_TRACE: the recorded trace has no connection (${events.length} events); is dist/ built?`);
  const seq = (events[first].detail as { seq: number }).seq;
  const connection = events.filter((event) => perConnection.has(event.stage) && (event.detail as { seq?: number }).seq === seq);
  const workerIds = [...new Set(events.filter((event) => event.stage === 'newconn-sent').map((event) => (event.detail as { workerId: number }).workerId))];
  const start = connection[0].time;
  return {
    prelude: events.slice(0, first),
    connection: connection.map((event) => ({ ...event, time: event.time - start })),
    epilogue: events.slice(last + 1),
    workerIds,
  };
}

/** `count` connections shaped like the recorded one, round-robin over the trace's workers, with the pids of those workers. */
function synthesize(shape: Shape, count: number): DiagramEvent[] {
  const start = shape.prelude[shape.prelude.length - 1].time + 1;
  const pidOf = new Map<number, number>();
  for (const event of shape.prelude) if (event.stage === 'online' && event.detail.workerId !== null && event.detail.workerPid !== null) pidOf.set(event.detail.workerId, event.detail.workerPid);
  const events = [...shape.prelude];
  for (let index = 0; index < count; index++) {
    const workerId = shape.workerIds[index % shape.workerIds.length];
    const seq = 1000 + index;
    for (const template of shape.connection) {
      const detail = { ...(template.detail as object), seq, connection: index + 1, ...('workerId' in (template.detail as object) ? { workerId } : {}) };
      const own = template.process === 'worker' ? { workerId, pid: pidOf.get(workerId) ?? template.pid } : {};
      events.push({ ...template, ...own, time: start + index * connectionSpacingMilliseconds + template.time, detail } as DiagramEvent);
    }
  }
  const end = start + count * connectionSpacingMilliseconds + 10;
  const epilogueStart = shape.epilogue[0]?.time ?? 0;
  for (const event of shape.epilogue) events.push({ ...event, time: end + event.time - epilogueStart });
  return events;
}

/** The batches the webview gets: a process's per-connection stages every 100 ms, other stages at once; in arrival order. */
function batches(events: readonly DiagramEvent[]): DiagramEvent[][] {
  const perConnection = new Set<string>(perConnectionStages);
  const arrivals: Array<{ at: number; events: DiagramEvent[] }> = [];
  const open = new Map<number, { at: number; events: DiagramEvent[] }>();
  for (const event of events) {
    const pending = open.get(event.pid);
    if (pending && event.time >= pending.at) {
      arrivals.push(pending);
      open.delete(event.pid);
    }
    if (perConnection.has(event.stage)) {
      const batch = open.get(event.pid) ?? { at: event.time + agentFlushMilliseconds, events: [] };
      batch.events.push(event);
      open.set(event.pid, batch);
    } else {
      // A rare stage goes at once, with what the process had batched before it.
      const batch = open.get(event.pid);
      open.delete(event.pid);
      arrivals.push({ at: event.time, events: [...(batch?.events ?? []), event] });
    }
  }
  arrivals.push(...open.values());
  return arrivals.sort((a, b) => a.at - b.at).map((each) => each.events);
}

interface Measured {
  connections: number;
  events: number;
  batches: number;
  /** The webview's work for the last 20 batches (median), and for the whole live run. */
  perBatchMilliseconds: number;
  liveMilliseconds: number;
  /** Model and SVG of the whole run at once (Save as SVG, trace --svg). */
  wholeMilliseconds: number;
  svgBytes: number;
  arrowsDrawn: number;
  /** Arrows whose markup changed over the live run (what the webview replaces in the DOM). */
  arrowsReplaced: number;
  /** The old webview's work per batch (the whole model and SVG again), median of the last 20 batches. */
  fullRedrawMilliseconds: number;
}

function measure(events: readonly DiagramEvent[], connections: number): Measured {
  const arrivals = batches(events);
  const builder = new DiagramBuilder();
  let previous: string[] = [];
  const perBatch: number[] = [];
  let replaced = 0;
  const liveStart = performance.now();
  for (const batch of arrivals) {
    const started = performance.now();
    builder.add(batch);
    const parts = renderSvgParts(builder.diagram());
    let changed = 0;
    for (let index = 0; index < parts.arrows.length; index++) if (parts.arrows[index] !== previous[index]) changed++;
    previous = parts.arrows;
    perBatch.push(performance.now() - started);
    replaced += changed;
  }
  const liveMilliseconds = performance.now() - liveStart;
  const wholeStart = performance.now();
  const diagram = buildDiagram(events);
  const svg = renderSvg(diagram, { standalone: true, title: 'bench' });
  const wholeMilliseconds = performance.now() - wholeStart;
  // The old webview, timed on the last 20 batches only (the whole run again at each is quadratic).
  const seen = arrivals.slice(0, -20).flat();
  const fullRedraw: number[] = [];
  for (const batch of arrivals.slice(-20)) {
    seen.push(...batch);
    const started = performance.now();
    renderSvg(buildDiagram(seen));
    fullRedraw.push(performance.now() - started);
  }
  return {
    connections,
    events: events.length,
    batches: arrivals.length,
    perBatchMilliseconds: median(perBatch.slice(-20)),
    liveMilliseconds,
    wholeMilliseconds,
    svgBytes: Buffer.byteLength(svg),
    arrowsDrawn: diagram.arrows.length,
    arrowsReplaced: replaced,
    fullRedrawMilliseconds: median(fullRedraw),
  };
}

function main(): number {
  const options = parseBenchArguments(process.argv.slice(2), { node: process.execPath }, 'diagram.js [--quick] [--node PATH]');
  const shape = recordShape(options.node);
  const repetitions = options.quick ? 2 : 5;
  const sizes = [10, 1000, 10000];
  console.log(
    `Sequence diagram benchmark · ${process.version} · shape from a recorded trace: ${shape.prelude.length} events before the first connection, ` +
      `${shape.connection.length} per connection (${shape.connection.map((event) => event.stage).join(', ')}), ${shape.epilogue.length} after · ` +
      `connections drawn up to ${defaultConnectionLimit}, then counted · ${repetitions} repetitions, medians`,
  );
  const results = sizes.map((connections) => {
    const events = synthesize(shape, connections);
    const runs = Array.from({ length: repetitions }, () => measure(events, connections));
    const pick = (key: keyof Measured): number => median(runs.map((run) => run[key] as number));
    return {
      ...runs[0],
      perBatchMilliseconds: round(pick('perBatchMilliseconds'), 3),
      liveMilliseconds: round(pick('liveMilliseconds'), 1),
      wholeMilliseconds: round(pick('wholeMilliseconds'), 1),
      fullRedrawMilliseconds: round(pick('fullRedrawMilliseconds'), 3),
    };
  });
  const base = results[0];
  const rows = results.map((result) => ({
    connections: result.connections,
    events: result.events,
    batches: result.batches,
    'per batch ms': `${result.perBatchMilliseconds} (×${ratio(result.perBatchMilliseconds, base.perBatchMilliseconds)})`,
    'live run ms': `${result.liveMilliseconds} (×${ratio(result.liveMilliseconds, base.liveMilliseconds)})`,
    'old: redraw all, per batch ms': `${result.fullRedrawMilliseconds} (×${ratio(result.fullRedrawMilliseconds, base.fullRedrawMilliseconds)})`,
    'whole SVG ms': `${result.wholeMilliseconds} (×${ratio(result.wholeMilliseconds, base.wholeMilliseconds)})`,
    'SVG bytes': `${result.svgBytes} (×${ratio(result.svgBytes, base.svgBytes)})`,
    arrows: result.arrowsDrawn,
    'arrows replaced (live)': result.arrowsReplaced,
  }));
  console.table(rows);
  const folder = path.join(repository, 'bench', 'results');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'diagram.json'), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), connectionLimit: defaultConnectionLimit, results }, null, 2)}\n`);
  const bounded = results.every((result) => result.arrowsDrawn <= base.arrowsDrawn + defaultConnectionLimit * shape.connection.length + 1);
  if (!bounded) {
    console.error('E_BENCH_UNBOUNDED: the arrows drawn grew with the connections past the limit');
    return 1;
  }
  return 0;
}

process.exitCode = main();
