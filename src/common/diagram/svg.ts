// Draws a sequence diagram (model.ts) as SVG text: hand-written, no library. Shapes carry classes
// and data attributes only; colours come from a stylesheet — VS Code's `--vscode-*` variables in
// the webview (media/diagram.css), or the fixed palette of `standaloneStyle` inside a saved file.
import type { Arrow, Diagram, Lane } from './model';

export interface RenderOptions {
  /** Embed a <style> with fixed colours: a self-contained file for a blog post. */
  standalone?: boolean;
  /** The connection whose arrows light up. */
  highlightConnection?: string;
  /** The tour's current stop: a marked row at the end, on the paused process's lane. */
  current?: { laneId: string; text: string; arrowId?: string };
  /** Title line at the top (standalone files). */
  title?: string;
}

export const layout = { laneWidth: 170, left: 20, top: 64, rowHeight: 30, headerHeight: 44, bottom: 30, right: 110 } as const;

/**
 * Where an ended lane's mark sits below its exit row: close enough that the mark (±5) and its
 * 11 px text stay above the next row's label (drawn 5 px above that row, about 12 px tall).
 */
const endMarkOffset = 7;

export const standaloneStyle = `
svg.ct-diagram { background: #ffffff; font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 12px; }
.ct-title { fill: #1f2328; font-size: 14px; font-weight: 600; }
.ct-lane-title { fill: #1f2328; font-weight: 600; font-size: 13px; }
.ct-lane-sub { fill: #656d76; font-size: 11px; }
.ct-lane-box { fill: #f6f8fa; stroke: #d0d7de; }
.ct-lifeline { stroke: #8c959f; stroke-dasharray: 4 4; }
.ct-end { stroke: #cf222e; stroke-width: 2; }
.ct-end-text { fill: #cf222e; font-size: 11px; }
.ct-shaft { stroke: #0969da; stroke-width: 1.5; fill: none; }
.ct-head { fill: #0969da; }
.ct-label { fill: #1f2328; }
.ct-kind-reply .ct-shaft { stroke-dasharray: 5 3; }
.ct-kind-connection .ct-shaft, .ct-kind-connection .ct-head { stroke: #1a7f37; }
.ct-kind-connection .ct-head { fill: #1a7f37; }
.ct-kind-syscall .ct-shaft { stroke: #8250df; }
.ct-kind-syscall .ct-head { fill: #8250df; }
.ct-note-box { fill: #fff8c5; stroke: #d4a72c; }
.ct-hit { stroke: transparent; stroke-width: 14; fill: none; }
.ct-highlight .ct-shaft { stroke: #bc4c00; stroke-width: 3; }
.ct-highlight .ct-head { fill: #bc4c00; }
.ct-current-box { fill: #ddf4ff; stroke: #0969da; }
.ct-current .ct-shaft { stroke-width: 3; }
`;

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);

const headerWidth = layout.laneWidth - 24;

function laneX(index: number): number {
  return layout.left + index * layout.laneWidth + layout.laneWidth / 2;
}

function rowY(row: number): number {
  return layout.top + layout.headerHeight + 12 + row * layout.rowHeight;
}

/** The SVG in parts, so that the webview can replace only what changed (media/diagram.js). */
export interface SvgParts {
  width: number;
  height: number;
  /** The opening <svg> tag and what a standalone file carries (style, title). */
  head: string;
  /** The lanes group's content. */
  lanes: string;
  /** One `<g>` per arrow, in order. */
  arrows: string[];
  /** The current stop's marker, or ''. */
  marker: string;
}

export function renderSvg(diagram: Diagram, options: RenderOptions = {}): string {
  const parts = renderSvgParts(diagram, options);
  return [parts.head, `<g class="ct-lanes">${parts.lanes}</g>`, `<g class="ct-arrows">`, ...parts.arrows, '</g>', `<g class="ct-marker">${parts.marker}</g>`, '</svg>'].join('\n');
}

export function renderSvgParts(diagram: Diagram, options: RenderOptions = {}): SvgParts {
  const index = new Map(diagram.lanes.map((lane, position) => [lane.id, position]));
  const rows = diagram.rows + (options.current ? 1 : 0);
  // Room on the right for the label of a self-arrow on the last lane ("'connection' #27").
  const width = layout.left + Math.max(1, diagram.lanes.length) * layout.laneWidth + layout.right;
  const height = rowY(rows) + layout.bottom;
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ct-diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Sequence diagram of a Node.js cluster">`,
  ];
  if (options.standalone) head.push(`<style>${standaloneStyle}</style>`, `<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (options.title) head.push(`<text class="ct-title" x="${layout.left}" y="24">${escapeXml(options.title)}</text>`);
  const lanes = diagram.lanes.map((lane) => renderLane(lane, laneX(index.get(lane.id) ?? 0), rowY(rows))).join('');
  const arrows: string[] = [];
  for (const arrow of diagram.arrows) {
    const from = index.get(arrow.from);
    const to = index.get(arrow.to);
    if (from === undefined || to === undefined) continue;
    const classes = [
      'ct-arrow',
      `ct-kind-${arrow.kind}`,
      `ct-stage-${arrow.stage}`,
      arrow.connection !== undefined && arrow.connection === options.highlightConnection ? 'ct-highlight' : '',
      arrow.id === options.current?.arrowId ? 'ct-current' : '',
    ].filter(Boolean);
    // A fork arrow ends at the header of the lane it starts.
    const startsLane = arrow.stage === 'fork' && diagram.lanes[to].startRow === arrow.row && arrow.row > 0;
    const toX = laneX(to) - (startsLane ? Math.sign(to - from) * (headerWidth / 2) : 0);
    arrows.push(renderArrow(arrow, classes.join(' '), laneX(from), toX));
  }
  let marker = '';
  if (options.current) {
    const position = index.get(options.current.laneId) ?? 0;
    const y = rowY(diagram.rows);
    const text = escapeXml(options.current.text);
    const boxWidth = Math.min(width - 2 * layout.left, Math.max(160, options.current.text.length * 6.6 + 20));
    const x = Math.max(layout.left, Math.min(width - layout.left - boxWidth, laneX(position) - boxWidth / 2));
    marker =
      `<g class="ct-current-marker" data-arrow="current"><rect class="ct-current-box" x="${x}" y="${y - 14}" width="${boxWidth}" height="22" rx="4"/>` +
      `<text class="ct-label" x="${x + boxWidth / 2}" y="${y + 1}" text-anchor="middle">${text}</text></g>`;
  }
  return { width, height, head: head.join('\n'), lanes, arrows, marker };
}

function renderLane(lane: Lane, x: number, bottom: number): string {
  const boxWidth = headerWidth;
  const headerTop = lane.startRow > 0 ? rowY(lane.startRow) - (layout.headerHeight - 6) / 2 : layout.top;
  const lifelineStart = headerTop + layout.headerHeight;
  const lifelineEnd = lane.end ? rowY(lane.end.row) + endMarkOffset : bottom;
  const sub = lane.pid === null ? '' : `pid ${lane.pid}`;
  const parts = [
    `<g class="ct-lane ct-lane-${lane.kind}" data-lane="${escapeXml(lane.id)}">`,
    `<rect class="ct-lane-box" x="${x - boxWidth / 2}" y="${headerTop}" width="${boxWidth}" height="${layout.headerHeight - 6}" rx="4"/>`,
    `<text class="ct-lane-title" x="${x}" y="${headerTop + 17}" text-anchor="middle">${escapeXml(lane.title)}</text>`,
    `<text class="ct-lane-sub" x="${x}" y="${headerTop + 32}" text-anchor="middle">${escapeXml(sub)}</text>`,
    `<line class="ct-lifeline" x1="${x}" y1="${lifelineStart}" x2="${x}" y2="${Math.max(lifelineStart, lifelineEnd)}"/>`,
  ];
  if (lane.end) {
    const y = Math.max(lifelineStart, lifelineEnd);
    parts.push(
      `<path class="ct-end" d="M${x - 5} ${y - 5} L${x + 5} ${y + 5} M${x + 5} ${y - 5} L${x - 5} ${y + 5}"/>`,
      `<text class="ct-end-text" x="${x + 9}" y="${y + 4}">${escapeXml(lane.end.text)}</text>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function renderArrow(arrow: Arrow, classes: string, fromX: number, toX: number): string {
  const y = rowY(arrow.row);
  const data =
    `data-arrow="${arrow.id}"` +
    (arrow.connection === undefined ? '' : ` data-connection="${escapeXml(arrow.connection)}"`) +
    (arrow.callSite === undefined ? '' : ` data-call-site="${escapeXml(arrow.callSite)}"`);
  const title = `<title>${escapeXml(`${arrow.label}${arrow.callSite ? ` · ${arrow.callSite}` : ''}`)}</title>`;
  const label = escapeXml(arrow.label);
  if (arrow.kind === 'note') {
    const left = Math.min(fromX, toX) - layout.laneWidth / 2 + 8;
    const noteWidth = Math.max(Math.abs(toX - fromX) + layout.laneWidth - 16, arrow.label.length * 6.4 + 16);
    return `<g class="${classes}" ${data}>${title}<rect class="ct-note-box" x="${left}" y="${y - 14}" width="${noteWidth}" height="22" rx="3"/><text class="ct-label" x="${left + 8}" y="${y + 1}">${label}</text></g>`;
  }
  if (fromX === toX) {
    const path = `M${fromX} ${y - 8} h28 v14 h-24`;
    const head = `${fromX} ${y + 6} ${fromX + 7} ${y + 2} ${fromX + 7} ${y + 10}`;
    return (
      `<g class="${classes}" ${data}>${title}<path class="ct-hit" d="${path}"/><path class="ct-shaft" d="${path}"/>` +
      `<polygon class="ct-head" points="${head}"/><text class="ct-label" x="${fromX + 34}" y="${y + 2}">${label}</text></g>`
    );
  }
  const direction = toX > fromX ? 1 : -1;
  const tip = toX - direction * 2;
  const head = `${tip} ${y} ${tip - direction * 9} ${y - 4.5} ${tip - direction * 9} ${y + 4.5}`;
  return (
    `<g class="${classes}" ${data}>${title}<line class="ct-hit" x1="${fromX}" y1="${y}" x2="${toX}" y2="${y}"/>` +
    `<line class="ct-shaft" x1="${fromX}" y1="${y}" x2="${tip - direction * 8}" y2="${y}"/><polygon class="ct-head" points="${head}"/>` +
    `<text class="ct-label" x="${(fromX + toX) / 2}" y="${y - 5}" text-anchor="middle">${label}</text></g>`
  );
}
