// Builds the sequence diagram (model.ts) incrementally: the webview adds each batch of events as
// it comes, and the work per batch is that batch's, not the whole run's. Events are kept in time
// order; one that arrives late (another process's batch) rewinds the state to its place through
// an undo journal and replays what follows it. Past the connection limit, connections are only
// counted, so what is drawn stays bounded however many connections a run has.
import type { Arrow, ArrowKind, Diagram, DiagramEvent, DiagramOptions, Lane, LaneKind, SyscallEvent } from './model';
import type { AnyLifecycleEvent } from '../stages';
import { UndoJournal } from './journal';
import { connectionKeyOf } from '../connectionNumbers';

/** Connections drawn arrow by arrow when the options name no limit. */
export const defaultConnectionLimit = 40;

/** Where each kind of arrow happens in Node's source (catalogue ids; the editor opens them). */
export const arrowCallSites = {
  fork: 'primary:cluster.fork',
  online: 'primary:online',
  queryServer: 'primary:queryServer',
  roundRobinHandle: 'rr:RoundRobinHandle',
  sharedHandle: 'shared:SharedHandle',
  replyNoHandle: 'child:rr',
  replyHandle: 'child:shared',
  listening: 'primary:listening',
  accepted: 'rr:RoundRobinHandle.prototype.distribute',
  newconn: 'rr:RoundRobinHandle.prototype.handoff',
  ack: 'child:onconnection',
  connection: 'net:onconnection',
  disconnect: 'primary:Worker.prototype.disconnect',
  closing: 'child:_disconnect',
  close: 'child:rr>close',
  disconnected: "primary:cluster.fork>worker.process.once('disconnect')",
  exit: "primary:cluster.fork>worker.process.once('exit')",
} as const;
/** The state besides the journaled maps: small, copied at every event. */
interface Scalars {
  row: number;
  handleKind: 'round-robin' | 'shared';
  connectionCount: number;
  aggregatedConnections: number;
  arrowsNotDrawn: number;
  syscallsNotDrawn: number;
  aggregateArrow: Arrow | undefined;
}

/** What is needed to come back to the state before one event. */
interface Frame {
  mark: number;
  arrows: number;
  scalars: Scalars;
}

const workerLane = (workerId: number | null | undefined): string => `worker:${workerId ?? '?'}`;
const laneOf = (event: DiagramEvent): string => (event.process === 'primary' ? 'primary' : workerLane(event.workerId));

export class DiagramBuilder {
  private readonly limit: number;
  /** Every event so far, in time order (ties in the order they came). */
  private readonly events: DiagramEvent[] = [];
  /** How many of `events` the state has taken in. */
  private processed = 0;
  /** frames[i - firstFrame]: the state before events[i]; only the newest `rewindWindow` are kept. */
  private frames: Frame[] = [];
  private firstFrame = 0;
  private readonly journal = new UndoJournal();
  private readonly lanes = new Map<string, Lane>();
  private readonly arrows: Arrow[] = [];
  /** Connection number by the `seq` of its newconn message. */
  private readonly numbers = new Map<number, number>();
  private readonly admitted = new Map<string, true>();
  private readonly aggregated = new Map<string, true>();
  private readonly counted = new Map<string, true>();
  private readonly perWorker = new Map<string, number>();
  /** The socket inode behind `pid:fd`, from the newest accept4 or SCM_RIGHTS message that named it. */
  private readonly inodes = new Map<string, number>();
  private scalars: Scalars = DiagramBuilder.initialScalars();
  /** Events (re)played by the last `add`: its cost, for tests and the benchmark. */
  lastReplayed = 0;

  /** How far back (in events) a late event can land without a replay of the whole run. */
  static readonly rewindWindow = 4096;

  constructor(options: DiagramOptions = {}) {
    this.limit = options.connectionLimit ?? defaultConnectionLimit;
    this.lane('primary');
  }

  private static initialScalars(): Scalars {
    return { row: 0, handleKind: 'round-robin', connectionCount: 0, aggregatedConnections: 0, arrowsNotDrawn: 0, syscallsNotDrawn: 0, aggregateArrow: undefined };
  }

  /** Takes in more events, in any order. */
  add(events: readonly DiagramEvent[]): this {
    let earliest = this.events.length;
    for (const event of events) {
      const at = this.insertionPoint(event.time);
      this.events.splice(at, 0, event);
      earliest = Math.min(earliest, at);
    }
    if (earliest < this.processed) this.rewind(earliest);
    const from = this.processed;
    while (this.processed < this.events.length) {
      this.frames.push({ mark: this.journal.mark(), arrows: this.arrows.length, scalars: { ...this.scalars } });
      this.take(this.events[this.processed]);
      this.processed += 1;
    }
    this.lastReplayed = this.processed - from;
    if (this.frames.length > 2 * DiagramBuilder.rewindWindow) {
      const drop = this.frames.length - DiagramBuilder.rewindWindow;
      this.frames = this.frames.slice(drop);
      this.firstFrame += drop;
      this.journal.trim(this.frames[0].mark);
    }
    return this;
  }

  /** After the last event with a time not later than `time`: ties keep the order they came in. */
  private insertionPoint(time: number): number {
    const events = this.events;
    if (events.length === 0 || events[events.length - 1].time <= time) return events.length;
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle].time <= time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Back to the state before events[index], or to the start when that is out of the window. */
  private rewind(index: number): void {
    const frame = this.frames[index - this.firstFrame];
    if (index < this.firstFrame || !frame || !this.journal.reaches(frame.mark)) {
      this.journal.clear();
      for (const map of [this.lanes, this.numbers, this.admitted, this.aggregated, this.counted, this.perWorker, this.inodes] as Array<Map<unknown, unknown>>) map.clear();
      this.arrows.length = 0;
      this.scalars = DiagramBuilder.initialScalars();
      this.frames = [];
      this.firstFrame = 0;
      this.processed = 0;
      this.lane('primary');
      return;
    }
    this.journal.undoTo(frame.mark);
    this.arrows.length = frame.arrows;
    this.scalars = { ...frame.scalars };
    this.frames.length = index - this.firstFrame;
    this.processed = index;
  }

  /** The diagram of every event so far. */
  diagram(): Diagram {
    const { aggregateArrow, aggregatedConnections, arrowsNotDrawn, syscallsNotDrawn } = this.scalars;
    let arrows = this.arrows;
    if (aggregateArrow) {
      const perWorker = [...this.perWorker]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([id, count]) => `${id.replace(':', ' ')}: ${count}`)
        .join(', ');
      const syscalls = syscallsNotDrawn > 0 ? `, ${syscallsNotDrawn} syscalls not drawn` : '';
      const label = `+ ${aggregatedConnections} more connections (${arrowsNotDrawn} arrows not drawn${syscalls})${perWorker ? `: ${perWorker}` : ''}`;
      arrows = arrows.map((arrow) => (arrow === aggregateArrow ? { ...arrow, label } : arrow));
    } else {
      arrows = arrows.slice();
    }
    const order = (candidate: Lane): number => ({ client: 0, primary: 1, worker: 2, os: 3 })[candidate.kind];
    const lanes = [...this.lanes.values()].sort((a, b) => order(a) - order(b) || workerNumber(a) - workerNumber(b));
    return {
      lanes,
      arrows,
      rows: this.scalars.row,
      connections: { drawn: this.admitted.size, aggregated: aggregatedConnections, arrowsNotDrawn, syscallsNotDrawn },
    };
  }

  private lane(id: string, pid: number | null = null): Lane {
    const found = this.lanes.get(id);
    if (found) {
      if (found.pid === null && pid !== null) this.journal.set(this.lanes, id, { ...found, pid });
      return this.lanes.get(id) as Lane;
    }
    const kind: LaneKind = id === 'primary' ? 'primary' : id === 'os' ? 'os' : id === 'clients' ? 'client' : 'worker';
    const title = kind === 'worker' ? `worker ${id.slice('worker:'.length)}` : kind === 'client' ? 'clients' : kind === 'os' ? 'OS (kernel)' : 'primary';
    const lane: Lane = { id, kind, title, pid, startRow: kind === 'worker' ? this.scalars.row : 0 };
    this.journal.set(this.lanes, id, lane);
    return lane;
  }

  private endLane(id: string, end: Lane['end']): void {
    this.journal.set(this.lanes, id, { ...this.lane(id), end });
  }

  private arrow(event: DiagramEvent, from: string, to: string, kind: ArrowKind, label: string, extra: Partial<Arrow> = {}): void {
    if (extra.connection !== undefined && !this.admit(extra.connection, to.startsWith('worker:') ? to : from)) return;
    this.lane(from);
    this.lane(to);
    this.arrows.push({ id: `a${this.arrows.length}`, row: this.scalars.row++, from, to, kind, label, stage: event.stage, time: event.time, ...extra });
  }

  /** Past the limit a connection's arrows are counted, in one note at the first one left out. */
  private admit(connection: string, workerLaneId: string): boolean {
    if (this.admitted.has(connection)) return true;
    const scalars = this.scalars;
    if (this.admitted.size < this.limit && !this.aggregated.has(connection)) {
      this.journal.set(this.admitted, connection, true);
      return true;
    }
    scalars.arrowsNotDrawn += 1;
    if (!this.aggregated.has(connection)) {
      this.journal.set(this.aggregated, connection, true);
      scalars.aggregatedConnections += 1;
      if (!scalars.aggregateArrow) {
        scalars.aggregateArrow = { id: 'aggregate', row: scalars.row++, from: 'clients', to: 'primary', kind: 'note', label: '', stage: 'aggregate', time: 0 };
        this.arrows.push(scalars.aggregateArrow);
      }
    }
    if (workerLaneId.startsWith('worker:') && !this.counted.has(connection)) {
      this.journal.set(this.counted, connection, true);
      this.journal.set(this.perWorker, workerLaneId, (this.perWorker.get(workerLaneId) ?? 0) + 1);
    }
    return false;
  }

  /** Connections are labelled 1, 2, 3… as the trace numbers them (common/connectionNumbers.ts); `seq` keys them. */
  private numberOf(event: AnyLifecycleEvent): number | undefined {
    // ConnectionNumbers' rule, on state the undo journal can rewind.
    const seq = connectionKeyOf(event);
    if (seq === undefined) return undefined;
    if (seq === null) return ++this.scalars.connectionCount;
    let number = this.numbers.get(seq);
    if (number === undefined) {
      number = ++this.scalars.connectionCount;
      this.journal.set(this.numbers, seq, number);
    }
    return number;
  }

  private take(event: DiagramEvent): void {
    const own = laneOf(event);
    this.lane(own, event.pid);
    if (event.stage === 'syscall') {
      this.syscall(event, own);
      return;
    }
    const number = this.numberOf(event);
    switch (event.stage) {
      case 'fork': {
        const isNew = !this.lanes.has(workerLane(event.detail.workerId));
        this.arrow(event, 'primary', workerLane(event.detail.workerId), 'message', 'fork()', { callSite: arrowCallSites.fork });
        // A lane that starts below the top has its header at the fork arrow: leave it room.
        if (isNew && this.scalars.row > 1) this.scalars.row += 1;
        break;
      }
      case 'online':
        this.lane(workerLane(event.detail.workerId), event.detail.workerPid);
        this.arrow(event, workerLane(event.detail.workerId), 'primary', 'message', 'online', { callSite: arrowCallSites.online });
        break;
      case 'query-server':
        this.arrow(event, workerLane(event.detail.workerId), 'primary', 'message', `queryServer ${address(event.detail.address, event.detail.port)}`, {
          callSite: arrowCallSites.queryServer,
        });
        break;
      case 'handle-created':
        this.scalars.handleKind = event.detail.kind;
        this.arrow(event, 'primary', 'primary', 'self', event.detail.kind === 'round-robin' ? 'new RoundRobinHandle' : 'new SharedHandle', {
          callSite: event.detail.kind === 'round-robin' ? arrowCallSites.roundRobinHandle : arrowCallSites.sharedHandle,
        });
        break;
      case 'listening':
        if (event.process === 'worker') {
          // The worker listens once the primary's reply arrived: draw the reply here.
          const noHandle = this.scalars.handleKind === 'round-robin';
          this.arrow(event, 'primary', own, 'reply', noHandle ? 'reply: no handle' : 'reply: handle', {
            callSite: noHandle ? arrowCallSites.replyNoHandle : arrowCallSites.replyHandle,
          });
        } else {
          this.arrow(event, workerLane(event.detail.workerId), 'primary', 'message', `listening ${address(event.detail.address, event.detail.port)}`, {
            callSite: arrowCallSites.listening,
          });
        }
        break;
      case 'accepted':
        this.arrow(event, 'clients', 'primary', 'connection', `connect → accept() #${number ?? '?'}${fdText(event.detail.fd)}`, {
          connection: String(number),
          callSite: arrowCallSites.accepted,
        });
        break;
      case 'newconn-sent': {
        const inode = event.detail.fd === null ? undefined : this.inodes.get(`${event.pid}:${event.detail.fd}`);
        this.arrow(event, 'primary', workerLane(event.detail.workerId), 'message', `newconn #${number}${fdText(event.detail.fd)}${inode !== undefined ? ` inode ${inode}` : ''}`, {
          connection: String(number),
          callSite: arrowCallSites.newconn,
        });
        break;
      }
      case 'newconn-received':
        this.arrow(event, own, 'primary', 'reply', `accepted #${number} (ACK)`, { connection: String(number), callSite: arrowCallSites.ack });
        break;
      case 'connection':
        if (event.detail.seq === null) {
          // SCHED_NONE: the worker accepted on the shared listening socket itself.
          this.arrow(event, 'clients', own, 'connection', `connect → 'connection' #${number} (shared handle)`, { connection: String(number), callSite: arrowCallSites.connection });
        } else {
          this.arrow(event, own, own, 'self', `'connection' #${number}`, { connection: String(number), callSite: arrowCallSites.connection });
        }
        break;
      case 'disconnect':
        this.disconnect(event, own);
        break;
      case 'exit':
        if (event.process === 'primary' && event.detail.workerId === null) {
          this.endLane('primary', { row: this.scalars.row++, text: `exit ${event.detail.signal ?? event.detail.code ?? ''}`.trim() });
        } else {
          const worker = workerLane(event.detail.workerId);
          this.arrow(event, worker, 'primary', 'message', `exit (${event.detail.signal ?? `code ${event.detail.code}`})`, { callSite: arrowCallSites.exit });
          this.endLane(worker, { row: this.scalars.row - 1, text: 'exited' });
        }
        break;
      default:
        break; // listen-requested: the queryServer arrow says it
    }
  }

  /** The OS lane: drawn until connections are counted, then counted with them. */
  private syscall(event: SyscallEvent, own: string): void {
    const { call, result, socket, passedFds } = event.detail;
    if (call === 'accept4' && result !== null && socket !== undefined) this.journal.set(this.inodes, `${event.pid}:${result}`, socket);
    for (const passed of passedFds ?? []) {
      if (passed.socket !== null) this.journal.set(this.inodes, `${event.pid}:${passed.fd}`, passed.socket);
    }
    this.lane('os');
    if (this.scalars.aggregateArrow) {
      this.scalars.syscallsNotDrawn += 1;
      return;
    }
    this.arrow(event, own, 'os', 'syscall', syscallText(event));
  }

  private disconnect(event: Extract<AnyLifecycleEvent, { stage: 'disconnect' }>, own: string): void {
    const worker = event.process === 'worker' ? own : workerLane(event.detail.workerId);
    switch (event.detail.step) {
      case 'requested':
        this.arrow(event, 'primary', worker, 'message', 'disconnect', { callSite: arrowCallSites.disconnect });
        break;
      case 'closing':
        this.arrow(event, worker, 'primary', 'message', 'close (servers close)', { callSite: arrowCallSites.close });
        break;
      case 'disconnected':
        this.arrow(event, worker, 'primary', 'reply', 'IPC channel closed', { callSite: arrowCallSites.disconnected });
        break;
      default:
        this.arrow(event, worker, 'primary', 'message', `disconnect: ${event.detail.step}`, {});
    }
  }
}

function workerNumber(lane: Lane): number {
  return Number(lane.id.slice('worker:'.length)) || 0;
}

function address(host: string | null, port: number | null): string {
  return host === null && port === null ? '' : `${host ?? '*'}:${port ?? '?'}`;
}

function fdText(fd: number | null | undefined): string {
  return fd === null || fd === undefined ? '' : ` fd ${fd}`;
}

function syscallText(event: SyscallEvent): string {
  const { call, fd, result, error } = event.detail;
  const passed = event.detail.passedFds?.length ? ` [fds ${event.detail.passedFds.map((each) => each.fd).join(',')}]` : '';
  return `${call}(${fd ?? ''})${passed} = ${error ?? result ?? '?'}`;
}
