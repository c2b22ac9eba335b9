// Owns the `account` queue's worker: runs a portfolio sync (balances, positions attributed to trades or foreign,
// greeks, and the snapshots due) one at a time. Run by the reconcile role; jobs come from src/queue/account-jobs.ts.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { type PortfolioSyncContext, syncPortfolio } from '../src/pipeline/account/account-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';

/** The sync's context from the app's ports (broker time from the app's one clock). */
export function accountContext(
  app: Pick<AppContext, 'store' | 'broker' | 'marketData' | 'log' | 'clock'>,
): PortfolioSyncContext {
  return {
    store: app.store,
    broker: app.broker,
    marketData: app.marketData,
    log: app.log.child({ component: 'portfolio' }),
    now: app.clock.now,
  };
}

export function accountWorker(app: AppContext, ctx: PortfolioSyncContext = accountContext(app)): Worker {
  return new Worker(
    'account',
    async (job: Job) => {
      const { reason } = parsePayload('portfolio-sync', job.data);
      const report = await syncPortfolio(ctx, app.config.broker.env, {
        intradayEveryMs: app.config.snapshotEverySeconds * 1000,
      });
      await job.log(
        report.status === 'synced'
          ? `${reason}: ${report.positions} position(s), ${report.foreign} foreign, ${report.missingGreeks.length} without greeks` +
              (report.snapshots.length > 0
                ? `; snapshots: ${report.snapshots.map((s) => `${s.kind} ${s.sessionDate}`).join(', ')}`
                : '')
          : `${reason}: failed (${report.error}); the next sync tries again`,
      );
      return report;
    },
    // One sync at a time: two would read the same state and race to the same intraday point
    {
      connection: workerConnectionOptions(app.config.redisUrl),
      prefix: app.queues.settings.prefix,
      concurrency: 1,
      name: 'account',
    },
  );
}
