// Owns turning a wait in broker time into a wall-time delay for BullMQ (delayed jobs count wall time).
import type { Clock } from '../pipeline/ports.js';

/** Under the venue's clock a delayed job looks again at least this often (wall), so a jump or an advance is followed. */
export const VENUE_DELAY_CAP_MS = 10_000;

/** `brokerMs` of broker time as wall ms: unchanged on wall time; divided by the replay speed (capped) on the venue's clock. */
export function wallDelayFor(clock: Clock, brokerMs: number): number {
  if (clock.source === 'wall') return Math.max(0, brokerMs);
  const speed = clock.speed();
  const wall = speed > 0 ? Math.ceil(brokerMs / speed) : VENUE_DELAY_CAP_MS;
  return Math.max(0, Math.min(VENUE_DELAY_CAP_MS, wall));
}
