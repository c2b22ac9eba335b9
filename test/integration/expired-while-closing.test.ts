// Owns a trade whose exit was still working when its options expired worthless (issue 12): reconciliation records the
// expirations while the trade is `closing`; once the exit ends (nothing filled, the trade `open` again holding
// nothing) the next reconciliation closes it with its P&L — after the close, without waiting for the next open.
import { describe, expect, it } from 'vitest';
import { nyTime } from '@legwork/venue/calendar';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import { getTrade, moveTrade } from '../../src/store/trades.repo.js';
import type { TestApp } from '../support/app.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';
import { settlementChecks, type SettlementChecks } from '../support/settlement-checks.js';
import { useTradingApp } from '../support/trading-app.js';

const RULE = condorRule({
  name: 'settle',
  entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
  execution: 'execution: { mode: combo, partialFill: keep }',
}).replace(
  'exits: { takeProfitPct: 50 }',
  'exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 40, holdThroughExpiration: true }',
);

let app: TestApp;
let ctx: ExecContext;
let checks: SettlementChecks;

// The venue's clock: frozen at Tuesday 2026-11-17 10:00 New York, moved only by the test
useTradingApp({ 'settle.yaml': RULE }, (t) => {
  ({ app, ctx } = t);
  checks = settlementChecks(app);
});

describe('options that expire while the trade is closing', () => {
  it('close the trade at the next reconciliation once its exit ends, market closed or not', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'settle', 'QQQ', { dte: 3 });
    expect(trade.expiration).toBe('2026-11-20');
    const shorts = trade.legs.filter((l) => l.action === 'Sell to Open');
    checks.advanceTo(nyTime('2026-11-20', '15:59'));
    expect(app.sim.control.moveMarket('QQQ', { spot: (shorts[0]!.strike + shorts[1]!.strike) / 2 }).ok).toBe(true);
    // An exit in flight at the close (what a stop loss whose orders the venue expires at the close looks like)
    expect(await moveTrade(app.ctx.sql, trade.id, 'ExitStarted', { exitReason: 'stop_loss' })).toBeTruthy();
    checks.advanceTo(nyTime('2026-11-20', '16:05'));
    app.sim.control.tick();
    expect(checks.venueHolds('QQQ')).toEqual([]);

    await reconcile(ctx, 'periodic');
    expect((await checks.settlementsOf(trade.id)).map((s) => s.kind)).toEqual([
      'expiration',
      'expiration',
      'expiration',
      'expiration',
    ]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closing');
    // The exit ends with nothing filled: the trade is open again, holding nothing
    expect(await moveTrade(app.ctx.sql, trade.id, 'ExitEnded')).toBeTruthy();
    checks.advanceTo(nyTime('2026-11-20', '18:00'));
    expect(app.sim.clock.session().state).not.toBe('Open');
    expect((await reconcile(ctx, 'periodic')).positionDifferences).toEqual([]);
    await checks.expectClosedWithPnl(trade, 'expired', before);
  }, 60_000);
});
