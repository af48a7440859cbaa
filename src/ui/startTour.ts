// Start Guided Tour: pick a tour (and, when the workspace has a cluster program — the
// clusterTour.tourProgram setting, a launch configuration, the open file — the program to run it
// on) and start a cluster-tour session that walks it. One tour at a time: a
// running tour is ended first. Tests and links pass `{ tourId, program? }` to skip the pickers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commands, debugType, views } from '../common/contributions';
import { messageOf } from '../common/errors';
import { findTour, tours } from '../cluster/tours/catalogue';
import type { Tour } from '../cluster/tours/tour';
import { runtimeExecutable, tourProgram } from './settings';
import { programCandidates } from './tourPrograms';
import type { TourPlayer } from './tourPlayer';

/** The argument of clusterTour.startTour: a tour id and, optionally, the program (absolute or workspace-relative). */
export interface StartTourArguments {
  tourId: string;
  program?: string;
}

/** The launch configuration of a tour; without `program` the adapter runs the tour's bundled one. */
export function tourConfiguration(tour: Tour, program: string | undefined, executable: string | undefined): vscode.DebugConfiguration {
  return {
    type: debugType,
    request: 'launch',
    name: `Cluster Tour: ${tour.title}`,
    tour: tour.id,
    ...(program === undefined ? {} : { program }),
    ...(executable === undefined ? {} : { runtimeExecutable: executable }),
  };
}

async function pickTour(): Promise<Tour | undefined> {
  const picked = await vscode.window.showQuickPick(
    tours.map((tour) => ({ label: tour.title, detail: tour.summary.replace(/`/g, ''), description: `${tour.stops.length} stops`, tour })),
    { title: 'Start Guided Tour', placeHolder: 'Which part of cluster do you want to walk through?', matchOnDetail: true },
  );
  return picked?.tour;
}

/** undefined: cancelled; null: the bundled sample. Asks only when the workspace has a cluster program to offer. */
async function pickProgram(folder: vscode.WorkspaceFolder | undefined): Promise<string | null | undefined> {
  const editor = vscode.window.activeTextEditor;
  const candidates = programCandidates({
    folder: folder?.uri.fsPath,
    setting: tourProgram(),
    launchConfigurations: vscode.workspace.getConfiguration('launch', folder?.uri).get('configurations'),
    activeFile: editor && editor.document.uri.scheme === 'file' ? { path: editor.document.uri.fsPath, text: editor.document.getText() } : undefined,
  });
  if (candidates.length === 0) {
    return null;
  }
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'The bundled sample', description: 'its own small cluster app, which makes its own requests', program: null },
      ...candidates.map((candidate) => ({
        label: folder ? path.relative(folder.uri.fsPath, candidate.program) || candidate.program : candidate.program,
        description: `your program (${candidate.source})`,
        program: candidate.program,
      })),
    ],
    { title: 'Run the tour on', placeHolder: 'The program whose processes the tour stops in (yours must make requests for the connection tours to move)' },
  );
  return picked?.program;
}

async function startTour(player: TourPlayer, given: unknown): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  let tour: Tour | undefined;
  let program: string | null | undefined;
  if (given && typeof given === 'object' && typeof (given as StartTourArguments).tourId === 'string') {
    const { tourId, program: givenProgram } = given as StartTourArguments;
    tour = findTour(tourId);
    if (!tour) {
      void vscode.window.showErrorMessage(`Cluster Tour: there is no tour "${tourId}". Tours: ${tours.map((each) => each.id).join(', ')}.`);
      return false;
    }
    program = givenProgram === undefined ? null : folder ? path.resolve(folder.uri.fsPath, givenProgram) : givenProgram;
  } else {
    tour = await pickTour();
    program = tour && (await pickProgram(folder));
  }
  if (!tour || program === undefined) {
    return false;
  }
  const running = player.session;
  if (running) {
    await vscode.debug.stopDebugging(running);
    void vscode.window.showInformationMessage(`Cluster Tour: ended the tour that was running ("${running.name}") to start "${tour.title}".`);
  }
  try {
    // The Tour view stays in front at each stop instead of Run and Debug (one click away).
    const started = await vscode.debug.startDebugging(folder, tourConfiguration(tour, program ?? undefined, runtimeExecutable()), { suppressDebugView: true });
    if (started) {
      await vscode.commands.executeCommand(`${views.tour}.focus`);
    }
    return started;
  } catch (error) {
    void vscode.window.showErrorMessage(`Cluster Tour: could not start the tour: ${messageOf(error)}`);
    return false;
  }
}

export function registerStartTour(player: TourPlayer): vscode.Disposable {
  return vscode.commands.registerCommand(commands.startTour, (given?: unknown) => startTour(player, given));
}
