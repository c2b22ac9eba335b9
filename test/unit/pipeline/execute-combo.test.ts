// The combo executor (executeGroup → planEntry → pre-trade gate → one package order → price walk → settle) over the
// in-memory Store and the fake broker: fills at once, walks its price with replaces, is cancelled at its deadline, is
// refused, waits for the fills of an order the broker calls Filled too early, is denied when halted. The same paths run
// against PostgreSQL and the venue in test/integration/execute-combo.test.ts.
import { describe, expect, it } from 'vitest';
import { executeGroup } from '../../../src/pipeline/execute/execute-group.js';
import { CONDOR, type ExecHarness, execHarness, heldByTrade, pendingCondor } from '../../support/exec-harness.js';

const { longPut, shortPut, shortCall, longCall } = CONDOR;
/** What the whole condor leaves held per unit: long wings, short body. */
const CONDOR_HELD = new Map([
  [longPut.symbol, 1],
  [shortPut.symbol, -1],
  [shortCall.symbol, -1],
  [longCall.symbol, 1],
]);

const entryOrder = async (h: ExecHarness, groupId: string) => {
  const orders = await h.store.orders.ofGroup(groupId);
  expect(orders).toHaveLength(1);
  return orders[0]!;
};
const sent = (h: ExecHarness) => h.broker.calls.map((c) => [c.op, c.limitPriceCents ?? null, c.outcome]);

describe('combo entry', () => {
  it('fills at once: group filled, trade open at the natural credit, one fill per leg, held as the broker holds it', async () => {
    const h = execHarness();
    const trade = await pendingCondor(h, 'ic-natural');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, orders: 1 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', quantity: 1, entryCreditCents: 80 });
    const order = await entryOrder(h, trade.entryGroupId);
    expect(order).toMatchObject({ role: 'package', status: 'filled', filledUnits: 1, limitPriceCents: 80 });
    expect(h.store.state.fills.map((f) => [f.symbol, f.action, f.quantity, f.orderId, f.brokerOrderId]).sort()).toEqual(
      [
        [longPut.symbol, 'Buy to Open', 1, order.id, order.brokerOrderId],
        [shortPut.symbol, 'Sell to Open', 1, order.id, order.brokerOrderId],
        [shortCall.symbol, 'Sell to Open', 1, order.id, order.brokerOrderId],
        [longCall.symbol, 'Buy to Open', 1, order.id, order.brokerOrderId],
      ].sort(),
    );
    expect(sent(h)).toEqual([['submit', 80, 'ok']]);
    expect(h.broker.calls[0]!.externalId).toBe(order.id);
    expect(h.broker.positionMap()).toEqual(CONDOR_HELD);
    expect(await heldByTrade(h, trade.id)).toEqual(CONDOR_HELD);

    // A second delivery of the same job finds the group settled and sends nothing
    expect(await executeGroup(h.ctx, trade.id, trade.entryGroupId)).toMatchObject({ status: 'filled', orders: 1 });
    expect(h.broker.calls).toHaveLength(1);
  });

  it('walks a mid price toward natural one step a second until it fills: each replace replaces the last, one order of ours', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'fillAt', cents: 85 });
    const trade = await pendingCondor(h, 'ic-walk');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, orders: 1 });
    // mid 100, steps of 5 ticks toward the natural 80; the broker fills once the credit asked is 85
    expect(sent(h)).toEqual([
      ['submit', 100, 'ok'],
      ['replace', 95, 'ok'],
      ['replace', 90, 'ok'],
      ['replace', 85, 'ok'],
    ]);
    const ids = h.broker.calls.map((c) => c.brokerOrderId);
    expect(h.broker.calls.slice(1).map((c) => c.replaces)).toEqual(ids.slice(0, -1));
    const order = await entryOrder(h, trade.entryGroupId);
    expect(order).toMatchObject({
      status: 'filled',
      priceSteps: 3,
      limitPriceCents: 85,
      brokerOrderId: ids.at(-1),
    });
    expect([...h.store.state.brokerIds].filter(([, id]) => id === order.id).map(([b]) => b)).toEqual(ids);
    expect(
      h.store.state.audit
        .filter((a) => a.kind === 'price_step')
        .map((a) => [a.data?.['fromCents'], a.data?.['toCents']]),
    ).toEqual([
      [100, 95],
      [95, 90],
      [90, 85],
    ]);
    expect(new Set(h.store.state.fills.map((f) => f.brokerOrderId))).toEqual(new Set([ids.at(-1)]));
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 85 });
    expect(h.broker.positionMap()).toEqual(CONDOR_HELD);
  });

  it('never fills: cancelled at the deadline, group cancelled, trade rejected, nothing held', async () => {
    const h = execHarness();
    h.broker.defaultBehavior = { kind: 'never' };
    const trade = await pendingCondor(h, 'ic-natural');
    const started = h.clock.now();
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0, orders: 1 });
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(5000); // fillTimeoutSeconds, in broker time
    expect(sent(h)).toEqual([
      ['submit', 80, 'ok'],
      ['cancel', null, 'ok'],
    ]);
    expect(h.broker.calls[1]!.brokerOrderId).toBe(h.broker.calls[0]!.brokerOrderId);
    expect(await entryOrder(h, trade.entryGroupId)).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rejected' });
    expect(h.store.state.fills).toEqual([]);
    expect(h.broker.positionMap()).toEqual(new Map());
    expect(await heldByTrade(h, trade.id)).toEqual(new Map());
  });

  it('refused by the broker: the order rejected with its reason, group cancelled, trade rejected, nothing held', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'reject', message: 'Exchange rejected (test)' }, { symbol: shortCall.symbol });
    const trade = await pendingCondor(h, 'ic-natural');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect(sent(h)).toEqual([['submit', 80, 'rejected']]);
    expect(await entryOrder(h, trade.entryGroupId)).toMatchObject({
      status: 'rejected',
      rejectReason: 'Exchange rejected (test)',
    });
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'rejected',
      exitReason: 'rejected: Exchange rejected (test)',
    });
    expect(h.broker.positionMap()).toEqual(new Map());
  });

  it('Filled before its fills arrive: the entry waits for them and opens at the credit they add up to', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'fillsLag', ms: 1500 });
    const trade = await pendingCondor(h, 'ic-natural');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(await entryOrder(h, trade.entryGroupId)).toMatchObject({ status: 'filled', brokerStatus: 'Filled' });
    expect(h.store.state.fills).toHaveLength(4);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 80 });
    expect(sent(h)).toEqual([['submit', 80, 'ok']]); // nothing cancelled or replaced while the fills were on their way
    expect(await heldByTrade(h, trade.id)).toEqual(CONDOR_HELD);
  });

  it('fills that do not come: the group stays working (never rejected while the broker holds the legs) until they add up', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'fillsLag' }); // withheld until deliverFills()
    const trade = await pendingCondor(h, 'ic-natural');
    const first = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(first).toMatchObject({ status: 'working', reason: 'fills not all reported by the broker yet' });
    expect(await entryOrder(h, trade.entryGroupId)).toMatchObject({
      status: 'partially_filled',
      brokerStatus: 'Filled',
    });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'opening' });
    expect(h.alerts).toEqual(['reconcile_mismatch']);
    expect(h.broker.positionMap()).toEqual(CONDOR_HELD);
    expect(h.store.state.fills).toEqual([]);

    h.broker.deliverFills();
    const second = await executeGroup(h.ctx, trade.id, trade.entryGroupId);
    expect(second).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 80 });
    expect(await heldByTrade(h, trade.id)).toEqual(CONDOR_HELD);
    expect(sent(h)).toEqual([['submit', 80, 'ok']]);
  });

  it('a submit response that already says Filled without its fills: the order is not filled until they add up', async () => {
    const h = execHarness();
    h.broker.respondAfterWork = true;
    h.broker.script({ kind: 'fillsLag' }); // the response says Filled; the fills are withheld until deliverFills()
    const trade = await pendingCondor(h, 'ic-natural');
    const first = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(first).toMatchObject({ status: 'working', reason: 'fills not all reported by the broker yet' });
    expect((await entryOrder(h, trade.entryGroupId))?.status).not.toBe('filled');
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'opening', entryCreditCents: null });

    h.broker.deliverFills();
    const second = await executeGroup(h.ctx, trade.id, trade.entryGroupId);
    expect(second).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 80 });
    expect(await heldByTrade(h, trade.id)).toEqual(CONDOR_HELD);
  });

  it('halted: the entry is denied before anything is sent', async () => {
    const h = execHarness();
    await h.store.tradingState.set('halted', 'test', 'kill switch');
    const trade = await pendingCondor(h, 'ic-natural');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'denied', reason: 'trading is halted (kill switch)' });
    expect(await entryOrder(h, trade.entryGroupId)).toMatchObject({ status: 'denied' });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rejected' });
    expect(h.broker.calls).toEqual([]);
  });
});
