// Owns firing schedules in broker time when the clock is not wall time (the sim venue replayed, frozen or jumping):
// BullMQ Job Schedulers count wall time, so under such a clock a ticker watches the clock and enqueues one job per
// schedule slot, with a deterministic job id per slot (several processes firing the same slot make one job). After a
// jump it fires the latest slot once, never one per missed slot.
import { CronExpressionParser } from 'cron-parser';
import type { Logger } from '../log.js';
import type { Clock } from '../pipeline/ports.js';

export interface BrokerSchedule {
  /** Names the schedule in logs and job ids (e.g. `scan-spx-condor`, `exit-evaluate`). */
  id: string;
  /** The latest slot at or before `nowMs` (epoch ms of broker time), or null when there is none. */
  slotAt(nowMs: number): number | null;
  /** Whether the slot current at start fires at once (BullMQ's `every` does; a cron waits for its next match). */
  fireAtStart: boolean;
  /** Enqueues the slot's job; must be idempotent per slot (deterministic job id). */
  fire(slotMs: number): Promise<void>;
}

/** Slots every `everyMs` of broker time, aligned on the epoch (so every process computes the same ones). */
export const everySlots =
  (everyMs: number) =>
  (nowMs: number): number =>
    Math.floor(nowMs / everyMs) * everyMs;

/** Slots of a cron pattern in a time zone (New York for rule sets), in broker time. */
export function cronSlots(pattern: string, tz: string): (nowMs: number) => number | null {
  return (nowMs) => {
    try {
      return CronExpressionParser.parse(pattern, { currentDate: new Date(nowMs + 1), tz })
        .prev()
        .getTime();
    } catch {
      return null;
    }
  };
}

/** A slot as it appears in job ids and scan runs: the ISO instant of broker time. */
export const slotName = (slotMs: number): string => new Date(slotMs).toISOString();

export interface BrokerTicker {
  /** Checks every schedule once (also what the timer runs); resolves when the fired jobs are enqueued. */
  tick(): Promise<void>;
  /** Replaces the schedules (after a rules reload); slots already seen stay seen. */
  setSchedules(schedules: readonly BrokerSchedule[]): void;
  stop(): Promise<void>;
}

/** `pollMs` is wall time between looks at the clock: small, so a driver's advance is acted on promptly. */
export function startBrokerTicker(opts: {
  clock: Clock;
  schedules: readonly BrokerSchedule[];
  log: Logger;
  pollMs?: number;
}): BrokerTicker {
  const { clock, log } = opts;
  let schedules = [...opts.schedules];
  const lastSlot = new Map<string, number>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const check = async () => {
    const now = clock.now();
    for (const s of schedules) {
      const slot = s.slotAt(now);
      if (slot === null) continue;
      const last = lastSlot.get(s.id);
      if (last === undefined && !s.fireAtStart) {
        lastSlot.set(s.id, slot);
        continue;
      }
      if (last !== undefined && slot <= last) continue;
      try {
        await s.fire(slot);
        lastSlot.set(s.id, slot);
      } catch (error) {
        log.warn(
          { err: error, schedule: s.id, slot: slotName(slot) },
          'broker-time schedule: enqueue failed; retried at the next look',
        );
      }
    }
  };
  const tick = () => (running = running.then(check, check));
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, opts.pollMs ?? 100);
  timer.unref();
  void tick();

  return {
    tick,
    setSchedules(next) {
      schedules = [...next];
      for (const id of [...lastSlot.keys()]) if (!schedules.some((s) => s.id === id)) lastSlot.delete(id);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
