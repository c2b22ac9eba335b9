// Pipeline code against the in-memory Store (test/support/memory-store.ts): broker reports applied to our orders,
// resume refused while something is broken, a transaction rolled back; no database, no sockets.
import { describe, expect, it } from 'vitest';
import type { BrokerOrder } from '../../../src/domain/broker-order.js';
import type { GroupIntent } from '../../../src/domain/order-group.js';
import { applyBrokerOrder } from '../../../src/pipeline/broker-sync.js';
import { resumeTrading } from '../../../src/pipeline/resume.js';
import { createMemoryStore } from '../../support/memory-store.js';

const TRADE = '00000000-0000-4000-8000-000000000001';
const GROUP = '00000000-0000-4000-8000-000000000002';
const ORDER = '00000000-0000-4000-8000-000000000003';
const PUT = 'SPY   260116P00580000';
const CALL = 'SPY   260116C00620000';

const intent: GroupIntent = {
  tradeId: TRADE,
  kind: 'entry',
  mode: 'combo',
  quantity: 2,
  partialFill: 'keep',
  ruleSet: 'ic',
  rulesHash: 'h',
  legs: [
    { symbol: PUT, instrumentType: 'Equity Option', action: 'Sell to Open', ratio: 1 },
    { symbol: CALL, instrumentType: 'Equity Option', action: 'Sell to Open', ratio: 1 },
  ],
  pricing: { startCents: 150, floorCents: 120, stepCents: 5, stepEverySeconds: 1, maxSteps: 0, fillTimeoutSeconds: 5 },
};

async function workingOrder() {
  const store = createMemoryStore(() => Date.parse('2026-01-05T15:00:00Z'));
  await store.trades.insertPendingWithinLimit({
    id: TRADE,
    ruleSet: 'ic',
    rulesHash: 'h',
    candidateId: 'c1',
    strategy: 'strangle',
    underlying: 'SPY',
    expiration: '2026-01-16',
    quantity: 2,
    legs: [],
    entryGroupId: GROUP,
    riskCents: 10_000,
    expectedCreditCents: 150,
    facts: {},
  });
  await store.groups.insert(GROUP, intent);
  await store.orders.insertPlanned({
    id: ORDER,
    groupId: GROUP,
    role: 'package',
    seq: 0,
    size: 2,
    limitPriceCents: 150,
    legs: intent.legs.map((l) => ({
      symbol: l.symbol,
      instrumentType: 'Equity Option',
      action: l.action,
      quantity: 2,
    })),
  });
  await store.orders.transition(ORDER, { type: 'SubmitStarted' }, 'local');
  await store.orders.transition(ORDER, { type: 'Accepted', brokerOrderId: 77, brokerStatus: 'live' }, 'http', {
    brokerOrderId: 77,
    brokerStatus: 'Live',
  });
  return store;
}

const report = (filled: number): BrokerOrder => ({
  brokerOrderId: 77,
  accountNumber: 'A1',
  status: filled === 2 ? 'filled' : 'live',
  rawStatus: filled === 2 ? 'Filled' : 'Live',
  orderType: 'Limit',
  timeInForce: 'Day',
  limitPriceCents: 150,
  size: 2,
  underlyingSymbol: 'SPY',
  externalId: ORDER,
  cancellable: true,
  editable: true,
  updatedAt: 0,
  legs: [PUT, CALL].map((symbol, i) => ({
    symbol,
    instrumentType: 'Equity Option',
    action: 'Sell to Open',
    quantity: 2,
    remainingQuantity: 2 - filled,
    fills: Array.from({ length: filled }, (_, n) => ({
      fillId: `f${i}-${n}`,
      quantity: 1,
      priceCents: 75,
      filledAt: 1_000 + n,
    })),
  })),
});

describe('pipeline over the in-memory Store', () => {
  it('applies a broker report once: fills recorded, order filled, the trade holds both legs', async () => {
    const store = await workingOrder();
    const partial = await applyBrokerOrder({ store }, report(1), 'stream');
    expect(partial).toMatchObject({ newFills: 2, changed: true });
    expect(partial?.order.status).toBe('partially_filled');
    const full = await applyBrokerOrder({ store }, report(2), 'poll');
    expect(full?.newFills).toBe(2);
    expect(full?.order).toMatchObject({ status: 'filled', filledUnits: 2 });
    expect((await applyBrokerOrder({ store }, report(2), 'stream'))?.newFills).toBe(0);
    expect(await store.positions.ofTrade(TRADE)).toEqual([
      { tradeId: TRADE, symbol: CALL, quantity: -2, cashCents: 15_000 },
      { tradeId: TRADE, symbol: PUT, quantity: -2, cashCents: 15_000 },
    ]);
    expect(await store.fills.cashOfGroupRole(GROUP, 'package')).toBe(300);
  });

  // A price walk's replace (77 → 78) whose replacement the broker rejected; the two reports arrive in either order
  const ORIGINAL_FILLED: BrokerOrder = { ...report(2), replacingOrderId: 78 };
  const ORIGINAL_CANCELLED: BrokerOrder = {
    ...report(0),
    status: 'cancelled',
    rawStatus: 'Cancelled',
    replacingOrderId: 78,
  };
  const refusedReplacement = (why: string): BrokerOrder => ({
    ...report(0),
    brokerOrderId: 78,
    status: 'rejected',
    rawStatus: 'Rejected',
    replacesOrderId: 77,
    rejectReason: why,
  });
  async function afterReplaceReports(original: BrokerOrder, refused: BrokerOrder, refusedFirst: boolean) {
    const store = await workingOrder();
    await store.orders.transition(ORDER, { type: 'Replaced', newBrokerOrderId: 78 }, 'http', {
      brokerOrderId: 78,
      priceSteps: 1,
    });
    for (const r of refusedFirst ? [refused, original] : [original, refused])
      await applyBrokerOrder({ store }, r, 'stream');
    return store.orders.get(ORDER);
  }

  it.each([
    ['the original first', false],
    ['the refused replacement first', true],
  ])(
    'a replace that lost the race to a fill (%s): the order is filled under the broker id that filled',
    async (_, first) => {
      // 20-day soak: "order … (broker 552132): ours filled/Filled, venue Rejected" — the row named the refused replacement
      const refused = refusedReplacement('Order 77 filled before it could be replaced');
      expect(await afterReplaceReports(ORIGINAL_FILLED, refused, first)).toMatchObject({
        status: 'filled',
        filledUnits: 2,
        brokerOrderId: 77,
        brokerStatus: 'Filled',
      });
    },
  );

  it.each([
    ['the original first', false],
    ['the refused replacement first', true],
  ])(
    'a replacement refused for its own reasons, the original cancelled (%s): the order ends rejected',
    async (_, first) => {
      // The confirmation chaos run of an earlier fix (seed 20261415): the order stayed working with nothing at the venue
      const refused = refusedReplacement('Rejected by the exchange');
      expect(await afterReplaceReports(ORIGINAL_CANCELLED, refused, first)).toMatchObject({
        status: 'rejected',
        filledUnits: 0,
        brokerOrderId: 78,
        brokerStatus: 'Rejected',
      });
    },
  );

  it('ignores a report about an order that is not ours', async () => {
    const store = await workingOrder();
    expect(
      await applyBrokerOrder({ store }, { ...report(1), brokerOrderId: 99, externalId: 'someone-else' }, 'stream'),
    ).toBeUndefined();
    expect(store.state.fills).toHaveLength(0);
  });

  it('refuses to resume while a trade is broken, unless forced with a reason (audited)', async () => {
    const store = await workingOrder();
    await store.trades.move(TRADE, 'EntrySent');
    await store.trades.move(TRADE, 'Broken');
    await store.tradingState.set('reducing', 'executor', 'broken');
    const refused = await resumeTrading(store, 'test', {});
    expect(refused).toMatchObject({ ok: false, blocking: { trades: [TRADE], groups: [] } });
    expect((await store.tradingState.get()).state).toBe('reducing');
    const forced = await resumeTrading(store, 'test', { force: true, reason: 'flattened by hand' });
    expect(forced).toMatchObject({ ok: true, state: { state: 'active' }, overridden: { trades: [TRADE] } });
    expect(store.state.audit.at(-1)).toMatchObject({
      kind: 'resume',
      data: { forced: true, overriddenTrades: [TRADE] },
    });
  });

  it('rolls a transaction back when it throws', async () => {
    const store = await workingOrder();
    await expect(
      store.tx(async (tx) => {
        await tx.trades.move(TRADE, 'EntrySent');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.trades.get(TRADE))?.status).toBe('pending');
  });
});
