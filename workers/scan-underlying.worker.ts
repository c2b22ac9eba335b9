// Owns the `scan-underlying` queue's worker: one underlying of a scan per job; any number of machines can share them.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import type { MarketMetrics } from '../src/domain/market.js';
import { scanOneUnderlying } from '../src/pipeline/scan/scan-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';

export function scanUnderlyingWorker(ctx: AppContext, concurrency = 4): Worker {
  return new Worker(
    'scan-underlying',
    async (job: Job) => {
      const payload = parsePayload('scan-underlying', job.data);
      const result = await scanOneUnderlying(ctx.scan, {
        ...payload,
        metrics: payload.metrics as MarketMetrics | null,
      });
      await job.log(
        result.skipped ? `skipped: ${result.skipped}` : `${result.evaluated} evaluated, ${result.accepted} passed`,
      );
      return result;
    },
    {
      connection: workerConnectionOptions(ctx.config.redisUrl),
      prefix: ctx.queues.settings.prefix,
      concurrency,
      name: 'scan-underlying',
    },
  );
}
