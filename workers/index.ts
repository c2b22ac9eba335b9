// Owns running worker roles in one process: starts their BullMQ workers, keeps schedulers in step with the rule files,
// and shuts down gracefully (stop taking jobs, let active ones finish within a bound, close connections).
import type { Worker } from 'bullmq';
import type { AppContext } from '../src/app/context.js';
import { createExecContext } from '../src/app/exec-context.js';
import { reconcileOnStartup } from '../src/pipeline/reconcile/reconcile-stage.js';
import { reloadRules } from '../src/pipeline/scan/scan-stage.js';
import { EXIT_SCHEDULER_ID, syncExitScheduler } from '../src/queue/exit-jobs.js';
import { removeReconcileScheduler, syncReconcileScheduler } from '../src/queue/reconcile-jobs.js';
import { enqueuePortfolioSync, removePortfolioScheduler, syncPortfolioScheduler } from '../src/queue/account-jobs.js';
import { syncSchedulers } from '../src/queue/schedulers.js';
import {
  exitBrokerSchedule,
  portfolioBrokerSchedule,
  reconcileBrokerSchedule,
  scanBrokerSchedules,
} from '../src/queue/broker-schedules.js';
import { startBrokerTicker, type BrokerSchedule } from '../src/queue/broker-ticker.js';
import { startHttpServer, type RunningHttpServer } from '../src/http/server.js';
import { accountWorker } from './account.worker.js';
import type { ChatBotOptions, RunningChatBot } from '../src/app/chat-bot.js';
import { runChat } from './chat.worker.js';
import { ActiveJobs } from './active-jobs.js';
import { executeWorker } from './execute.worker.js';
import { exitWorker } from './exit.worker.js';
import { runMonitor } from './monitor.worker.js';
import { reconcileWorker } from './reconcile.worker.js';
import { scanWorker } from './scan.worker.js';
import { scanUnderlyingWorker } from './scan-underlying.worker.js';

/**
 * Process roles; `legwork start` runs all of them (`chat` only when DISCORD_TOKEN is set), `legwork worker ROLE` one.
 * `api` is the HTTP server (src/http), `chat` the Discord bot (src/chat).
 */
export const ROLES = ['reconcile', 'monitor', 'execute', 'exit', 'scan', 'api', 'chat'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningWorkers {
  workers: Worker[];
  /** Set when the `api` role runs: where the HTTP server listens and how its admin password was set. */
  http?: { url: string; adminSource: 'env' | 'generated' };
  /** Set when the `chat` role runs: the Discord bot. */
  chat?: RunningChatBot;
  stop(graceMs?: number): Promise<void>;
  /** The jobs running now (what a stop waits for). */
  active: ActiveJobs;
}

/** How long a stop lets active jobs finish on their own before interrupting them at their next wait (share of grace). */
const FINISH_SHARE = 0.6;
/** Kept free at the end of the grace for closing queues, market data and the database pool. */
const CLOSE_RESERVE_MS = 5_000;
const STILL_WAITING_EVERY_MS = 5_000;

/** Resolves true when `p` settles within `ms`, false otherwise. */
const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), Math.max(0, ms)).unref()),
  ]);

export async function runWorkers(
  ctx: AppContext,
  roles: readonly Role[],
  options: {
    rulesPollMs?: number;
    schedulers?: boolean;
    http?: { port?: number; host?: string };
    chat?: ChatBotOptions;
  } = {},
): Promise<RunningWorkers> {
  const workers: Worker[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stops: (() => Promise<void>)[] = [];
  const shutdown = new AbortController();
  const exec = createExecContext(ctx, { signal: shutdown.signal });
  const active = new ActiveJobs();
  // Schedules: BullMQ Job Schedulers (visible in Bull Board) while the clock is wall time; under the venue's clock
  // (replayed, frozen, jumping) a broker-time ticker fires one job per slot instead (docs/decisions.md: one clock)
  const brokerTime = ctx.clock.source !== 'wall' && options.schedulers !== false;
  const fixedSchedules: BrokerSchedule[] = [];
  let scanSchedules: BrokerSchedule[] = [];
  const ticker = brokerTime
    ? startBrokerTicker({ clock: ctx.clock, schedules: [], log: ctx.log.child({ component: 'broker-ticker' }) })
    : undefined;
  const retick = () => ticker?.setSchedules([...fixedSchedules, ...scanSchedules]);
  // Crash-only: settle every non-terminal order with the broker before any worker takes a job
  if (roles.includes('reconcile') || roles.includes('execute')) {
    const report = await reconcileOnStartup(exec);
    ctx.log.info({ report }, 'startup reconciliation done');
  }
  if (roles.includes('reconcile')) {
    // The account's portfolio is synced by the reconcile role: at start, periodically at the same cadence, and after
    // the account streamer's balance and position events (the monitor role enqueues those)
    workers.push(reconcileWorker(ctx, exec), accountWorker(ctx));
    const everyMs = ctx.config.reconcileEverySeconds * 1000;
    if (brokerTime) {
      await removeReconcileScheduler(ctx.queues.reconcile);
      await removePortfolioScheduler(ctx.queues.account);
      fixedSchedules.push(
        reconcileBrokerSchedule(ctx.queues.reconcile, everyMs),
        portfolioBrokerSchedule(ctx.queues.account, everyMs),
      );
    } else if (options.schedulers !== false) {
      await syncReconcileScheduler(ctx.queues.reconcile, everyMs);
      await syncPortfolioScheduler(ctx.queues.account, everyMs);
    }
    // Never holds the start up: a sync that cannot be queued now comes with the next period
    await enqueuePortfolioSync(ctx.queues.account, 'startup').catch((error: unknown) =>
      ctx.log.warn({ err: error }, 'portfolio sync at start could not be queued; the periodic one follows'),
    );
  }
  if (roles.includes('monitor')) {
    const monitor = await runMonitor(ctx);
    stops.push(() => monitor.stop());
  }
  if (roles.includes('execute')) workers.push(executeWorker(ctx, exec, active));
  if (roles.includes('exit')) {
    workers.push(exitWorker(ctx, exec, active));
    if (brokerTime) {
      await ctx.queues.exit.removeJobScheduler(EXIT_SCHEDULER_ID);
      fixedSchedules.push(exitBrokerSchedule(ctx.queues.exit, ctx.config.exitEverySeconds));
    } else if (options.schedulers !== false) await syncExitScheduler(ctx.queues.exit, ctx.config.exitEverySeconds);
  }
  if (roles.includes('scan')) {
    workers.push(scanWorker(ctx), scanUnderlyingWorker(ctx));
    if (options.schedulers !== false) {
      const sync = async () => {
        if (brokerTime) {
          await syncSchedulers(ctx.queues.scan, []); // no wall-time scan schedulers under the venue's clock
          scanSchedules = scanBrokerSchedules(ctx.queues.scan, ctx.rules.active());
          retick();
          ctx.log.info(
            { schedules: scanSchedules.map((s) => s.id) },
            'scan schedules (broker time) in step with rules/',
          );
          return;
        }
        const result = await syncSchedulers(ctx.queues.scan, ctx.rules.active());
        ctx.log.info({ schedulers: result.upserted, removed: result.removed }, 'scan schedulers in step with rules/');
      };
      await sync();
      // Hot reload: a changed file applies at the next scan; schedule changes need the schedulers re-synced
      let lastHashes = ctx.rules
        .active()
        .map((r) => `${r.name}:${r.hash}:${r.enabled}`)
        .join(',');
      const poll = setInterval(() => {
        void (async () => {
          await reloadRules(ctx.scan);
          const hashes = ctx.rules
            .active()
            .map((r) => `${r.name}:${r.hash}:${r.enabled}`)
            .join(',');
          if (hashes !== lastHashes) {
            lastHashes = hashes;
            await sync();
          }
        })().catch((error: unknown) => ctx.log.error({ err: error }, 'rules reload failed'));
      }, options.rulesPollMs ?? 5000);
      timers.push(poll);
    }
  }
  retick();
  let http: RunningHttpServer | undefined;
  if (roles.includes('api')) {
    http = await startHttpServer(ctx, {
      port: options.http?.port ?? ctx.config.http.port,
      ...(options.http?.host ? { host: options.http.host } : {}),
    });
    ctx.log.info({ url: http.url }, `HTTP server listening on ${http.url}`);
  }
  // Last: the bot connects in the background and never holds the start up (nor trading) for Discord
  let chat: RunningChatBot | undefined;
  if (roles.includes('chat')) {
    chat = runChat(ctx, options.chat);
    stops.push(() => chat!.stop());
  }
  for (const w of workers) {
    w.on('failed', (job, error) =>
      ctx.log.warn({ queue: w.name, jobId: job?.id, err: error }, `job failed: ${error.message}`),
    );
    w.on('error', (error) => ctx.log.error({ queue: w.name, err: error }, 'worker error'));
  }
  return {
    workers,
    ...(http ? { http: { url: http.url, adminSource: http.auth.adminSource } } : {}),
    ...(chat ? { chat } : {}),
    active,
    /**
     * Stops within `graceMs`: no new jobs; active ones may finish on their own for FINISH_SHARE of the grace; then they
     * are interrupted at their next wait (the group stays as Postgres has it and its job goes back to the queue); what is
     * still running CLOSE_RESERVE_MS before the end is handed back (its lock lapses, another worker or the next start
     * resumes it). What the stop waits for is logged at once and every few seconds.
     */
    async stop(graceMs = 25_000) {
      const t0 = Date.now();
      const waiting = () => ({
        waitingFor: active.list().map((j) => ({ queue: j.queue, jobId: j.jobId, detail: j.detail })),
      });
      for (const t of timers) clearInterval(t);
      await ticker?.stop();
      if (active.list().length > 0) ctx.log.info(waiting(), `stopping: waiting for ${active.describe()}`);
      const still = setInterval(() => {
        if (active.list().length > 0) ctx.log.info(waiting(), `stopping: still waiting for ${active.describe()}`);
      }, STILL_WAITING_EVERY_MS);
      still.unref();
      try {
        await http?.close().catch((error: unknown) => ctx.log.warn({ err: error }, 'HTTP server close failed'));
        const closing = Promise.all(workers.map((w) => w.close()));
        if (!(await settlesWithin(closing, graceMs * FINISH_SHARE - (Date.now() - t0)))) {
          ctx.log.info(
            waiting(),
            `stopping: interrupting ${active.describe()} at the next wait; the work resumes from Postgres at the next start`,
          );
          shutdown.abort();
          if (!(await settlesWithin(closing, graceMs - CLOSE_RESERVE_MS - (Date.now() - t0)))) {
            ctx.log.warn(waiting(), `stopping: grace period over, handing back ${active.describe()}`);
            await settlesWithin(Promise.all(workers.map((w) => w.close(true))), 2_000);
          }
        }
      } finally {
        clearInterval(still);
      }
      for (const stop of stops) await stop();
    },
  };
}
