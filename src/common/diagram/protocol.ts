// The messages between the extension and the sequence-diagram webview: the extension posts
// events and the tour's current stop, the webview draws them and asks for what needs the editor
// (opening a call site, saving a file). Pure types.
import type { DiagramEvent } from './model';

/** The tour's current stop, as the diagram marks it. */
export interface CurrentStop {
  /** The lane of the paused process: `primary` or `worker:<id>`. */
  laneId: string;
  /** e.g. `▶ stop 5/11 · The primary sends newconn · primary`. */
  text: string;
  /** The stop's call site: the newest arrow at it is marked too. */
  callSite: string;
}

export type ToWebview =
  /** Everything so far (on open, and when a new session starts); `total`: how many events that is. */
  | { type: 'reset'; events: DiagramEvent[]; current: CurrentStop | null; total: number }
  /**
   * Events as the debug adapter sent them. Times are Date.now() milliseconds of the extension
   * host, for the latency the e2e test reports: `recordedAt[i]` when events[i] happened in its
   * process, `extensionAt[i]` when the adapter sent it, `postedAt` now. `total`: events posted
   * in this session so far, these included (the webview checks that it drew them all).
   */
  | { type: 'events'; events: DiagramEvent[]; recordedAt: number[]; extensionAt: number[]; postedAt: number; total: number }
  | { type: 'tour'; current: CurrentStop | null };

export type FromWebview =
  | { type: 'ready' }
  /** An arrow was clicked: open its call site in Node's source. */
  | { type: 'open'; callSite: string }
  | { type: 'save' };
