// Hand-written lifecycle events for the sequence diagram's unit tests: one clock that ticks a
// millisecond per event, the processes of a two-worker run (primary pid 100, worker N pid 100+N),
// and the prologue every such run starts with, up to worker 1 listening.
import type { DiagramEvent } from '../../src/common/diagram/model';

let clock = 1000;

/** Starts a run's events again at the same time, so that runs built alike are alike. */
export function restartClock(): void {
  clock = 1000;
}

export const primary = (stage: string, detail: object): DiagramEvent => ({ stage, process: 'primary', workerId: null, pid: 100, time: clock++, detail }) as DiagramEvent;
export const worker = (id: number, stage: string, detail: object): DiagramEvent => ({ stage, process: 'worker', workerId: id, pid: 100 + id, time: clock++, detail }) as DiagramEvent;
export const syscall = (pid: number, detail: object): DiagramEvent => ({ stage: 'syscall', process: 'primary', workerId: null, pid, time: clock++, detail }) as DiagramEvent;

/** Two forks, both online, worker 1's queryServer, the round-robin handle, and worker 1 listening. */
export function listeningPrologue(): DiagramEvent[] {
  return [
    primary('fork', { workerId: 1 }),
    primary('fork', { workerId: 2 }),
    primary('online', { workerId: 1, workerPid: 101 }),
    primary('online', { workerId: 2, workerPid: 102 }),
    primary('query-server', { workerId: 1, address: '127.0.0.1', port: 0, addressType: 4 }),
    primary('handle-created', { kind: 'round-robin', key: 'k', address: '127.0.0.1', port: 0 }),
    worker(1, 'listening', { workerId: 1, address: '127.0.0.1', port: 4000 }),
    primary('listening', { workerId: 1, address: '127.0.0.1', port: 4000 }),
  ];
}
