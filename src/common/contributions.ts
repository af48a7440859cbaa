// The one table of ids Cluster Tour contributes to VS Code (STYLE.md rule 4): commands, views and
// their container, the debug type and the custom DAP events and requests. package.json must agree with it; test/unit/configuration.test.ts checks.

/** Commands in package.json's contributes.commands, by what they do. */
export const commands = {
  /** Opens a terminal that runs `cluster-tour trace` on the bundled sample app. */
  traceSample: 'clusterTour.traceSample',
  /** Picks a tour (and the app to run it on) and starts a cluster-tour session that walks it. */
  startTour: 'clusterTour.startTour',
  /** At the stop held now: resumes to the next stop. Revisiting an earlier stop: shows the one after it. */
  nextStop: 'clusterTour.nextStop',
  /** Shows the stop before the one shown (its source, line and explanation); the program stays where it is. */
  previousStop: 'clusterTour.previousStop',
  /** Ends the tour's session (every process of a launched app stops). */
  endTour: 'clusterTour.endTour',
  /** Shows one stop of the tour (the Tour view's items run it with the stop's index). */
  revealStop: 'clusterTour.revealStop',
  /** Lists local Node.js processes (with or without an inspector) and attaches to the chosen one and its workers. */
  attach: 'clusterTour.attach',
  /** Arms or disarms a preset: in the running session at once, and for later sessions in the settings. */
  togglePreset: 'clusterTour.togglePreset',
  /** Opens a call site's internal source (lib/net.js, lib/internal/cluster/*) read-only at its line. */
  showInternalSource: 'clusterTour.showInternalSource',
  /** Processes view title: pauses every process of the session. */
  pauseAll: 'clusterTour.pauseAll',
  /** Processes view title: resumes every paused process (a tour's held stop stays). */
  continueAll: 'clusterTour.continueAll',
  /** Processes view item: pauses that process. */
  pauseProcess: 'clusterTour.pauseProcess',
  /** Processes view item: resumes that process only. */
  continueProcess: 'clusterTour.continueProcess',
  /** Processes view item (workers): SIGKILLs the worker, to watch the primary's exit and a respawn. */
  killWorker: 'clusterTour.killWorker',
  /** Opens the live sequence diagram of the cluster (a webview beside the editor). */
  showDiagram: 'clusterTour.showDiagram',
  /** Writes the sequence diagram of the session as a self-contained SVG file (a URI argument skips the dialog). */
  saveDiagram: 'clusterTour.saveDiagram',
} as const;

export type CommandId = (typeof commands)[keyof typeof commands];

/** Every command id, for checks that walk them all. */
export const commandIds: readonly CommandId[] = Object.values(commands);

/** The activity-bar container (contributes.viewsContainers.activitybar) that holds the views. */
export const viewContainer = 'clusterTour';

/** Views in package.json's contributes.views, by what they show. */
export const views = {
  /** The primary and every worker of the debugged cluster, with their lifecycle. */
  processes: 'clusterTour.processes',
  /** The stops of the current tour: done, current, pending. */
  tour: 'clusterTour.tour',
  /** Presets with checkboxes, and each one's call sites, bound or not (with the reason). */
  presets: 'clusterTour.presets',
} as const;

export type ViewId = (typeof views)[keyof typeof views];

/** Every view id, for checks that walk them all. */
export const viewIds: readonly ViewId[] = Object.values(views);

/** Context keys the extension sets (`when` clauses of keybindings and menus). */
export const contextKeys = {
  /** A tour is running: Next Stop / Previous Stop keybindings apply. */
  inTour: 'clusterTour.inTour',
} as const;

/** Settings under contributes.configuration, by what they hold. */
export const settings = {
  /** The node binary that runs tours and whose sources Show Internal Source opens (default: node on PATH). */
  runtimeExecutable: 'clusterTour.runtimeExecutable',
  /** Preset ids armed in sessions whose launch configuration names none. */
  presets: 'clusterTour.presets',
  /** Presets defined in the settings, like those of .vscode/cluster-tour.json. */
  userPresets: 'clusterTour.userPresets',
  /** A cluster program (path, relative to the workspace folder) to run tours on instead of the bundled sample. */
  tourProgram: 'clusterTour.tourProgram',
  /** Launches show the program's socket syscalls (strace) when their configuration does not say. */
  syscalls: 'clusterTour.syscalls',
} as const;

export type SettingId = (typeof settings)[keyof typeof settings];

export const settingIds: readonly SettingId[] = Object.values(settings);

/** The Get Started walkthrough (contributes.walkthroughs). */
export const walkthrough = 'clusterTour.getStarted';

/** The `type` of Cluster Tour's launch configurations (contributes.debuggers[0].type). */
export const debugType = 'cluster-tour';

export type DebugType = typeof debugType;

/** Events the debug adapter sends beyond the Debug Adapter Protocol's own (DAP custom events). */
export const customEvents = {
  /** A process of the cluster reached a lifecycle stage; the body is a LifecycleEvent. */
  stage: 'clusterTour.stage',
  /** A process was attached, paused, resumed or exited; the body is a ProcessEventBody (adapter/viewProtocol.ts). */
  process: 'clusterTour.process',
  /** The presets or whether their stops are bound changed; the body is a PresetsBody (adapter/viewProtocol.ts). */
  presets: 'clusterTour.presets',
  /** The tour of a session started, paused at a stop, moved on or ended; the body is a TourBody (adapter/tourProtocol.ts). */
  tour: 'clusterTour.tour',
  /** A socket syscall of a process (launch with `syscalls`); the body is a SyscallEvent (common/syscalls.ts). */
  syscall: 'clusterTour.syscall',
} as const;

export type CustomEventName = (typeof customEvents)[keyof typeof customEvents];

/** Requests the debug adapter answers beyond the Debug Adapter Protocol's own (DAP custom requests). */
export const customRequests = {
  /** No arguments; answers a PresetsBody. */
  presets: 'clusterTour.presets',
  /** Arguments `{ id, enabled }`: arms or disarms a preset in every process; answers a PresetsBody. */
  setPreset: 'clusterTour.setPreset',
  /** No arguments; answers the session's TourBody (an error when the session runs no tour). */
  tour: 'clusterTour.tour',
  /** No arguments: leaves the stop held now and resumes to the next one; answers the TourBody. */
  nextStop: 'clusterTour.nextStop',
  /** Arguments `{ pids? }` (every process without): pauses those running; answers `{ pids }` of those it paused. */
  pauseProcesses: 'clusterTour.pauseProcesses',
  /** Arguments `{ pids? }` (every process without): resumes those paused (not a tour's held stop); answers `{ pids }`. */
  continueProcesses: 'clusterTour.continueProcesses',
  /** Arguments `{ pid }`: SIGKILLs a worker of the run, after checking the pid is still that process. */
  killWorker: 'clusterTour.killWorker',
} as const;

export type CustomRequestName = (typeof customRequests)[keyof typeof customRequests];
