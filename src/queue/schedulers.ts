// Owns one BullMQ Job Scheduler per enabled rule set (interval or cron in New York time), and removes stale ones.
import type { Queue } from 'bullmq';
import type { RuleSet } from '../rules/schema.js';
import { SCHEDULE_TIME_ZONE } from '../rules/schedule.js';
import type { JobPayload } from './jobs.js';
import { retentionFor } from './queues.js';

const PREFIX = 'scan-';
export const schedulerId = (ruleSet: string): string => `${PREFIX}${ruleSet}`;

export interface SchedulerSync {
  upserted: string[];
  removed: string[];
}

/** Idempotent: call at every start and after every rules reload. */
export async function syncSchedulers(scanQueue: Queue, ruleSets: readonly RuleSet[]): Promise<SchedulerSync> {
  const wanted = ruleSets.filter((r) => r.enabled);
  const upserted: string[] = [];
  for (const r of wanted) {
    const repeat =
      r.schedule.cron !== null
        ? { pattern: r.schedule.cron, tz: SCHEDULE_TIME_ZONE }
        : { every: (r.schedule.everySeconds ?? 300) * 1000 };
    const data: JobPayload<'scan'> = { ruleSet: r.name };
    const { attempts, backoff, removeOnComplete, removeOnFail } = retentionFor('scan');
    await scanQueue.upsertJobScheduler(schedulerId(r.name), repeat, {
      name: 'scan',
      data,
      opts: { attempts, backoff, removeOnComplete, removeOnFail },
    });
    upserted.push(schedulerId(r.name));
  }
  const keep = new Set(upserted);
  const removed: string[] = [];
  for (const s of await scanQueue.getJobSchedulers(0, -1, true)) {
    const id = s.key;
    if (id.startsWith(PREFIX) && !keep.has(id)) {
      await scanQueue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  return { upserted, removed };
}
