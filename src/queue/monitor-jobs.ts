// Owns the fill monitor's jobs on the `monitor` queue, so that an operator sees fills being processed in Bull Board:
// one `sync-order` job per order event (its id is the event's content, so a push delivered twice is one job) and one
// `poll-orders` job per polling round (its id is the round's number, so two monitor processes poll once per round).
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { BrokerOrder } from '../domain/broker-order.js';
import type { MonitorHandoff } from '../pipeline/monitor/monitor-stage.js';
import { jobId, type JobPayload } from './jobs.js';

/** The job id of an order event: the order's broker id and a digest of the snapshot (same snapshot, same job). */
export function syncOrderJobId(order: BrokerOrder): string {
  const digest = createHash('sha256').update(JSON.stringify(order)).digest('hex').slice(0, 20);
  return jobId('order', String(order.brokerOrderId), order.status, digest);
}

/** Retention and retries are the queue's defaults (src/queue/queues.ts). */
export function bullMonitorJobs(queue: Queue): MonitorHandoff {
  return {
    async syncOrder(order, source) {
      const data: JobPayload<'sync-order'> = { source, order: order as unknown as JobPayload<'sync-order'>['order'] };
      await queue.add('sync-order', data, { jobId: syncOrderJobId(order) });
    },
    async pollRound(everyMs) {
      // Rounds are numbered by wall time (a network cadence): the same number in every monitor process
      const data: JobPayload<'poll-orders'> = {};
      await queue.add('poll-orders', data, {
        jobId: jobId('poll', String(everyMs), String(Math.floor(Date.now() / everyMs))),
      });
    },
  };
}
