// Owns putting executor jobs on BullMQ's `execute` queue: ids only in the payload, deterministic job ids
// (`execute_<groupId>`, or `execute_<groupId>_r<attempt>` for a deliberate resume), optional delay and priority.
// At most one live job per group: every job carries the group as its BullMQ deduplication id (simple mode), so a
// resume or a repair while the group's job still waits, is delayed or runs adds nothing; once that job completed or
// failed for good, the next one is taken.
import type { ExecJobs } from '../pipeline/execution-context.js';
import { jobId, type JobPayload } from './jobs.js';
import { retentionFor, type Queues } from './queues.js';

export const executeJobId = (groupId: string, attempt = 0): string =>
  attempt > 0 ? jobId('execute', groupId, `r${attempt}`) : jobId('execute', groupId);

export function bullExecJobs(queues: Pick<Queues, 'execute'>): ExecJobs {
  return {
    async enqueueExecute(tradeId, groupId, options = {}) {
      const data: JobPayload<'execute'> = { tradeId, groupId };
      await queues.execute.add('execute', data, {
        ...retentionFor('execute'),
        jobId: executeJobId(groupId, options.attempt ?? 0),
        deduplication: { id: jobId('group', groupId) },
        ...(options.delayMs !== undefined && options.delayMs > 0 ? { delay: options.delayMs } : {}),
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
      });
    },
  };
}
