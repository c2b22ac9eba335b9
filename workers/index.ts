// Owns running worker roles in one process: starts their BullMQ workers, keeps schedulers in step with the rule files,
// and shuts down gracefully (stop taking jobs, let active ones finish within a bound, close connections).
import type { Worker } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { createExecContext } from '../src/app/exec-context.js';
import { reconcileOnStartup } from '../src/pipeline/reconcile.js';
import { reloadRules } from '../src/pipeline/scan-flow.js';
import { syncExitScheduler } from '../src/queue/exit-jobs.js';
import { syncReconcileScheduler } from '../src/queue/reconcile-jobs.js';
import { syncSchedulers } from '../src/queue/schedulers.js';
import { startHttpServer, type RunningHttpServer } from '../src/http/server.js';
import { executeWorker } from './execute.worker.js';
import { exitWorker } from './exit.worker.js';
import { runMonitor } from './monitor.worker.js';
import { reconcileWorker } from './reconcile.worker.js';
import { scanWorker } from './scan.worker.js';
import { scanUnderlyingWorker } from './scan-underlying.worker.js';

/** Process roles; `legwork start` runs all of them, `legwork worker ROLE` one. `api` is the HTTP server (src/http). */
export const ROLES = ['reconcile', 'monitor', 'execute', 'exit', 'scan', 'api'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningWorkers {
  workers: Worker[];
  /** Set when the `api` role runs: where the HTTP server listens and how its admin password was set. */
  http?: { url: string; adminSource: 'env' | 'generated' };
  stop(graceMs?: number): Promise<void>;
}

export async function runWorkers(
  ctx: AppContext,
  roles: readonly Role[],
  options: { rulesPollMs?: number; schedulers?: boolean; http?: { port?: number; host?: string } } = {},
): Promise<RunningWorkers> {
  const workers: Worker[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stops: (() => Promise<void>)[] = [];
  const exec = createExecContext(ctx);
  // Crash-only: settle every non-terminal order with the broker before any worker takes a job
  if (roles.includes('reconcile') || roles.includes('execute')) {
    const report = await reconcileOnStartup(exec);
    ctx.log.info({ report }, 'startup reconciliation done');
  }
  if (roles.includes('reconcile')) {
    workers.push(reconcileWorker(ctx, exec));
    if (options.schedulers !== false) await syncReconcileScheduler(ctx.queues.reconcile, ctx.config.reconcileEverySeconds * 1000);
  }
  if (roles.includes('monitor')) {
    const monitor = await runMonitor(ctx);
    stops.push(() => monitor.stop());
  }
  if (roles.includes('execute')) workers.push(executeWorker(ctx, exec));
  if (roles.includes('exit')) {
    workers.push(exitWorker(ctx, exec));
    if (options.schedulers !== false) await syncExitScheduler(ctx.queues.exit, ctx.config.exitEverySeconds);
  }
  if (roles.includes('scan')) {
    workers.push(scanWorker(ctx), scanUnderlyingWorker(ctx));
    if (options.schedulers !== false) {
      const sync = async () => {
        const result = await syncSchedulers(ctx.queues.scan, ctx.rules.active());
        ctx.log.info({ schedulers: result.upserted, removed: result.removed }, 'scan schedulers in step with rules/');
      };
      await sync();
      // Hot reload: a changed file applies at the next scan; schedule changes need the schedulers re-synced
      let lastHashes = ctx.rules.active().map((r) => `${r.name}:${r.hash}:${r.enabled}`).join(',');
      const poll = setInterval(() => {
        void (async () => {
          await reloadRules(ctx.scan);
          const hashes = ctx.rules.active().map((r) => `${r.name}:${r.hash}:${r.enabled}`).join(',');
          if (hashes !== lastHashes) {
            lastHashes = hashes;
            await sync();
          }
        })().catch((error: unknown) => ctx.log.error({ err: error }, 'rules reload failed'));
      }, options.rulesPollMs ?? 5000);
      timers.push(poll);
    }
  }
  let http: RunningHttpServer | undefined;
  if (roles.includes('api')) {
    http = await startHttpServer(ctx, { port: options.http?.port ?? ctx.config.http.port, ...(options.http?.host ? { host: options.http.host } : {}) });
    ctx.log.info({ url: http.url }, `HTTP server listening on ${http.url}`);
  }
  for (const w of workers) {
    w.on('failed', (job, error) => ctx.log.warn({ queue: w.name, jobId: job?.id, err: error }, `job failed: ${error.message}`));
    w.on('error', (error) => ctx.log.error({ queue: w.name, err: error }, 'worker error'));
  }
  return {
    workers,
    ...(http ? { http: { url: http.url, adminSource: http.auth.adminSource } } : {}),
    async stop(graceMs = 25_000) {
      for (const t of timers) clearInterval(t);
      await http?.close().catch((error: unknown) => ctx.log.warn({ err: error }, 'HTTP server close failed'));
      const closing = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      // Jobs still running after the grace period are handed back (they stall and another worker resumes them from Postgres)
      if (timedOut) await Promise.all(workers.map((w) => w.close(true)));
      for (const stop of stops) await stop();
    },
  };
}
