// A tour stop shown in the editor: a read-only comment thread on the stop's line carrying its
// explanation and claims (as CodeTour shows a step), and a whole-line decoration with
// "◀ Stop N/M" on that line in every visible editor of the document.
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import type { TourStopEntry } from '../adapter/tourProtocol';
import { explanationMarkdown, stopHeading } from './tourText';

/** Where a stop is shown: a document and a 1-based line. */
export interface StopLocation {
  uri: vscode.Uri;
  line: number;
}

/** The same document, whether VS Code opened it from a stack frame or we did from the source. */
export function sameDocument(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.toString() === b.toString() || (a.scheme === 'debug' && b.scheme === 'debug' && a.path === b.path && a.query === b.query);
}

export class StopExplanation implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly controller: vscode.CommentController;
  private readonly decoration: vscode.TextEditorDecorationType;
  private thread: vscode.CommentThread | undefined;
  private shown: { location: StopLocation; stop: TourStopEntry; total: number } | undefined;

  constructor() {
    this.controller = this.disposables.add(vscode.comments.createCommentController('clusterTour.explanation', 'Cluster Tour'));
    this.decoration = this.disposables.add(
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
        overviewRulerColor: new vscode.ThemeColor('debugIcon.breakpointCurrentStackframeForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Full,
        after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
      }),
    );
    this.disposables.add(vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()));
  }

  /** Shows the explanation of `stop` at `location`, replacing the one shown before. */
  show(location: StopLocation, stop: TourStopEntry, total: number): void {
    const same = this.shown && sameDocument(this.shown.location.uri, location.uri) && this.shown.location.line === location.line && this.shown.stop.index === stop.index;
    this.shown = { location, stop, total };
    const range = new vscode.Range(location.line - 1, 0, location.line - 1, 0);
    const body = new vscode.MarkdownString(explanationMarkdown(stop, total, false));
    const comment: vscode.Comment = { author: { name: stop.title }, body, mode: vscode.CommentMode.Preview };
    if (same && this.thread) {
      this.thread.comments = [comment];
    } else {
      this.thread?.dispose();
      this.thread = this.controller.createCommentThread(location.uri, range, [comment]);
      this.thread.canReply = false;
      this.thread.label = stopHeading(stop, total);
      this.thread.contextValue = 'clusterTour.stopExplanation';
      this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    }
    this.decorate();
  }

  /** Nothing shown any more (the tour ended). */
  clear(): void {
    this.shown = undefined;
    this.thread?.dispose();
    this.thread = undefined;
    this.decorate();
  }

  private decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const shown = this.shown;
      if (shown && sameDocument(editor.document.uri, shown.location.uri) && shown.location.line <= editor.document.lineCount) {
        const line = shown.location.line - 1;
        editor.setDecorations(this.decoration, [
          { range: new vscode.Range(line, 0, line, 0), renderOptions: { after: { contentText: `◀ Stop ${shown.stop.index + 1}/${shown.total}` } } },
        ]);
      } else {
        editor.setDecorations(this.decoration, []);
      }
    }
  }

  dispose(): void {
    this.thread?.dispose();
    this.disposables.dispose();
  }
}

