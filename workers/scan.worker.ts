// Owns the `scan` queue's worker: scheduled or manual scans (fan out per underlying) and their ranking step.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { finishScan, startScan, type UnderlyingResult } from '../src/pipeline/scan/scan-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';

export function scanWorker(ctx: AppContext): Worker {
  return new Worker(
    'scan',
    async (job: Job) => {
      if (job.name === 'rank') {
        const payload = parsePayload('rank', job.data);
        const children = Object.values(await job.getChildrenValues()) as UnderlyingResult[];
        const failed = Object.keys(await job.getIgnoredChildrenFailures());
        const result = await finishScan(ctx.scan, payload, children);
        await job.log(
          `ranked ${result.accepted} candidates, ${result.trades.length} trades to the executor, ${failed.length} underlyings failed`,
        );
        return { ...result, failedUnderlyings: failed.length };
      }
      const payload = parsePayload('scan', job.data);
      // A scheduler's job id ("repeat:<id>:<millis>") is unique per slot; manual scans bring their own slot
      const slot = payload.slot ?? String(job.id);
      const result = await startScan(ctx.scan, payload.ruleSet, slot);
      await job.log(
        result.status === 'skipped' ? `skipped: ${result.reason}` : `${result.status} scan run ${result.scanRunId}`,
      );
      return result;
    },
    {
      connection: workerConnectionOptions(ctx.config.redisUrl),
      prefix: ctx.queues.settings.prefix,
      concurrency: 2,
      name: 'scan',
    },
  );
}
