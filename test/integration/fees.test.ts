// Realised P&L is net of the broker's fees (issue 11, defect 11): a condor opened and closed through the venue ends
// with realized_pnl_cents = credit − debit − the fees the venue's transactions report for its orders; a rolled-back
// entry records its cost the same way.
import { describe, expect, it } from 'vitest';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { executeLegged } from '../../src/pipeline/execute/legged.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { loadTradePnl } from '../../src/pipeline/pnl.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import { getTrade, insertPendingTrade } from '../../src/store/trades.repo.js';
import { condorOf, leggedCondorTrade, testExecContext } from '../support/executor-process.js';
import { venueCondorLegs } from '../support/iron-condor.js';
import type { TestApp } from '../support/app.js';
import { useTradingApp } from '../support/trading-app.js';

const RULE = `version: 1
name: fee-dte
strategy: iron-condor
universe: { symbols: [SPY] }
params:
  dte: { min: 20, max: 70 }
  wings: { points: 5 }
sizing: { quantity: 2 }
entry: { price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }
execution: { mode: combo, partialFill: keep }
exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: 40, shortDeltaBreach: null, underlyingThroughShortStrike: false, timeStopDays: null }
risk: { maxOpenTrades: 50, maxTotalRisk: 500000, maxRiskPerUnderlying: 500000, maxWorkingGroups: 5 }
`;

let app: TestApp;
let ctx: ExecContext;
useTradingApp({ 'fee.yaml': RULE }, (t) => {
  ({ app, ctx } = t);
});

type Json = Record<string, unknown>;

describe('fees', () => {
  it("open + close a condor: realized_pnl_cents = credit − debit − the fees in the venue's transactions", async () => {
    const { trade, closed, fees, credit, debit } = await openAndClose(ctx);
    expect(Number(closed.realizedPnlCents)).toBe(credit - debit - fees);
    // the fees table holds them per fill, and the API's P&L (loadTradePnl) is net of them too
    const [row] = await app.ctx.sql<
      { n: number; total: number }[]
    >`select count(*)::int as n, sum(total_cents)::int as total from fees where trade_id = ${trade.id}`;
    expect(row).toEqual({ n: 8, total: fees });
    const { pnl } = await loadTradePnl(app.ctx, [closed]);
    expect(pnl.get(trade.id)).toMatchObject({ realizedCents: credit - debit - fees, feeCents: fees });
  }, 60_000);

  it('fees the broker could not report when the trade closed are caught up by reconciliation, and the P&L corrected', async () => {
    const down: ExecContext = {
      ...ctx,
      broker: { ...ctx.broker, transactions: () => Promise.reject(new Error('transactions unavailable')) },
    };
    const { trade, closed, fees, credit, debit } = await openAndClose(down);
    expect(Number(closed.realizedPnlCents)).toBe(credit - debit); // recorded without them
    const report = await reconcile(ctx, 'periodic');
    expect(report.feesCaughtUp).toBe(1);
    expect(Number((await getTrade(app.ctx.sql, trade.id))!.realizedPnlCents)).toBe(credit - debit - fees);
    expect((await reconcile(ctx, 'periodic')).feesCaughtUp).toBe(0); // once
  }, 60_000);

  it("a rolled-back entry records its cost: the net of its fills and closes, fees included, as the venue's transactions say", async () => {
    const c = condorOf(app.sim, 0.04);
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    // The long put fills, the long call is refused: the long put is sold back
    app.sim.control.setFillBehavior({
      symbol: c.longCall.symbol,
      behavior: 'reject',
      message: 'Exchange rejected (test)',
    });
    try {
      // Wall-time deadlines on the frozen venue, as the other legged tests run
      expect(
        (
          await executeLegged(testExecContext(app.ctx), group, trade, {
            pollMs: 50,
            brokerPollMs: 200,
            closeBackoffMs: 100,
          })
        ).status,
      ).toBe('rolled_back');
    } finally {
      app.sim.venue.clearFillRules();
    }
    const rolled = (await getTrade(app.ctx.sql, trade.id))!;
    expect(rolled.status).toBe('rolled_back');
    const brokerOrders = (
      await app.ctx.sql<{ id: number }[]>`select distinct broker_order_id as id from fills where trade_id = ${trade.id}`
    ).map((r) => Number(r.id));
    expect(brokerOrders).toHaveLength(2); // the buy and its sale
    const account = app.sim.venue.accountNumbers()[0]!;
    const txs = (app.sim.venue.transactions(account, { perPage: 2000 }).items as Json[]).filter((t) =>
      brokerOrders.includes(Number(t['order-id'])),
    );
    expect(txs).toHaveLength(2);
    const signed = (t: Json, field: string) =>
      Math.round(Number(t[field]) * 100) * (t[`${field}-effect`] === 'Debit' ? -1 : 1);
    const net = txs.reduce((n, t) => n + signed(t, 'net-value'), 0);
    const principal = txs.reduce((n, t) => n + signed(t, 'value'), 0);
    expect(net).toBeLessThan(principal); // the fees are a cost on top of the spread
    expect(Number(rolled.realizedPnlCents)).toBe(net);
  }, 60_000);
});

/** Opens a 2-lot SPY condor and closes it by its close-at-DTE exit, through `execCtx`; the venue's fees for both orders. */
async function openAndClose(execCtx: ExecContext) {
  const legs = venueCondorLegs(app.sim, 'SPY', { width: 5 });
  const rs = app.ctx.rules.get('fee-dte')!;
  const id = newId();
  const { trade } = await insertPendingTrade(app.ctx.sql, {
    id,
    ruleSet: rs.name,
    rulesHash: rs.hash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: legs[0]!.expiration,
    quantity: 2,
    legs,
    entryGroupId: deterministicId('entry-group', id),
    riskCents: 80_000,
    expectedCreditCents: 100,
    facts: {},
  });
  expect((await executeGroup(execCtx, trade.id, trade.entryGroupId)).status).toBe('filled');
  const exit = (await evaluateExits(execCtx)).triggered.find((t) => t.tradeId === trade.id);
  expect(exit?.reason).toBe('close_at_dte');
  expect((await executeGroup(execCtx, trade.id, exit!.groupId)).status).toBe('filled');
  const closed = (await getTrade(app.ctx.sql, trade.id))!;
  expect(closed.status).toBe('closed');

  // The venue's own record of what the two orders cost
  const brokerOrders = (
    await app.ctx.sql<{ id: number }[]>`select distinct broker_order_id as id from fills where trade_id = ${trade.id}`
  ).map((r) => Number(r.id));
  expect(brokerOrders).toHaveLength(2);
  const account = app.sim.venue.accountNumbers()[0]!;
  const txs = (app.sim.venue.transactions(account, { perPage: 2000 }).items as Json[]).filter((t) =>
    brokerOrders.includes(Number(t['order-id'])),
  );
  expect(txs).toHaveLength(8); // 4 legs × (open, close)
  const cents = (v: unknown) => Math.round(Number(v) * 100);
  const fees = txs.reduce(
    (n, t) =>
      n +
      cents(t['commission']) +
      cents(t['clearing-fees']) +
      cents(t['regulatory-fees']) +
      cents(t['proprietary-index-option-fees']),
    0,
  );
  expect(fees).toBeGreaterThan(0);

  const credit = Number(closed.entryCreditCents) * 100 * 2; // cents per share per structure → cents for 2 structures
  const debit = Number(closed.exitDebitCents) * 100 * 2;
  return { trade, closed, fees, credit, debit };
}
