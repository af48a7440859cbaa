// The sequence-diagram webview's script (bundled by scripts/build.mjs to dist/diagram.js, loaded
// by nonce): feeds the events the extension posts to the shared incremental builder
// (src/common/diagram), draws in the task that brought them, and replaces only the SVG's
// arrows that changed, so that a batch costs the same with 10 or 10,000 connections behind it.
import { DiagramBuilder } from '../src/common/diagram/model';
import { renderSvgParts } from '../src/common/diagram/svg';

const vscode = acquireVsCodeApi();
const container = document.getElementById('diagram');
const summary = document.getElementById('summary');
const stageOfCallSite = JSON.parse(document.body.dataset.callSiteStages || '{}');
const emptyText = '<p class="empty">No cluster events yet: start a Cluster Tour session (a tour, or F5 on a cluster app).</p>';

let builder = new DiagramBuilder();
let eventCount = 0;
let current = null;
let highlight;
let scheduled = false;
let scrollToCurrent = false;
/** What is on screen: the <svg>, and the markup of its lanes, arrows and marker. */
let drawn;
/**
 * For the e2e test: per event of an `events` batch, [ms from its record in the process to its
 * arrival in the extension, from there to the post, to arrival here, to drawn, the webview's
 * visibility at arrival, when it was posted, how long the drawing took, its stage]; the newest 2,000 only. Timed against Date.now(): one machine's clock.
 */
const timings = [];
let pending = [];
let postedTotal = 0;

loadCodicons();

window.addEventListener('message', (message) => {
  const data = message.data;
  if (data.type === 'reset') {
    builder = new DiagramBuilder().add(data.events);
    eventCount = data.events.length;
    postedTotal = data.total;
    current = data.current;
    highlight = undefined;
    scrollToCurrent = current !== null;
    pending = [];
  } else if (data.type === 'events') {
    builder.add(data.events);
    eventCount += data.events.length;
    postedTotal = data.total;
    const arrivedAt = Date.now();
    const visibility = document.visibilityState;
    for (let index = 0; index < data.events.length; index++) {
      pending.push({ recordedAt: data.recordedAt[index], extensionAt: data.extensionAt[index], postedAt: data.postedAt, arrivedAt, visibility, stage: data.events[index].stage });
    }
  } else if (data.type === 'tour') {
    scrollToCurrent = data.current !== null && data.current?.text !== current?.text;
    current = data.current;
  }
  schedule();
});

container.addEventListener('click', (event) => {
  const arrow = event.target.closest('[data-arrow]');
  if (!arrow) return;
  if (arrow.dataset.connection !== undefined) {
    highlight = arrow.dataset.connection;
    schedule();
  }
  if (arrow.dataset.callSite) vscode.postMessage({ type: 'open', callSite: arrow.dataset.callSite });
});
document.getElementById('save').addEventListener('click', () => vscode.postMessage({ type: 'save' }));
document.getElementById('follow').addEventListener('click', () => {
  scrollToCurrent = true;
  schedule();
});
document.getElementById('clear').addEventListener('click', () => {
  highlight = undefined;
  schedule();
});
// A hidden webview's timers may be held back (Chromium throttles hidden frames): draw the moment it shows.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && scheduled) draw();
});

/**
 * Draws now, in the task that brought the change: in code-server the webview shares its thread
 * with the workbench, and a timer or a frame would queue behind the workbench's own work (the
 * editor it opens at a stop), hundreds of ms on a busy machine. Drawing is incremental, so a
 * batch costs little. A hidden webview draws when it shows again.
 */
function schedule() {
  if (document.visibilityState === 'hidden') {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      if (scheduled) draw();
    }, 0);
    return;
  }
  draw();
}

function draw() {
  scheduled = false;
  const started = performance.now();
  if (eventCount === 0) {
    container.innerHTML = emptyText;
    drawn = undefined;
    summary.textContent = '';
    record(Date.now(), performance.now() - started);
    return;
  }
  const diagram = builder.diagram();
  let marked;
  if (current) {
    // The newest arrow at the stop's call site, or else at its stage, on the paused process's lane.
    const onLane = diagram.arrows.filter((arrow) => arrow.from === current.laneId || arrow.to === current.laneId);
    marked = [...onLane].reverse().find((arrow) => arrow.callSite === current.callSite) ?? [...onLane].reverse().find((arrow) => arrow.stage === stageOfCallSite[current.callSite]);
  }
  const parts = renderSvgParts(diagram, {
    highlightConnection: highlight,
    current: current ? { laneId: current.laneId, text: current.text, arrowId: marked?.id } : undefined,
  });
  patch(parts);
  const { drawn: connectionsDrawn, aggregated, arrowsNotDrawn, syscallsNotDrawn } = diagram.connections;
  summary.textContent =
    `${diagram.lanes.length} lanes · ${diagram.arrows.length} arrows · ${connectionsDrawn} connections drawn` +
    (aggregated > 0 ? ` · ${aggregated} more counted (${arrowsNotDrawn} arrows${syscallsNotDrawn > 0 ? `, ${syscallsNotDrawn} syscalls` : ''} not drawn)` : '') +
    (highlight !== undefined ? ` · following connection ${highlight}` : '');
  record(Date.now(), performance.now() - started);
  if (scrollToCurrent) {
    scrollToCurrent = false;
    // Vertically to the marker, and sideways to the paused process's lane when the view is narrow.
    const marker = container.querySelector('[data-arrow="current"] rect');
    const lane = container.querySelector(`[data-lane="${CSS.escape(current?.laneId ?? '')}"] line`);
    if (marker) window.scrollBy(0, marker.getBoundingClientRect().top - window.innerHeight / 2);
    if (lane) container.scrollLeft += lane.getBoundingClientRect().left - container.getBoundingClientRect().left - container.clientWidth / 2;
  }
}

/** Puts `parts` on screen, replacing only the arrows whose markup changed. */
function patch(parts) {
  if (!drawn) {
    container.innerHTML = `${parts.head}<g class="ct-lanes">${parts.lanes}</g><g class="ct-arrows">${parts.arrows.join('')}</g><g class="ct-marker">${parts.marker}</g></svg>`;
    const svg = container.querySelector('svg');
    drawn = { svg, lanesGroup: svg.querySelector('.ct-lanes'), arrowsGroup: svg.querySelector('.ct-arrows'), markerGroup: svg.querySelector('.ct-marker'), lanes: parts.lanes, arrows: parts.arrows.slice(), marker: parts.marker };
    return;
  }
  const { svg } = drawn;
  svg.setAttribute('width', String(parts.width));
  svg.setAttribute('height', String(parts.height));
  svg.setAttribute('viewBox', `0 0 ${parts.width} ${parts.height}`);
  if (parts.lanes !== drawn.lanes) drawn.lanesGroup.innerHTML = parts.lanes;
  if (parts.marker !== drawn.marker) drawn.markerGroup.innerHTML = parts.marker;
  const children = drawn.arrowsGroup.children;
  const changed = [];
  for (let index = 0; index < parts.arrows.length; index++) {
    if (parts.arrows[index] !== drawn.arrows[index]) changed.push(index);
  }
  if (changed.length > 0) {
    const fresh = svgElements(changed.map((index) => parts.arrows[index]));
    changed.forEach((index, position) => {
      if (index < children.length) children[index].replaceWith(fresh[position]);
      else drawn.arrowsGroup.appendChild(fresh[position]);
    });
  }
  while (children.length > parts.arrows.length) children[children.length - 1].remove();
  drawn.lanes = parts.lanes;
  drawn.marker = parts.marker;
  drawn.arrows = parts.arrows.slice();
}

/** SVG elements from markup (parsed inside an <svg>, so that they get the SVG namespace). */
function svgElements(markups) {
  const template = document.createElement('template');
  template.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg">${markups.join('')}</svg>`;
  return [...template.content.firstElementChild.children];
}

/** Keeps the timings of the events just drawn, and the counts, where the e2e test reads them. */
function record(drawnAt, drawMilliseconds) {
  for (const each of pending) {
    timings.push([each.extensionAt - each.recordedAt, each.postedAt - each.extensionAt, each.arrivedAt - each.postedAt, drawnAt - each.arrivedAt, each.visibility, each.postedAt, Math.round(drawMilliseconds * 10) / 10, each.stage]);
  }
  if (timings.length > 2000) timings.splice(0, timings.length - 2000);
  pending = [];
  container.dataset.timings = JSON.stringify(timings);
  container.dataset.events = String(eventCount);
  container.dataset.posted = String(postedTotal);
}

/** Icons from the codicon font of the VS Code running the extension, when it has one. */
function loadCodicons() {
  const url = document.body.dataset.codiconFont;
  if (!url || typeof FontFace === 'undefined') return;
  const face = new FontFace('codicon', `url(${url})`);
  face.load().then(
    (loaded) => {
      document.fonts.add(loaded);
      document.body.classList.add('codicons');
    },
    (error) => console.warn(`Cluster Tour: the codicon font did not load (${error}); the buttons show text only.`),
  );
}

vscode.postMessage({ type: 'ready' });
