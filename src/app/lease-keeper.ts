// Owns keeping a lease over time for one process (the chat bot's): a standby tries to take it every few seconds, the
// holder renews it at a third of its ttl, and each attempt's outcome moves the process by the table in
// src/domain/lease.ts. A change of role or of the holder seen is told to `onChange`, one at a time and awaited (a
// process that steps down stops acting before anything else happens). `valid()` is what the holder asks before each
// act: true only while the lease is surely still its own by this process's clock, so a process paused past its lease
// acts on nothing it hears after, even before the next attempt tells it that it lost.
import {
  type LeaseOutcome,
  type LeaseRole,
  type LeaseStore,
  type LeaseTimings,
  leaseValidUntil,
  nextLeaseRole,
  outcomeOf,
} from '../domain/lease.js';
import type { Logger } from '../log.js';
import { within } from '../util/within.js';

export interface LeaseKeeperOptions {
  store: LeaseStore;
  /** This process's holder id (the value in Redis). */
  me: string;
  timings: LeaseTimings;
  log: Logger;
  /** Told every change of role or of the holder seen; awaited before the next attempt. */
  onChange(role: LeaseRole, holder: string | null): Promise<void> | void;
  /** Monotonic milliseconds (tests give their own). */
  now?: () => number;
}

export interface LeaseKeeper {
  role(): LeaseRole;
  /** Who holds the lease as last seen: this process's id while active; null when nobody does or it is not known. */
  holder(): string | null;
  /** Active, and the lease surely still ours: act only when this says so. */
  valid(): boolean;
  /** One attempt now: take the lease (standby) or renew it (active). What the timer runs. */
  attempt(): Promise<void>;
  /** Attempts now and then on its own timer. */
  start(): void;
  /** No more attempts: steps down (onChange 'stopped'), then gives the lease up if it held it. */
  stop(): Promise<void>;
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { store, me, timings, log } = options;
  // one-clock: a lease is about this process and Redis (network time), not the market
  const now = options.now ?? (() => performance.now());
  let role: LeaseRole = 'standby';
  let holder: string | null = null;
  let validUntil = Number.NEGATIVE_INFINITY;
  let busy: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lapseTimer: NodeJS.Timeout | undefined;
  let started = false;
  let unreachable = false;

  async function apply(outcome: LeaseOutcome, seen: string | null): Promise<void> {
    const before = { role, holder };
    role = nextLeaseRole(role, outcome);
    if (outcome === 'held' || outcome === 'elsewhere') holder = seen;
    if (outcome === 'lapsed') holder = null;
    if (role !== 'active') {
      validUntil = Number.NEGATIVE_INFINITY;
      clearTimeout(lapseTimer);
    }
    if (role === before.role && holder === before.holder) return;
    try {
      await options.onChange(role, holder);
    } catch (error) {
      log.error({ err: error, role }, 'lease: acting on a change of role failed');
    }
  }

  /** Held, but no renewal confirmed within its validity: Redis may have let it go, so this process lets go too. */
  async function lapseIfDue(): Promise<void> {
    if (role !== 'active' || now() < validUntil) return;
    log.warn({ ttlMs: timings.ttlMs }, 'lease: no renewal confirmed within its ttl; stepping down');
    await apply('lapsed', null);
  }

  function watchLapse(): void {
    clearTimeout(lapseTimer);
    if (!started) return;
    lapseTimer = setTimeout(() => void serially(lapseIfDue), Math.max(0, validUntil - now()) + 1);
    lapseTimer.unref();
  }

  async function once(): Promise<void> {
    await lapseIfDue();
    if (role === 'stopped') return;
    const sentAt = now();
    let seen: string | null;
    try {
      // Bounded: a renewal that answers after the next one is due says nothing useful
      seen = await within(role === 'active' ? store.renew() : store.acquire(), timings.renewEveryMs, 'Redis (lease)');
    } catch (error) {
      if (!unreachable)
        log.warn(
          { err: error, role },
          `lease: Redis unreachable; ${role === 'active' ? 'still active until the lease lapses' : 'standing by'}`,
        );
      unreachable = true;
      return apply('unreachable', holder);
    }
    if (unreachable) log.info('lease: Redis answers again');
    unreachable = false;
    const outcome = outcomeOf(me, seen);
    if (outcome === 'held') {
      validUntil = leaseValidUntil(sentAt, timings.ttlMs);
      watchLapse();
    }
    await apply(outcome, seen);
  }

  /** One change at a time: an attempt, a lapse and the stop never interleave. */
  function serially(work: () => Promise<void>): Promise<void> {
    const next = (busy ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => log.error({ err: error }, 'lease: an attempt failed unexpectedly'));
    const mine = next.finally(() => {
      if (busy === mine) busy = undefined;
    });
    busy = mine;
    return mine;
  }

  function schedule(): void {
    if (!started || role === 'stopped') return;
    timer = setTimeout(
      () => void serially(once).finally(schedule),
      role === 'active' ? timings.renewEveryMs : timings.retryEveryMs,
    );
  }

  return {
    role: () => role,
    holder: () => holder,
    valid: () => role === 'active' && now() < validUntil,
    attempt: () => serially(once),
    start() {
      if (started) return;
      started = true;
      void serially(once).finally(schedule);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      clearTimeout(lapseTimer);
      await serially(async () => {
        const held = role === 'active';
        await apply('stop', holder);
        if (!held) return;
        await within(store.release(), timings.renewEveryMs, 'Redis (lease release)').catch((error: unknown) =>
          log.warn({ err: error }, 'lease: not released (it expires on its own)'),
        );
      });
    },
  };
}
