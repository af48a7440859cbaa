// The lifecycle model: each process's current stage and a bounded history of its events, kept
// from the runtime's stage events. Events about a worker that the primary reports (fork,
// online, exit, …) count for that worker too.
import { Emitter } from '../../common/emitter';
import type { AnyLifecycleEvent, ProcessRole, StageName } from '../../common/stages';

export interface ProcessState {
  /** `primary` or `worker:<id>`. */
  key: string;
  role: ProcessRole;
  workerId: number | null;
  pid: number | null;
  stage: StageName | undefined;
  /** Newest last, at most `historyLimit` events. */
  history: AnyLifecycleEvent[];
  connections: number;
  exited: boolean;
}

const subjectStages = new Set<StageName>(['fork', 'online', 'query-server', 'disconnect', 'exit']);

export class LifecycleModel {
  private readonly states = new Map<string, ProcessState>();
  private readonly changeEmitter = new Emitter<ProcessState>();
  /** A process's state changed. */
  readonly onChange = this.changeEmitter.event;

  constructor(private readonly historyLimit = 50) {}

  processes(): ProcessState[] {
    return [...this.states.values()].sort((a, b) => (a.workerId ?? 0) - (b.workerId ?? 0));
  }

  get(key: string): ProcessState | undefined {
    return this.states.get(key);
  }

  apply(event: AnyLifecycleEvent): void {
    const own = this.state(event.process === 'primary' ? 'primary' : `worker:${event.workerId}`, event.process, event.workerId);
    own.pid ??= event.pid;
    this.push(own, event);
    if (event.stage === 'connection') {
      own.connections += 1;
    }
    if (event.stage === 'exit' && event.process === 'primary' && event.detail.workerId === null) {
      own.exited = true;
    }
    this.changeEmitter.fire(own);

    // The primary reports some stages of a worker's life: show them on the worker too.
    const subject = (event.detail as { workerId?: number | null }).workerId;
    if (event.process === 'primary' && subjectStages.has(event.stage) && typeof subject === 'number') {
      const worker = this.state(`worker:${subject}`, 'worker', subject);
      if (event.stage === 'online') {
        worker.pid ??= event.detail.workerPid;
      }
      if (event.stage === 'exit') {
        worker.exited = true;
      }
      this.push(worker, event);
      this.changeEmitter.fire(worker);
    }
  }

  private state(key: string, role: ProcessRole, workerId: number | null): ProcessState {
    let state = this.states.get(key);
    if (!state) {
      state = { key, role, workerId, pid: null, stage: undefined, history: [], connections: 0, exited: false };
      this.states.set(key, state);
    }
    return state;
  }

  private push(state: ProcessState, event: AnyLifecycleEvent): void {
    // Events from different processes arrive in no causal order: keep history by time.
    let index = state.history.length;
    while (index > 0 && state.history[index - 1].time > event.time) {
      index -= 1;
    }
    state.history.splice(index, 0, event);
    if (state.history.length > this.historyLimit) {
      state.history.splice(0, state.history.length - this.historyLimit);
    }
    state.stage = state.history[state.history.length - 1].stage;
  }
}
