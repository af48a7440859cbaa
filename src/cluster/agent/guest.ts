// The guest's conscience, installed first in each attached process (through Runtime.evaluate):
// it knows its controller (pid and start time, and the session folder), checks now and then that
// the controller is still there, and undoes everything Cluster Tour put into the process (agent,
// output capture, the primary's environment for workers it forks) on detach or when the
// controller is gone. The preload (preload.js) makes the same check for processes that start later.
// `installGuest` is sent as source text: it must not use anything from outside its own body.

/** Property (a global symbol) under which the guest lives in the debugged process. */
export const guestSymbolName = 'cluster-tour.guest';

export interface GuestOptions {
  /** The session folder: it identifies the session, and its removal means the session ended. */
  sessionDirectory: string;
  /** The controlling process; the guest goes inert once it has exited. */
  controller: { pid: number; startTime: string | null };
  /** How often the guest checks its controller, in ms. */
  checkMilliseconds: number;
  /**
   * Primary of an attach: what workers it forks from now on must inherit (the preload and the
   * session), restored to the original values on detach.
   */
  environment?: { set: Record<string, string>; appendToNodeOptions: string };
}

/** What installGuest answers: installed, or busy with another live session (its controller's pid). */
export type GuestInstallResult = 'installed' | 'already installed' | `busy:${number}`;

interface Guest {
  sessionDirectory: string;
  controllerPid: number;
  alive(): boolean;
  adopt(name: string, dispose: () => void): void;
  dispose(): void;
}

export function installGuest(options: GuestOptions): GuestInstallResult {
  const key = globalThis.Symbol.for('cluster-tour.guest');
  const globals = globalThis as unknown as Record<symbol, Guest | undefined>;
  const existing = globals[key];
  if (existing && existing.sessionDirectory === options.sessionDirectory) {
    return 'already installed';
  }
  if (existing && existing.alive()) {
    return `busy:${existing.controllerPid}`;
  }
  // A guest whose controller died before it noticed (SIGKILL): undo its work before ours starts.
  existing?.dispose();

  type Process = NodeJS.Process & { getBuiltinModule?: (id: string) => unknown; mainModule?: NodeJS.Module };
  const nodeProcess = globalThis.process as Process;
  const preloadKey = globalThis.Symbol.for('cluster-tour.preload');
  const preload = (globalThis as unknown as Record<symbol, { require?: (id: string) => unknown } | undefined>)[preloadKey];
  const builtin = (id: string): unknown =>
    nodeProcess.getBuiltinModule ? nodeProcess.getBuiltinModule(id) : preload?.require ? preload.require(id) : nodeProcess.mainModule?.require(id);
  const fs = builtin('fs') as typeof import('node:fs') | undefined;
  const { pid, startTime } = options.controller;

  const controllerAlive = (): boolean => {
    if (fs && !fs.existsSync(options.sessionDirectory)) {
      return false;
    }
    try {
      nodeProcess.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        return false;
      }
    }
    if (!fs || startTime === null) {
      return true;
    }
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (error) {
      void error; // the pid is gone
      return false;
    }
    // "pid (command) state ppid … starttime(22nd)": a zombie or another process with its pid is no controller.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === startTime;
  };

  const disposers = new Map<string, () => void>();
  const restores: Array<() => void> = [];
  let disposed = false;
  const guest: Guest = {
    sessionDirectory: options.sessionDirectory,
    controllerPid: pid,
    alive: () => !disposed && controllerAlive(),
    adopt(name, dispose) {
      disposers.set(name, dispose);
    },
    dispose() {
      if (disposed) {
        return;
      }
      disposed = true;
      for (const dispose of [...disposers.values()].reverse()) {
        try {
          dispose();
        } catch (error) {
          // One part that cannot be undone must not keep the others in place.
          void error;
        }
      }
      disposers.clear();
      for (const restore of restores.splice(0).reverse()) {
        restore();
      }
      delete (globalThis as unknown as Record<symbol, unknown>)[preloadKey];
      if (globals[key] === guest) {
        delete globals[key];
      }
    },
  };

  const check = (): void => {
    if (!controllerAlive()) {
      guest.dispose();
    }
  };
  // Installed and disposed through Runtime.evaluate, which the inspector may run in the middle of
  // Node's own timer code (see agent.ts's flush): the interval is set and cleared from a
  // microtask, when that code is not half way through a list.
  let timer: ReturnType<typeof setInterval> | undefined;
  let ended = false;
  globalThis.queueMicrotask(() => {
    if (!ended) {
      timer = globalThis.setInterval(check, options.checkMilliseconds);
      timer.unref?.();
    }
  });
  restores.push(() => {
    ended = true;
    globalThis.queueMicrotask(() => globalThis.clearInterval(timer));
  });

  if (options.environment) {
    // Exactly the values found, absent ones included; a value the app changed since is its own.
    const env = nodeProcess.env;
    const wanted: Record<string, string> = {
      ...options.environment.set,
      NODE_OPTIONS: [env.NODE_OPTIONS?.trim(), options.environment.appendToNodeOptions].filter(Boolean).join(' '),
    };
    for (const [name, value] of Object.entries(wanted)) {
      const had = Object.prototype.hasOwnProperty.call(env, name);
      const original = env[name];
      env[name] = value;
      restores.push(() => {
        if (env[name] !== value) {
          return;
        }
        if (had) {
          env[name] = original;
        } else {
          delete env[name];
        }
      });
    }
    // A fork right after the controller died must not wait for the next check.
    const cluster = builtin('cluster') as { fork?: (...args: unknown[]) => unknown } | undefined;
    if (cluster && typeof cluster.fork === 'function') {
      const originalFork = cluster.fork;
      const fork = function fork(this: unknown, ...args: unknown[]): unknown {
        check();
        return originalFork.apply(this, args);
      };
      cluster.fork = fork;
      restores.push(() => {
        if (cluster.fork === fork) {
          cluster.fork = originalFork;
        }
      });
    }
  }

  Object.defineProperty(globalThis, key, { value: guest, configurable: true, enumerable: false });
  return 'installed';
}
