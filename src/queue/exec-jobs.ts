// Owns putting executor jobs on BullMQ's `execute` queue: ids only in the payload, deterministic job ids
// (`execute_<groupId>`, or `execute_<groupId>_r<attempt>` for a deliberate resume), optional delay and priority.
import type { ExecJobs } from '../pipeline/execution-context.js';
import { jobId, type JobPayload } from './jobs.js';
import { retentionFor, type Queues } from './queues.js';

export const executeJobId = (groupId: string, attempt = 0): string => (attempt > 0 ? jobId('execute', groupId, `r${attempt}`) : jobId('execute', groupId));

export function bullExecJobs(queues: Pick<Queues, 'execute'>): ExecJobs {
  return {
    async enqueueExecute(tradeId, groupId, options = {}) {
      const data: JobPayload<'execute'> = { tradeId, groupId };
      await queues.execute.add('execute', data, {
        ...retentionFor('execute'),
        jobId: executeJobId(groupId, options.attempt ?? 0),
        ...(options.delayMs !== undefined && options.delayMs > 0 ? { delay: options.delayMs } : {}),
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
      });
    },
  };
}
