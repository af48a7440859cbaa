// How the terminal trace writes one lifecycle event: a readable line, or a JSON line. Times are
// of the clock every process shares (common/clock.ts), shown from the run's first event.
import type { AnyLifecycleEvent } from '../common/stages';
import type { SyscallEvent } from '../common/syscalls';

export function processLabel(event: AnyLifecycleEvent | SyscallEvent): string {
  return event.process === 'primary' ? 'primary' : `worker ${event.workerId}`;
}

function describe(event: AnyLifecycleEvent, number: number | undefined): string {
  const connection = `connection #${number ?? '?'}`;
  switch (event.stage) {
    case 'fork':
      return `forks worker ${event.detail.workerId}`;
    case 'online':
      return `worker ${event.detail.workerId} is online${event.detail.workerPid ? ` (pid ${event.detail.workerPid})` : ''}`;
    case 'listen-requested':
      return `server.listen(${event.detail.address ?? ''}:${event.detail.port ?? ''}) asks the primary for a handle`;
    case 'query-server':
      return `queryServer from worker ${event.detail.workerId} for ${event.detail.address ?? ''}:${event.detail.port ?? ''}`;
    case 'handle-created':
      return `creates a ${event.detail.kind} handle${event.detail.key ? ` (${event.detail.key})` : ''}`;
    case 'listening':
      return event.process === 'primary'
        ? `worker ${event.detail.workerId} listens on ${event.detail.address ?? ''}:${event.detail.port ?? ''}`
        : `listening${event.detail.port !== null ? ` on ${event.detail.address ?? ''}:${event.detail.port}` : ''}`;
    case 'accepted':
      return `accept()ed ${connection} (${event.detail.seq !== null ? `seq ${event.detail.seq}, ` : ''}fd ${event.detail.fd ?? '?'})`;
    case 'newconn-sent':
      return `sends ${connection} to worker ${event.detail.workerId} (newconn seq ${event.detail.seq}, fd ${event.detail.fd ?? '?'} over IPC)`;
    case 'newconn-received':
      return `receives ${connection} (newconn seq ${event.detail.seq}, fd ${event.detail.fd ?? '?'})`;
    case 'connection':
      return `emits 'connection' for #${number ?? '?'}${event.detail.seq !== null ? ` (seq ${event.detail.seq})` : ''}`;
    case 'disconnect':
      return `${event.detail.step}${event.detail.workerId !== null && event.process === 'primary' ? ` (worker ${event.detail.workerId})` : ''}`;
    case 'exit':
      return event.detail.workerId === null
        ? `exits (${event.detail.signal ?? `code ${event.detail.code}`})`
        : `worker ${event.detail.workerId} exited (${event.detail.signal ?? `code ${event.detail.code}`})${exitNote(event.detail)}`;
    case 'handoff-lost':
      return `${connection} (newconn seq ${event.detail.seq}) to worker ${event.detail.workerId} was never received: the fd in flight was dropped with the unread newconn${event.detail.fd !== null ? ` (the primary's copy, fd ${event.detail.fd}, stays open)` : ''}, and the primary's disconnect is held back behind the missing ACK`;
  }
}

function exitNote(detail: { disconnected?: boolean; neverDisconnected?: boolean }): string {
  if (detail.neverDisconnected) return "; the primary never emitted 'disconnect' for it";
  return detail.disconnected === false ? "; before the primary's 'disconnect'" : '';
}

/**
 * `  +12.345 ms  worker 2   (pid 4242)  connection        emits 'connection' for #3 (seq 4)`;
 * `connection`: the connection's number in the run (ConnectionNumbers).
 */
export function formatEvent(event: AnyLifecycleEvent, origin: number, connection?: number): string {
  const offset = `+${(event.time - origin).toFixed(3)} ms`.padStart(14);
  const who = processLabel(event).padEnd(9);
  const pid = `(pid ${event.pid})`.padEnd(12);
  return `${offset}  ${who} ${pid} ${event.stage.padEnd(16)}  ${describe(event, connection)}`;
}

/** The start of an event's line, up to its description: `  +12.345 ms  worker 2  (pid 4242)  connection        `. */
export function linePrefix(event: AnyLifecycleEvent | SyscallEvent, origin: number): string {
  const offset = `+${(event.time - origin).toFixed(3)} ms`.padStart(14);
  return `${offset}  ${processLabel(event).padEnd(9)} ${`(pid ${event.pid})`.padEnd(12)} ${event.stage.padEnd(16)}  `;
}

/** One JSON line; a per-connection event's detail gains `connection`, its number in the run, beside `seq`. */
export function formatJson(event: AnyLifecycleEvent | SyscallEvent, connection?: number): string {
  const { stage, process, workerId, pid, time } = event;
  const detail = connection === undefined ? event.detail : { connection, ...event.detail };
  return JSON.stringify({ stage, process, workerId, pid, time, detail });
}
