// What the editor's views learn over DAP besides threads and stops, so that they work with the
// inline and the stdio adapter alike: the bodies of the clusterTour.process and
// clusterTour.presets events and of the clusterTour.presets / clusterTour.setPreset requests, and
// the sender that keeps each process's state and sends the presets only when they change.
import { Event } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { customEvents } from '../common/contributions';
import { ClusterTourError } from '../common/errors';
import type { ProcessRole } from '../common/stages';
import type { ClusterRuntime, PresetState } from '../cluster/runtime';
import type { ThreadRecord } from './threads';

export type ProcessState = 'attached' | 'paused' | 'running' | 'exited';

/** Body of the clusterTour.process event: one process of the cluster changed state. */
export interface ProcessEventBody {
  pid: number;
  role: ProcessRole;
  /** Cluster worker id; null for the primary. */
  workerId: number | null;
  /** Port of the process's inspector (from its WebSocket URL); /json/list answers there. */
  inspectorPort: number;
  /** The DAP thread that stands for the process. */
  threadId: number;
  /** `attached` is followed by running; a process that resumes after a pause sends `running`. */
  state: ProcessState;
  /**
   * `paused`: the StoppedEvent's reason (breakpoint, step, entry, exception, pause). `exited`:
   * `terminated` (the debugger ended it) or `detached` (an attach ended; it still runs); absent
   * when the process ended by itself.
   */
  reason?: string;
}

/** Body of the clusterTour.presets event and of the answers to both preset requests. */
export interface PresetsBody {
  /** The built-in presets, then those of .vscode/cluster-tour.json and of the configuration's `userPresets` for this session. */
  presets: PresetEntry[];
}

export interface PresetEntry {
  id: string;
  title: string;
  builtIn: boolean;
  /** Armed in every process (of the call sites' roles), now and later. */
  enabled: boolean;
  callSites: PresetCallSiteEntry[];
}

export interface PresetCallSiteEntry {
  id: string;
  title: string;
  /** Script URL (`node:internal/cluster/round_robin_handle`); `node:<module>` when not found. */
  url: string;
  /** 1-based line in the running Node's source (whatever the client's numbering); null when not found. */
  line: number | null;
  /** The processes it stops in (`any` for a named function). */
  role: ProcessRole | 'any';
  /** Found in this Node, armed, and its breakpoint bound in at least one attached process. */
  bound: boolean;
  /** Why not bound: "not found in this Node: …", "preset not armed", "module not loaded yet in any process". */
  reason?: string;
}

/** Arguments of the clusterTour.setPreset request. */
export interface SetPresetArguments {
  id: string;
  enabled: boolean;
}

export function presetsBody(states: readonly PresetState[]): PresetsBody {
  return {
    presets: states.map((preset) => ({
      ...preset,
      callSites: preset.callSites.map(({ id, title, url, lineNumber, role, bound, reason }) => ({
        id,
        title,
        url,
        line: lineNumber === null ? null : lineNumber + 1,
        role,
        bound,
        ...(reason === undefined ? {} : { reason }),
      })),
    })),
  };
}

export function checkSetPresetArguments(args: unknown): SetPresetArguments {
  const given = (args ?? {}) as Partial<SetPresetArguments>;
  if (typeof given.id !== 'string' || typeof given.enabled !== 'boolean') {
    throw new ClusterTourError('E_BAD_ARGUMENTS', `clusterTour.setPreset takes { "id": string, "enabled": boolean }, not ${JSON.stringify(args ?? null)}.`);
  }
  return { id: given.id, enabled: given.enabled };
}

/** Arguments of clusterTour.pauseProcesses and clusterTour.continueProcesses: some processes, or all. */
export interface RunControlArguments {
  pids?: number[];
}

/** Arguments of clusterTour.killWorker. */
export interface KillWorkerArguments {
  pid: number;
}

/** Answer of the run-control requests: the processes it acted on. */
export interface RunControlBody {
  pids: number[];
}

export function checkRunControlArguments(command: string, args: unknown): RunControlArguments {
  const pids = (args as RunControlArguments | undefined)?.pids;
  if (pids !== undefined && !(Array.isArray(pids) && pids.every((pid) => Number.isInteger(pid) && pid > 0))) {
    throw new ClusterTourError('E_BAD_ARGUMENTS', `${command} takes { "pids"?: number[] }, not ${JSON.stringify(args ?? null)}.`);
  }
  return pids === undefined ? {} : { pids };
}

export function checkKillWorkerArguments(args: unknown): KillWorkerArguments {
  const pid = (args as Partial<KillWorkerArguments> | undefined)?.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
    throw new ClusterTourError('E_BAD_ARGUMENTS', `clusterTour.killWorker takes { "pid": number }, not ${JSON.stringify(args ?? null)}.`);
  }
  return { pid };
}

/** The port of an inspector WebSocket URL (`ws://127.0.0.1:9229/…`). */
export function inspectorPortOf(webSocketUrl: string): number {
  return Number(new URL(webSocketUrl).port);
}

export class ViewEvents {
  private readonly states = new Map<number, ProcessState>();
  private sentPresets: string | undefined;
  private anyAttached = false;

  constructor(private readonly send: (event: DebugProtocol.Event) => void) {}

  /** Sends a process's new state; `running` only after a pause that people saw. */
  process(record: ThreadRecord, state: ProcessState, reason?: string): void {
    const { pid, role, workerId, webSocketUrl } = record.identity;
    if (state === 'running' && this.states.get(pid) !== 'paused') {
      return;
    }
    if (state === 'attached') {
      this.anyAttached = true;
    }
    if (state === 'exited') {
      this.states.delete(pid);
    } else {
      this.states.set(pid, state);
    }
    const body: ProcessEventBody = { pid, role, workerId, inspectorPort: inspectorPortOf(webSocketUrl), threadId: record.id, state, ...(reason === undefined ? {} : { reason }) };
    this.send(new Event(customEvents.process, body));
  }

  /**
   * Sends the presets when they differ from those sent last (or always, with `force`), once a
   * process has been attached; returns them.
   */
  presets(runtime: ClusterRuntime, force = false): PresetsBody {
    const body = presetsBody(runtime.presetStates());
    const text = JSON.stringify(body);
    if (this.anyAttached && (force || text !== this.sentPresets)) {
      this.sentPresets = text;
      this.send(new Event(customEvents.presets, body));
    }
    return body;
  }

  /** A new run starts: nothing was sent about it yet. */
  reset(): void {
    this.states.clear();
    this.sentPresets = undefined;
    this.anyAttached = false;
  }
}
