// Owns the venue's clock: VENUE_CLOCK parsing, open/real/replay time sources, advance() and market sessions.
import { addDays, nyDate, nyTime, sessionAt } from './calendar.js';
import type { ClockSpec, MarketSession, MarketClock, VenueMillis } from './types.js';

const ACCEPTED =
  'accepted forms: "open" (default; wall clock, market always open), "real" (wall clock, US market hours and holidays), ' +
  '"<ISO time>@<speed>x" (replay from that instant, e.g. 2026-11-20T14:30:00Z@60x; @0x = frozen, moved only by advance; ' +
  'an ISO time without Z/offset is New York time)';

function invalid(name: string, text: string, why: string): Error {
  return new Error(`${name}: invalid value ${JSON.stringify(text)} (${why}); ${ACCEPTED}`);
}

/**
 * Parses the VENUE_CLOCK environment variable (`name` is the variable the text came from, for the error: VENUE_CLOCK or
 * its deprecated alias SIM_CLOCK). Undefined or empty means `open`. Throws on malformed text.
 */
export function parseClockSpec(text: string | undefined, name = 'VENUE_CLOCK'): ClockSpec {
  const t = (text ?? '').trim();
  if (t === '' || t.toLowerCase() === 'open') return { mode: 'open' };
  if (t.toLowerCase() === 'real') return { mode: 'real' };
  const m = /^(.+)@(\d+(?:\.\d+)?)x$/i.exec(t);
  if (!m) throw invalid(name, t, 'unrecognised form');
  const iso = (m[1] ?? '').trim();
  const speed = Number(m[2]);
  if (!Number.isFinite(speed) || speed < 0) throw invalid(name, t, 'speed must be a non-negative number');
  const parts = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(iso);
  if (!parts) throw invalid(name, t, `"${iso}" is not an ISO date-time like 2026-11-20T14:30:00Z`);
  const date = parts[1] ?? '';
  const time = parts[2] ?? '';
  let startAt: number;
  if (parts[3]) {
    startAt = Date.parse(iso.toUpperCase());
  } else {
    const [hms, frac] = time.split('.');
    startAt = nyTime(date, hms ?? '') + (frac ? Number(frac.padEnd(3, '0')) : 0);
  }
  const d = new Date(Date.parse(`${date}T00:00:00Z`));
  if (!Number.isFinite(startAt) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw invalid(name, t, `"${iso}" is not a valid date-time`);
  }
  const [hh, mi, ss] = time.split(':').map((x) => Number(x.split('.')[0]));
  if ((hh ?? 0) > 23 || (mi ?? 0) > 59 || (ss ?? 0) > 59) throw invalid(name, t, `"${iso}" is not a valid date-time`);
  return { mode: 'replay', startAt, speed };
}

/** `open` mode: always Open, with today's (New York date) regular-session bounds, even on weekends and holidays. */
function alwaysOpenSession(at: VenueMillis): MarketSession {
  const date = nyDate(at);
  return {
    state: 'Open',
    openAt: nyTime(date, '09:30'),
    closeAt: nyTime(date, '16:00'),
    startAt: nyTime(date, '04:00'),
    closeAtExt: nyTime(date, '20:00'),
    nextOpenAt: nyTime(addDays(date, 1), '09:30'),
    tradingDate: date,
  };
}

/**
 * Creates the venue's clock. `wallNow` is injectable for tests. In replay mode the clock starts at `startAt` when
 * created and runs `speed` times as fast as the wall clock; `advance` adds an offset in every mode.
 */
export function createMarketClock(spec: ClockSpec, wallNow: () => number = Date.now): MarketClock {
  let offset = 0;
  let jumps = 0;
  const wall0 = wallNow();
  const listeners = new Set<(now: VenueMillis) => void>();
  const base: () => number =
    spec.mode === 'replay' ? () => spec.startAt + Math.floor((wallNow() - wall0) * spec.speed) : () => wallNow();
  const now = (): VenueMillis => base() + offset;
  const session = (at?: VenueMillis): MarketSession =>
    spec.mode === 'open' ? alwaysOpenSession(at ?? now()) : sessionAt(at ?? now());
  return {
    spec,
    speed: spec.mode === 'replay' ? spec.speed : 1,
    jumps: () => jumps,
    now,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new Error(`MarketClock.advance: ms must be a finite non-negative number, got ${ms}`);
      offset += ms;
      if (ms > 0) jumps += 1;
      const t = now();
      for (const l of [...listeners]) l(t);
    },
    session,
    isMarketOpen(at?: VenueMillis) {
      return spec.mode === 'open' || session(at).state === 'Open';
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
