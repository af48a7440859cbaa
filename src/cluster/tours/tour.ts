// What a guided tour is, as data: an app to run and an ordered list of stops at catalogued call
// sites, each with an explanation for people and claims a test (and the editor) can check in the
// paused frame. Also the validation every shipped tour must pass. No I/O, no vscode, no CDP.
import type { ProcessRole, StageName } from '../../common/stages';
import type { CallSite } from '../callSites/callSite';
import { callSites } from '../callSites/callSites';

/** Something a stop says about the moment it pauses, checked when it does. */
export type Claim =
  /** The paused process: its role and, for a worker, its cluster worker id. */
  | { kind: 'process'; role: ProcessRole; workerId?: number }
  /**
   * `expression`, evaluated in the paused top frame, deep-equals `expected` (JSON values).
   * Only names the paused function itself uses are visible there (V8's debug-evaluate), and
   * `process`/`require`/`primordials` may not be: use `globalThis.*`.
   */
  | {
      kind: 'expression';
      expression: string;
      expected: unknown;
      description: string;
      /**
       * Where Node's own code differs by version: the expected value on Node `fromMajor` and later
       * (the last entry that applies wins); `expected` holds before the first.
       */
      expectedByNode?: ReadonlyArray<{ fromMajor: number; expected: unknown }>;
    }
  /**
   * The first lifecycle event recorded after resuming from this stop is `stage`, among the events
   * of: the paused process (no `role`); the primary (`role: 'primary'`); a worker (`role:
   * 'worker'`: the paused one if it is a worker, else `workerId` or any worker).
   */
  | { kind: 'next-stage'; stage: StageName; role?: ProcessRole; workerId?: number; description?: string };

export interface TourStop {
  /** Unique in its tour. */
  id: string;
  /** A call-site id of the catalogue (callSites.ts): where the tour pauses. */
  callSite: string;
  /** The process the stop pauses in; pauses of the other role there are let go. */
  role: ProcessRole;
  /**
   * Pause only when this is true in the frame, besides the call site's own `filter`: for a place
   * that runs several times when the tour wants one of them.
   */
  condition?: string;
  title: string;
  /** Markdown: what happens here, in which process, and what comes next. */
  explanation: string;
  claims: Claim[];
}

export interface Tour {
  id: string;
  title: string;
  /** One or two sentences: what the tour shows. */
  summary: string;
  /** `sample` (samples/http-cluster.js) or a path relative to the repository (or extension) root: a program of samples/, which ships in the extension. */
  program: 'sample' | string;
  /** Extra environment for the program. */
  env?: Record<string, string>;
  schedulingPolicy: 'rr' | 'none';
  stops: TourStop[];
}

/** A claim that a test can decide from the running program (a `process` claim alone is too weak). */
export function isCheckable(claim: Claim): boolean {
  return claim.kind === 'expression' || claim.kind === 'next-stage';
}

/** Everything wrong with a tour, one sentence each; empty when it is valid. */
export function validateTour(tour: Tour, catalogue: readonly CallSite[] = callSites): string[] {
  const problems: string[] = [];
  const known = new Map(catalogue.map((site) => [site.id, site]));
  if (tour.stops.length === 0) {
    problems.push(`Tour "${tour.id}" has no stops.`);
  }
  const seen = new Set<string>();
  tour.stops.forEach((stop, index) => {
    const where = `Tour "${tour.id}", stop ${index + 1} ("${stop.id}")`;
    if (seen.has(stop.id)) {
      problems.push(`${where}: the id is used by an earlier stop.`);
    }
    seen.add(stop.id);
    if (!known.has(stop.callSite)) {
      problems.push(`${where}: "${stop.callSite}" is not a call site of the catalogue.`);
    }
    if (!stop.claims.some(isCheckable)) {
      problems.push(`${where}: no checkable claim (needs an 'expression' or a 'next-stage' claim).`);
    }
    if (stop.explanation.trim() === '' || stop.title.trim() === '') {
      problems.push(`${where}: a title and an explanation are required.`);
    }
    for (const claim of stop.claims) {
      if (claim.kind === 'process' && claim.role !== stop.role) {
        problems.push(`${where}: a process claim says ${claim.role} but the stop pauses in the ${stop.role}.`);
      }
      if (claim.kind === 'expression' && (claim.expression.trim() === '' || claim.description.trim() === '')) {
        problems.push(`${where}: an expression claim needs an expression and a description.`);
      }
    }
  });
  return problems;
}

/** Problems of a set of tours, including ids used twice. */
export function validateTours(tours: readonly Tour[], catalogue: readonly CallSite[] = callSites): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const tour of tours) {
    if (ids.has(tour.id)) {
      problems.push(`Tour id "${tour.id}" is used twice.`);
    }
    ids.add(tour.id);
    problems.push(...validateTour(tour, catalogue));
  }
  return problems;
}
