// The sequence-diagram webview's script (bundled by scripts/build.mjs to dist/diagram.js, loaded
// by nonce): keeps the events the extension posts, redraws with the shared drawing code
// (src/common/diagram) at most once every 15 ms, and turns clicks into highlights and messages.
import { buildDiagram } from '../src/common/diagram/model';
import { renderSvg } from '../src/common/diagram/svg';

const vscode = acquireVsCodeApi();
const container = document.getElementById('diagram');
const summary = document.getElementById('summary');
const stageOfCallSite = JSON.parse(document.body.dataset.callSiteStages || '{}');

let events = [];
let current = null;
let highlight;
let scheduled = false;
let scrollToCurrent = false;
/** For each posted batch of events: ms from the extension's post to its arrival here, and to its drawing (`arrived/drawn`), for the e2e test to report. */
const latencies = [];
let pendingPostedAt = [];

loadCodicons();

window.addEventListener('message', (message) => {
  const data = message.data;
  if (data.type === 'reset') {
    events = data.events.slice();
    current = data.current;
    highlight = undefined;
    scrollToCurrent = current !== null;
    pendingPostedAt.push({ postedAt: data.postedAt, arrivedAt: Date.now() });
  } else if (data.type === 'events') {
    events.push(...data.events);
    pendingPostedAt.push({ postedAt: data.postedAt, arrivedAt: Date.now() });
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

function schedule() {
  if (scheduled) return;
  scheduled = true;
  // A timer, not requestAnimationFrame: frames are not drawn while the webview is in the
  // background, and the diagram should be up to date the moment it is looked at.
  setTimeout(draw, 15);
}

function draw() {
  scheduled = false;
  if (events.length === 0) {
    container.innerHTML = '<p class="empty">No cluster events yet: start a Cluster Tour session (a tour, or F5 on a cluster app).</p>';
    summary.textContent = '';
    return;
  }
  const diagram = buildDiagram(events);
  let marked;
  if (current) {
    // The newest arrow at the stop's call site, or else at its stage, on the paused process's lane.
    const onLane = diagram.arrows.filter((arrow) => arrow.from === current.laneId || arrow.to === current.laneId);
    marked = [...onLane].reverse().find((arrow) => arrow.callSite === current.callSite) ?? [...onLane].reverse().find((arrow) => arrow.stage === stageOfCallSite[current.callSite]);
  }
  const left = container.scrollLeft;
  const top = window.scrollY;
  container.innerHTML = renderSvg(diagram, {
    highlightConnection: highlight,
    current: current ? { laneId: current.laneId, text: current.text, arrowId: marked?.id } : undefined,
  });
  container.scrollLeft = left;
  window.scrollTo(window.scrollX, top);
  const { drawn, aggregated, arrowsNotDrawn } = diagram.connections;
  summary.textContent =
    `${diagram.lanes.length} lanes · ${diagram.arrows.length} arrows · ${drawn} connections drawn` +
    (aggregated > 0 ? ` · ${aggregated} more counted (${arrowsNotDrawn} arrows not drawn)` : '') +
    (highlight !== undefined ? ` · following connection ${highlight}` : '');
  const now = Date.now();
  for (const { postedAt, arrivedAt } of pendingPostedAt) latencies.push(`${arrivedAt - postedAt}/${now - postedAt}`);
  pendingPostedAt = [];
  container.dataset.drawLatencies = latencies.join(',');
  container.dataset.events = String(events.length);
  if (scrollToCurrent) {
    scrollToCurrent = false;
    // Vertically to the marker, and sideways to the paused process's lane when the view is narrow.
    const marker = container.querySelector('[data-arrow="current"] rect');
    const lane = container.querySelector(`[data-lane="${CSS.escape(current?.laneId ?? '')}"] line`);
    if (marker) window.scrollBy(0, marker.getBoundingClientRect().top - window.innerHeight / 2);
    if (lane) container.scrollLeft += lane.getBoundingClientRect().left - container.getBoundingClientRect().left - container.clientWidth / 2;
  }
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
