// Owns broker call statistics shared by every process through Redis: calls by operation and outcome, and duration
// buckets, so one /metrics endpoint reports the broker as all workers see it (src/http/metrics.ts exposes them as a
// Prometheus counter and histogram). Recording never throws or waits. Redis keeps milliseconds (integer counters).
import type { Redis } from 'ioredis';
import { producerConnection } from './connection.js';

export const LATENCY_BUCKETS_MS = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const;
/** The same buckets as Prometheus upper bounds (`le`), in seconds. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);

export interface BrokerCall {
  operation: string;
  outcome: string;
  ms: number;
  /** When the call ended, broker time (the account failsafe counts errors per broker-time window). */
  at?: number;
}

/** Errors older than this are dropped from the window set (the brokerErrors failsafe looks back minutes). */
const ERROR_WINDOW_KEEP_MS = 24 * 3_600_000;

export interface BrokerStatsSnapshot {
  calls: { operation: string; outcome: string; count: number }[];
  /** Cumulative bucket counts per operation (le in seconds, "+Inf" last), with sum (seconds) and count, Prometheus-style. */
  latency: {
    operation: string;
    buckets: { le: number | '+Inf'; count: number }[];
    sumSeconds: number;
    count: number;
  }[];
}

export interface BrokerStats {
  record(call: BrokerCall): void;
  read(): Promise<BrokerStatsSnapshot>;
  /** Calls that did not succeed (rejections and errors) that ended at or after `sinceMs` (broker time), every process's. */
  errorsSince(sinceMs: number): Promise<number>;
  close(): Promise<void>;
}

export function createBrokerStats(redisUrl: string, prefix: string): BrokerStats {
  let redis: Redis | undefined;
  const client = () => (redis ??= producerConnection(redisUrl));
  const callsKey = `${prefix}:stats:broker:calls`;
  const latencyKey = `${prefix}:stats:broker:latency`;
  const errorsKey = `${prefix}:stats:broker:errors`;
  let errorSeq = 0;
  return {
    record({ operation, outcome, ms, at }) {
      const bucket = LATENCY_BUCKETS_MS.find((b) => ms <= b) ?? '+Inf';
      const multi = client()
        .multi()
        .hincrby(callsKey, `${operation}|${outcome}`, 1)
        .hincrby(latencyKey, `${operation}|${bucket}`, 1)
        .hincrby(latencyKey, `${operation}|sum`, Math.round(ms));
      if (outcome !== 'ok' && at !== undefined) {
        // Members unique per process and call; scores are broker time
        multi
          .zadd(errorsKey, at, `${at}:${process.pid}:${++errorSeq}:${operation}:${outcome}`)
          .zremrangebyscore(errorsKey, '-inf', at - ERROR_WINDOW_KEEP_MS);
      }
      multi.exec().catch(() => {});
    },
    async errorsSince(sinceMs) {
      return client().zcount(errorsKey, sinceMs, '+inf');
    },
    async read() {
      const [calls, latency] = await Promise.all([client().hgetall(callsKey), client().hgetall(latencyKey)]);
      const snapshot: BrokerStatsSnapshot = {
        calls: Object.entries(calls).map(([k, v]) => {
          const [operation = '?', outcome = '?'] = k.split('|');
          return { operation, outcome, count: Number(v) };
        }),
        latency: [],
      };
      const operations = new Set(Object.keys(latency).map((k) => k.split('|')[0]!));
      for (const operation of operations) {
        let cumulative = 0;
        const buckets = [...LATENCY_BUCKETS_MS, '+Inf' as const].map((le) => {
          cumulative += Number(latency[`${operation}|${le}`] ?? 0);
          return { le: le === '+Inf' ? le : le / 1000, count: cumulative };
        });
        snapshot.latency.push({
          operation,
          buckets,
          sumSeconds: Number(latency[`${operation}|sum`] ?? 0) / 1000,
          count: cumulative,
        });
      }
      return snapshot;
    },
    async close() {
      await redis?.quit().catch(() => {});
    },
  };
}
