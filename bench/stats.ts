// Owns what the benchmarks share: nearest-rank percentiles of a sample and dropping the Redis keys a run left behind.
import { Redis } from 'ioredis';
import { workerConnectionOptions } from '../src/queue/connection.js';

/** Nearest-rank percentile of an ascending list. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** n, p50, p99 (nearest rank) and max of a sample; `round` applies to each figure. */
export function sampleStats(
  values: number[],
  round: (x: number) => number = (x) => x,
): { n: number; p50: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1] ?? NaN),
  };
}

/** Deletes every key under `prefix:` (queue meta keys, the broker-call statistics every process keeps). */
export async function dropRedisKeys(redisUrl: string, ...prefixes: string[]): Promise<void> {
  const redis = new Redis(workerConnectionOptions(redisUrl));
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
}
