// The tours Cluster Tour ships, in the order the editor offers them.
import { disconnectTour } from './disconnectTour';
import { listenTour } from './listenTour';
import { lostDisconnectTour } from './lostDisconnectTour';
import { netConnectionTour } from './netConnectionTour';
import { roundRobinTour } from './roundRobinTour';
import { schedNoneTour } from './schedNoneTour';
import type { Tour } from './tour';

export const tours: readonly Tour[] = [listenTour, roundRobinTour, schedNoneTour, disconnectTour, lostDisconnectTour, netConnectionTour];

export function findTour(id: string): Tour | undefined {
  return tours.find((tour) => tour.id === id);
}
