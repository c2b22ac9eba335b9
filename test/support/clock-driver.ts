// Owns moving a frozen venue's clock from a test over the real control API (POST /__sim/clock): one jump, or a
// driver that keeps advancing it (a replay the test controls) while Legwork's broker-time waits run.
import type { VenueHandle } from '@legwork/venue';

export async function advanceVenue(sim: VenueHandle, advanceMs: number): Promise<number> {
  const response = await fetch(`${sim.baseUrl}/__sim/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs }),
  });
  if (!response.ok) throw new Error(`POST /__sim/clock answered ${response.status}: ${await response.text()}`);
  return Date.parse(((await response.json()) as { now: string }).now);
}

export interface ClockDriver {
  stop(): Promise<void>;
}

/** Advances the venue `stepMs` of broker time every `everyMs` of wall time (1 s / 20 ms ≈ 50x) until stopped. */
export function driveVenue(sim: VenueHandle, { stepMs = 1000, everyMs = 20 } = {}): ClockDriver {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await advanceVenue(sim, stepMs);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Runs `work` while the driver moves the venue's clock. */
export async function whileDriving<T>(
  sim: VenueHandle,
  work: () => Promise<T>,
  options?: { stepMs?: number; everyMs?: number },
): Promise<T> {
  const driver = driveVenue(sim, options);
  try {
    return await work();
  } finally {
    await driver.stop();
  }
}
