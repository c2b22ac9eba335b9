// Owns the `exit` queue's worker: runs `evaluateExits` (approval sweep, repair pass, exit rules or a standing flatten) every cycle
// (scheduled by src/queue/exit-jobs.ts).
// Concurrency 1: two evaluations at once could only race to the same deterministic exit groups.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import type { ExecContext } from '../src/pipeline/execution-context.js';
import { evaluateExits } from '../src/pipeline/exit/exit-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';
import type { ActiveJobs } from './active-jobs.js';

export function exitWorker(app: AppContext, execCtx: ExecContext, active?: ActiveJobs): Worker {
  return new Worker(
    'exit',
    async (job: Job) => {
      parsePayload('exit', job.data);
      const run = () => evaluateExits(execCtx);
      const report = await (active ? active.track('exit', job.id, 'exit evaluation', run) : run());
      await job.log(
        `evaluated ${report.evaluated}, triggered ${report.triggered.length}, skipped ${report.skipped.length}, requeued ${report.requeued}, ` +
          `repaired ${report.repaired.length}, approvals expired ${report.approvalsExpired.length}${report.marketClosed ? ` (${report.marketClosed}: no exit starts)` : ''}`,
      );
      return report;
    },
    {
      connection: workerConnectionOptions(app.config.redisUrl),
      prefix: app.queues.settings.prefix,
      concurrency: 1,
      name: 'exit',
    },
  );
}
