// A broker-time wait becomes a BullMQ (wall-time) delay: unchanged on wall time, scaled by the replay speed and capped
// on the venue's clock so an advance or a jump is followed.
import { describe, expect, it } from 'vitest';
import { wallClock } from '../../../src/clock/wall-clock.js';
import { VENUE_DELAY_CAP_MS, wallDelayFor } from '../../../src/clock/wall-delay.js';
import type { Clock } from '../../../src/pipeline/ports.js';

const venueAt = (speed: number): Clock => ({ ...wallClock(), source: 'venue', speed: () => speed });

describe('wallDelayFor', () => {
  it('wall time: the wait itself', () => {
    expect(wallDelayFor(wallClock(), 17 * 3_600_000)).toBe(17 * 3_600_000);
  });
  it('venue at 60x: a simulated minute is a wall second; a simulated night is capped', () => {
    expect(wallDelayFor(venueAt(60), 60_000)).toBe(1000);
    expect(wallDelayFor(venueAt(60), 17 * 3_600_000)).toBe(VENUE_DELAY_CAP_MS);
  });
  it('frozen venue: looks again after the cap (only an advance moves time)', () => {
    expect(wallDelayFor(venueAt(0), 5000)).toBe(VENUE_DELAY_CAP_MS);
  });
});
