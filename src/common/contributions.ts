// The one table of ids Cluster Tour contributes to VS Code (STYLE.md rule 4): commands, views and
// their container, the debug type and the custom DAP events and requests. package.json must agree with it; test/unit/configuration.test.ts checks.

/** Commands in package.json's contributes.commands, by what they do. */
export const commands = {
  /** Opens a terminal that runs `cluster-tour trace` on the bundled sample app. */
  traceSample: 'clusterTour.traceSample',
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
} as const;

export type ViewId = (typeof views)[keyof typeof views];

/** Every view id, for checks that walk them all. */
export const viewIds: readonly ViewId[] = Object.values(views);

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
} as const;

export type CustomEventName = (typeof customEvents)[keyof typeof customEvents];

/** Requests the debug adapter answers beyond the Debug Adapter Protocol's own (DAP custom requests). */
export const customRequests = {
  /** No arguments; answers a PresetsBody. */
  presets: 'clusterTour.presets',
  /** Arguments `{ id, enabled }`: arms or disarms a preset in every process; answers a PresetsBody. */
  setPreset: 'clusterTour.setPreset',
} as const;

export type CustomRequestName = (typeof customRequests)[keyof typeof customRequests];
