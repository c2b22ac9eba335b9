// Owns the broker-time versions of the scan, exit, reconcile and portfolio-sync schedules (fired by
// src/queue/broker-ticker.ts when the clock is not wall time): the same cadences as the BullMQ Job Schedulers, counted
// in broker time, one job per slot.
import type { Queue } from 'bullmq';
import type { RuleSet } from '../rules/schema.js';
import { SCHEDULE_TIME_ZONE } from '../rules/schedule.js';
import { enqueuePortfolioSync, PORTFOLIO_SYNC_SCHEDULER_ID } from './account-jobs.js';
import { cronSlots, everySlots, slotName, type BrokerSchedule } from './broker-ticker.js';
import { EXIT_SCHEDULER_ID } from './exit-jobs.js';
import { jobId, type JobPayload } from './jobs.js';
import { retentionFor } from './queues.js';
import { RECONCILE_SCHEDULER_ID } from './reconcile-jobs.js';
import { schedulerId } from './schedulers.js';

/** One schedule per enabled rule set: `every` in broker seconds, or the cron pattern at New York broker times. */
export function scanBrokerSchedules(scanQueue: Queue, ruleSets: readonly RuleSet[]): BrokerSchedule[] {
  return ruleSets
    .filter((r) => r.enabled)
    .map((r) => ({
      id: schedulerId(r.name),
      slotAt:
        r.schedule.cron !== null
          ? cronSlots(r.schedule.cron, SCHEDULE_TIME_ZONE)
          : everySlots((r.schedule.everySeconds ?? 300) * 1000),
      fireAtStart: r.schedule.cron === null,
      async fire(slotMs: number) {
        const slot = slotName(slotMs);
        const data: JobPayload<'scan'> = { ruleSet: r.name, slot };
        await scanQueue.add('scan', data, { ...retentionFor('scan'), jobId: jobId('scan', r.name, slot) });
      },
    }));
}

export function exitBrokerSchedule(exitQueue: Queue, everySeconds: number): BrokerSchedule {
  return {
    id: EXIT_SCHEDULER_ID,
    slotAt: everySlots(Math.max(1, everySeconds) * 1000),
    fireAtStart: true,
    async fire(slotMs) {
      const data: JobPayload<'exit'> = {};
      await exitQueue.add('exit', data, { ...retentionFor('exit'), jobId: jobId('exit', slotName(slotMs)) });
    },
  };
}

export function reconcileBrokerSchedule(reconcileQueue: Queue, everyMs: number): BrokerSchedule {
  return {
    id: RECONCILE_SCHEDULER_ID,
    slotAt: everySlots(Math.max(1000, everyMs)),
    fireAtStart: true,
    async fire(slotMs) {
      const data: JobPayload<'reconcile'> = { reason: 'periodic' };
      await reconcileQueue.add('reconcile', data, {
        ...retentionFor('reconcile'),
        jobId: jobId('reconcile', 'at', slotName(slotMs)),
      });
    },
  };
}

/** The periodic portfolio sync, at the reconciliation cadence in broker time (joins a sync already waiting). */
export function portfolioBrokerSchedule(accountQueue: Queue, everyMs: number): BrokerSchedule {
  return {
    id: PORTFOLIO_SYNC_SCHEDULER_ID,
    slotAt: everySlots(Math.max(1000, everyMs)),
    fireAtStart: true,
    async fire() {
      await enqueuePortfolioSync(accountQueue, 'periodic');
    },
  };
}
