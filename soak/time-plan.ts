// Owns how the soak moves the venue's frozen clock: small steps while anything works, larger ones while Legwork is
// idle, a stop just after each close (expirations settle, day orders expire) and one jump over every night, weekend
// and holiday. Pure: the driver (soak/run.ts) applies the steps.
import type { MarketSession } from '@legwork/venue';

/** Simulated time per step while an order or group is working: price walks keep their cadence in simulated seconds. */
export const BUSY_STEP_MS = 10_000;
/** Simulated time per step while nothing works. */
export const IDLE_STEP_MS = 60_000;
/** Where the driver stops after each close: the venue settles expirations and expires day orders at the close. */
export const AFTER_CLOSE_MS = 60_000;
/** Where the driver lands after a night: just past the next open. */
export const AFTER_OPEN_MS = 1_000;

export type Step =
  /** Move the clock `ms` within the session. */
  | { kind: 'trade'; ms: number }
  /** Move the clock `ms` to just after today's close: the driver checks the night's invariants there. */
  | { kind: 'close'; ms: number; tradingDate: string }
  /** Move the clock `ms` to just after the next open (skipping nights, weekends, holidays). */
  | { kind: 'open'; ms: number };

/** The next step from `now`; `session` is the venue's session at `now`. A closed market is jumped over, never stepped. */
export function nextStep(now: number, session: MarketSession, busy: boolean): Step {
  if (session.state === 'Open') {
    const ms = busy ? BUSY_STEP_MS : IDLE_STEP_MS;
    if (now + ms < session.closeAt) return { kind: 'trade', ms };
    return { kind: 'close', ms: session.closeAt + AFTER_CLOSE_MS - now, tradingDate: session.tradingDate };
  }
  // Before a trading day's open (pre-market) its open is next; after a close, the next trading day's open
  const openAt = now < session.openAt ? session.openAt : session.nextOpenAt;
  return { kind: 'open', ms: openAt + AFTER_OPEN_MS - now };
}

/**
 * The default start: 09:30 New York on the Monday of the week of a monthly expiration (the third Friday), so the first
 * days open trades that reach that expiration. `from` is any date; the first such Monday on or after it is taken.
 */
export function mondayOfExpirationWeek(
  from: string,
  weekday: (d: string) => number,
  addDays: (d: string, n: number) => string,
): string {
  let d = from;
  for (let i = 0; i < 70; i++, d = addDays(d, 1)) {
    if (weekday(d) !== 1) continue;
    const friday = addDays(d, 4);
    const dom = Number(friday.slice(8, 10));
    if (dom >= 15 && dom <= 21) return d;
  }
  throw new Error(`no monthly-expiration week within 10 weeks of ${from}`);
}
