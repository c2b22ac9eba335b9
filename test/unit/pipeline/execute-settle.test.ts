// Settling a combo group from what the broker filled (execute/settle.ts) over the in-memory Store and the fake broker:
// an exit closes the trade with its P&L net of fees, also when the broker says Filled before the fills; a partial exit
// leaves the trade open with what it still holds; an exit that never fills gives the trade back; a partial entry is
// kept (smaller trade) or closed by a compensation order (rolled back). The same paths run against PostgreSQL and the
// venue in test/integration/execute-combo.test.ts and exits.test.ts.
import { describe, expect, it } from 'vitest';
import { closingAction } from '../../../src/domain/order-group.js';
import { executeGroup } from '../../../src/pipeline/execute/execute-group.js';
import {
  CONDOR,
  CONDOR_LEGS,
  type ExecHarness,
  execHarness,
  exitGroup,
  heldByTrade,
  pendingCondor,
} from '../../support/exec-harness.js';

const { longPut, shortPut, shortCall, longCall } = CONDOR;

/** Opens a condor of `quantity` at the natural credit of 80 per share. */
async function openCondor(h: ExecHarness, quantity = 1) {
  const trade = await pendingCondor(h, 'ic-natural', quantity);
  expect(await executeGroup(h.ctx, trade.id, trade.entryGroupId)).toMatchObject({ status: 'filled' });
  return (await h.store.trades.get(trade.id))!;
}

/** The market fell in: closing the condor at natural now costs 60 per share (shorts at their asks, wings at their bids). */
function cheaperToClose(h: ExecHarness) {
  for (const [l, bid, ask] of [
    [longPut, 30, 40],
    [shortPut, 50, 60],
    [shortCall, 40, 50],
    [longCall, 20, 30],
  ] as const)
    h.market.setQuote(l.streamerSymbol, bid, ask);
}

describe('settling an exit group', () => {
  it('filled: the trade is closed with its exit debit and realised P&L net of every fee; nothing held', async () => {
    const h = execHarness();
    h.broker.feePerContractCents = 65;
    const trade = await openCondor(h);
    cheaperToClose(h);
    const groupId = await exitGroup(h, trade, { limitCents: -60 });
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, orders: 1 });
    const [order] = await h.store.orders.ofGroup(groupId);
    expect(order!.legs.map((l) => l.action)).toEqual(CONDOR_LEGS.map((l) => closingAction(l.action)));
    // Credit 80, debit 60, per share ×100; fees: 8 contracts (entry and exit) at 65 ¢
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'closed',
      entryCreditCents: 80,
      exitDebitCents: 60,
      realizedPnlCents: (80 - 60) * 100 - 8 * 65,
      exitReason: 'take_profit',
    });
    expect(h.store.state.fees.reduce((n, f) => n + f.totalCents, 0)).toBe(8 * 65);
    expect(await heldByTrade(h, trade.id)).toEqual(new Map());
    expect(h.broker.positionMap()).toEqual(new Map());
  });

  it('Filled before its fills arrive: the trade is closed only once they add up, at the price they add up to', async () => {
    const h = execHarness();
    const trade = await openCondor(h);
    cheaperToClose(h);
    h.broker.script({ kind: 'fillsLag', ms: 3000 });
    const groupId = await exitGroup(h, trade, { limitCents: -60 });
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(h.store.state.fills.filter((f) => f.groupId === groupId)).toHaveLength(4);
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'closed',
      exitDebitCents: 60,
      realizedPnlCents: (80 - 60) * 100,
    });
    expect(h.broker.calls.map((c) => c.op)).toEqual(['submit', 'submit']); // the entry and the exit, nothing cancelled
  });

  it('filled in part: the group settles what filled, the trade is open again holding the rest', async () => {
    const h = execHarness();
    const trade = await openCondor(h, 2);
    h.broker.script({ kind: 'partial', units: 1 });
    const groupId = await exitGroup(h, trade);
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(h.broker.calls.map((c) => c.op)).toEqual(['submit', 'submit', 'cancel']);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', quantity: 2, realizedPnlCents: null });
    const half = new Map([
      [longPut.symbol, 1],
      [shortPut.symbol, -1],
      [shortCall.symbol, -1],
      [longCall.symbol, 1],
    ]);
    expect(await heldByTrade(h, trade.id)).toEqual(half);
    expect(h.broker.positionMap()).toEqual(half);
  });

  it('never filled: cancelled at its deadline, the trade open again with everything it held', async () => {
    const h = execHarness();
    const trade = await openCondor(h);
    h.broker.defaultBehavior = { kind: 'never' };
    const groupId = await exitGroup(h, trade);
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', exitDebitCents: null });
    expect((await heldByTrade(h, trade.id)).size).toBe(4);
    expect(h.broker.positionMap().size).toBe(4);
  });
});

describe('settling a partly filled entry', () => {
  it('partialFill keep: the trade opens with the units that filled', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'partial', units: 1 });
    const trade = await pendingCondor(h, 'ic-natural', 2);
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, reason: 'partial fill kept: 1/2' });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', quantity: 1, entryCreditCents: 80 });
    expect([...(await heldByTrade(h, trade.id)).values()].map(Math.abs)).toEqual([1, 1, 1, 1]);
    expect(h.broker.positionMap()).toEqual(await heldByTrade(h, trade.id));
  });

  it('partialFill close: the filled unit is closed by one compensation package; rolled back, flat', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'partial', units: 1 });
    const trade = await pendingCondor(h, 'ic-close', 2);
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'rolled_back', filledUnits: 1, orders: 2 });
    const comp = (await h.store.orders.ofGroup(trade.entryGroupId)).find((o) => o.role === 'compensation')!;
    expect(comp).toMatchObject({ status: 'filled', size: 1 });
    expect(comp.legs.map((l) => [l.action, l.quantity])).toEqual(CONDOR_LEGS.map((l) => [closingAction(l.action), 1]));
    expect(h.broker.calls.map((c) => [c.op, c.externalId ?? null])).toEqual([
      ['submit', h.broker.calls[0]!.externalId],
      ['cancel', null],
      ['submit', comp.id],
    ]);
    const cash = (await h.store.positions.ofTrade(trade.id)).reduce((n, p) => n + p.cashCents, 0);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rolled_back', realizedPnlCents: cash });
    expect(cash).toBeLessThan(0);
    expect(await heldByTrade(h, trade.id)).toEqual(new Map());
    expect(h.broker.positionMap()).toEqual(new Map());
  });
});
