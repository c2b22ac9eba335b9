// Owns putting reconciliation on BullMQ: one Job Scheduler for the periodic run (idempotent upsert at every start)
// and a one-off run by hand; the worker is workers/reconcile.worker.ts.
import type { Queue } from 'bullmq';
import { jobId, type JobPayload } from './jobs.js';
import { retentionFor } from './queues.js';

export const RECONCILE_SCHEDULER_ID = 'reconcile-periodic';
export const DEFAULT_RECONCILE_EVERY_MS = 30_000;

/** Upserts the periodic reconciliation scheduler (every `everyMs`, default 30 s). Call at every start. */
export async function syncReconcileScheduler(
  reconcileQueue: Queue,
  everyMs = DEFAULT_RECONCILE_EVERY_MS,
): Promise<void> {
  const data: JobPayload<'reconcile'> = { reason: 'periodic' };
  const { attempts, backoff, removeOnComplete, removeOnFail } = retentionFor('reconcile');
  await reconcileQueue.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: everyMs },
    { name: 'reconcile', data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
  );
}

export async function removeReconcileScheduler(reconcileQueue: Queue): Promise<void> {
  await reconcileQueue.removeJobScheduler(RECONCILE_SCHEDULER_ID);
}

/** A reconciliation now (CLI, after a reconnect); `slot` makes the id unique per request. */
export async function enqueueReconcileNow(reconcileQueue: Queue, slot: string): Promise<void> {
  const data: JobPayload<'reconcile'> = { reason: 'periodic' };
  await reconcileQueue.add('reconcile', data, { ...retentionFor('reconcile'), jobId: jobId('reconcile', slot) });
}
