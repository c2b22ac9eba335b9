// The atomic executor in combo mode end to end through the real SDK adapter and the venue: one package order, price
// walking with replaces, timeouts, partial fills kept or closed, unknown outcomes, duplicate runs, the pre-trade gate.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { deterministicId, newId } from '../../src/domain/ids.js';
import { closingAction, type GroupIntent } from '../../src/domain/order-group.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { planEntry, quotePackage } from '../../src/pipeline/execute/plan-entry.js';
import { submitOnce } from '../../src/pipeline/execute/order-submission.js';
import { getGroup, insertGroup } from '../../src/store/groups.repo.js';
import { insertPlannedOrder, ordersOfGroup, tradePositions } from '../../src/store/orders.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { getTrade, insertPendingTrade, moveTrade, type TradeLeg } from '../../src/store/trades.repo.js';
import { venueCondorLegs } from '../support/iron-condor.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';

const RULE = (
  name: string,
  entry: string,
  execution = 'execution: { mode: combo, partialFill: keep }',
  risk = 'maxWorkingGroups: 5',
) => condorRule({ name, entry, execution, risk });
const NATURAL = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }';

let app: TestApp;
let ctx: ExecContext;
let legs: TradeLeg[];
let account: string;

beforeAll(async () => {
  app = await startTestApp({
    'natural.yaml': RULE('ic-natural', NATURAL),
    'walk.yaml': RULE(
      'ic-walk',
      '{ price: mid, stepTicks: 5, stepEverySeconds: 1, maxSteps: 8, fillTimeoutSeconds: 12 }',
    ),
    'close.yaml': RULE('ic-close', NATURAL, 'execution: { mode: combo, partialFill: close }'),
    'limit.yaml': RULE('ic-limit', NATURAL, undefined, 'maxWorkingGroups: 1'),
  });
  ctx = createExecContext(app.ctx);
  account = app.sim.venue.accountNumbers()[0]!;
  legs = venueCondorLegs(app.sim, 'SPY', { width: 5 });
}, 60_000);
afterAll(async () => {
  await app?.close();
});
let baseline = new Map<string, number>();
beforeEach(async () => {
  // Not control.reset(): it restarts the venue's order and fill ids, which our database has already seen
  app.sim.venue.clearFillRules();
  app.sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });
  baseline = venueSigned();
  await setTradingState(app.ctx.sql, 'active', 'test');
});

async function pendingTrade(ruleName: string, quantity = 1) {
  const rs = app.ctx.rules.get(ruleName);
  if (!rs) throw new Error(`rule ${ruleName} not loaded: ${JSON.stringify(app.ctx.rules.errors())}`);
  const id = newId();
  const { trade } = await insertPendingTrade(app.ctx.sql, {
    id,
    ruleSet: rs.name,
    rulesHash: rs.hash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: legs[0]!.expiration,
    quantity,
    legs,
    entryGroupId: deterministicId('entry-group', id),
    riskCents: 40_000,
    expectedCreditCents: 100,
    facts: {},
  });
  return trade;
}

const venueOrders = (externalId: string) =>
  app.sim.venue.liveOrders(account).filter((o) => o['external-identifier'] === externalId);
const venueSigned = () =>
  new Map(
    app.sim.venue
      .positionsWire(account)
      .map((p) => [String(p['symbol']), Number(p['quantity']) * (p['quantity-direction'] === 'Short' ? -1 : 1)]),
  );
/** What this test changed at the venue: signed quantity per symbol, zeros left out. */
const venuePositions = () => {
  const now = venueSigned();
  const delta: [string, number][] = [];
  for (const symbol of new Set([...now.keys(), ...baseline.keys()])) {
    const d = (now.get(symbol) ?? 0) - (baseline.get(symbol) ?? 0);
    if (d !== 0) delta.push([symbol, d]);
  }
  return delta;
};
/** Our positions of a trade vs the venue's change during the test (signed quantity per symbol). */
async function positionsMatch(tradeId: string) {
  const ours = new Map(
    (await tradePositions(app.ctx.sql, tradeId)).filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]),
  );
  return { ours, theirs: new Map(venuePositions()) };
}

describe('combo executor', () => {
  it('fills all four legs as one package: group filled, trade open, 4 fills, venue positions equal ours', async () => {
    const trade = await pendingTrade('ic-natural');
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, orders: 1 });
    const after = (await getTrade(app.ctx.sql, trade.id))!;
    expect(after.status).toBe('open');
    expect(after.entryCreditCents).toBeGreaterThan(0);
    const [{ n } = { n: 0 }] = await app.ctx.sql<
      { n: number }[]
    >`select count(*)::int as n from fills where trade_id = ${trade.id}`;
    expect(n).toBe(4);
    const { ours, theirs } = await positionsMatch(trade.id);
    expect(ours.size).toBe(4);
    expect(theirs).toEqual(ours);
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(venueOrders(order!.id)).toHaveLength(1);
  }, 30_000);

  it("Filled before its leg fills arrive (fillsLag): the entry waits for them; trade open, right credit, fills equal the venue's", async () => {
    app.sim.control.injectFault({ kind: 'fillsLag', ms: 1500 });
    const trade = await pendingTrade('ic-natural');
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(order).toMatchObject({ status: 'filled', filledUnits: 1 });
    const venueFills = venueOrders(order!.id).flatMap((o) =>
      (
        o['legs'] as {
          symbol: string;
          action: string;
          fills: { 'fill-id': string; quantity: number; 'fill-price': string }[];
        }[]
      ).flatMap((l) =>
        l.fills.map((f) => ({
          id: f['fill-id'],
          symbol: l.symbol,
          action: l.action,
          quantity: f.quantity,
          priceCents: Math.round(Number(f['fill-price']) * 100),
        })),
      ),
    );
    expect(venueFills).toHaveLength(4);
    const ours = await app.ctx.sql<
      { id: string; symbol: string; action: string; quantity: number; priceCents: number }[]
    >`
      select broker_fill_id as id, symbol, action, quantity, price_cents as "priceCents" from fills where order_id = ${order!.id}`;
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...ours].sort(byId)).toEqual([...venueFills].sort(byId));
    const venueNet = venueFills.reduce(
      (sum, f) => sum + (f.action.startsWith('Sell') ? 1 : -1) * f.priceCents * f.quantity,
      0,
    );
    const after = (await getTrade(app.ctx.sql, trade.id))!;
    expect(after).toMatchObject({ status: 'open', entryCreditCents: venueNet });
    const { ours: held, theirs } = await positionsMatch(trade.id);
    expect(held.size).toBe(4);
    expect(theirs).toEqual(held);
  }, 30_000);

  it('a rejected leg rejects the whole package: nothing filled, group cancelled, trade rejected, venue flat', async () => {
    app.sim.control.setFillBehavior({ symbol: legs[2]!.symbol, behavior: 'reject' });
    const trade = await pendingTrade('ic-natural');
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rejected');
    expect(venuePositions()).toHaveLength(0);
  }, 30_000);

  it('walks a non-marketable mid price toward natural with replaces until it fills; the chain stays one order', async () => {
    const trade = await pendingTrade('ic-walk');
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result.status).toBe('filled');
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(order!.priceSteps).toBeGreaterThanOrEqual(1);
    const ids = await app.ctx.sql`select broker_order_id from order_broker_ids where order_id = ${order!.id}`;
    expect(ids.length).toBe(order!.priceSteps + 1);
    expect(venueOrders(order!.id).length).toBe(order!.priceSteps + 1);
    const steps = await app.ctx.sql`select 1 from audit_events where kind = 'price_step' and order_id = ${order!.id}`;
    expect(steps.length).toBe(order!.priceSteps);
    const { ours, theirs } = await positionsMatch(trade.id);
    expect(theirs).toEqual(ours);
  }, 30_000);

  it('cancels at the deadline when nothing fills: group cancelled, trade rejected, flat', async () => {
    app.sim.control.setFillBehavior({ underlying: 'SPY', behavior: 'never' });
    const trade = await pendingTrade('ic-natural');
    const started = Date.now();
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rejected');
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(order!.status).toBe('cancelled');
    expect(venuePositions()).toHaveLength(0);
  }, 30_000);

  it('keeps a partial package fill under partialFill: keep (the trade opens with the filled quantity)', async () => {
    app.sim.control.setFillBehavior({ next: true, behavior: 'partial', quantity: 1 });
    const trade = await pendingTrade('ic-natural', 2);
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    const after = (await getTrade(app.ctx.sql, trade.id))!;
    expect(after).toMatchObject({ status: 'open', quantity: 1 });
    const { ours, theirs } = await positionsMatch(trade.id);
    expect([...ours.values()].map(Math.abs)).toEqual([1, 1, 1, 1]);
    expect(theirs).toEqual(ours);
  }, 30_000);

  it('closes a partial package fill under partialFill: close with one compensation order: rolled back, flat', async () => {
    app.sim.control.setFillBehavior({ next: true, behavior: 'partial', quantity: 1 });
    const trade = await pendingTrade('ic-close', 2);
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'rolled_back', filledUnits: 1, orders: 2 });
    const orders = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    const comp = orders.find((o) => o.role === 'compensation')!;
    expect(comp).toMatchObject({ status: 'filled', size: 1 });
    expect(comp.legs.map((l) => l.action)).toEqual(legs.map((l) => closingAction(l.action)));
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rolled_back');
    expect(venuePositions()).toHaveLength(0);
    expect((await tradePositions(app.ctx.sql, trade.id)).every((p) => p.quantity === 0)).toBe(true);
  }, 40_000);

  it('retries a compensation close the broker refuses right after the fill ("no position yet"): rolled back, flat', async () => {
    app.sim.control.setFillBehavior({ next: true, behavior: 'partial', quantity: 1 });
    // Tastytrade's ledger lag: the first two closing orders after the fill are refused
    for (let i = 0; i < 2; i++)
      app.sim.control.setFillBehavior({ next: true, behavior: 'reject', message: 'No position to close (ledger lag)' });
    const trade = await pendingTrade('ic-close', 2);
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result).toMatchObject({ status: 'rolled_back', filledUnits: 1, orders: 4 });
    const comps = (await ordersOfGroup(app.ctx.sql, trade.entryGroupId)).filter((o) => o.role === 'compensation');
    expect(comps.map((o) => o.status)).toEqual(['rejected', 'rejected', 'filled']);
    for (const c of comps) {
      expect(c.size).toBe(1);
      expect(c.legs.map((l) => l.action)).toEqual(legs.map((l) => closingAction(l.action)));
      expect(venueOrders(c.id)).toHaveLength(1);
    }
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rolled_back');
    expect(venuePositions()).toHaveLength(0);
    expect((await tradePositions(app.ctx.sql, trade.id)).every((p) => p.quantity === 0)).toBe(true);
  }, 40_000);

  it('a 500 after create is an unknown outcome: found by our id, then carried on; exactly one order at the venue', async () => {
    app.sim.control.injectFault({ kind: 'http500AfterCreate' });
    const trade = await pendingTrade('ic-natural');
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result.status).toBe('filled');
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(venueOrders(order!.id)).toHaveLength(1);
    const events = await app.ctx.sql<
      { type: string }[]
    >`select type from order_events where order_id = ${order!.id} order by id`;
    expect(events.map((e) => e.type)).toContain('OutcomeUnknown');
    expect(events.map((e) => e.type)).toContain('Found');
  }, 30_000);

  it('the same job delivered twice (concurrently, then again) places one order', async () => {
    const trade = await pendingTrade('ic-natural');
    const [a, b] = await Promise.all([
      executeGroup(ctx, trade.id, trade.entryGroupId),
      executeGroup(ctx, trade.id, trade.entryGroupId),
    ]);
    const c = await executeGroup(ctx, trade.id, trade.entryGroupId);
    for (const r of [a, b, c]) expect(r).toMatchObject({ status: 'filled', filledUnits: 1, orders: 1 });
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(venueOrders(order!.id)).toHaveLength(1);
  }, 30_000);

  it('halted: an entry is denied, an exit still goes through', async () => {
    const open = await pendingTrade('ic-natural');
    expect((await executeGroup(ctx, open.id, open.entryGroupId)).status).toBe('filled');
    await setTradingState(app.ctx.sql, 'halted', 'test', 'testing');

    const entry = await pendingTrade('ic-natural');
    const denied = await executeGroup(ctx, entry.id, entry.entryGroupId);
    expect(denied.status).toBe('denied');
    expect(denied.reason).toMatch(/halted/);
    expect((await getTrade(app.ctx.sql, entry.id))!.status).toBe('rejected');

    const closingLegs = legs.map((l) => ({
      symbol: l.symbol,
      instrumentType: 'Equity Option' as const,
      action: closingAction(l.action),
      ratio: 1,
    }));
    const q = await quotePackage(ctx, closingLegs, 'SPY');
    const rs = app.ctx.rules.get('ic-natural')!;
    const intent: GroupIntent = {
      tradeId: open.id,
      kind: 'exit',
      mode: 'combo',
      quantity: 1,
      legs: closingLegs,
      partialFill: 'keep',
      ruleSet: rs.name,
      rulesHash: rs.hash,
      reason: 'test exit',
      pricing: {
        startCents: q.naturalCents,
        floorCents: q.naturalCents,
        stepCents: 1,
        stepEverySeconds: 1,
        maxSteps: 0,
        fillTimeoutSeconds: 5,
      },
    };
    const exitId = deterministicId('exit-group', open.id);
    await moveTrade(app.ctx.sql, open.id, 'ExitStarted');
    await insertGroup(app.ctx.sql, exitId, intent);
    const exit = await executeGroup(ctx, open.id, exitId);
    expect(exit.status).toBe('filled');
    const closed = (await getTrade(app.ctx.sql, open.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.exitDebitCents).toBeGreaterThan(0);
    // Net of the broker's fees for the 8 leg fills (entry + exit), as its transactions report them
    const [fees] = await app.ctx.sql<
      { n: number; cents: number }[]
    >`select count(*)::int as n, coalesce(sum(total_cents), 0)::int as cents from fees where trade_id = ${open.id}`;
    expect(fees!.n).toBe(8);
    expect(closed.realizedPnlCents).toBe(
      Math.round((closed.entryCreditCents! - closed.exitDebitCents!) * 100) - fees!.cents,
    );
    expect(venuePositions()).toHaveLength(0);
  }, 40_000);

  it('halt while an entry walks its price: no replace after the halt, the entry order cancelled, trade rejected, flat', async () => {
    app.sim.control.setFillBehavior({ underlying: 'SPY', behavior: 'never' });
    const trade = await pendingTrade('ic-walk');
    const running = executeGroup(ctx, trade.id, trade.entryGroupId);
    // The walk is moving: halt right after its first price step
    await waitUntil(
      async () =>
        (await app.ctx.sql`select 1 from audit_events where kind = 'price_step' and group_id = ${trade.entryGroupId}`)
          .length >= 1,
      { timeoutMs: 10_000, what: 'a first price step' },
    );
    await setTradingState(app.ctx.sql, 'halted', 'test', 'kill switch');
    const lastIdAtHalt = Math.max(...app.sim.venue.liveOrders(account).map((o) => Number(o['id'])));
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', filledUnits: 0 });
    expect(result.reason).toMatch(/cancelled: trading halted/);
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(order!.status).toBe('cancelled');
    const atVenue = venueOrders(order!.id);
    expect(atVenue.filter((o) => Number(o['id']) > lastIdAtHalt)).toHaveLength(0);
    expect(atVenue.map((o) => o['status'])).toEqual(atVenue.map(() => 'Cancelled'));
    // The walk itself stopped: it never even asked for a replace the order guard would have had to refuse
    expect(
      await app.ctx.sql`select 1 from audit_events where kind = 'order_refused' and order_id = ${order!.id}`,
    ).toHaveLength(0);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rejected');
    expect(venuePositions()).toHaveLength(0);
  }, 30_000);

  it('halt after a partial fill of a working entry: the rest cancelled, the filled unit closed by compensation (even under keep)', async () => {
    app.sim.control.setFillBehavior({ next: true, behavior: 'partial', quantity: 1 });
    const trade = await pendingTrade('ic-natural', 2);
    const running = executeGroup(ctx, trade.id, trade.entryGroupId);
    await waitUntil(
      async () =>
        (await ordersOfGroup(app.ctx.sql, trade.entryGroupId)).some((o) => o.role === 'package' && o.filledUnits === 1),
      { timeoutMs: 10_000, what: 'one of two units filled' },
    );
    await setTradingState(app.ctx.sql, 'halted', 'test', 'kill switch');
    const result = await running;
    expect(result).toMatchObject({ status: 'rolled_back', filledUnits: 1 });
    const orders = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(orders.find((o) => o.role === 'package')).toMatchObject({ status: 'cancelled', filledUnits: 1 });
    const comp = orders.filter((o) => o.role === 'compensation');
    expect(comp.map((o) => o.status)).toEqual(['filled']);
    expect(comp[0]!.legs.map((l) => l.action)).toEqual(legs.map((l) => closingAction(l.action)));
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rolled_back');
    expect(venuePositions()).toHaveLength(0);
  }, 30_000);

  it('resumes after a crash in the submit window from Postgres: looks the order up by our id, never re-sends', async () => {
    const trade = await pendingTrade('ic-walk');
    const intent = await planEntry(ctx, trade);
    await insertGroup(app.ctx.sql, trade.entryGroupId, intent);
    await app.ctx.sql`update order_groups set status = 'submitting' where id = ${trade.entryGroupId}`;
    const orderId = newId();
    await insertPlannedOrder(app.ctx.sql, {
      id: orderId,
      groupId: trade.entryGroupId,
      role: 'package',
      seq: 0,
      size: 1,
      limitPriceCents: intent.pricing.startCents,
      legs: intent.legs.map((l) => ({
        symbol: l.symbol,
        instrumentType: l.instrumentType,
        action: l.action,
        quantity: l.ratio,
      })),
    });
    expect((await submitOnce(app.ctx, orderId, trade.id)).kind).toBe('accepted');
    // The process died after the POST, before recording the answer
    await app.ctx.sql`update orders set status = 'submitting', broker_order_id = null where id = ${orderId}`;
    const result = await executeGroup(ctx, trade.id, trade.entryGroupId);
    expect(result.status).toBe('filled');
    const originals = venueOrders(orderId).filter((o) => o['replaces-order-id'] === undefined);
    expect(originals).toHaveLength(1);
  }, 30_000);

  it('working-groups limit: a second entry waits (retry later, not denied) while the first works', async () => {
    app.sim.control.setFillBehavior({ next: true, behavior: 'never' });
    const first = await pendingTrade('ic-limit');
    const second = await pendingTrade('ic-limit');
    const running = executeGroup(ctx, first.id, first.entryGroupId);
    await waitUntil(async () => (await getGroup(app.ctx.sql, first.entryGroupId))?.status === 'working', {
      timeoutMs: 10_000,
      what: 'the first group working',
    });
    const waiting = await executeGroup(ctx, second.id, second.entryGroupId);
    expect(waiting.status).toBe('planned');
    expect(waiting.retryAfterMs).toBeGreaterThan(0);
    expect((await getTrade(app.ctx.sql, second.id))!.status).toBe('pending');
    expect((await running).status).toBe('cancelled');
    expect((await executeGroup(ctx, second.id, second.entryGroupId)).status).toBe('filled');
  }, 40_000);
});
