// Owns the fill monitor of one process: its own account-streamer connection over the configured broker, and the
// `monitor` queue's worker that applies each order event and polling round the monitor hands off as a job (visible in
// Bull Board; done in process when Redis does not take it), and a portfolio sync request on the `account` queue after
// each balance or position event. Started by `legwork start` / `worker monitor`.
// Concurrency 1: events are applied in the order they were queued.
import { Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { createAccountEvents } from '../src/broker/tastytrade/account-stream.js';
import { createTastytradeClient } from '../src/broker/tastytrade/client.js';
import type { BrokerOrder } from '../src/domain/broker-order.js';
import { startFillMonitor, type FillMonitor } from '../src/pipeline/monitor/monitor-stage.js';
import type { AccountEvents } from '../src/pipeline/ports.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';
import { bullMonitorJobs } from '../src/queue/monitor-jobs.js';
import { enqueuePortfolioSync } from '../src/queue/account-jobs.js';

export interface RunningMonitor {
  events: AccountEvents;
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** The `monitor` queue's processor: a `sync-order` job applies its snapshot, a `poll-orders` job runs one round. */
export function monitorWorker(app: AppContext, monitor: FillMonitor): Worker {
  return new Worker(
    'monitor',
    async (job: Job) => {
      if (job.name === 'poll-orders') {
        parsePayload('poll-orders', job.data);
        const fills = await monitor.pollOnce();
        return { fills };
      }
      const { order, source } = parsePayload('sync-order', job.data);
      const synced = await monitor.applyOrder(order as unknown as BrokerOrder, source);
      await job.log(
        synced.orderId
          ? `order ${synced.orderId}: ${synced.status}, ${synced.newFills} new fill(s)`
          : `broker order ${order.brokerOrderId} is not ours`,
      );
      return synced;
    },
    {
      connection: workerConnectionOptions(app.config.redisUrl),
      prefix: app.queues.settings.prefix,
      concurrency: 1,
      name: 'monitor',
    },
  );
}

export async function runMonitor(
  app: AppContext,
  options: { pollEveryMs?: number; events?: AccountEvents; jobs?: boolean } = {},
): Promise<RunningMonitor> {
  const log = app.log.child({ component: 'fill-monitor' });
  const events =
    options.events ??
    createAccountEvents({
      client: createTastytradeClient(app.config.broker, log),
      broker: app.broker,
      accountNumber: app.broker.accountNumber,
      log,
    });
  const jobs = options.jobs ?? true;
  // Subscribe before the stream starts, so the first resync's replay of live orders is applied too
  const monitor = startFillMonitor({
    store: app.store,
    broker: app.broker,
    events,
    log,
    ...(jobs
      ? {
          handoff: bullMonitorJobs(app.queues.monitor),
          // A balance or position push: the reconcile role's account worker syncs the portfolio (debounced)
          onAccountChange: (kind: 'balance' | 'position') => enqueuePortfolioSync(app.queues.account, kind),
        }
      : {}),
    ...(options.pollEveryMs !== undefined ? { pollEveryMs: options.pollEveryMs } : {}),
  });
  const worker = jobs ? monitorWorker(app, monitor) : undefined;
  worker?.on('error', (error) => log.warn({ err: error }, 'monitor worker: Redis error'));
  await events.start();
  void monitor.pollOnce();
  return {
    events,
    pollOnce: () => monitor.pollOnce(),
    async stop() {
      await events.stop();
      await worker?.close();
      await monitor.stop();
    },
  };
}
