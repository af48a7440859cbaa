// The state behind the Processes view, kept from the adapter's custom DAP events of one session:
// each process's run state (clusterTour.process) and its lifecycle (clusterTour.stage, through the
// LifecycleModel). No vscode here: the view subscribes to onChange and redraws.
import { Emitter } from '../common/emitter';
import type { AnyLifecycleEvent, ProcessRole, StageName } from '../common/stages';
import { tellsTheStory, type SyscallEvent } from '../common/syscalls';
import { LifecycleModel } from '../cluster/tracking/lifecycle';
import type { ProcessEventBody, ProcessState as RunState } from '../adapter/viewProtocol';

/** One process as the view shows it. */
export interface ProcessEntry {
  /** `primary` or `worker:<id>`, as in LifecycleModel. */
  key: string;
  role: ProcessRole;
  workerId: number | null;
  pid: number | null;
  inspectorPort: number | null;
  /** `running` covers `attached`; `exited` also once the session ended. */
  state: 'running' | 'paused' | 'exited' | 'unknown';
  /** Why it paused or exited, when the adapter said. */
  reason: string | undefined;
  stage: StageName | undefined;
  /** Newest first. */
  history: AnyLifecycleEvent[];
  connections: number;
  /** Its recent syscalls that tell the story (launch with `syscalls`), newest first. */
  syscalls: SyscallEvent[];
}

/** How many syscalls a process keeps for the view. */
const syscallLimit = 12;

const keyOf = (role: ProcessRole, workerId: number | null): string => (role === 'primary' ? 'primary' : `worker:${workerId}`);

export class ProcessStore {
  private lifecycle = new LifecycleModel();
  private readonly runStates = new Map<string, ProcessEventBody>();
  private readonly syscalls = new Map<string, SyscallEvent[]>();
  private ended = false;
  private origin: number | undefined;
  private readonly changeEmitter = new Emitter<void>();
  /** Anything the view shows changed. */
  readonly onChange = this.changeEmitter.event;

  /** A new session starts: forget the last one. */
  reset(): void {
    this.lifecycle = new LifecycleModel();
    this.runStates.clear();
    this.syscalls.clear();
    this.ended = false;
    this.origin = undefined;
    this.changeEmitter.fire();
  }

  applyStage(event: AnyLifecycleEvent): void {
    this.origin = Math.min(this.origin ?? event.time, event.time);
    this.lifecycle.apply(event);
    this.changeEmitter.fire();
  }

  /** A syscall of a process: kept (the last few) when it tells part of the story. */
  applySyscall(event: SyscallEvent): void {
    if (!tellsTheStory(event.detail)) {
      return;
    }
    const key = keyOf(event.process, event.workerId);
    const list = this.syscalls.get(key) ?? [];
    list.unshift(event);
    list.sort((a, b) => b.time - a.time);
    this.syscalls.set(key, list.slice(0, syscallLimit));
    this.changeEmitter.fire();
  }

  applyProcess(body: ProcessEventBody): void {
    this.runStates.set(keyOf(body.role, body.workerId), body);
    this.changeEmitter.fire();
  }

  /** The session ended: its processes stay listed, as exited. */
  end(): void {
    this.ended = true;
    this.changeEmitter.fire();
  }

  /** Milliseconds from the session's first lifecycle event to `event`. */
  sinceStart(event: AnyLifecycleEvent | SyscallEvent): number {
    return event.time - (this.origin ?? event.time);
  }

  /** The primary first, then workers by id. */
  entries(): ProcessEntry[] {
    const keys = new Map<string, { role: ProcessRole; workerId: number | null }>();
    for (const state of this.lifecycle.processes()) {
      keys.set(state.key, { role: state.role, workerId: state.workerId });
    }
    for (const [key, body] of this.runStates) {
      keys.set(key, { role: body.role, workerId: body.workerId });
    }
    return [...keys.entries()]
      .map(([key, { role, workerId }]) => this.entry(key, role, workerId))
      .sort((a, b) => (a.workerId ?? 0) - (b.workerId ?? 0));
  }

  private entry(key: string, role: ProcessRole, workerId: number | null): ProcessEntry {
    const lifecycle = this.lifecycle.get(key);
    const run = this.runStates.get(key);
    return {
      key,
      role,
      workerId,
      pid: run?.pid ?? lifecycle?.pid ?? null,
      inspectorPort: run?.inspectorPort ?? null,
      state: this.stateOf(run?.state, lifecycle?.exited ?? false),
      reason: run?.reason,
      stage: lifecycle?.stage,
      history: [...(lifecycle?.history ?? [])].reverse(),
      connections: lifecycle?.connections ?? 0,
      syscalls: this.syscalls.get(key) ?? [],
    };
  }

  private stateOf(run: RunState | undefined, exited: boolean): ProcessEntry['state'] {
    if (this.ended || exited || run === 'exited') {
      return 'exited';
    }
    if (run === 'paused') {
      return 'paused';
    }
    return run === undefined ? 'unknown' : 'running';
  }
}
