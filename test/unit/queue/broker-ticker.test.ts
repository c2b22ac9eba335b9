// The broker-time ticker fires one job per schedule slot of broker time: at start for `every`, at the next match for a
// cron (New York time), once after a jump over many slots, never twice for a slot.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { Clock } from '../../../src/pipeline/ports.js';
import {
  cronSlots,
  everySlots,
  slotName,
  startBrokerTicker,
  type BrokerSchedule,
} from '../../../src/queue/broker-ticker.js';

const MIN = 60_000;
const TUESDAY_10_NY = Date.parse('2026-11-17T15:00:00Z');

function frozenClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return {
    source: 'venue',
    now: () => now,
    speed: () => 0,
    sleep: async () => {},
    close() {},
    set: (ms) => (now = ms),
  };
}

function recording(id: string, slotAt: BrokerSchedule['slotAt'], fireAtStart: boolean) {
  const fired: string[] = [];
  const schedule: BrokerSchedule = { id, slotAt, fireAtStart, fire: async (slot) => void fired.push(slotName(slot)) };
  return { schedule, fired };
}

describe('broker-time ticker', () => {
  it('every 5m: the current slot at start, each new slot once, one firing after a jump over six slots', async () => {
    const clock = frozenClock(TUESDAY_10_NY + 10_000);
    const every = recording('scan-a', everySlots(5 * MIN), true);
    const ticker = startBrokerTicker({
      clock,
      schedules: [every.schedule],
      log: createLogger({ level: 'silent', pretty: false }),
      pollMs: 3_600_000,
    });
    await ticker.tick();
    await ticker.tick(); // nothing moved: nothing new
    clock.set(TUESDAY_10_NY + 4 * MIN);
    await ticker.tick();
    clock.set(TUESDAY_10_NY + 5 * MIN);
    await ticker.tick();
    clock.set(TUESDAY_10_NY + 37 * MIN); // a jump
    await ticker.tick();
    await ticker.stop();
    expect(every.fired).toEqual(['2026-11-17T15:00:00.000Z', '2026-11-17T15:05:00.000Z', '2026-11-17T15:35:00.000Z']);
  });

  it('cron in New York time: not at start, at its next match, once', async () => {
    const clock = frozenClock(TUESDAY_10_NY);
    const cron = recording('scan-c', cronSlots('30 10 * * 1-5', 'America/New_York'), false);
    const ticker = startBrokerTicker({
      clock,
      schedules: [cron.schedule],
      log: createLogger({ level: 'silent', pretty: false }),
      pollMs: 3_600_000,
    });
    await ticker.tick();
    clock.set(TUESDAY_10_NY + 29 * MIN);
    await ticker.tick();
    clock.set(TUESDAY_10_NY + 31 * MIN);
    await ticker.tick();
    clock.set(TUESDAY_10_NY + 3 * 60 * MIN);
    await ticker.tick();
    await ticker.stop();
    expect(cron.fired).toEqual(['2026-11-17T15:30:00.000Z']); // 10:30 New York (EST)
  });

  it('a failed enqueue is retried at the next look (the slot is not lost)', async () => {
    const clock = frozenClock(TUESDAY_10_NY);
    let fail = true;
    const fired: string[] = [];
    const schedule: BrokerSchedule = {
      id: 'exit',
      slotAt: everySlots(30_000),
      fireAtStart: true,
      fire: async (slot) => {
        if (fail) throw new Error('redis down');
        fired.push(slotName(slot));
      },
    };
    const ticker = startBrokerTicker({
      clock,
      schedules: [schedule],
      log: createLogger({ level: 'silent', pretty: false }),
      pollMs: 3_600_000,
    });
    await ticker.tick();
    fail = false;
    await ticker.tick();
    await ticker.stop();
    expect(fired).toEqual(['2026-11-17T15:00:00.000Z']);
  });
});
