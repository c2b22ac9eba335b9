// Owns the BullMQ queues and the flow producer of one process, with per-queue job retention; the only Queue constructor.
import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import { workerConnectionOptions, type QueueSettings } from './connection.js';
import { QUEUE_NAMES, type QueueName } from './jobs.js';

/** Finished jobs are kept for inspection in Bull Board, bounded (Postgres is the record, not Redis). */
const RETENTION: Record<QueueName, Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail' | 'attempts' | 'backoff'>> = {
  scan: {
    removeOnComplete: { age: 86_400, count: 500 },
    removeOnFail: { age: 7 * 86_400, count: 2000 },
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
  },
  'scan-underlying': {
    removeOnComplete: { age: 3600, count: 5000 },
    removeOnFail: { age: 7 * 86_400, count: 5000 },
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
  },
  // The executor resumes from Postgres; a retry can never place a second order (see pipeline/execute)
  execute: {
    removeOnComplete: { age: 7 * 86_400, count: 5000 },
    removeOnFail: { age: 30 * 86_400, count: 10_000 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 2000 },
  },
  monitor: {
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 86_400, count: 2000 },
    attempts: 3,
    backoff: { type: 'fixed', delay: 1000 },
  },
  exit: { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 7 * 86_400, count: 2000 }, attempts: 1 },
  reconcile: {
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 86_400, count: 2000 },
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
  },
  // A portfolio sync that fails is logged and tried again by the next trigger (periodic, or the next account event)
  account: {
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 86_400, count: 2000 },
    attempts: 1,
  },
};

export type Queues = Record<QueueName, Queue> & {
  flows: FlowProducer;
  settings: QueueSettings;
  close(): Promise<void>;
};

/** How often one queue reports the same connection error while Redis stays down (ioredis retries every ~2 s). */
export const QUEUE_ERROR_REPORT_EVERY_MS = 30_000;

/**
 * `onError` hears each queue's connection errors (at most one per queue and message per 30 s). Without an 'error'
 * listener BullMQ's emit throws and falls back to console.error: a raw stack on stderr per reconnect attempt while
 * Redis is down (seen in chaos campaigns with a Redis restart). Commands still fail to their callers as before.
 */
export function createQueues(
  settings: QueueSettings,
  onError: (queue: string, error: Error) => void = () => {},
): Queues {
  const connection = workerConnectionOptions(settings.redisUrl);
  const entries = QUEUE_NAMES.map(
    (name) =>
      [name, new Queue(name, { connection, prefix: settings.prefix, defaultJobOptions: RETENTION[name] })] as const,
  );
  const queues = Object.fromEntries(entries) as Record<QueueName, Queue>;
  const flows = new FlowProducer({ connection, prefix: settings.prefix });
  const lastReported = new Map<string, number>();
  const report = (queue: string) => (error: Error) => {
    const key = `${queue}\u0000${error.message}`;
    const at = performance.now();
    const last = lastReported.get(key);
    if (last !== undefined && at - last < QUEUE_ERROR_REPORT_EVERY_MS) return;
    lastReported.set(key, at);
    onError(queue, error);
  };
  for (const [name, q] of entries) q.on('error', report(name));
  flows.on('error', report('flows'));
  return {
    ...queues,
    flows,
    settings,
    async close() {
      await Promise.all([...entries.map(([, q]) => q.close()), flows.close()]);
    },
  };
}

export const retentionFor = (name: QueueName) => RETENTION[name];
