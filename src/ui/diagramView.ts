// Show Sequence Diagram: a webview beside the editor that draws the cluster's lifecycle as it
// happens (common/diagram). The extension keeps the session's events and the tour's current stop
// and posts them; the webview (media/diagram.js, bundled to dist/diagram.js) draws. A click on an
// arrow opens its call site (Show Internal Source); Save as SVG writes a self-contained file.
// Stages are read off the debug adapter's messages as it sends them (a tracker, in the extension
// host) and posted at once: the custom-event API would first send them through the workbench and
// back, two more hops through a thread that is busy at every tour stop (up to 700 ms measured).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands, customEvents, debugType } from '../common/contributions';
import { buildDiagram, type DiagramEvent } from '../common/diagram/model';
import type { CurrentStop, FromWebview, ToWebview } from '../common/diagram/protocol';
import { renderSvg } from '../common/diagram/svg';
import { DisposableStore, toDisposable } from '../common/disposable';
import { messageOf } from '../common/errors';
import { wallClockMilliseconds } from '../common/clock';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { callSites } from '../cluster/callSites/callSites';
import { besideDiagram, diagramViewType } from './sourceColumn';
import type { TourStore } from './tourStore';

/** The codicon font of the VS Code that runs us (no @vscode/codicons dependency): its folder, when present. */
function codiconFolder(): vscode.Uri | undefined {
  const folder = path.join(vscode.env.appRoot, 'out', 'media');
  return fs.existsSync(path.join(folder, 'codicon.ttf')) ? vscode.Uri.file(folder) : undefined;
}

export function currentStopOf(store: TourStore): CurrentStop | null {
  const tour = store.tour;
  const index = store.held;
  if (!tour || index === null) return null;
  const stop = tour.stops[index];
  const place = stop?.place;
  if (!stop) return null;
  const laneId = place ? (place.role === 'primary' ? 'primary' : `worker:${place.workerId}`) : stop.role === 'primary' ? 'primary' : 'worker:?';
  return { laneId, text: `▶ stop ${index + 1}/${tour.stops.length} · ${stop.title}`, callSite: stop.callSite };
}

class DiagramView implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private events: DiagramEvent[] = [];
  private sessionId: string | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables = new DisposableStore();
  private ready = false;
  /** Events not posted yet, with when the adapter sent each (Date.now()). */
  private queued: Array<{ event: DiagramEvent; extensionAt: number }> = [];
  private flushing: ReturnType<typeof setImmediate> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly tour: TourStore,
  ) {
    this.disposables.add(
      vscode.debug.onDidStartDebugSession((session) => {
        if (session.type === debugType) this.follow(session);
      }),
    );
    this.disposables.add(
      vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
        createDebugAdapterTracker: (session) => ({ onDidSendMessage: (message: DebugProtocol.ProtocolMessage) => this.adapterSent(session, message) }),
      }),
    );
    this.disposables.add(tour.onChange(() => this.post({ type: 'tour', current: currentStopOf(tour) })));
    this.disposables.add(vscode.commands.registerCommand(commands.showDiagram, () => this.show()));
    this.disposables.add(vscode.commands.registerCommand(commands.saveDiagram, (target?: vscode.Uri) => this.save(target)));
    this.disposables.add(toDisposable(() => this.panel?.dispose()));
    this.disposables.add(toDisposable(() => clearImmediate(this.flushing)));
  }

  dispose(): void {
    this.disposables.dispose();
  }

  /** Stages, and the syscalls of the OS lane when the session runs with syscalls on. */
  private adapterSent(session: vscode.DebugSession, message: DebugProtocol.ProtocolMessage): void {
    if (message.type !== 'event') return;
    const { event, body } = message as DebugProtocol.Event;
    if (event !== customEvents.stage && event !== customEvents.syscall) return;
    this.follow(session);
    const stage = body as DiagramEvent;
    this.events.push(stage);
    this.queue(stage);
  }

  /** A new session: its diagram starts empty. */
  private follow(session: vscode.DebugSession): void {
    if (this.sessionId === session.id) return;
    this.sessionId = session.id;
    this.events = [];
    this.reset();
  }

  private reset(): void {
    clearImmediate(this.flushing);
    this.flushing = undefined;
    this.queued = [];
    this.post({ type: 'reset', events: this.events, current: currentStopOf(this.tour), total: this.events.length });
  }

  /**
   * Events the adapter sends together (one report of a process: a burst of connections) go in
   * one message, as soon as the task that sent them is done: no timer to wait for.
   */
  private queue(event: DiagramEvent): void {
    this.queued.push({ event, extensionAt: Date.now() });
    this.flushing ??= setImmediate(() => {
      this.flushing = undefined;
      const queued = this.queued;
      this.queued = [];
      this.post({
        type: 'events',
        events: queued.map((each) => each.event),
        recordedAt: queued.map((each) => Math.round(wallClockMilliseconds(each.event.time) * 10) / 10),
        extensionAt: queued.map((each) => each.extensionAt),
        postedAt: Date.now(),
        total: this.events.length,
      });
    });
  }

  private post(message: ToWebview): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private show(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const codicons = codiconFolder();
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      diagramViewType,
      'Cluster Sequence Diagram',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media, dist, ...(codicons ? [codicons] : [])] },
    );
    this.panel = panel;
    this.ready = false;
    this.panelDisposables = new DisposableStore();
    panel.iconPath = vscode.Uri.joinPath(media, 'cluster-tour.svg');
    panel.webview.html = this.html(panel.webview, codicons);
    this.panelDisposables.add(panel.webview.onDidReceiveMessage((message: FromWebview) => this.receive(message)));
    this.panelDisposables.add(
      panel.onDidDispose(() => {
        this.panelDisposables.dispose();
        this.panel = undefined;
        this.ready = false;
      }),
    );
  }

  private async receive(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.reset();
        break;
      case 'open': {
        // Open the source beside the diagram, not over it. Named, not by focusing a group first:
        // the click has just focused the diagram's group, and in code-server that focus could
        // land after ours, so the source opened over the diagram (seen in CI).
        await vscode.commands.executeCommand(commands.showInternalSource, { callSite: message.callSite, viewColumn: besideDiagram(this.panel?.viewColumn) });
        break;
      }
      case 'save':
        await vscode.commands.executeCommand(commands.saveDiagram);
        break;
    }
  }

  private async save(target?: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const file =
      target ??
      (await vscode.window.showSaveDialog({
        title: 'Save the sequence diagram as SVG',
        defaultUri: folder ? vscode.Uri.joinPath(folder, 'cluster-sequence.svg') : undefined,
        filters: { 'SVG image': ['svg'] },
      }));
    if (!file) return;
    const stop = currentStopOf(this.tour);
    const svg = renderSvg(buildDiagram(this.events), { standalone: true, title: this.tour.tour ? `Cluster Tour: ${this.tour.tour.title}` : 'Cluster Tour sequence diagram', current: stop ?? undefined });
    try {
      await vscode.workspace.fs.writeFile(file, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, 'utf8'));
      void vscode.window.showInformationMessage(`Cluster Tour: saved the sequence diagram to ${file.fsPath}.`);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cluster Tour: could not save the diagram to ${file.fsPath}: ${messageOf(error)}. Pick a writable folder.`);
    }
  }

  private html(webview: vscode.Webview, codicons: vscode.Uri | undefined): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'diagram.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'diagram.css'));
    const font = codicons ? webview.asWebviewUri(vscode.Uri.joinPath(codicons, 'codicon.ttf')).toString() : '';
    const stageOfCallSite = Object.fromEntries(callSites.map((site) => [site.id, site.stage]));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Cluster Sequence Diagram</title>
</head>
<body data-codicon-font="${font}" data-call-site-stages="${escapeAttribute(JSON.stringify(stageOfCallSite))}">
<header class="toolbar">
  <button id="save" type="button" title="Save the diagram as a self-contained SVG file"><span class="codicon codicon-save" aria-hidden="true"></span>Save as SVG</button>
  <button id="follow" type="button" title="Scroll to the tour's current stop"><span class="codicon codicon-target" aria-hidden="true"></span>Current stop</button>
  <button id="clear" type="button" title="Stop following a connection"><span class="codicon codicon-clear-all" aria-hidden="true"></span>Clear highlight</button>
  <span id="summary" class="summary" role="status"></span>
</header>
<main id="diagram" class="diagram" aria-label="Sequence diagram"><p class="empty">No cluster events yet: start a Cluster Tour session (a tour, or F5 on a cluster app).</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function registerDiagramView(extensionUri: vscode.Uri, tour: TourStore): vscode.Disposable {
  return new DiagramView(extensionUri, tour);
}
