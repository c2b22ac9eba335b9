// Sending an order at most once and syncing broker truth into Postgres, through the real adapter and the venue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { GroupIntent } from '../../src/domain/order-group.js';
import { applyBrokerOrder } from '../../src/pipeline/broker-sync.js';
import { submitOnce } from '../../src/pipeline/execute/order-submission.js';
import { insertGroup } from '../../src/store/groups.repo.js';
import { getOrder, insertPlannedOrder, tradePositions, type OrderLegRow } from '../../src/store/orders.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { insertPendingTrade } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { condorOrderLegs } from '../support/executor-process.js';
import { waitUntil } from '../support/wait-until.js';

let app: TestApp;
let legs: OrderLegRow[];

async function plannedOrder(
  limitPriceCents: number,
  kind: 'entry' | 'exit' = 'entry',
  orderLegs: OrderLegRow[] = legs,
): Promise<{ orderId: string; tradeId: string }> {
  const tradeId = newId();
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
    entryGroupId: deterministicId('entry-group', tradeId),
    riskCents: 50_000,
    expectedCreditCents: limitPriceCents,
    facts: {},
  });
  const intent: GroupIntent = {
    tradeId,
    kind,
    mode: 'combo',
    quantity: 1,
    legs: legs.map((l) => ({ symbol: l.symbol, instrumentType: 'Equity Option', action: l.action, ratio: 1 })),
    pricing: {
      startCents: limitPriceCents,
      floorCents: limitPriceCents,
      stepCents: 1,
      stepEverySeconds: 10,
      maxSteps: 0,
      fillTimeoutSeconds: 60,
    },
    partialFill: 'keep',
    ruleSet: 'manual',
    rulesHash: 'h',
  };
  const groupId = deterministicId('entry-group', tradeId);
  await insertGroup(app.ctx.sql, groupId, intent);
  const { order } = await insertPlannedOrder(app.ctx.sql, {
    id: newId(),
    groupId,
    role: 'package',
    seq: 0,
    legs: orderLegs,
    size: 1,
    limitPriceCents,
  });
  return { orderId: order.id, tradeId };
}

beforeAll(async () => {
  app = await startTestApp({});
  legs = condorOrderLegs(app.sim);
});
afterAll(async () => {
  await app?.close();
});

describe('submitOnce', () => {
  it('sends a marketable condor once; its fills are recorded once and positions derive from them', async () => {
    const { orderId, tradeId } = await plannedOrder(5); // $0.05 credit: marketable
    const outcome = await submitOnce(app.ctx, orderId, tradeId);
    expect(outcome.kind).toBe('accepted');
    expect((await submitOnce(app.ctx, orderId, tradeId)).kind).toBe('not_planned');
    const filled = await waitUntil(
      async () => {
        const bo = (await app.ctx.broker.findByExternalId(orderId))[0];
        return bo?.status === 'filled' ? bo : undefined;
      },
      { what: 'the fill at the venue' },
    );
    const first = await applyBrokerOrder(app.ctx, filled, 'poll');
    const again = await applyBrokerOrder(app.ctx, filled, 'stream');
    expect(first?.newFills).toBe(4);
    expect(again?.newFills).toBe(0);
    expect((await getOrder(app.ctx.sql, orderId))?.status).toBe('filled');
    const positions = await tradePositions(app.ctx.sql, tradeId);
    expect(positions.map((p) => p.quantity).sort()).toEqual([-1, -1, 1, 1]);
    const venueOrders = app.sim.venue
      .liveOrders(app.sim.venue.accountNumbers()[0]!)
      .filter((o) => o['external-identifier'] === orderId);
    expect(venueOrders).toHaveLength(1);
  });

  it('marks a 500-after-create as unknown without re-sending; the broker truth later settles it', async () => {
    const { orderId, tradeId } = await plannedOrder(900); // far from marketable: stays working
    app.sim.control.injectFault({ kind: 'http500AfterCreate' });
    const outcome = await submitOnce(app.ctx, orderId, tradeId);
    expect(outcome.kind).toBe('unknown');
    expect((await getOrder(app.ctx.sql, orderId))?.status).toBe('unknown');
    const found = await app.ctx.broker.findByExternalId(orderId);
    expect(found).toHaveLength(1);
    const synced = await applyBrokerOrder(app.ctx, found[0]!, 'reconcile');
    expect(synced?.order.status).toBe('working');
    expect(synced?.order.brokerOrderId).toBe(found[0]!.brokerOrderId);
  });

  it('records a preflight refusal as rejected', async () => {
    const { orderId, tradeId } = await plannedOrder(5);
    // A zero limit price fails Tastytrade's preflight (price must be positive)
    await app.ctx.sql`update orders set limit_price_cents = 0 where id = ${orderId}`;
    const outcome = await submitOnce(app.ctx, orderId, tradeId);
    expect(outcome.kind).toBe('rejected');
    expect((await getOrder(app.ctx.sql, orderId))?.status).toBe('rejected');
  });

  it("the order guard refuses an exit group's opening order: rejected locally, audited, never at the venue", async () => {
    const { orderId, tradeId } = await plannedOrder(5, 'exit'); // an "exit" whose legs are the condor's opening legs
    const outcome = await submitOnce(app.ctx, orderId, tradeId);
    expect(outcome.kind).toBe('rejected');
    const row = (await getOrder(app.ctx.sql, orderId))!;
    expect(row.status).toBe('rejected');
    expect(row.brokerOrderId).toBeNull();
    expect(row.rejectReason).toMatch(/^guard: a exit group closes only: (Buy|Sell) to Open/);
    const audit = await app.ctx.sql<
      { data: { what: string; reason: string } }[]
    >`select data from audit_events where kind = 'order_refused' and order_id = ${orderId}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data.what).toBe('submit');
    const sent = await app.ctx.sql`select 1 from audit_events where kind = 'order_sent' and order_id = ${orderId}`;
    expect(sent).toHaveLength(0);
    expect(await app.ctx.broker.findByExternalId(orderId)).toHaveLength(0);
    // A second try is not a second chance: the order is settled as rejected
    expect((await submitOnce(app.ctx, orderId, tradeId)).kind).toBe('not_planned');
    expect(await app.ctx.broker.findByExternalId(orderId)).toHaveLength(0);
  });

  it('the order guard refuses a closing order for more than the trade holds, and any opening order while halted', async () => {
    const closing = legs.map((l) => ({
      ...l,
      action: l.action === 'Sell to Open' ? ('Buy to Close' as const) : ('Sell to Close' as const),
    }));
    const { orderId: overClose, tradeId: t1 } = await plannedOrder(-500, 'exit', closing); // the trade holds nothing
    const refused = await submitOnce(app.ctx, overClose, t1);
    expect(refused.kind).toBe('rejected');
    expect((await getOrder(app.ctx.sql, overClose))!.rejectReason).toMatch(
      /^guard: closing (buys|sells) 1 .* but 0 is held/,
    );
    expect(await app.ctx.broker.findByExternalId(overClose)).toHaveLength(0);

    await setTradingState(app.ctx.sql, 'halted', 'test', 'guard test');
    try {
      const { orderId, tradeId } = await plannedOrder(5);
      expect((await submitOnce(app.ctx, orderId, tradeId)).kind).toBe('rejected');
      expect((await getOrder(app.ctx.sql, orderId))!.rejectReason).toMatch(
        /^guard: trading is halted: no opening order/,
      );
      expect(await app.ctx.broker.findByExternalId(orderId)).toHaveLength(0);
    } finally {
      await setTradingState(app.ctx.sql, 'active', 'test');
    }
  });

  it('a halt set while an opening order waits to be sent (after the guard passed) stops it before it leaves', async () => {
    const { orderId, tradeId } = await plannedOrder(5);
    // The real adapter, held between the guard and the request: as a busy machine or the request budget would hold it
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const waiting = new Promise<void>((r) => (entered = r));
    const broker = Object.create(app.ctx.broker) as typeof app.ctx.broker;
    broker.submit = async (order, options) => {
      entered();
      await held;
      return app.ctx.broker.submit(order, options);
    };
    const outcome = submitOnce({ store: app.ctx.store, broker }, orderId, tradeId);
    await waiting;
    try {
      await setTradingState(app.ctx.sql, 'halted', 'test', 'halt while a submit waits');
      release();
      const result = await outcome;
      expect(result.kind).toBe('rejected');
      expect(result.kind === 'rejected' && result.error.code).toBe('guard');
      const row = await getOrder(app.ctx.sql, orderId);
      expect(row?.status).toBe('rejected');
      expect(row?.rejectReason).toContain('trading is halted');
      const atVenue = app.sim.venue
        .liveOrders(app.sim.venue.accountNumbers()[0]!)
        .filter((o) => o['external-identifier'] === orderId);
      expect(atVenue).toEqual([]);
      const [audit] = await app.ctx.sql<
        { n: number }[]
      >`select count(*)::int as n from audit_events where kind = 'order_refused' and order_id = ${orderId}`;
      expect(audit?.n).toBe(1);
    } finally {
      await setTradingState(app.ctx.sql, 'active', 'test');
    }
  });
});
