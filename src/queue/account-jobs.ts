// Owns putting portfolio syncs on the `account` queue (worker: workers/account.worker.ts): one deduplicated job per burst
// of account events (a short debounce; while a sync runs, one more is kept to follow it), a sync at start, and the
// periodic one (a BullMQ Job Scheduler on wall time; under the venue's clock src/queue/broker-schedules.ts fires it).
import type { Queue } from 'bullmq';
import type { JobPayload } from './jobs.js';
import { retentionFor } from './queues.js';

export const PORTFOLIO_SYNC_SCHEDULER_ID = 'portfolio-sync-periodic';
/** One deduplication id for every requested sync: never two waiting, one more after a running one. */
export const PORTFOLIO_SYNC_DEDUP_ID = 'portfolio-sync';
/** Account events come in bursts (a fill moves several positions and the balance): one sync per burst. */
export const PORTFOLIO_SYNC_DEBOUNCE_MS = 2000;

export type PortfolioSyncReason = JobPayload<'portfolio-sync'>['reason'];

/**
 * Requests a sync: the first request of a burst waits `delayMs` (wall time; default the debounce, 0 at start) and the
 * others join it; a request while a sync runs is kept, so the state after it is read too.
 */
export async function enqueuePortfolioSync(
  accountQueue: Queue,
  reason: PortfolioSyncReason,
  options: { delayMs?: number } = {},
): Promise<void> {
  const data: JobPayload<'portfolio-sync'> = { reason };
  const delay = options.delayMs ?? (reason === 'balance' || reason === 'position' ? PORTFOLIO_SYNC_DEBOUNCE_MS : 0);
  await accountQueue.add('portfolio-sync', data, {
    ...retentionFor('account'),
    ...(delay > 0 ? { delay } : {}),
    deduplication: { id: PORTFOLIO_SYNC_DEDUP_ID, keepLastIfActive: true },
  });
}

/** Upserts the periodic sync (every `everyMs`: the reconciliation cadence). Call at every start. */
export async function syncPortfolioScheduler(accountQueue: Queue, everyMs: number): Promise<void> {
  const data: JobPayload<'portfolio-sync'> = { reason: 'periodic' };
  const { attempts, removeOnComplete, removeOnFail } = retentionFor('account');
  await accountQueue.upsertJobScheduler(
    PORTFOLIO_SYNC_SCHEDULER_ID,
    { every: Math.max(1000, everyMs) },
    { name: 'portfolio-sync', data, opts: { attempts, removeOnComplete, removeOnFail } },
  );
}

export async function removePortfolioScheduler(accountQueue: Queue): Promise<void> {
  await accountQueue.removeJobScheduler(PORTFOLIO_SYNC_SCHEDULER_ID);
}
