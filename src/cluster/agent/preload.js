// Runs first in every process of a launched cluster app (NODE_OPTIONS=--require). The launched
// primary and every cluster worker open an inspector on 127.0.0.1 on a free port, report it to
// the controller through a file, and wait until the controller has set its breakpoints. Other
// children (child_process.fork that is not a worker, worker_threads) are left alone.
'use strict';

(function clusterTourPreload() {
  const sessionDirectory = process.env.CLUSTER_TOUR_SESSION;
  if (!sessionDirectory) {
    return;
  }
  const { isMainThread } = require('worker_threads');
  const isRoot = process.env.CLUSTER_TOUR_ROOT === String(process.pid) || process.env.CLUSTER_TOUR_ROOT === 'next';
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

  const fs = require('fs');
  const path = require('path');
  const inspector = require('inspector');
  if (!inspector.url()) {
    inspector.open(0, '127.0.0.1', false);
  }
  const url = inspector.url();
  if (!url) {
    return;
  }

  let released = false;
  const state = {
    // The controller calls this (Runtime.evaluate) once its breakpoints are set.
    release() {
      released = true;
      return 'released';
    },
    require,
  };
  Object.defineProperty(globalThis, Symbol.for('cluster-tour.preload'), { value: state, configurable: true });

  const report = {
    pid: process.pid,
    ppid: process.ppid,
    role: isWorker ? 'worker' : 'primary',
    workerId,
    url,
  };
  const file = path.join(sessionDirectory, `${process.pid}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
  fs.renameSync(`${file}.tmp`, file);

  // A Runtime.runIfWaitingForDebugger that arrives before the wait begins is lost, so the wait
  // is a loop on a flag the controller sets first, and the controller repeats the release.
  while (!released) {
    inspector.waitForDebugger();
  }

  function clusterWorkerId() {
    const cluster = require('cluster');
    return cluster.isWorker && cluster.worker ? cluster.worker.id : null;
  }
})();
