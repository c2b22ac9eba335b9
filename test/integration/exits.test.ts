// Exit rules end to end: an entry executed at the venue, the market (or the clock) moved, evaluateExits → an exit group
// with the rule's reason → executeGroup → trade closed and the venue flat again. Halt never blocks exits.
import { describe, expect, it } from 'vitest';
import { deterministicId } from '../../src/domain/ids.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits, flattenAll } from '../../src/pipeline/exit/exits.js';
import { loadTradePnl } from '../../src/pipeline/pnl.js';
import { auditForTrade } from '../../src/store/audit.repo.js';
import { getGroup, groupsOfTrade } from '../../src/store/groups.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import type { TestApp } from '../support/app.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { useTradingApp } from '../support/trading-app.js';

const NONE =
  'takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, shortDeltaBreach: null, underlyingThroughShortStrike: false, timeStopDays: null';
const RULE = (name: string, exits: string) => `version: 1
name: ${name}
strategy: iron-condor
universe: { symbols: [SPY] }
params:
  dte: { min: 20, max: 50 }
  wings: { points: 5 }
sizing: { quantity: 1 }
entry: { price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }
execution: { mode: combo, partialFill: keep }
exits: { ${NONE.split(', ')
  .filter((kv) => !exits.includes(kv.split(':')[0]!))
  .join(', ')}${exits ? `, ${exits}` : ''} }
risk: { maxOpenTrades: 50, maxTotalRisk: 500000, maxRiskPerUnderlying: 500000, maxWorkingGroups: 5 }
`;

let app: TestApp;
let ctx: ExecContext;
let account: string;
const SYMBOLS = ['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'AMZN'];
const initial = new Map<string, number>();

// Days to expiration and days held follow the venue's clock
useTradingApp(
  {
    'tp.yaml': RULE('x-tp', 'takeProfitPct: 50'),
    'sl.yaml': RULE('x-sl', 'stopLossMultiple: 1'),
    // The condor's expiration is ~35 days out: closing at 40 DTE fires at once (the window must reach past 40)
    'dte.yaml': RULE('x-dte', 'closeAtDte: 40').replace('max: 50', 'max: 70'),
    'delta.yaml': RULE('x-delta', 'shortDeltaBreach: 0.4'),
    'through.yaml': RULE('x-through', 'underlyingThroughShortStrike: true'),
    'time.yaml': RULE('x-time', 'timeStopDays: 1'),
    'none.yaml': RULE('x-none', 'closeAtDte: 21, takeProfitPct: 95, stopLossMultiple: 20'),
  },
  (t) => {
    ({ app, ctx, account } = t);
    for (const s of SYMBOLS) initial.set(s, app.sim.market.spot(s));
  },
);

const venueSigned = (underlying: string) => venueSignedPositions(app.sim, account, underlying);

const openTrade = (ruleName: string, underlying: string): Promise<TradeRow> =>
  openCondorTrade(app, ctx, ruleName, underlying);

/** evaluateExits fires `reason` for this trade; the executor closes it; the venue is flat in that underlying. */
async function expectExit(trade: TradeRow, reason: string): Promise<void> {
  const report = await evaluateExits(ctx);
  const hit = report.triggered.find((t) => t.tradeId === trade.id);
  expect(hit, JSON.stringify(report)).toBeDefined();
  expect(hit!.reason).toBe(reason);
  expect(hit!.groupId).toBe(deterministicId('exit-group', trade.id));
  expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closing');
  const group = (await getGroup(app.ctx.sql, hit!.groupId))!;
  expect(group.kind).toBe('exit');
  expect(group.intent.reason).toBe(reason);
  expect(group.intent.pricing.startCents).toBeLessThan(0); // a debit
  expect(group.intent.legs.map((l) => l.action).sort()).toEqual([
    'Buy to Close',
    'Buy to Close',
    'Sell to Close',
    'Sell to Close',
  ]);
  const audit = await auditForTrade(app.ctx.sql, trade.id);
  expect(audit.find((a) => a.kind === 'exit_triggered')?.data['reason']).toBe(reason);
  // A second evaluation does not fire again (the trade is closing)
  expect((await evaluateExits(ctx)).triggered.find((t) => t.tradeId === trade.id)).toBeUndefined();
  const result = await executeGroup(ctx, trade.id, hit!.groupId);
  expect(result.status).toBe('filled');
  const closed = (await getTrade(app.ctx.sql, trade.id))!;
  expect(closed.status).toBe('closed');
  expect(closed.exitReason).toBe(reason);
  expect(venueSigned(trade.underlying)).toEqual([]);
  const { pnl } = await loadTradePnl(app.ctx, [closed]);
  expect(pnl.get(trade.id)!.realizedCents).toBe(Number(closed.realizedPnlCents));
}

describe('exit rules close positions at the venue', () => {
  it('nothing fires → no exit group', async () => {
    const trade = await openTrade('x-none', 'SPY');
    const report = await evaluateExits(ctx);
    expect(report.triggered).toEqual([]);
    expect(report.held.map((h) => h.tradeId)).toContain(trade.id);
    expect((await groupsOfTrade(app.ctx.sql, trade.id)).filter((g) => g.kind === 'exit')).toEqual([]);
    // Unrealised P&L of the open trade: cash from the entry fills plus the mark value of the held legs
    const { pnl, marksAvailable } = await loadTradePnl(app.ctx, [trade]);
    expect(marksAvailable).toBe(true);
    const p = pnl.get(trade.id)!;
    expect(p.cashCents).toBe(Number(trade.entryCreditCents) * 100);
    expect(p.realizedCents).toBeNull();
    expect(Math.abs(p.unrealizedCents!)).toBeLessThan(Math.abs(p.cashCents) + 500);
    // flatten closes it anyway (legwork halt --flatten)
    const flat = await flattenAll(ctx, 'test');
    expect(flat.flattened.map((f) => f.tradeId)).toEqual([trade.id]);
    expect((await executeGroup(ctx, trade.id, flat.flattened[0]!.groupId)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.exitReason).toBe('flatten');
    expect(venueSigned('SPY')).toEqual([]);
  });

  it('close at DTE (and halted still exits)', async () => {
    const trade = await openTrade('x-dte', 'SPY');
    await setTradingState(app.ctx.sql, 'halted', 'test', 'exits must still run');
    await expectExit(trade, 'close_at_dte');
  });

  it('take profit after implied volatility collapses', async () => {
    const trade = await openTrade('x-tp', 'QQQ');
    app.sim.control.moveMarket('QQQ', { vol: 0.03 });
    await expectExit(trade, 'take_profit');
  });

  it('stop loss after a sharp drop', async () => {
    const trade = await openTrade('x-sl', 'IWM');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    app.sim.control.moveMarket('IWM', { spot: shortPut.strike * 0.93 });
    await expectExit(trade, 'stop_loss');
  });

  it('short delta breach as the underlying nears the short put', async () => {
    const trade = await openTrade('x-delta', 'AAPL');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    app.sim.control.moveMarket('AAPL', { spot: shortPut.strike * 1.005 });
    await expectExit(trade, 'short_delta_breach');
  });

  it('underlying through the short call strike', async () => {
    const trade = await openTrade('x-through', 'MSFT');
    const shortCall = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'C')!;
    app.sim.control.moveMarket('MSFT', { spot: shortCall.strike + 1 });
    await expectExit(trade, 'underlying_through_short_strike');
  });

  it('time stop after a day held', async () => {
    const trade = await openTrade('x-time', 'AMZN');
    expect((await evaluateExits(ctx)).triggered).toEqual([]);
    app.sim.control.advanceClock(86_400_000 + 60_000);
    await expectExit(trade, 'time_stop');
  });
});
