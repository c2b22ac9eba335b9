// Owns a test's working combo order: a marketable SPY condor sent once, through submitOnce, while the venue holds its
// fills back (delayed on the frozen clock), so the order is working at the venue and Postgres has no fill yet.
import { expect } from 'vitest';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { GroupIntent } from '../../src/domain/order-group.js';
import { submitOnce } from '../../src/pipeline/execute/order-submission.js';
import { insertGroup } from '../../src/store/groups.repo.js';
import { getOrder, insertPlannedOrder } from '../../src/store/orders.repo.js';
import { insertPendingTrade } from '../../src/store/trades.repo.js';
import type { TestApp } from './app.js';
import { condorOrderLegs } from './executor-process.js';

export async function workingCondorOrder(app: TestApp): Promise<{ orderId: string; tradeId: string }> {
  const legs = condorOrderLegs(app.sim);
  app.sim.venue.setDefaultFillBehavior({ behavior: 'delayed', delayMs: 1000 });
  const tradeId = newId();
  const groupId = deterministicId('entry-group', tradeId);
  await insertPendingTrade(app.ctx.sql, {
    id: tradeId,
    ruleSet: 'manual',
    rulesHash: 'h',
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: '2026-12-18',
    quantity: 1,
    legs: [],
    entryGroupId: groupId,
    riskCents: 50_000,
    expectedCreditCents: 5,
    facts: {},
  });
  const intent: GroupIntent = {
    tradeId,
    kind: 'entry',
    mode: 'combo',
    quantity: 1,
    legs: legs.map((l) => ({ symbol: l.symbol, instrumentType: 'Equity Option', action: l.action, ratio: 1 })),
    pricing: { startCents: 5, floorCents: 5, stepCents: 1, stepEverySeconds: 10, maxSteps: 0, fillTimeoutSeconds: 60 },
    partialFill: 'keep',
    ruleSet: 'manual',
    rulesHash: 'h',
  };
  await insertGroup(app.ctx.sql, groupId, intent);
  const { order } = await insertPlannedOrder(app.ctx.sql, {
    id: newId(),
    groupId,
    role: 'package',
    seq: 0,
    legs,
    size: 1,
    limitPriceCents: 5,
  });
  const outcome = await submitOnce(app.ctx, order.id, tradeId);
  expect(outcome.kind).toBe('accepted');
  expect((await getOrder(app.ctx.sql, order.id))?.status).toBe('working');
  return { orderId: order.id, tradeId };
}
