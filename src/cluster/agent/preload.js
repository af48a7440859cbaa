// Runs first in every process of a launched or attached cluster app (NODE_OPTIONS=--require). The
// launched primary and every cluster worker open an inspector on 127.0.0.1 on a free port, report
// it to the controller through a file, and wait until the controller has set its breakpoints.
// A planned launch (a trace that never pauses, see launch/launchPlan.ts) writes
// the agent and the breakpoints of each role to plan.json in the session folder beforehand: the
// process then installs them itself, through an in-process inspector session, and runs on at
// once; the controller connects when it can, and the agent keeps what it records until then.
// Other children (child_process.fork that is not a worker, worker_threads) are left alone.
// A guest: when its controller is gone (exited, or its session folder removed on detach) it does
// nothing at all but take itself out of the environment its own children inherit, and a process
// waiting at the gate when the controller dies goes on as if never observed.
'use strict';

(function clusterTourPreload() {
  const gateCheckMilliseconds = 50;
  const planCheckMilliseconds = 2;
  const sessionDirectory = process.env.CLUSTER_TOUR_SESSION;
  if (!sessionDirectory) {
    return;
  }
  const fs = require('fs');
  const { isMainThread } = require('worker_threads');
  const isRoot = process.env.CLUSTER_TOUR_ROOT === String(process.pid) || process.env.CLUSTER_TOUR_ROOT === 'next';
  // A process of a program bin/cluster-tour started before its tracer had booted: the plan is in
  // the cache or on its way (for its workers too, which may start before the tracer has written it).
  const early = isMainThread && process.env.CLUSTER_TOUR_EARLY === '1';
  if (!controllerAlive()) {
    if (early && isRoot) {
      stopUnobserved();
    }
    leaveEnvironment();
    return;
  }
  if (!isMainThread) {
    return;
  }
  // Cluster has already set a worker up (and removed NODE_UNIQUE_ID from its environment) when
  // preloads run. Only a process forked with an IPC channel can be a worker: others never load
  // the cluster module because of us.
  const workerId = !isRoot && typeof process.send === 'function' ? clusterWorkerId() : null;
  const isWorker = workerId !== null;
  if (!isRoot && !isWorker) {
    return;
  }
  if (isRoot) {
    // Children must not take themselves for the root.
    delete process.env.CLUSTER_TOUR_ROOT;
  }

  const path = require('path');
  const inspector = require('inspector');
  const openedHere = !inspector.url();
  if (openedHere) {
    inspector.open(0, '127.0.0.1', false);
  }
  const url = inspector.url();
  if (!url) {
    return;
  }

  const role = isWorker ? 'worker' : 'primary';
  /** Where the plan came from: the session folder, or (an early start) the cache. */
  let planSource = 'session';
  const plan = early ? (readPlan() ?? cachedPlan() ?? awaitPlan()) : readPlan();
  if (early && isRoot && planSource === 'cache') {
    watchTakeOver();
  }
  if (early && plan === undefined) {
    stopUnobserved();
  }
  let released = plan !== undefined;
  // The controller's commands are served while the main thread waits in Atomics.wait (the
  // inspector interrupts it), so the gate can also look at its controller now and then.
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const state = {
    // The controller calls this (Runtime.evaluate) once its breakpoints are set.
    release() {
      released = true;
      Atomics.notify(wake, 0);
      return 'released';
    },
    require,
  };
  const stateKey = Symbol.for('cluster-tour.preload');
  Object.defineProperty(globalThis, stateKey, { value: state, configurable: true });
  const file = path.join(sessionDirectory, `${process.pid}.json`);

  if (plan) {
    try {
      observeByPlan(plan);
    } catch (error) {
      // A plan this process cannot follow: it says so on stderr and runs on unobserved.
      process.stderr.write(`cluster-tour: pid ${process.pid} is not observed: ${error && error.message}\n`);
      abandon();
      return;
    }
  }

  const report = {
    pid: process.pid,
    ppid: process.ppid,
    role,
    workerId,
    url,
    node: { version: process.version, execPath: process.execPath },
    // What the launched process runs, for the tracer to check against what it was asked to run.
    ...(isRoot ? { argv: process.argv.slice(1), execArgv: process.execArgv, planSource: plan ? planSource : undefined } : {}),
  };
  try {
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  } catch (error) {
    // The session folder went away meanwhile: the controller detached.
    if (error.code !== 'ENOENT') {
      throw error;
    }
    abandon();
    return;
  }

  while (!released) {
    if (!controllerAlive()) {
      abandon();
      return;
    }
    Atomics.wait(wake, 0, 0, gateCheckMilliseconds);
  }

  /** The launch's plan (see the top), or undefined when there is none (every attach, a launch that may pause). */
  function readPlan() {
    let text;
    try {
      text = fs.readFileSync(path.join(sessionDirectory, 'plan.json'), 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    return JSON.parse(text);
  }

  /**
   * The plan the last trace with this Node and this Cluster Tour left in the cache (see
   * launchPlan.ts's tracePlanCache), so that an early start need not wait for its tracer to boot.
   * The tracer checks it against its own once it has booted, and says when they differ.
   */
  function cachedPlan() {
    try {
      const key = tracePlanKey();
      const entry = JSON.parse(fs.readFileSync(tracePlanFile(key), 'utf8'));
      if (entry.key !== key) {
        return undefined;
      }
      planSource = 'cache';
      return entry.plan;
    } catch {
      return undefined; // none yet, or unreadable: the tracer's own comes soon
    }
  }

  /**
   * An early start running on a cached plan has no watchdog until its tracer has booted and takes
   * it over (it writes the session's plan.json, then starts the watchdog at once). Should the
   * tracer die before that, nobody would stop the program or read its output: it stops itself,
   * workers and all (it leads its own process group).
   */
  function watchTakeOver() {
    const timer = setInterval(() => {
      if (fs.existsSync(path.join(sessionDirectory, 'plan.json'))) {
        clearInterval(timer);
      } else if (!controllerAlive()) {
        clearInterval(timer);
        stopUnobserved();
      }
    }, gateCheckMilliseconds);
    timer.unref();
  }

  /**
   * The tracer that was to follow this early start died before it took over: the program must
   * not run on unobserved (its output goes to FIFOs nobody reads, no watchdog would stop it), and
   * nobody else will clean up. It leads its own process group: that ends with it, workers and all.
   */
  function stopUnobserved() {
    fs.rmSync(sessionDirectory, { recursive: true, force: true });
    process.kill(0, 'SIGKILL');
  }

  /** What a cached trace plan depends on: the Node binary and the build of Cluster Tour. */
  function tracePlanKey() {
    const binary = fs.statSync(process.execPath);
    const own = fs.statSync(__filename);
    const cli = fs.statSync(path.join(__dirname, 'cli.js'));
    return [process.execPath, binary.size, binary.mtimeMs, process.version, __filename, own.size, own.mtimeMs, cli.size, cli.mtimeMs].join('\n');
  }

  /** Where launchPlan.ts keeps the plan for `key` (the same name, computed the same way). */
  function tracePlanFile(key) {
    const cache = process.env.XDG_CACHE_HOME || path.join(require('os').homedir(), '.cache');
    // FNV-1a, 32 bits: a name, not a proof (the entry holds its whole key).
    let hash = 0x811c9dc5;
    for (let index = 0; index < key.length; index++) {
      hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193) >>> 0;
    }
    return path.join(cache, 'cluster-tour', 'trace-plans', `${hash.toString(16).padStart(8, '0')}.json`);
  }

  /**
   * The plan of an early start (see `early`), once the tracer has written it; undefined when the
   * tracer is gone before that.
   */
  function awaitPlan() {
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let checked = Date.now();
    for (;;) {
      const found = readPlan();
      if (found !== undefined) {
        return found;
      }
      if (Date.now() - checked >= gateCheckMilliseconds) {
        checked = Date.now();
        if (!controllerAlive()) {
          return undefined;
        }
      }
      Atomics.wait(pause, 0, 0, planCheckMilliseconds);
    }
  }

  /**
   * Installs the agent and sets the role's breakpoints through a session of this very process.
   * Pauses are skipped (no pause could ever end: this thread would wait for itself); breakpoint
   * conditions still run, which is all the agent needs. The session lives as long as the process.
   */
  function observeByPlan(plan) {
    const install = require('vm').runInThisContext(`(${plan.agent.source})`, { filename: plan.agent.url });
    install({ role, flushMilliseconds: plan.agent.flushMilliseconds, journal: path.join(sessionDirectory, `${process.pid}.events`) });
    const agent = globalThis[Symbol.for(plan.agent.symbol)];
    const session = new inspector.Session();
    session.connect();
    state.session = session;
    const failed = (siteId) => (error) => {
      if (error) {
        agent.fail(siteId, error);
      }
    };
    session.post('Debugger.enable', failed('debugger'));
    session.post('Debugger.setSkipAllPauses', { skip: true }, failed('debugger'));
    for (const breakpoint of plan.breakpoints[role]) {
      session.post('Debugger.setBreakpointByUrl', breakpoint.location, failed(breakpoint.siteId));
    }
  }

  /** The controller went away before releasing this process: undo all of the above. */
  function abandon() {
    if (state.session) {
      state.session.disconnect();
    }
    const agent = globalThis[Symbol.for('cluster-tour.agent')];
    if (agent) {
      agent.dispose();
    }
    delete globalThis[stateKey];
    for (const name of [file, `${file}.tmp`]) {
      try {
        fs.unlinkSync(name);
      } catch (error) {
        if (error.code !== 'ENOENT') {
          throw error;
        }
      }
    }
    if (openedHere) {
      inspector.close();
    }
    leaveEnvironment();
  }

  function clusterWorkerId() {
    const cluster = require('cluster');
    return cluster.isWorker && cluster.worker ? cluster.worker.id : null;
  }

  /**
   * The session folder exists and the controller (CLUSTER_TOUR_CONTROLLER, "pid:start time") still
   * runs: not a zombie, not another process with its pid. The same test as guest.ts's.
   */
  function controllerAlive() {
    if (!fs.existsSync(sessionDirectory)) {
      return false;
    }
    const [pidText, startTime] = (process.env.CLUSTER_TOUR_CONTROLLER || '').split(':');
    const pid = Number(pidText);
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      return true; // a controller of an older version: the session folder is all there is
    }
    try {
      process.kill(pid, 0);
    } catch (error) {
      if (error.code === 'ESRCH') {
        return false;
      }
    }
    if (!startTime) {
      return true;
    }
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return false; // the pid is gone
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && fields[0] !== 'X' && fields[19] === startTime;
  }

  /** Takes Cluster Tour out of the environment this process's own children inherit. */
  function leaveEnvironment() {
    const env = process.env;
    for (const name of ['CLUSTER_TOUR_SESSION', 'CLUSTER_TOUR_CONTROLLER', 'CLUSTER_TOUR_ROOT', 'CLUSTER_TOUR_EARLY']) {
      delete env[name];
    }
    // What launcher.ts's withPreload appended: the publish flag and --require "<this file>".
    const options = (env.NODE_OPTIONS || '').replace(/(?:^| )--inspect-publish-uid=http --require "(?:[^"\\]|\\.)*"$/, '');
    if (options === '') {
      delete env.NODE_OPTIONS;
    } else {
      env.NODE_OPTIONS = options;
    }
  }
})();
