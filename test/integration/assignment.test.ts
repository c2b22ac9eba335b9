// Owns Legwork across expiration and assignment against the venue (issue 12), on a frozen replayed clock: an early
// assignment of a condor's short put, an expiration with one short leg in the money, and options that expire
// worthless. The broker's settlements reach the trade through reconciliation, delivered shares become the trade's and
// are closed at the next open through the executor (reduce-only), the trade ends closed with its P&L net of fees, and
// nothing is left at the venue.
import { describe, expect, it } from 'vitest';
import { nyTime } from '@legwork/venue/calendar';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { preTradeGate } from '../../src/pipeline/execute/pre-trade-gate.js';
import { loadTradePnl } from '../../src/pipeline/pnl.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import type { GroupRow } from '../../src/store/groups.repo.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import { openCondorTrade } from '../support/condor-trades.js';
import type { TestApp } from '../support/app.js';
import { condorRule } from '../support/rules.js';
import { settlementChecks, type SettlementChecks } from '../support/settlement-checks.js';
import { useTradingApp } from '../support/trading-app.js';

let app: TestApp;
let ctx: ExecContext;
let checks: SettlementChecks;

// Exits that stay quiet for these days; the rule set holds through expiration so that settlement happens
const rule = (name: string) =>
  condorRule({
    name,
    symbols: ['SPY', 'QQQ', 'IWM'],
    entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
    execution: 'execution: { mode: combo, partialFill: keep }',
  }).replace(
    'exits: { takeProfitPct: 50 }',
    'exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 40, holdThroughExpiration: true }',
  );

// The venue's clock: frozen at Tuesday 2026-11-17 10:00 New York, moved only by the tests
useTradingApp({ 'settle.yaml': rule('settle') }, (t) => {
  ({ app, ctx } = t);
  checks = settlementChecks(app);
});

const explainedKinds = async (tradeId: string) =>
  (
    await app.ctx.sql<
      { data: { kind: string; symbol: string } }[]
    >`select data from audit_events where kind = 'position_explained' and trade_id = ${tradeId} order by id`
  ).map((a) => `${a.data.kind} ${a.data.symbol}`);
const alertKinds = async (tradeId: string) =>
  (
    await app.ctx.sql<
      { data: { kind: string; difference?: string } }[]
    >`select data from audit_events where kind = 'alert' and trade_id = ${tradeId} order by id`
  ).map((a) => `${a.data.kind}${a.data.difference ? `:${a.data.difference}` : ''}`);

/** Runs exit cycles and the exits they start until the trade is closed (at most `cycles`). */
async function closeThroughExits(trade: TradeRow, cycles = 4): Promise<string[]> {
  const reasons: string[] = [];
  for (let i = 0; i < cycles && (await getTrade(app.ctx.sql, trade.id))!.status !== 'closed'; i++) {
    const fired = (await evaluateExits(ctx)).triggered.find((t) => t.tradeId === trade.id);
    expect(fired, `exit cycle ${i} fired nothing for ${trade.id}`).toBeDefined();
    reasons.push(fired!.reason);
    expect((await executeGroup(ctx, trade.id, fired!.groupId)).status).toBe('filled');
  }
  return reasons;
}

describe('assignment and expiration', () => {
  it('an early assignment of the short put of an open condor: shares owned by the trade, alerted, closed with the other legs; the trade closed with its P&L', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'SPY');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    const assigned = app.sim.control.assign({ symbol: shortPut.symbol });
    expect(assigned.ok).toBe(true);
    expect(checks.venueHolds('SPY')).toContainEqual(['SPY', 100]);

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences.map((d) => [d.symbol, d.kind, d.tradeIds])).toEqual([
      ['SPY', 'delivered', [trade.id]],
      [shortPut.symbol, 'assigned', [trade.id]],
    ]);
    expect((await checks.settlementsOf(trade.id)).map((s) => [s.kind, s.symbol, s.action, s.quantity])).toEqual([
      ['assignment', shortPut.symbol, 'Buy to Close', 1],
      ['delivery', 'SPY', 'Buy to Open', 100],
    ]);
    expect(await explainedKinds(trade.id)).toEqual(['delivered SPY', `assigned ${shortPut.symbol}`]);
    expect(await alertKinds(trade.id)).toEqual(['assignment:delivered', 'assignment:assigned']);
    // The books agree with the broker again: the next reconciliation finds nothing
    expect((await reconcile(ctx, 'periodic')).positionDifferences).toEqual([]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');
    // Its P&L while it holds the shares: marked, shares at one share each
    const { pnl } = await loadTradePnl(app.ctx, [trade]);
    expect(pnl.get(trade.id)!.open).toContainEqual({ symbol: 'SPY', quantity: 100 });
    expect(pnl.get(trade.id)!.unmarked).toEqual([]);
    expect(Math.abs(pnl.get(trade.id)!.unrealizedCents!)).toBeLessThan(100 * Math.round(shortPut.strike * 100));

    // Policy `close`, the market is open: the shares first (Sell to Close), then the remaining legs
    const groups = await closeThroughExits(trade);
    expect(groups).toEqual(['assignment', 'assignment']);
    const [shareLeg] = await app.ctx.sql<
      { legs: { symbol: string; instrumentType: string; action: string; quantity: number }[] }[]
    >`
      select o.legs from orders o join order_groups g on g.id = o.group_id where g.trade_id = ${trade.id} and g.kind = 'exit' order by g.created_at limit 1`;
    expect(shareLeg!.legs).toEqual([
      { symbol: 'SPY', instrumentType: 'Equity', action: 'Sell to Close', quantity: 100 },
    ]);
    await checks.expectClosedWithPnl(trade, 'assignment', before);
  }, 90_000);

  it('one of two contracts of the short put assigned early: the 100 shares and every remaining leg closed, the trade closed with its P&L', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'IWM', { quantity: 2 });
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    expect(app.sim.control.assign({ symbol: shortPut.symbol, quantity: 1 }).ok).toBe(true);
    expect(checks.venueHolds('IWM')).toContainEqual([shortPut.symbol, -1]);

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences.map((d) => [d.symbol, d.kind, d.ours, d.broker])).toEqual([
      ['IWM', 'delivered', 0, 100],
      [shortPut.symbol, 'assigned', -2, -1],
    ]);
    expect(await closeThroughExits(trade)).toEqual(['assignment', 'assignment']);
    await checks.expectClosedWithPnl(trade, 'assignment', before);
  }, 90_000);

  it('an exit closing shares passes the gate on a fresh share quote (an exit cycle that read the trade before its settlement was recorded plans `leftovers`, which waits for quotes)', async () => {
    const exit = (reason: string): GroupRow => ({
      id: '00000000-0000-4000-8000-000000000001',
      tradeId: '00000000-0000-4000-8000-000000000002',
      kind: 'exit',
      mode: 'combo',
      status: 'planned',
      intent: {
        tradeId: '00000000-0000-4000-8000-000000000002',
        kind: 'exit',
        mode: 'combo',
        quantity: 100,
        partialFill: 'keep',
        ruleSet: 'settle',
        rulesHash: 'x',
        reason,
        legs: [{ symbol: 'SPY', instrumentType: 'Equity', action: 'Sell to Close', ratio: 1 }],
        pricing: {
          startCents: 60_000,
          floorCents: 59_000,
          stepCents: 100,
          stepEverySeconds: 5,
          maxSteps: 6,
          fillTimeoutSeconds: 45,
        },
      },
      filledUnits: 0,
      reason: null,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    const order = {
      orderType: 'Limit' as const,
      timeInForce: 'Day' as const,
      limitPriceCents: 60_000,
      legs: [{ symbol: 'SPY', instrumentType: 'Equity' as const, action: 'Sell to Close' as const, quantity: 100 }],
    };
    for (const reason of ['leftovers', 'assignment', 'take_profit']) {
      expect(await preTradeGate(ctx, exit(reason), order, { dryRun: false }), reason).toEqual({ kind: 'allowed' });
    }
  }, 30_000);

  it('an expiration with one short leg in the money: the put assigned, the rest expired, the shares closed at the next open, the trade closed', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'QQQ', { dte: 3 });
    expect(trade.expiration).toBe('2026-11-20');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    const longPut = trade.legs.find((l) => l.action === 'Buy to Open' && l.right === 'P')!;
    // Friday 15:59: QQQ between the put strikes, so only the short put is in the money at the close
    checks.advanceTo(nyTime('2026-11-20', '15:59'));
    expect(app.sim.control.moveMarket('QQQ', { spot: (shortPut.strike + longPut.strike) / 2 }).ok).toBe(true);
    checks.advanceTo(nyTime('2026-11-20', '16:05'));
    app.sim.control.tick();
    expect(checks.venueHolds('QQQ')).toEqual([['QQQ', 100]]);

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences.map((d) => d.kind).sort()).toEqual([
      'assigned',
      'delivered',
      'expired',
      'expired',
      'expired',
    ]);
    expect((await checks.settlementsOf(trade.id)).map((s) => s.kind).sort()).toEqual([
      'assignment',
      'delivery',
      'expiration',
      'expiration',
      'expiration',
    ]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');

    // Friday after the close (extended hours): nothing can be sent; the shares wait for Monday's open
    const night = await evaluateExits(ctx);
    expect(night.marketClosed).toBe('market is Extended');
    expect(night.triggered).toEqual([]);
    checks.advanceTo(nyTime('2026-11-23', '09:31'));
    expect(await closeThroughExits(trade)).toEqual(['assignment']);
    await checks.expectClosedWithPnl(trade, 'assignment', before);
  }, 90_000);

  it('options that expire worthless (on an early-close Friday) close the trade with its P&L: the credit less the fees', async () => {
    // Opened on Monday 2026-11-23 (the clock the previous test left, or moved there)
    if (app.sim.clock.now() < nyTime('2026-11-23', '10:00')) checks.advanceTo(nyTime('2026-11-23', '10:00'));
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'IWM', { dte: 4 });
    expect(trade.expiration).toBe('2026-11-27');
    const shorts = trade.legs.filter((l) => l.action === 'Sell to Open');
    checks.advanceTo(nyTime('2026-11-27', '12:59'));
    expect(app.sim.control.moveMarket('IWM', { spot: (shorts[0]!.strike + shorts[1]!.strike) / 2 }).ok).toBe(true);
    checks.advanceTo(nyTime('2026-11-27', '13:05'));
    app.sim.control.tick();
    expect(checks.venueHolds('IWM')).toEqual([]);

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences.map((d) => d.kind)).toEqual(['expired', 'expired', 'expired', 'expired']);
    expect(await explainedKinds(trade.id)).toEqual(trade.legs.map((l) => `expired ${l.symbol}`).sort());
    const realized = await checks.expectClosedWithPnl(trade, 'expired', before);
    const [fees] = await app.ctx.sql<
      { fee: string }[]
    >`select fee_cents::text as fee from trade_fees where trade_id = ${trade.id}`;
    expect(realized).toBe(Number(trade.entryCreditCents) * 100 - Number(fees!.fee));
    expect(await alertKinds(trade.id)).toEqual([]);
  }, 90_000);

  it("an expiration with both puts in the money (the maximum loss): shares bought and sold at the two strikes net to none, the trade closed with the strikes' difference in its P&L", async () => {
    if (app.sim.clock.now() < nyTime('2026-11-30', '10:00')) checks.advanceTo(nyTime('2026-11-30', '10:00'));
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'SPY', { dte: 4 });
    expect(trade.expiration).toBe('2026-12-04');
    const longPut = trade.legs.find((l) => l.action === 'Buy to Open' && l.right === 'P')!;
    checks.advanceTo(nyTime('2026-12-04', '15:59'));
    expect(app.sim.control.moveMarket('SPY', { spot: longPut.strike - 5 }).ok).toBe(true);
    checks.advanceTo(nyTime('2026-12-04', '16:05'));
    app.sim.control.tick();
    expect(checks.venueHolds('SPY')).toEqual([]);

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences.map((d) => d.kind).sort()).toEqual([
      'assigned',
      'exercised',
      'expired',
      'expired',
    ]);
    expect((await checks.settlementsOf(trade.id)).map((s) => [s.kind, s.action]).sort()).toEqual([
      // the venue settles the long put first (shares sold short), then the short put's assignment buys them back
      ['assignment', 'Buy to Close'],
      ['delivery', 'Buy to Close'],
      ['delivery', 'Sell to Open'],
      ['exercise', 'Sell to Close'],
      ['expiration', 'Buy to Close'],
      ['expiration', 'Sell to Close'],
    ]);
    const realized = await checks.expectClosedWithPnl(trade, 'assigned', before);
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    const [fees] = await app.ctx.sql<
      { fee: string }[]
    >`select fee_cents::text as fee from trade_fees where trade_id = ${trade.id}`;
    // Bought at the short strike, sold at the long one: the width less the credit, and the fees
    expect(realized).toBe(
      Number(trade.entryCreditCents) * 100 -
        Math.round((shortPut.strike - longPut.strike) * 100) * 100 -
        Number(fees!.fee),
    );
  }, 90_000);
});
