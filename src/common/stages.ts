// The lifecycle vocabulary shared by every layer: stages, processes, presets and the event
// each process reports. Pure data and types: no I/O, no vscode, no CDP.

/** The stages a cluster process goes through, in the order they usually happen. */
export const stageNames = [
  'fork',
  'online',
  'listen-requested',
  'query-server',
  'handle-created',
  'listening',
  'accepted',
  'newconn-sent',
  'newconn-received',
  'connection',
  'disconnect',
  'exit',
  'handoff-lost',
] as const;

export type StageName = (typeof stageNames)[number];

/** Which kind of process ran the code that produced an event. */
export type ProcessRole = 'primary' | 'worker';

/** Ids of the built-in stop presets. */
export const presetIds = ['listen', 'accept', 'handles', 'disconnect', 'shared'] as const;
export type PresetId = (typeof presetIds)[number];

/** Stages no call site records: the controller derives them from the others (handoffWatch.ts). */
export const derivedStages: readonly StageName[] = ['handoff-lost'];

/** Stages that happen once per client connection (the hot path). */
export const perConnectionStages: readonly StageName[] = ['accepted', 'newconn-sent', 'newconn-received', 'connection'];

/** What each stage reports besides who and when. Ids of workers are cluster worker ids. */
export interface StageDetails {
  /** Primary: `cluster.fork()` is about to spawn the worker. */
  fork: { workerId: number };
  /** Primary: the worker said it is online. */
  online: { workerId: number; workerPid: number | null };
  /** Worker: `server.listen()` asks the primary for a handle. */
  'listen-requested': { address: string | null; port: number | null; addressType: number | null };
  /** Primary: it received the worker's `queryServer` message. */
  'query-server': { workerId: number; address: string | null; port: number | null; addressType: number | null };
  /** Primary: it created the handle that workers will share. */
  'handle-created': { kind: 'round-robin' | 'shared'; key: string | null; address: string | null; port: number | null };
  /** Worker: its server is listening; primary: it was told so. */
  listening: { workerId: number | null; address: string | null; port: number | null };
  /**
   * Primary: the round-robin handle accept()ed a connection. `seq` on the per-connection stages
   * is the sequence number of the `newconn` message that carries it (the primary numbers every
   * message it sends a worker, so the first connection is not 1): the same in all four stages.
   */
  accepted: { seq: number | null; fd: number | null };
  /** Primary: the accepted socket goes to a worker in a `newconn` message (fd via SCM_RIGHTS). */
  'newconn-sent': { seq: number; workerId: number | null; fd: number | null; handleType: string };
  /** Worker: a `newconn` message arrived with a socket handle. */
  'newconn-received': { seq: number; fd: number | null };
  /**
   * Worker: its server emits `'connection'`; the time is taken just before the listeners run.
   * `seq` is null when no `newconn` carried it (SCHED_NONE).
   */
  connection: { seq: number | null };
  /** Either side of a worker's disconnect. */
  disconnect: { workerId: number | null; side: ProcessRole; step: string };
  /**
   * A worker exited (seen by the primary), or the primary itself exited. For a worker:
   * `disconnected`, whether the primary had emitted `'disconnect'` for it; `handleUnacknowledged`,
   * whether a handle sent to it still waited for its ACK; `neverDisconnected`, set by the
   * controller when a handoff to it was lost, so the primary's `'disconnect'` can never come.
   */
  exit: {
    workerId: number | null;
    code: number | null;
    signal: string | null;
    disconnected?: boolean;
    handleUnacknowledged?: boolean;
    neverDisconnected?: boolean;
  };
  /**
   * Primary (derived): a `newconn` sent to the worker was never received before its channel
   * closed: the fd was dropped with the message, and the primary's disconnect is held back.
   * `seq` is that `newconn` message's, as on the per-connection stages.
   */
  'handoff-lost': { workerId: number; seq: number; fd: number | null };
}

/**
 * One lifecycle event, as a process reports it. `time` is milliseconds (sub-ms) of CLOCK_MONOTONIC
 * as `process.hrtime.bigint()` reads it in the reporting process: one clock for every process, so
 * times compare across them. `wallClockMilliseconds` (common/clock.ts) turns it into a date.
 */
export interface LifecycleEvent<S extends StageName = StageName> {
  stage: S;
  process: ProcessRole;
  /** The cluster worker id of the reporting process; null for the primary. */
  workerId: number | null;
  pid: number;
  time: number;
  detail: StageDetails[S];
}

export type AnyLifecycleEvent = { [S in StageName]: LifecycleEvent<S> }[StageName];
