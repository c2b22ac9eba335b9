// Owns the rules of a lease that lets one process of several act (the Discord bot: one per token): what a process is
// (active, standby, stopped), what each attempt at the lease moves it to (a literal table), and its timings: renewed
// at a third of its ttl, and believed held only until the ttl after the renewal was SENT (Redis let the key expire no
// earlier), less a margin for clocks that run at slightly different rates. Pure: times are given, never read.

export type LeaseRole = 'active' | 'standby' | 'stopped';

/**
 * What one attempt found. held: the lease is ours (taken, or renewed); elsewhere: another holder has it, or nobody
 * does any more while we thought we held it; unreachable: Redis did not answer; lapsed: held, but no renewal was
 * confirmed within the validity; stop: the process stops.
 */
export type LeaseOutcome = 'held' | 'elsewhere' | 'unreachable' | 'lapsed' | 'stop';

/**
 * An active process that cannot reach Redis stays active only until its validity lapses: Redis may have let the key
 * expire then, and a standby may have taken it. A lease that vanished while held is lost, not re-taken in place: the
 * process steps down (the feed re-reads its place from Postgres when it becomes active again).
 */
export const LEASE_TRANSITIONS: Readonly<Record<LeaseRole, Readonly<Record<LeaseOutcome, LeaseRole>>>> = {
  standby: { held: 'active', elsewhere: 'standby', unreachable: 'standby', lapsed: 'standby', stop: 'stopped' },
  active: { held: 'active', elsewhere: 'standby', unreachable: 'active', lapsed: 'standby', stop: 'stopped' },
  stopped: { held: 'stopped', elsewhere: 'stopped', unreachable: 'stopped', lapsed: 'stopped', stop: 'stopped' },
};

export const nextLeaseRole = (role: LeaseRole, outcome: LeaseOutcome): LeaseRole => LEASE_TRANSITIONS[role][outcome];

export interface LeaseTimings {
  /** How long Redis keeps the key after a take or renewal. */
  ttlMs: number;
  /** How often the holder renews: a third of the ttl (two renewals may fail before it lapses). */
  renewEveryMs: number;
  /** How often a standby tries to take it. */
  retryEveryMs: number;
}

/** The chat bot's default: a killed holder is replaced within ttl + retry (20 s). */
export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_LEASE_RETRY_MS = 5_000;

export function leaseTimings(ttlMs = DEFAULT_LEASE_TTL_MS, retryEveryMs = DEFAULT_LEASE_RETRY_MS): LeaseTimings {
  if (!(ttlMs >= 30)) throw new Error(`lease ttl must be at least 30 ms (got ${ttlMs})`);
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 3), retryEveryMs: Math.max(1, retryEveryMs) };
}

/**
 * Until when a lease taken or renewed by a command sent at `sentAtMs` is surely still ours: Redis started its ttl when
 * it ran the command, after it was sent. The margin (1% + 2 ms, as Redlock's) covers clock rate differences.
 */
export const leaseValidUntil = (sentAtMs: number, ttlMs: number): number =>
  sentAtMs + ttlMs - Math.ceil(ttlMs / 100) - 2;

/** The outcome of an attempt from the holder Redis reported after it (null: nobody holds it). */
export const outcomeOf = (me: string, holder: string | null): LeaseOutcome => (holder === me ? 'held' : 'elsewhere');

/** Where the lease lives (Redis: src/queue/redis-lease.ts). Each call answers who holds the lease after it. */
export interface LeaseStore {
  /** Takes the lease if nobody holds it (or extends it if it is already ours). */
  acquire(): Promise<string | null>;
  /** Extends the lease only if it is still ours. */
  renew(): Promise<string | null>;
  /** Gives the lease up if it is still ours. */
  release(): Promise<void>;
}
