// The venue clock model: synced from readings of GET /__sim/clock (injected here), frozen when the venue is, following
// jumps (a broker-time sleep ends at a jump past its end), never running backwards by model jitter.
import { describe, expect, it } from 'vitest';
import { createVenueClock, type VenueClockReading } from '../../../src/clock/venue-clock.js';
import { ShutdownError } from '../../../src/util/sleep.js';

const T = Date.parse('2026-11-17T15:00:00Z');

function venue(initial: VenueClockReading) {
  let reading = initial;
  let reads = 0;
  return {
    read: async () => {
      reads += 1;
      return reading;
    },
    set: (r: Partial<VenueClockReading>) => (reading = { ...reading, ...r }),
    reads: () => reads,
  };
}

async function untilReads(v: ReturnType<typeof venue>, n: number): Promise<void> {
  const target = v.reads() + n;
  while (v.reads() < target) await new Promise((r) => setTimeout(r, 5));
}

describe('venue clock model', () => {
  it('frozen: exactly the venue time, unchanged across re-syncs; a jump is seen at the next sync', async () => {
    const v = venue({ now: T, speed: 0, mode: 'replay', jumps: 0 });
    const clock = await createVenueClock({ venueUrl: 'http://venue.test', read: v.read, resyncMs: 10 });
    try {
      expect(clock.now()).toBe(T);
      await untilReads(v, 3);
      expect(clock.now()).toBe(T);
      v.set({ now: T + 3_600_000, jumps: 1 });
      await untilReads(v, 2);
      expect(clock.now()).toBe(T + 3_600_000);
    } finally {
      clock.close();
    }
  });

  it('a broker-time sleep ends when the venue jumps past its end, even on a fast replay whose end is far away', async () => {
    const v = venue({ now: T, speed: 60, mode: 'replay', jumps: 0 });
    const clock = await createVenueClock({ venueUrl: 'http://venue.test', read: v.read, resyncMs: 10 });
    try {
      const sleeping = clock.sleep(24 * 3_600_000); // a day of broker time: 24 wall minutes at 60x
      v.set({ now: T + 25 * 3_600_000, jumps: 1 });
      await sleeping;
      expect(clock.now()).toBeGreaterThanOrEqual(T + 25 * 3_600_000);
    } finally {
      clock.close();
    }
  });

  it('time never runs backwards by model jitter (< 1 s), but follows a venue reset', async () => {
    const v = venue({ now: T, speed: 0, mode: 'replay', jumps: 0 });
    const clock = await createVenueClock({ venueUrl: 'http://venue.test', read: v.read, resyncMs: 10 });
    try {
      v.set({ now: T + 5_000 });
      await untilReads(v, 2);
      expect(clock.now()).toBe(T + 5_000);
      v.set({ now: T + 4_500 });
      await untilReads(v, 2);
      expect(clock.now()).toBe(T + 5_000);
      v.set({ now: T - 3_600_000 });
      await untilReads(v, 2);
      expect(clock.now()).toBe(T - 3_600_000);
    } finally {
      clock.close();
    }
  });

  it('an aborted sleep rejects with ShutdownError; an unreachable venue fails startup naming the route', async () => {
    const v = venue({ now: T, speed: 0, mode: 'replay', jumps: 0 });
    const clock = await createVenueClock({ venueUrl: 'http://venue.test', read: v.read, resyncMs: 10 });
    const stop = new AbortController();
    const sleeping = clock.sleep(60_000, stop.signal);
    stop.abort();
    await expect(sleeping).rejects.toBeInstanceOf(ShutdownError);
    clock.close();
    await expect(
      createVenueClock({
        venueUrl: 'http://venue.test',
        startupTimeoutMs: 0,
        read: () => Promise.reject(new Error('ECONNREFUSED')),
      }),
    ).rejects.toThrow('venue clock: cannot read http://venue.test/__sim/clock: ECONNREFUSED');
  });
});
