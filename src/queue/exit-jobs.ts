// Owns the exit evaluation's schedule on the `exit` queue: one BullMQ Job Scheduler running `evaluateExits` every N
// seconds (idempotent upsert at every start). Exit groups themselves run on the `execute` queue at exit priority.
import type { Queue } from 'bullmq';
import type { JobPayload } from './jobs.js';
import { retentionFor } from './queues.js';

export const EXIT_SCHEDULER_ID = 'exit-evaluate';
export const DEFAULT_EXIT_EVERY_SECONDS = 30;

/** Idempotent: call at every start. `everySeconds` from LEGWORK_EXIT_EVERY_SECONDS or 30. */
export async function syncExitScheduler(exitQueue: Queue, everySeconds = DEFAULT_EXIT_EVERY_SECONDS): Promise<void> {
  const every = Math.max(1, Number.isFinite(everySeconds) ? everySeconds : DEFAULT_EXIT_EVERY_SECONDS) * 1000;
  const data: JobPayload<'exit'> = {};
  const { attempts, removeOnComplete, removeOnFail } = retentionFor('exit');
  await exitQueue.upsertJobScheduler(
    EXIT_SCHEDULER_ID,
    { every },
    { name: 'exit', data, opts: { attempts, removeOnComplete, removeOnFail } },
  );
}

/** One evaluation now (e.g. after a large market move or from a CLI); the id makes concurrent requests one job. */
export async function enqueueExitEvaluation(exitQueue: Queue, slot: string): Promise<void> {
  const data: JobPayload<'exit'> = {};
  await exitQueue.add('exit', data, { jobId: `exit-now_${slot.replace(/[^A-Za-z0-9_.-]/g, '-')}` });
}
