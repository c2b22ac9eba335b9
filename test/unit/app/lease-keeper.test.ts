// Keeping the lease, on a fake clock and an in-memory Redis with the scripts' semantics (take if free or ours, renew
// and release only if ours, keys expire by the clock): a standby takes a free lease and says so once per holder; an
// active process that finds another holder (or none) steps down at once; one whose renewals fail stays active only
// until its lease may have expired (and acts on nothing after that, even before its next attempt); two processes
// paused and resumed are never both allowed to act; a stop steps down first and then releases.
import { describe, expect, it } from 'vitest';
import { createLeaseKeeper, type LeaseKeeper } from '../../../src/app/lease-keeper.js';
import { type LeaseRole, type LeaseStore, leaseTimings } from '../../../src/domain/lease.js';
import { silentLog } from '../../support/chat-fakes.js';

const TIMINGS = leaseTimings(3_000, 500);

/** One Redis key: its holder and when it expires on the shared fake clock; `down` makes every call fail. */
function memoryRedis() {
  const clock = { now: 0 };
  const key: { holder: string | null; expiresAt: number } = { holder: null, expiresAt: 0 };
  const state = { down: false, calls: [] as string[] };
  const current = () => (key.holder !== null && clock.now < key.expiresAt ? key.holder : null);
  const store = (me: string): LeaseStore => {
    const call = async <T>(name: string, work: () => T): Promise<T> => {
      state.calls.push(`${me} ${name}`);
      if (state.down) throw new Error('connect ECONNREFUSED');
      return work();
    };
    return {
      acquire: () =>
        call('acquire', () => {
          const holder = current();
          if (holder === null || holder === me)
            Object.assign(key, { holder: me, expiresAt: clock.now + TIMINGS.ttlMs });
          return current();
        }),
      renew: () =>
        call('renew', () => {
          if (current() === me) key.expiresAt = clock.now + TIMINGS.ttlMs;
          return current();
        }),
      release: () =>
        call('release', () => {
          if (current() === me) key.holder = null;
        }),
    };
  };
  return { clock, key, state, store, current };
}

function keeper(redis: ReturnType<typeof memoryRedis>, me: string) {
  const changes: [LeaseRole, string | null][] = [];
  const k: LeaseKeeper = createLeaseKeeper({
    store: redis.store(me),
    me,
    timings: TIMINGS,
    log: silentLog,
    now: () => redis.clock.now,
    onChange: (role, holder) => {
      changes.push([role, holder]);
      redis.state.calls.push(`${me} onChange ${role}`);
    },
  });
  return { k, changes };
}

describe('the lease keeper', () => {
  it('a standby takes a free lease; the other stands by and is told the holder once, however often it tries', async () => {
    const redis = memoryRedis();
    const a = keeper(redis, 'a');
    const b = keeper(redis, 'b');
    await a.k.attempt();
    expect(a.k.role()).toBe('active');
    expect(a.k.valid()).toBe(true);
    for (let i = 0; i < 5; i++) {
      redis.clock.now += 500;
      await b.k.attempt();
      if (i % 2 === 0) await a.k.attempt(); // renewals keep it
    }
    expect(b.k.role()).toBe('standby');
    expect(b.k.valid()).toBe(false);
    expect(b.changes).toEqual([['standby', 'a']]);
    expect(a.changes).toEqual([['active', 'a']]);
  });

  it('an active process that finds another holder steps down at once; one that finds none steps down too', async () => {
    const redis = memoryRedis();
    const a = keeper(redis, 'a');
    await a.k.attempt();
    Object.assign(redis.key, { holder: 'intruder', expiresAt: redis.clock.now + 60_000 });
    await a.k.attempt();
    expect(a.k.role()).toBe('standby');
    expect(a.k.valid()).toBe(false);
    expect(a.k.holder()).toBe('intruder');
    redis.key.holder = null;
    const b = keeper(redis, 'b');
    await b.k.attempt();
    redis.key.holder = null; // vanished while b held it
    await b.k.attempt();
    expect(b.changes).toEqual([
      ['active', 'b'],
      ['standby', null],
    ]);
    // Not taken back in the same attempt: it steps down first (its feed re-reads its place when active again)
    await b.k.attempt();
    expect(b.changes.at(-1)).toEqual(['active', 'b']);
  });

  it('renewals failing: active until the lease may have expired, acting on nothing after, then standby', async () => {
    const redis = memoryRedis();
    const a = keeper(redis, 'a');
    await a.k.attempt();
    redis.state.down = true;
    redis.clock.now += 1_000;
    await a.k.attempt();
    expect(a.k.role()).toBe('active');
    expect(a.k.valid()).toBe(true);
    // The renewal that was confirmed was sent at 0: 3 s less the margin (30 + 2 ms) after it, the lease may be gone
    redis.clock.now = 2_967;
    expect(a.k.valid()).toBe(true);
    redis.clock.now = 2_968;
    expect(a.k.valid()).toBe(false);
    await a.k.attempt();
    expect(a.k.role()).toBe('standby');
    expect(a.changes).toEqual([
      ['active', 'a'],
      ['standby', null],
    ]);
  });

  it('two processes, the holder paused past its ttl: never both allowed to act; the paused one steps down on waking', async () => {
    const redis = memoryRedis();
    const a = keeper(redis, 'a');
    const b = keeper(redis, 'b');
    await a.k.attempt();
    await b.k.attempt();
    // a is paused (no renewals) for longer than the ttl; b takes the expired lease
    redis.clock.now += 3_500;
    await b.k.attempt();
    expect(b.k.valid()).toBe(true);
    expect(a.k.valid()).toBe(false); // what a's bot and feed ask before acting, before a's next attempt
    await a.k.attempt();
    expect(a.k.role()).toBe('standby');
    expect(a.k.holder()).toBe('b');
    expect([a.k.valid(), b.k.valid()]).toEqual([false, true]);
  });

  it('a stop steps down first, then releases the lease (a standby releases nothing)', async () => {
    const redis = memoryRedis();
    const a = keeper(redis, 'a');
    const b = keeper(redis, 'b');
    await a.k.attempt();
    await b.k.attempt();
    redis.state.calls.length = 0;
    await b.k.stop();
    await a.k.stop();
    expect(redis.state.calls).toEqual(['b onChange stopped', 'a onChange stopped', 'a release']);
    expect(redis.current()).toBeNull();
    await a.k.attempt();
    expect(a.k.role()).toBe('stopped');
    expect(redis.current()).toBeNull();
  });
});
