// Owns a lease in Redis held by one process of several (the Discord bot's: one per token and deployment): taken with
// SET NX PX, renewed and released only by its holder (compare-and-renew, compare-and-delete: Lua scripts, atomic), on a
// fail-fast connection of its own. The key names the token by a hash, never the token itself.
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { LeaseStore } from '../domain/lease.js';
import { producerConnection } from './connection.js';

/** The chat bot's lease key: one per Discord token within a deployment (Redis + queue prefix). */
export const chatLeaseKey = (prefix: string, token: string): string =>
  `${prefix}:chat:lease:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;

/** Who holds a lease, for people: host and pid, and a nonce telling apart two holders in one process (tests). */
export const leaseHolderId = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

// KEYS[1] the lease, ARGV[1] this holder, ARGV[2] the ttl in ms; each answers the holder after it (nil: nobody)
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return holder`;
const RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return holder`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLease extends LeaseStore {
  close(): Promise<void>;
}

/**
 * The connection, once it is ready or `ms` passed (it refuses commands until then: no offline queue, so a command
 * never waits behind a Redis that is down, and the first attempt at start does not fail for a connection still opening).
 */
async function readyWithin(redis: Redis, ms: number): Promise<Redis> {
  if (redis.status === 'ready') return redis;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
  return redis;
}

export function createRedisLease(opts: { redisUrl: string; key: string; holder: string; ttlMs: number }): RedisLease {
  let redis: Redis | undefined;
  const client = () => {
    redis ??= producerConnection(opts.redisUrl);
    return readyWithin(redis, Math.min(2_000, opts.ttlMs / 3));
  };
  const run = async (script: string): Promise<string | null> =>
    ((await (await client()).eval(script, 1, opts.key, opts.holder, String(opts.ttlMs))) as string | null) ?? null;
  return {
    acquire: () => run(ACQUIRE),
    renew: () => run(RENEW),
    async release() {
      await (await client()).eval(RELEASE, 1, opts.key, opts.holder);
    },
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
