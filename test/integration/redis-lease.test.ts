// The lease's scripts against real Redis: SET NX PX takes a free lease, another holder is refused and told who holds
// it, only the holder renews (PEXPIRE) and releases (DEL); an expired lease goes to the next taker; the key names the
// token by a hash only.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { chatLeaseKey, createRedisLease, leaseHolderId } from '../../src/queue/redis-lease.js';
import { REDIS_URL } from '../support/app.js';
import { waitUntil } from '../support/wait-until.js';

const redis = new Redis(REDIS_URL);
const leases: { close(): Promise<void> }[] = [];
const prefix = `lwt${randomBytes(4).toString('hex')}`;

function lease(key: string, holder: string, ttlMs: number) {
  const l = createRedisLease({ redisUrl: REDIS_URL, key, holder, ttlMs });
  leases.push(l);
  return l;
}

afterAll(async () => {
  for (const l of leases) await l.close();
  await redis.quit();
});

describe('the Redis lease', () => {
  it('one holder at a time: taken if free, renewed and released only by its holder', async () => {
    const key = chatLeaseKey(prefix, 'secret-token-1');
    const a = lease(key, 'host:1:aaa', 60_000);
    const b = lease(key, 'host:2:bbb', 60_000);
    expect(await a.acquire()).toBe('host:1:aaa');
    expect(await b.acquire()).toBe('host:1:aaa');
    expect(await redis.get(key)).toBe('host:1:aaa');

    await redis.pexpire(key, 5_000);
    expect(await b.renew()).toBe('host:1:aaa');
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);
    expect(await a.renew()).toBe('host:1:aaa');
    expect(await redis.pttl(key)).toBeGreaterThan(5_000);
    // Taking it again while holding it is a renewal
    await redis.pexpire(key, 5_000);
    expect(await a.acquire()).toBe('host:1:aaa');
    expect(await redis.pttl(key)).toBeGreaterThan(5_000);

    await b.release();
    expect(await redis.get(key)).toBe('host:1:aaa');
    await a.release();
    expect(await redis.exists(key)).toBe(0);
    expect(await b.acquire()).toBe('host:2:bbb');
    expect(await a.renew()).toBe('host:2:bbb');
  });

  it('an expired lease goes to the next taker; the holder that let it expire cannot renew it back', async () => {
    const key = chatLeaseKey(prefix, 'secret-token-2');
    const a = lease(key, 'host:1:aaa', 200);
    const b = lease(key, 'host:2:bbb', 60_000);
    expect(await a.acquire()).toBe('host:1:aaa');
    await waitUntil(async () => (await redis.exists(key)) === 0, { what: 'the lease to expire' });
    expect(await a.renew()).toBeNull();
    expect(await b.acquire()).toBe('host:2:bbb');
    expect(await a.renew()).toBe('host:2:bbb');
  });

  it('the key is per token and deployment, and holds no secret', () => {
    const key = chatLeaseKey('legwork', 'MTIz.secret-token');
    expect(key).toMatch(/^legwork:chat:lease:[0-9a-f]{16}$/);
    expect(key).not.toContain('secret');
    expect(chatLeaseKey('legwork', 'another-token')).not.toBe(key);
    expect(chatLeaseKey('other', 'MTIz.secret-token')).not.toBe(key);
    expect(leaseHolderId()).toMatch(new RegExp(`^[^:]+:${process.pid}:[0-9a-f]{6}$`));
  });
});
