// The sequence-diagram model of a cluster run: lanes (clients, the primary, each worker, the OS
// when syscall events exist) and arrows (every cluster message, each connection's path), built
// from lifecycle events. Pure data: no vscode, no DOM, no I/O; the CLI and the webview share it.
import type { AnyLifecycleEvent } from '../stages';
import { ConnectionNumbers } from '../connectionNumbers';
import type { SyscallEvent } from '../syscalls';

export type { SyscallEvent } from '../syscalls';

export type DiagramEvent = AnyLifecycleEvent | SyscallEvent;

export type LaneKind = 'client' | 'primary' | 'worker' | 'os';

export interface Lane {
  /** `clients`, `primary`, `worker:<id>`, `os`. */
  id: string;
  kind: LaneKind;
  title: string;
  pid: number | null;
  /** The row its lifeline starts at (a worker's fork); 0 for lanes there from the start. */
  startRow: number;
  /** The row it ended at (exit), with what it exited with. */
  end?: { row: number; text: string };
}

export type ArrowKind = 'message' | 'reply' | 'connection' | 'self' | 'syscall' | 'note';

export interface Arrow {
  id: string;
  row: number;
  from: string;
  to: string;
  kind: ArrowKind;
  label: string;
  /** The stage of the event it comes from (`syscall` for the OS lane). */
  stage: string;
  time: number;
  /** The connection it belongs to, for following one connection across lanes. */
  connection?: string;
  /** A catalogue call-site id (src/cluster/callSites/callSites.ts): where in Node's source this happens. */
  callSite?: string;
}

export interface Diagram {
  lanes: Lane[];
  arrows: Arrow[];
  rows: number;
  /** Connections drawn one by one, and those only counted past `connectionLimit`. */
  connections: { drawn: number; aggregated: number; arrowsNotDrawn: number };
}

export interface DiagramOptions {
  /** Connections drawn arrow by arrow; later ones are counted in one note. Default 40. */
  connectionLimit?: number;
}

const workerLane = (workerId: number | null | undefined): string => `worker:${workerId ?? '?'}`;
const laneOf = (event: DiagramEvent): string => (event.process === 'primary' ? 'primary' : workerLane(event.workerId));

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

/** The whole diagram of the events given (in any order: they are sorted by `time`). */
export function buildDiagram(events: readonly DiagramEvent[], options: DiagramOptions = {}): Diagram {
  const limit = options.connectionLimit ?? 40;
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const hasSyscalls = sorted.some((event) => event.stage === 'syscall');
  const lanes = new Map<string, Lane>();
  const arrows: Arrow[] = [];
  let row = 0;
  let handleKind: 'round-robin' | 'shared' = 'round-robin';
  const connections = new Set<string>();
  const aggregated = { connections: new Set<string>(), arrows: 0, perWorker: new Map<string, number>(), counted: new Set<string>() };
  let aggregateArrow: Arrow | undefined;

  const lane = (id: string, pid: number | null = null): Lane => {
    let found = lanes.get(id);
    if (!found) {
      const kind: LaneKind = id === 'primary' ? 'primary' : id === 'os' ? 'os' : id === 'clients' ? 'client' : 'worker';
      const title = kind === 'worker' ? `worker ${id.slice('worker:'.length)}` : kind === 'client' ? 'clients' : kind === 'os' ? 'OS (kernel)' : 'primary';
      found = { id, kind, title, pid, startRow: kind === 'worker' ? row : 0 };
      lanes.set(id, found);
    }
    found.pid ??= pid;
    return found;
  };
  const add = (event: DiagramEvent, from: string, to: string, kind: ArrowKind, label: string, extra: Partial<Arrow> = {}): void => {
    if (extra.connection !== undefined && !admit(extra.connection, to.startsWith('worker:') ? to : from)) return;
    lane(from);
    lane(to);
    arrows.push({ id: `a${arrows.length}`, row: row++, from, to, kind, label, stage: event.stage, time: event.time, ...extra });
  };
  /** Past the limit a connection's arrows are counted, in one note at the first one left out. */
  const admit = (connection: string, workerLaneId: string): boolean => {
    if (connections.has(connection)) return true;
    if (connections.size < limit && !aggregated.connections.has(connection)) {
      connections.add(connection);
      return true;
    }
    aggregated.arrows += 1;
    if (!aggregated.connections.has(connection)) {
      aggregated.connections.add(connection);
      if (!aggregateArrow) {
        aggregateArrow = { id: 'aggregate', row: row++, from: 'clients', to: 'primary', kind: 'note', label: '', stage: 'aggregate', time: 0 };
        arrows.push(aggregateArrow);
      }
    }
    if (workerLaneId.startsWith('worker:') && !aggregated.counted.has(connection)) {
      aggregated.counted.add(connection);
      aggregated.perWorker.set(workerLaneId, (aggregated.perWorker.get(workerLaneId) ?? 0) + 1);
    }
    return false;
  };

  lane('primary');
  // Connections are labelled 1, 2, 3… as the trace numbers them; `seq` (the newconn message's) keys them.
  const numbers = new ConnectionNumbers();
  for (const event of sorted) {
    const own = laneOf(event);
    const number = event.stage === 'syscall' ? undefined : numbers.numberOf(event);
    lane(own, event.pid);
    switch (event.stage) {
      case 'fork': {
        const isNew = !lanes.has(workerLane(event.detail.workerId));
        add(event, 'primary', workerLane(event.detail.workerId), 'message', 'fork()', { callSite: arrowCallSites.fork });
        // A lane that starts below the top has its header at the fork arrow: leave it room.
        if (isNew && row > 1) row += 1;
        break;
      }
      case 'online':
        lane(workerLane(event.detail.workerId), event.detail.workerPid);
        add(event, workerLane(event.detail.workerId), 'primary', 'message', 'online', { callSite: arrowCallSites.online });
        break;
      case 'query-server':
        add(event, workerLane(event.detail.workerId), 'primary', 'message', `queryServer ${address(event.detail.address, event.detail.port)}`, {
          callSite: arrowCallSites.queryServer,
        });
        break;
      case 'handle-created':
        handleKind = event.detail.kind;
        add(event, 'primary', 'primary', 'self', event.detail.kind === 'round-robin' ? 'new RoundRobinHandle' : 'new SharedHandle', {
          callSite: event.detail.kind === 'round-robin' ? arrowCallSites.roundRobinHandle : arrowCallSites.sharedHandle,
        });
        break;
      case 'listening':
        if (event.process === 'worker') {
          // The worker listens once the primary's reply arrived: draw the reply here.
          const noHandle = handleKind === 'round-robin';
          add(event, 'primary', own, 'reply', noHandle ? 'reply: no handle' : 'reply: handle', {
            callSite: noHandle ? arrowCallSites.replyNoHandle : arrowCallSites.replyHandle,
          });
        } else {
          add(event, workerLane(event.detail.workerId), 'primary', 'message', `listening ${address(event.detail.address, event.detail.port)}`, {
            callSite: arrowCallSites.listening,
          });
        }
        break;
      case 'accepted':
        add(event, 'clients', 'primary', 'connection', `connect → accept() #${number ?? '?'}${fdText(event.detail.fd)}`, {
          connection: String(number),
          callSite: arrowCallSites.accepted,
        });
        break;
      case 'newconn-sent': {
        const inode = socketInode(sorted, event.pid, event.detail.fd);
        add(event, 'primary', workerLane(event.detail.workerId), 'message', `newconn #${number}${fdText(event.detail.fd)}${inode ? ` inode ${inode}` : ''}`, {
          connection: String(number),
          callSite: arrowCallSites.newconn,
        });
        break;
      }
      case 'newconn-received':
        add(event, own, 'primary', 'reply', `accepted #${number} (ACK)`, { connection: String(number), callSite: arrowCallSites.ack });
        break;
      case 'connection':
        if (event.detail.seq === null) {
          // SCHED_NONE: the worker accepted on the shared listening socket itself.
          add(event, 'clients', own, 'connection', `connect → 'connection' #${number} (shared handle)`, { connection: String(number), callSite: arrowCallSites.connection });
        } else {
          add(event, own, own, 'self', `'connection' #${number}`, { connection: String(number), callSite: arrowCallSites.connection });
        }
        break;
      case 'disconnect':
        addDisconnect(event, own);
        break;
      case 'exit':
        if (event.process === 'primary' && event.detail.workerId === null) {
          lane('primary').end = { row: row++, text: `exit ${event.detail.signal ?? event.detail.code ?? ''}`.trim() };
        } else {
          const worker = workerLane(event.detail.workerId);
          add(event, worker, 'primary', 'message', `exit (${event.detail.signal ?? `code ${event.detail.code}`})`, { callSite: arrowCallSites.exit });
          lane(worker).end = { row: row - 1, text: 'exited' };
        }
        break;
      case 'syscall':
        if (hasSyscalls) add(event, own, 'os', 'syscall', syscallText(event), {});
        break;
      default:
        break; // listen-requested: the queryServer arrow says it
    }
  }

  function addDisconnect(event: Extract<AnyLifecycleEvent, { stage: 'disconnect' }>, own: string): void {
    const worker = event.process === 'worker' ? own : workerLane(event.detail.workerId);
    switch (event.detail.step) {
      case 'requested':
        add(event, 'primary', worker, 'message', 'disconnect', { callSite: arrowCallSites.disconnect });
        break;
      case 'closing':
        add(event, worker, 'primary', 'message', 'close (servers close)', { callSite: arrowCallSites.close });
        break;
      case 'disconnected':
        add(event, worker, 'primary', 'reply', 'IPC channel closed', { callSite: arrowCallSites.disconnected });
        break;
      default:
        add(event, worker, 'primary', 'message', `disconnect: ${event.detail.step}`, {});
    }
  }

  if (aggregateArrow) {
    const perWorker = [...aggregated.perWorker].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([id, count]) => `${id.replace(':', ' ')}: ${count}`).join(', ');
    aggregateArrow.label = `+ ${aggregated.connections.size} more connections (${aggregated.arrows} arrows not drawn)${perWorker ? `: ${perWorker}` : ''}`;
  }
  if (hasSyscalls) lane('os');
  const order = (candidate: Lane): number => ({ client: 0, primary: 1, worker: 2, os: 3 })[candidate.kind];
  const laneList = [...lanes.values()].sort((a, b) => order(a) - order(b) || workerNumber(a) - workerNumber(b));
  return { lanes: laneList, arrows, rows: row, connections: { drawn: connections.size, aggregated: aggregated.connections.size, arrowsNotDrawn: aggregated.arrows } };
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

/**
 * The inode of the socket behind `fd` in process `pid`: the socket an accept4 returned as that fd,
 * or one a sendmsg/recvmsg carried as it (SCM_RIGHTS); undefined without syscall events.
 */
function socketInode(events: readonly DiagramEvent[], pid: number, fd: number | null): string | undefined {
  if (fd === null) return undefined;
  for (const event of events) {
    if (event.stage !== 'syscall' || event.pid !== pid) continue;
    const { call, result, socket, passedFds } = event.detail;
    if (call === 'accept4' && result === fd && socket !== undefined) return String(socket);
    const passed = passedFds?.find((each) => each.fd === fd && each.socket !== null);
    if (passed) return String(passed.socket);
  }
  return undefined;
}
