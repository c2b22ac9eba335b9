// Owns the Clock that follows the sim venue's clock: a local model (now = synced + wall elapsed × speed) re-synced from
// GET /__sim/clock every 200 ms of wall time, so a replayed (e.g. 60x), frozen (0x) or jumped clock is seen promptly.
import type { Clock } from '../pipeline/ports.js';
import { sleep as wallSleep } from '../util/sleep.js';

export interface VenueClockReading {
  /** Venue time, epoch ms. */
  now: number;
  /** Venue ms per wall ms (0 = frozen). */
  speed: number;
  mode: string;
  /** How many times the venue clock was advanced (a jump). */
  jumps: number;
}

export interface VenueClockOptions {
  /** The venue's base URL (LEGWORK_VENUE_URL). */
  venueUrl: string;
  /** Wall ms between re-syncs (default 200; the brief's bound is 250). */
  resyncMs?: number;
  /** How long the first sync may take before startup fails (default 60 s: the venue may start after us). */
  startupTimeoutMs?: number;
  onSyncError?: (error: unknown) => void;
  /** Injectable for unit tests. */
  read?: () => Promise<VenueClockReading>;
}

const REQUEST_TIMEOUT_MS = 2_000; // network, so wall time
/** A poll loop on a fast replay (60x: 50 ms of broker time is under 1 ms of wall) must not spin: at least this per wait. */
const MIN_WAIT_WALL_MS = 5;
/** Model jitter between two syncs is clamped away (time never runs backwards by less than this); a reset is accepted. */
const JITTER_MS = 1_000;

function parseReading(url: string, body: unknown): VenueClockReading {
  const b = body as Partial<VenueClockReading> | null;
  if (!b || typeof b.now !== 'number' || typeof b.speed !== 'number' || typeof b.jumps !== 'number') {
    throw new Error(
      `venue clock: ${url} answered ${JSON.stringify(body)?.slice(0, 200)}; expected { now, speed, mode, jumps }`,
    );
  }
  return { now: b.now, speed: b.speed, mode: String(b.mode ?? ''), jumps: b.jumps };
}

/** An error's message with its cause (fetch says only "fetch failed"; the cause says why, e.g. "bad port"). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${message} (${cause})` : message;
}

export function httpClockReader(venueUrl: string): () => Promise<VenueClockReading> {
  const url = `${venueUrl.replace(/\/$/, '')}/__sim/clock`;
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`venue clock: GET ${url} answered ${response.status}`);
    return parseReading(url, await response.json());
  };
}

/** Resolves once the first sync succeeded (retrying for up to `startupTimeoutMs`); the model then re-syncs in the background. */
export async function createVenueClock(opts: VenueClockOptions): Promise<Clock> {
  const read = opts.read ?? httpClockReader(opts.venueUrl);
  const resyncMs = opts.resyncMs ?? 200;
  // one-clock: the model's own elapsed time is measured on the wall clock (broker ms = wall ms × speed)
  const wall = () => performance.now();
  let base = { brokerAt: 0, wallAt: 0, speed: 1, jumps: -1 };
  let last = 0;

  const sync = async () => {
    const sentAt = wall();
    const r = await read();
    const receivedAt = wall();
    // The venue read its clock about halfway through the round trip
    base = {
      brokerAt: r.now + ((receivedAt - sentAt) / 2) * r.speed,
      wallAt: receivedAt,
      speed: r.speed,
      jumps: r.jumps,
    };
  };
  const model = () => Math.floor(base.brokerAt + (wall() - base.wallAt) * base.speed);

  const startupDeadline = wall() + (opts.startupTimeoutMs ?? 60_000);
  for (;;) {
    try {
      await sync();
      break;
    } catch (error) {
      if (wall() >= startupDeadline)
        throw new Error(`venue clock: cannot read ${opts.venueUrl}/__sim/clock: ${reasonOf(error)}`);
      await wallSleep(500);
    }
  }

  let closed = false;
  let syncing = false;
  const timer = setInterval(() => {
    if (syncing || closed) return;
    syncing = true;
    sync()
      .catch((error: unknown) => opts.onSyncError?.(error)) // keep running on the last model until the venue answers
      .finally(() => {
        syncing = false;
      });
  }, resyncMs);
  timer.unref();

  const now = () => {
    const t = model();
    if (t < last && last - t < JITTER_MS) return last;
    last = t;
    return t;
  };

  return {
    source: 'venue',
    now,
    speed: () => base.speed,
    async sleep(ms, signal) {
      const end = now() + Math.max(0, ms);
      for (;;) {
        const left = end - now();
        if (left <= 0) {
          if (signal?.aborted) await wallSleep(0, signal);
          return;
        }
        // At most one sync period per wait: a jump or a speed change is seen within ~2 sync periods
        const wallMs = base.speed > 0 ? Math.min(Math.ceil(left / base.speed), resyncMs) : resyncMs;
        await wallSleep(Math.max(MIN_WAIT_WALL_MS, wallMs), signal);
      }
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
