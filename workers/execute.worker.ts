// Owns the `execute` queue's worker: runs (or resumes) one order group per job through the executor. A group that must
// wait for a working-group slot is delayed (same job, same id) instead of failing; a fatal broker error halts trading.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { BrokerError } from '../src/domain/broker-error.js';
import type { ExecContext } from '../src/pipeline/execution-context.js';
import { MissingTradeError, executeGroup } from '../src/pipeline/execute/execute-stage.js';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { parsePayload } from '../src/queue/jobs.js';
import { isShutdown } from '../src/util/sleep.js';
import { wallDelayFor } from '../src/clock/wall-delay.js';
import type { ActiveJobs } from './active-jobs.js';

/**
 * Crash handling: the lock is renewed every lockDuration/2 while the walk runs, so long walks keep their job. When a
 * worker process dies (kill -9), its lock lapses within `lockDuration` (10 s) and the stalled-job check, which runs
 * every `stalledInterval` (5 s), puts the job back: another worker resumes it from Postgres within ~15 s (the group's
 * advisory lock died with the process's connection). `maxStalledCount` 3 allows a few such crashes before failing it.
 * A stall can never cause a second order: submit is at-most-once and unknown outcomes are only looked up.
 * Shutdown: when the process stops, the run is interrupted at its next wait (ShutdownError out of ctx.sleep) and the
 * job is put back as delayed, unchanged: the next start (or another worker) resumes the group from Postgres.
 */
export function executeWorker(ctx: AppContext, execCtx: ExecContext, active?: ActiveJobs): Worker {
  return new Worker(
    'execute',
    async (job: Job, token?: string) => {
      const { tradeId, groupId } = parsePayload('execute', job.data);
      const run = () => executeGroup(execCtx, tradeId, groupId);
      try {
        const result = await (active
          ? active.track('execute', job.id, `group ${groupId} of trade ${tradeId}`, run)
          : run());
        if (result.retryAfterMs !== undefined && token) {
          await job.log(`waiting ${result.retryAfterMs} ms: ${result.reason ?? ''}`);
          // BullMQ delays count wall time; the wait is broker time (e.g. until the next open)
          await job.moveToDelayed(Date.now() + wallDelayFor(ctx.clock, result.retryAfterMs), token);
          throw new DelayedError();
        }
        await job.log(
          `group ${groupId}: ${result.status}, ${result.filledUnits} units filled${result.reason ? ` (${result.reason})` : ''}`,
        );
        return result;
      } catch (error) {
        if (isShutdown(error) && token) {
          await job.log(`interrupted by shutdown; group ${groupId} resumes from Postgres at the next start`);
          await job.moveToDelayed(Date.now() + 1000, token);
          throw new DelayedError();
        }
        if (error instanceof MissingTradeError) throw new UnrecoverableError(error.message);
        if (error instanceof BrokerError && error.kind === 'fatal') {
          await execCtx.store.tradingState.set('halted', 'executor', `fatal broker error: ${error.message}`);
          await execCtx.alert('halt', `trading halted: fatal broker error while executing group ${groupId}`, {
            groupId,
            tradeId,
            error: error.message,
          });
          throw new UnrecoverableError(error.message);
        }
        throw error;
      }
    },
    {
      connection: workerConnectionOptions(ctx.config.redisUrl),
      prefix: ctx.queues.settings.prefix,
      concurrency: 4,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
      name: 'execute',
    },
  );
}
