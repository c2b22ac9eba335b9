// Owns Redis connections for BullMQ: one options object, fail-fast producers, blocking-safe workers.
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface QueueSettings {
  redisUrl: string;
  /** BullMQ key prefix: tests and parallel deployments use their own. */
  prefix: string;
}

/** Options for BullMQ Workers and QueueEvents (blocking commands need maxRetriesPerRequest: null). */
export function workerConnectionOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A connection for producers that must fail fast when Redis is down (HTTP handlers, CLIs). */
export function producerConnection(redisUrl: string): Redis {
  const redis = new Redis({
    ...workerConnectionOptions(redisUrl),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
  // While Redis is down ioredis emits an 'error' per reconnect attempt; without a listener it prints "Unhandled error
  // event" each time (seen when chaos restarts Redis). Every command still fails with its own error to its caller.
  redis.on('error', () => {});
  return redis;
}
