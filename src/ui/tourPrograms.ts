// Which of the workspace's programs Start Guided Tour offers next to the bundled sample: the
// clusterTour.tourProgram setting, the programs of the workspace's cluster-tour launch
// configurations, and the open file when it uses cluster. Pure (no vscode), so it is unit-tested.
import * as path from 'node:path';

export interface ProgramCandidate {
  /** Absolute path of the program. */
  program: string;
  /** Where the offer comes from, for people: "clusterTour.tourProgram", "launch.json: Cluster"… */
  source: string;
}

export interface WorkspacePrograms {
  /** The workspace folder's path; relative programs are resolved against it. */
  folder: string | undefined;
  /** The clusterTour.tourProgram setting (workspace-relative or absolute), if set. */
  setting: string | undefined;
  /** The `configurations` of the folder's launch.json, as VS Code reads them (unchecked). */
  launchConfigurations: unknown;
  /** The active editor's file and text, if it is a file. */
  activeFile: { path: string; text: string } | undefined;
}

/** Whether a program's text loads Node's cluster module (require or import). */
export function usesCluster(text: string): boolean {
  return /\brequire\(\s*['"](?:node:)?cluster['"]\s*\)|\bfrom\s+['"](?:node:)?cluster['"]|\bimport\(\s*['"](?:node:)?cluster['"]\s*\)/.test(text);
}

/** Every candidate, each program once (the first source that names it), in the order above. */
export function programCandidates(workspace: WorkspacePrograms): ProgramCandidate[] {
  const candidates: ProgramCandidate[] = [];
  const add = (program: string, source: string): void => {
    const absolute = workspace.folder ? path.resolve(workspace.folder, program) : path.resolve(program);
    if (!candidates.some((candidate) => candidate.program === absolute)) {
      candidates.push({ program: absolute, source });
    }
  };
  if (workspace.setting) {
    add(workspace.setting, 'clusterTour.tourProgram');
  }
  for (const { name, program } of launchPrograms(workspace.launchConfigurations, workspace.folder)) {
    add(program, `launch.json: ${name}`);
  }
  if (workspace.activeFile && /\.[cm]?js$/.test(workspace.activeFile.path) && usesCluster(workspace.activeFile.text)) {
    add(workspace.activeFile.path, 'the open file');
  }
  return candidates;
}

/**
 * The programs of cluster-tour launch configurations whose `program` is a path once
 * `${workspaceFolder}` is replaced; one that names another variable (`${file}`) is left out: it
 * means whatever is open, which the open-file candidate covers.
 */
function launchPrograms(configurations: unknown, folder: string | undefined): Array<{ name: string; program: string }> {
  if (!Array.isArray(configurations)) {
    return [];
  }
  return configurations.flatMap((configuration: unknown) => {
    const { type, request, name, program } = (configuration ?? {}) as Record<string, unknown>;
    if (type !== 'cluster-tour' || request !== 'launch' || typeof program !== 'string' || program.trim() === '') {
      return [];
    }
    const resolved = folder === undefined ? program : program.replace(/\$\{workspaceFolder\}/g, folder);
    return resolved.includes('${') ? [] : [{ name: typeof name === 'string' ? name : 'unnamed', program: resolved }];
  });
}
