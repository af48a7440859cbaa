// The launch and attach arguments of the `cluster-tour` debug type: their TypeScript types and
// their JSON schema (package.json's configurationAttributes), kept in one place. The schema
// objects are typed over the interfaces' keys, so the compiler keeps the two in step, and a
// test compares the schema with package.json.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PresetDefinition } from '../cluster/callSites/presets';

export { debugType } from '../common/contributions';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The cluster program to run (its primary). May be absent with `tour`: the tour's bundled sample runs. */
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string | null>;
  /** The node binary; `node` on PATH when absent. */
  runtimeExecutable?: string;
  /** Pause every process before its first line of user code. */
  stopOnEntry?: boolean;
  /** Stop presets to arm: built-in ids (listen, accept, handles, disconnect, shared) or user-defined ones. */
  presets?: string[];
  /** The cluster scheduling policy (NODE_CLUSTER_SCHED_POLICY). */
  schedulingPolicy?: 'rr' | 'none';
  /** Walk this guided tour (an id of cluster/tours/catalogue.ts) while the program runs. */
  tour?: string;
  /** Presets defined in the editor's settings; .vscode/cluster-tour.json's win on the same id. */
  userPresets?: PresetDefinition[];
  /** Run the program under strace and report its socket syscalls (Linux). */
  syscalls?: boolean;
}

export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
  /** Inspector port of the running primary. */
  port?: number;
  /** Inspector host; loopback only. */
  host?: string;
  /**
   * Open the inspector of a running Node process by pid (SIGUSR1), then attach. A string when it
   * comes from `${command:PickProcess}`, which inserts the picked pid as text.
   */
  processId?: number | string;
  /** The workspace folder: presets are read from its .vscode/cluster-tour.json (the editor fills it in). */
  cwd?: string;
  presets?: string[];
  /** Presets defined in the editor's settings; .vscode/cluster-tour.json's win on the same id. */
  userPresets?: PresetDefinition[];
}

/** The schema of an object in an array (`items`). */
export interface ObjectSchema {
  type: 'object';
  required?: readonly string[];
  properties: Record<string, PropertySchema>;
  additionalProperties?: false;
}

/** The part of JSON schema that configurationAttributes use here. */
export interface PropertySchema {
  type: 'string' | 'number' | 'boolean' | 'array' | 'object' | readonly ('string' | 'number')[];
  description: string;
  default?: unknown;
  enum?: readonly string[];
  items?: { type: 'string' } | ObjectSchema;
  additionalProperties?: { type: readonly string[] };
}

type Own<T> = Omit<T, keyof DebugProtocol.LaunchRequestArguments>;

const presetsSchema: PropertySchema = {
  type: 'array',
  items: { type: 'string' },
  description: 'Stop presets to arm: listen, accept, handles, disconnect, shared, or ids of your own presets.',
  default: [],
};

const userPresetsSchema: PropertySchema = {
  type: 'array',
  description:
    'Presets defined in the editor\'s settings (clusterTour.userPresets), like those of .vscode/cluster-tour.json, which wins when both define the same id. Arm them by id in "presets".',
  default: [],
  items: {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string', description: 'The id to name in "presets".' },
      title: { type: 'string', description: 'What the preset stops at, as the Presets view shows it.' },
      callSites: { type: 'array', items: { type: 'string' }, description: 'Call-site ids of the catalogue, e.g. rr:RoundRobinHandle.prototype.distribute.' },
      functions: { type: 'array', items: { type: 'string' }, description: 'Functions of Node\'s cluster and net code, e.g. RoundRobinHandle.prototype.handoff.' },
    },
    additionalProperties: false,
  },
};

export const launchAttributes: { [K in keyof Required<Own<LaunchArguments>>]: PropertySchema } = {
  program: { type: 'string', description: 'Absolute path of the cluster program (its primary). With "tour", leave it out to run the tour\'s bundled sample.', default: '${file}' },
  args: { type: 'array', items: { type: 'string' }, description: 'Arguments for the program.', default: [] },
  cwd: { type: 'string', description: 'Working directory of the program.', default: '${workspaceFolder}' },
  env: {
    type: 'object',
    additionalProperties: { type: ['string', 'null'] },
    description: 'Environment variables for the program; null removes one.',
    default: {},
  },
  runtimeExecutable: { type: 'string', description: 'The node binary to run the program with. Default: node on PATH.', default: 'node' },
  stopOnEntry: { type: 'boolean', description: 'Pause every process (primary and each worker) before its first line.', default: false },
  presets: presetsSchema,
  schedulingPolicy: { type: 'string', enum: ['rr', 'none'], description: 'Cluster scheduling policy: rr (round-robin, the default on Linux) or none (the kernel distributes connections).', default: 'rr' },
  tour: {
    type: 'string',
    enum: ['listen', 'connection-round-robin', 'connection-sched-none', 'disconnect-in-flight', 'lost-disconnect', 'net-connection'],
    description: 'Walk a guided tour while the program runs: it stops at each of the tour\'s call sites in order, with an explanation.',
  },
  userPresets: userPresetsSchema,
  syscalls: {
    type: 'boolean',
    description: 'Run the program under strace (Linux) and show its socket syscalls (accept4, sendmsg with SCM_RIGHTS, recvmsg, epoll_ctl…) beside the stages that caused them.',
    default: false,
  },
};

export const attachAttributes: { [K in keyof Required<Own<AttachArguments>>]: PropertySchema } = {
  port: { type: 'number', description: 'Inspector port of the running primary (started with --inspect).', default: 9229 },
  host: { type: 'string', description: 'Inspector host. Only loopback addresses are accepted.', default: '127.0.0.1' },
  processId: { type: ['number', 'string'], description: 'Pid of a running Node process whose inspector to open (SIGUSR1), instead of a port.' },
  cwd: {
    type: 'string',
    description: 'The folder whose .vscode/cluster-tour.json defines presets (or one below it). Default: the workspace folder.',
    default: '${workspaceFolder}',
  },
  presets: presetsSchema,
  userPresets: userPresetsSchema,
};

/** package.json's configurationAttributes, made from the schema above. */
export function configurationAttributes(): Record<'launch' | 'attach', { required?: string[]; properties: Record<string, PropertySchema> }> {
  return {
    // No `required`: a launch needs "program" or "tour", which JSON schema's `required` cannot say; the adapter checks.
    launch: { properties: launchAttributes },
    attach: { properties: attachAttributes },
  };
}
