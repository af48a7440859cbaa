// A launch configuration that names a tour: which tour (known ids only), the program it runs on
// (the tour's bundled sample unless the configuration names one) and the folder that holds the
// samples, next to the bundle or in the repository.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterTourError } from '../common/errors';
import { findTour, tours } from '../cluster/tours/catalogue';
import { tourProgram } from '../cluster/tours/launch';
import type { Tour } from '../cluster/tours/tour';

/** The tour a configuration's `tour` names; undefined when it names none. */
export function checkTour(id: unknown): Tour | undefined {
  if (id === undefined) {
    return undefined;
  }
  const tour = typeof id === 'string' ? findTour(id) : undefined;
  if (!tour) {
    throw new ClusterTourError('E_UNKNOWN_TOUR', `Unknown tour ${JSON.stringify(id)} in "tour". Known tours: ${tours.map((each) => each.id).join(', ')}.`);
  }
  return tour;
}

/**
 * The folder that holds samples/: the extension's root (dist/.. for dist/adapter.js and
 * dist/extension.js) or, for the compiled sources (out/src/adapter), the repository root.
 */
export function findSamplesRoot(): string {
  const candidates = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', '..')];
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, 'samples')));
  if (!found) {
    const looked = candidates.map((candidate) => path.join(candidate, 'samples')).join(', ');
    throw new ClusterTourError('E_SAMPLES_NOT_FOUND', `The bundled samples are missing (looked in ${looked}). Set "program" to a cluster app to run the tour on.`);
  }
  return found;
}

/** The program a launch runs: its own `program`, else the tour's bundled sample. */
export function launchedProgram(program: string | undefined, tour: Tour | undefined): string {
  if (typeof program === 'string' && program.trim() !== '') {
    return program;
  }
  if (tour) {
    return tourProgram(tour, findSamplesRoot());
  }
  throw new ClusterTourError(
    'E_NO_PROGRAM',
    'Set "program" in the launch configuration to the cluster program to run (its primary), or "tour" to walk a guided tour on its bundled sample.',
  );
}
