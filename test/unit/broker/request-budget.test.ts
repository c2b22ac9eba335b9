// The per-process request budget (issue 11, defect 10): a token bucket with lanes on a fake clock. Reads can never
// starve closing traffic: they leave a reserve, and waiting close requests are served first.
import { describe, expect, it } from 'vitest';
import {
  BudgetWaitExceeded,
  createRequestBudget,
  type BudgetOptions,
  type Lane,
} from '../../../src/broker/tastytrade/request-budget.js';
import { BrokerError } from '../../../src/domain/broker-error.js';
import { createHttpPolicy } from '../../../src/broker/tastytrade/http-policy.js';

function fakeClock() {
  let t = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => t,
    schedule(fn: () => void, ms: number) {
      const id = nextId++;
      timers.push({ at: t + ms, fn, id });
      return () => {
        timers = timers.filter((x) => x.id !== id);
      };
    },
    async advance(ms: number) {
      const until = t + ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        t = due.at;
        due.fn();
        for (let i = 0; i < 10; i++) await Promise.resolve();
      }
      t = until;
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

function setup(o: Partial<BudgetOptions> = {}) {
  const clock = fakeClock();
  const budget = createRequestBudget({
    ratePerSecond: 10,
    burst: 10,
    reserve: { close: 0, open: 2, read: 4 },
    now: clock.now,
    schedule: clock.schedule,
    ...o,
  });
  const granted: string[] = [];
  const take = (lane: Lane, tag: string, maxWaitMs?: number) =>
    budget.acquire(lane, maxWaitMs).then(
      () => void granted.push(tag),
      (e: unknown) => void granted.push(`${tag}:${(e as Error).name}`),
    );
  return { clock, budget, granted, take };
}

describe('request budget', () => {
  it('reads stop at their reserve; the reserved tokens still serve open and close at once', async () => {
    const { budget, granted, take } = setup();
    for (let i = 0; i < 8; i++) void take('read', `r${i}`);
    await Promise.resolve();
    expect(granted).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']); // 10 tokens, 4 kept back
    expect(budget.waiting().read).toBe(2);
    void take('open', 'o0');
    void take('open', 'o1');
    void take('open', 'o2'); // open keeps 2 back
    void take('close', 'c0');
    void take('close', 'c1');
    void take('close', 'c2'); // no token left at all: waits
    await Promise.resolve();
    expect(granted.slice(6)).toEqual(['o0', 'o1', 'c0', 'c1']);
    expect(budget.waiting()).toEqual({ close: 1, open: 1, read: 2 });
  });

  it('tokens refill at the rate and go to waiting close first, then open, then read', async () => {
    const { clock, granted, take } = setup();
    for (let i = 0; i < 10; i++) void take('close', `fill${i}`); // empty the bucket
    await Promise.resolve();
    granted.length = 0;
    void take('read', 'r');
    void take('open', 'o');
    void take('close', 'c');
    await clock.advance(100); // one token
    expect(granted).toEqual(['c']);
    await clock.advance(200); // two more: open needs 3 in the bucket, read 5
    expect(granted).toEqual(['c']);
    await clock.advance(100);
    expect(granted).toEqual(['c', 'o']);
    await clock.advance(400);
    expect(granted).toEqual(['c', 'o', 'r']);
  });

  it('a steady flood of reads never delays a close request by more than one token interval', async () => {
    const { clock, granted, take } = setup();
    for (let i = 0; i < 50; i++) void take('read', `r${i}`);
    await clock.advance(1000);
    void take('close', 'c');
    await clock.advance(100);
    expect(granted).toContain('c');
  });

  it('a wait longer than maxWaitMs fails with BudgetWaitExceeded and gives up its place', async () => {
    const { clock, budget, granted, take } = setup();
    for (let i = 0; i < 6; i++) void take('read', `r${i}`);
    void take('read', 'late', 50);
    await clock.advance(50);
    expect(granted).toContain('late:BudgetWaitExceeded');
    expect(budget.waiting().read).toBe(0);
  });

  it("the policy takes a token per attempt in the call's lane; an exhausted budget is retryable and sends nothing", async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({
      ratePerSecond: 1,
      burst: 2,
      reserve: { close: 0, open: 0, read: 1 },
      now: clock.now,
      schedule: clock.schedule,
    });
    const policy = createHttpPolicy({
      budget,
      now: clock.now,
      schedule: clock.schedule,
      sleep: async () => {},
      random: () => 0,
      readTimeoutMs: 500,
      maxReadAttempts: 1,
    });
    expect(await policy.run('read', async () => 1)).toBe(1);
    let sent = false;
    const starved = policy
      .run('read', async () => {
        sent = true;
        return 2;
      })
      .catch((e: unknown) => e);
    await clock.advance(500);
    const error = (await starved) as BrokerError;
    expect(sent).toBe(false);
    expect(error).toBeInstanceOf(BrokerError);
    expect([error.kind, error.code]).toEqual(['retryable', 'budget_exhausted']);
    expect(await policy.run('cancel', async () => 'cancelled')).toBe('cancelled'); // the reserved token
    expect(policy.breakerOf('read')).toBe('closed'); // not a broker failure
    expect(BudgetWaitExceeded.name).toBe('BudgetWaitExceeded');
  });
});
