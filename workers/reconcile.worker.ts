// Owns the `reconcile` queue's worker: runs the periodic (or requested) reconciliation, one at a time.
// Startup reconciliation is NOT a job: call reconcileOnStartup (src/pipeline/reconcile/reconcile.ts) before workers take jobs.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import type { ExecContext } from '../src/pipeline/execution-context.js';
import { reconcile, type ReconcileOptions } from '../src/pipeline/reconcile/reconcile-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';

export function reconcileWorker(
  app: Pick<AppContext, 'config' | 'queues'>,
  exec: ExecContext,
  options: Partial<ReconcileOptions> = {},
): Worker {
  return new Worker(
    'reconcile',
    async (job: Job) => {
      const payload = parsePayload('reconcile', job.data);
      const report = await reconcile(exec, payload.reason === 'startup' ? 'startup' : 'periodic', options);
      await job.log(
        `checked ${report.checked}, found ${report.found}, absent ${report.provenAbsent}, resumed ${report.groupsResumed}, mismatches ${report.positionMismatches}`,
      );
      return report;
    },
    // One reconciliation at a time: two concurrent runs would count the same absence twice
    {
      connection: workerConnectionOptions(app.config.redisUrl),
      prefix: app.queues.settings.prefix,
      concurrency: 1,
      name: 'reconcile',
    },
  );
}
