// The code Cluster Tour installs in each debugged process (through Runtime.evaluate): it records
// lifecycle events and sends them through one CDP binding — rare stages at once, per-connection
// stages in batches — with plain-JS hooks on the per-connection path so that no connection costs
// a debugger round trip. Times are CLOCK_MONOTONIC milliseconds (src/common/clock.ts).
// `installAgent` is sent as source text: it must not use anything from outside its own body.

/** Property (a global symbol) under which the agent lives in the debugged process. */
export const agentSymbolName = 'cluster-tour.agent';

/** An expression that evaluates to the agent inside any frame, even in Node's internals. */
export const agentExpression = `globalThis[globalThis.Symbol.for(${JSON.stringify(agentSymbolName)})]`;

export interface AgentOptions {
  /**
   * Name of the Runtime binding to report through; the agent hides it from the global object.
   * Absent when the preload installs the agent before any controller is connected (a planned
   * launch, see preload.js): the agent then keeps every event, and writes each to the journal,
   * until `connect(bindingName)` gives it the binding.
   */
  bindingName?: string;
  role: 'primary' | 'worker';
  /**
   * At most one report of per-connection events per this many milliseconds: every report has a
   * fixed cost in the process (the inspector serialises and writes it) and in the controller,
   * which on a busy server adds up per connection. The first after a quiet spell goes out at once
   * (after the turn that recorded it, with the other events of the same connection), so a lone
   * connection is seen live; under load they wait and go in batches. Other events go out at once:
   * a process killed right after one must not take it along.
   */
  flushMilliseconds: { perConnection: number };
  /**
   * A file the agent also appends each rare event to, synchronously, before it reports it: the
   * inspector writes a report from its own thread, so a process killed a moment later (SIGKILL
   * right after it listened) can take the report along; the controller then reads the file
   * when the process's connection closes. Per-connection events are not written (the hot path).
   */
  journal?: string;
}

/**
 * What the agent sends: batches of [stage, time, detail, number]. `number` counts the events
 * written to the journal (rare ones), so that the controller takes each once, from either path.
 */
export type AgentBatch = Array<[stage: string, time: number, detail: unknown, number?: number]>;

export function installAgent(options: AgentOptions): string {
  const key = globalThis.Symbol.for('cluster-tour.agent');
  const existing = (globalThis as Record<symbol, { dispose(): void } | undefined>)[key];
  // An agent still here belongs to a session that is gone (a controller killed before it could
  // detach): its binding leads nowhere, so it makes way for this one.
  existing?.dispose();
  const globals = globalThis as unknown as Record<string, unknown>;
  /** Takes the binding a controller added, out of sight of the program. */
  const takeBinding = (name: string): ((payload: string) => void) => {
    const found = globals[name] as (payload: string) => void;
    delete globals[name];
    return found;
  };
  let binding = options.bindingName === undefined ? undefined : takeBinding(options.bindingName);
  const preload = (globalThis as Record<symbol, { require?: (id: string) => unknown } | undefined>)[
    globalThis.Symbol.for('cluster-tour.preload')
  ];
  const nodeProcess = globalThis.process as NodeJS.Process & { getBuiltinModule?: (id: string) => unknown; mainModule?: NodeJS.Module };
  const builtin = (id: string): unknown =>
    nodeProcess.getBuiltinModule
      ? nodeProcess.getBuiltinModule(id)
      : preload?.require
        ? preload.require(id)
        : nodeProcess.mainModule?.require(id);
  const setTimer = globalThis.setTimeout;
  // CLOCK_MONOTONIC, the clock every process shares (monotonicMilliseconds in src/common/clock.ts).
  const hrtime = nodeProcess.hrtime;
  const now = (): number => Number(hrtime.bigint()) / 1e6;

  /**
   * One array for the life of the agent, emptied by `flush`, never replaced: V8 may serve the
   * controller's report (an interrupt, see flush) between `record` reading the buffer and pushing
   * into it. When flush swapped in a new array, such an event went into the one just sent, and
   * was lost (1 in about 8 million per-connection events: 6 of 127 memory runs lost one).
   */
  const buffer: Array<[string, number, unknown, number?]> = [];
  const fs = options.journal === undefined ? undefined : (builtin('fs') as typeof import('node:fs') | undefined);
  let journal = options.journal;
  let journaled = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * When the last report of per-connection events went out (CLOCK_MONOTONIC ms). A report of rare
   * events alone does not count: a server's first connection often comes within the interval of
   * its listening, and would wait for it; and with connections a little over the interval apart
   * that wait carried on from each report to the next (the sample's showed 97, 89, 82… ms).
   */
  let lastSent = Number.NEGATIVE_INFINITY;
  let perConnectionBuffered = false;
  const perConnection = new Set(['accepted', 'newconn-sent', 'newconn-received', 'connection']);
  const restores: Array<() => void> = [];
  let disposed = false;

  /** The time before which everything this process recorded has been handed to `flush` (see the worker's hooks). */
  let reportedUntil = (): number => now();
  /**
   * Sends what is buffered. It never touches Node's timer lists: the controller calls it through
   * Runtime.evaluate (`reportUntilNow`, `connect`, `dispose`), which the inspector runs as an
   * interrupt in the middle of whatever JavaScript the process runs, Node's own timer code
   * included; a clearTimeout from there corrupted a list being walked, and under load the
   * process died in listOnTimeout ("timer._onTimeout is not a function"). A timer still pending
   * fires later and finds less or nothing to send.
   */
  const flush = (): void => {
    if (disposed) {
      return;
    }
    if (buffer.length > 0 && binding !== undefined) {
      const batch = buffer.splice(0);
      if (perConnectionBuffered) lastSent = now();
      perConnectionBuffered = false;
      binding(JSON.stringify(batch));
    }
  };
  const onTimer = (): void => {
    timer = undefined;
    flush();
  };
  const record = (stage: string, detail: unknown, time?: number): void => {
    // The controller's report may run anywhere in here (an interrupt, see flush); the entry then
    // goes out with the next one, in the same buffer (see buffer).
    const at = time ?? now();
    // Until a controller is connected every event is journaled: a process that ends before it
    // connects leaves all it recorded there.
    if ((perConnection.has(stage) && binding !== undefined) || journal === undefined || fs === undefined) {
      buffer.push([stage, at, detail]);
    } else {
      const entry: [string, number, unknown, number] = [stage, at, detail, ++journaled];
      try {
        fs.appendFileSync(journal, `${JSON.stringify(entry)}\n`);
      } catch {
        // The session folder is gone (the controller ended): the report alone will have to do.
        journal = undefined;
      }
      buffer.push(entry);
    }
    if (perConnection.has(stage)) perConnectionBuffered = true;
    if (!perConnection.has(stage)) {
      // With the per-connection events recorded before it, in the order they happened.
      flush();
      return;
    }
    if (timer === undefined && binding !== undefined) {
      timer = setTimer(onTimer, Math.max(0, lastSent + options.flushMilliseconds.perConnection - now()));
      timer.unref?.();
    }
  };
  const failures = new Set<string>();
  const fail = (siteId: string, error: unknown): void => {
    // Reported once per call site, so a broken capture is visible but never floods.
    if (!failures.has(siteId)) {
      failures.add(siteId);
      record('agent-error', { siteId, message: String((error as Error)?.message ?? error) });
    }
  };

  // Per-connection hooks in the primary: each worker's channel is watched for `newconn` (from the
  // `online` tracepoint, or at attach for workers already running), and the round-robin
  // prototype is wrapped once, when its constructor's tracepoint hands over the first handle, to
  // learn when each connection was accepted.
  const acceptTimes = new WeakMap<object, number>();
  const reported = new WeakSet<object>();
  const watchedProcesses = new WeakSet<object>();
  let roundRobinHooked = false;
  type Worker = { id: number; process: { send: (...args: unknown[]) => unknown } };
  const watchWorker = (worker: Worker): void => {
    const child = worker.process;
    if (watchedProcesses.has(child)) {
      return;
    }
    watchedProcesses.add(child);
    const originalSend = child.send;
    child.send = function send(this: unknown, ...args: unknown[]) {
      if (disposed) {
        return originalSend.apply(this, args);
      }
      const message = args[0] as { cmd?: string; act?: string; seq?: number } | undefined;
      const handle = args[1] as { fd?: number } | undefined;
      if (message && message.act === 'newconn' && message.cmd === 'NODE_CLUSTER' && handle) {
        const fd = typeof handle.fd === 'number' ? handle.fd : null;
        if (!reported.has(handle)) {
          reported.add(handle);
          record('accepted', { seq: message.seq ?? null, fd }, acceptTimes.get(handle));
        }
        record('newconn-sent', { seq: message.seq, workerId: worker.id, fd, handleType: 'net.Native' });
      }
      return originalSend.apply(this, args);
    };
    const wrapped = child.send;
    restores.push(() => {
      // Someone who wrapped it after us keeps their wrapper, which calls ours, which passes through.
      if (child.send === wrapped) {
        child.send = originalSend;
      }
      watchedProcesses.delete(child);
    });
  };
  const hookRoundRobin = (handle: object): void => {
    if (roundRobinHooked) {
      return;
    }
    roundRobinHooked = true;
    const prototype = Object.getPrototypeOf(handle) as {
      distribute: (error: unknown, accepted: object) => unknown;
      handoff: (worker: Worker) => unknown;
    };
    const originalDistribute = prototype.distribute;
    const originalHandoff = prototype.handoff;
    prototype.distribute = function distribute(this: unknown, error: unknown, accepted: object) {
      if (disposed) {
        return originalDistribute.call(this, error, accepted);
      }
      if (!error && accepted && !acceptTimes.has(accepted)) {
        acceptTimes.set(accepted, now());
      }
      return originalDistribute.call(this, error, accepted);
    };
    prototype.handoff = function handoff(this: unknown, worker: Worker) {
      if (disposed) {
        return originalHandoff.call(this, worker);
      }
      watchWorker(worker);
      return originalHandoff.call(this, worker);
    };
    const distribute = prototype.distribute;
    const handoff = prototype.handoff;
    restores.push(() => {
      if (prototype.distribute === distribute) {
        prototype.distribute = originalDistribute;
      }
      if (prototype.handoff === handoff) {
        prototype.handoff = originalHandoff;
      }
      roundRobinHooked = false;
    });
  };

  // Per-connection hooks in a worker: the newconn message (prepended, so it runs before
  // cluster's own listener hands the socket on), and net's 'net.server.socket' channel. Node 20
  // to 24 publish that channel after 'connection' is emitted, when the listeners have run, so
  // the time is taken where net emits 'connection' (net.Server's emit, before any listener).
  if (options.role === 'worker') {
    let currentConnection: number | null = null;
    const onInternalMessage = (message: { cmd?: string; act?: string; seq?: number } | undefined, handle?: { fd?: number }): void => {
      if (message && message.cmd === 'NODE_CLUSTER' && message.act === 'newconn' && typeof message.seq === 'number') {
        currentConnection = message.seq;
        record('newconn-received', { seq: message.seq, fd: handle && typeof handle.fd === 'number' ? handle.fd : null });
      }
    };
    (nodeProcess as unknown as NodeJS.EventEmitter).prependListener('internalMessage', onInternalMessage);
    restores.push(() => (nodeProcess as unknown as NodeJS.EventEmitter).removeListener('internalMessage', onInternalMessage));
    const connectionTimes = new WeakMap<object, number>();
    /**
     * Times of 'connection' emits whose event is not recorded yet: it is recorded after the
     * listeners ran (see above), and one of them may record something rare (a disconnect) that
     * is reported at once. Until then nobody may take this process to have reported past them.
     */
    const emitting: number[] = [];
    const settle = (time: number): void => {
      const index = emitting.indexOf(time);
      if (index !== -1) emitting.splice(index, 1);
    };
    reportedUntil = (): number => (emitting.length > 0 ? Math.min(now(), ...emitting) : now());
    type Emit = (this: object, name: unknown, ...args: unknown[]) => boolean;
    const net = builtin('net') as { Server?: { prototype: { emit?: Emit } } } | undefined;
    const serverPrototype = net?.Server?.prototype;
    const inheritedEmit = serverPrototype && (Object.getPrototypeOf(serverPrototype) as { emit?: Emit } | null)?.emit;
    if (serverPrototype && typeof inheritedEmit === 'function' && !Object.prototype.hasOwnProperty.call(serverPrototype, 'emit')) {
      const emit: Emit = function emit(this: object, name: unknown, ...args: unknown[]): boolean {
        if (name !== 'connection') {
          return inheritedEmit.call(this, name, ...args);
        }
        const time = now();
        connectionTimes.set(this, time);
        emitting.push(time);
        try {
          return inheritedEmit.call(this, name, ...args);
        } finally {
          // net publishes the channel right after the emit, in the same turn; a server whose
          // 'connection' is never published must not hold the reports back beyond it.
          globalThis.queueMicrotask(() => settle(time));
        }
      };
      Object.defineProperty(serverPrototype, 'emit', { value: emit, configurable: true, writable: true, enumerable: false });
      restores.push(() => {
        if (serverPrototype.emit === emit) {
          delete serverPrototype.emit;
        }
      });
    }
    const channels = builtin('diagnostics_channel') as typeof import('node:diagnostics_channel') | undefined;
    if (channels) {
      // The socket's remote address is left out on purpose: reading it costs a getpeername
      // system call per connection, which the server itself may never make.
      const onSocket = (message: unknown): void => {
        const server = (message as { socket?: { server?: object } } | undefined)?.socket?.server;
        const time = server ? connectionTimes.get(server) : undefined;
        if (server) {
          connectionTimes.delete(server);
        }
        if (time !== undefined) {
          settle(time);
        }
        // Without a time from emit (a server class with an emit of its own that skips ours) the
        // event is stamped now, after the 'connection' listeners ran.
        record('connection', { seq: currentConnection }, time);
        currentConnection = null;
      };
      const channel = channels.channel('net.server.socket');
      channel.subscribe(onSocket);
      restores.push(() => channel.unsubscribe(onSocket));
    }
  }

  const agent = {
    record,
    fail,
    flush,
    /** Sends what is buffered; returns the time before which all this process recorded is sent. */
    reportUntilNow(): number {
      const until = reportedUntil();
      flush();
      return until;
    },
    /**
     * A controller connected (planned launch): from now on reports go through its binding, the
     * events kept so far first. Returns the time before which all recorded is sent, as
     * `reportUntilNow`.
     */
    connect(bindingName: string): number {
      binding = takeBinding(bindingName);
      return agent.reportUntilNow();
    },
    hookRoundRobin,
    watchWorker,
    /** Workers that were running before the agent came (attach). */
    watchWorkers(workers: Record<string, Worker | undefined> | undefined): void {
      for (const worker of Object.values(workers ?? {})) {
        if (worker) {
          watchWorker(worker);
        }
      }
    },
    /** Sends what is buffered, then undoes every patch; the process is as before the install. */
    dispose(): void {
      if (disposed) {
        return;
      }
      flush();
      disposed = true;
      for (const restore of restores.splice(0).reverse()) {
        restore();
      }
      if ((globalThis as Record<symbol, unknown>)[key] === agent) {
        delete (globalThis as Record<symbol, unknown>)[key];
      }
    },
  };
  Object.defineProperty(globalThis, key, { value: agent, configurable: true, enumerable: false });
  // Last chances to send what is still batched: the IPC channel closed (a worker may exit right
  // after, even by process.exit()), and the process exits.
  nodeProcess.prependListener('disconnect', flush);
  nodeProcess.prependListener('exit', flush);
  restores.push(() => {
    nodeProcess.removeListener('disconnect', flush);
    nodeProcess.removeListener('exit', flush);
  });
  restores.push(() => (buffer.length = 0));
  // The guest (guest.ts) disposes the agent on detach or when the controller is gone.
  const guest = (globalThis as Record<symbol, { adopt(name: string, dispose: () => void): void } | undefined>)[globalThis.Symbol.for('cluster-tour.guest')];
  guest?.adopt('agent', () => agent.dispose());
  return existing ? 'replaced' : 'installed';
}
