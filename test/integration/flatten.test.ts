// Owns issue 11 defect 4 (flatten and resume) against the venue: `halt --flatten` closes every position Legwork holds
// (open trades, a broken trade holding naked shorts), from actual positions, at night too (the request stands and
// the first exit cycle after the open flattens); pricing without quotes comes from the last marks, never $0.01;
// `resume` is refused while anything is broken unless forced with a reason; broken trades count toward the limits.
import { describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { runHalt } from '../../src/cli/halt.js';
import { newId } from '../../src/domain/ids.js';
import type { IntentLeg } from '../../src/domain/order-group.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { refreshOrder } from '../../src/pipeline/execute/group-orders.js';
import { evaluateExits, flattenAll } from '../../src/pipeline/exit/exits.js';
import { submitOnce } from '../../src/pipeline/execute/order-submission.js';
import { auditForTrade, recentAudit } from '../../src/store/audit.repo.js';
import { getGroup, insertGroup, moveGroup } from '../../src/store/groups.repo.js';
import { getOrder, insertPlannedOrder, tradePositions } from '../../src/store/orders.repo.js';
import { getTradingState, setTradingState } from '../../src/store/settings.repo.js';
import { getTrade, moveTrade, riskSummary, type TradeRow } from '../../src/store/trades.repo.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import type { TestApp } from '../support/app.js';
import { openCondorTrade, pendingCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';
import { useTradingApp } from '../support/trading-app.js';
import { waitUntil } from '../support/wait-until.js';

let app: TestApp;
let ctx: ExecContext;
let account: string;
const HOUR = 3_600_000;

useTradingApp(
  {
    'hold.yaml': condorRule({
      name: 'flat-hold',
      entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
      execution: 'execution: { mode: combo, partialFill: keep }',
    }).replace('exits: { takeProfitPct: 50 }', 'exits: { takeProfitPct: 99 }'),
  },
  (t) => {
    ({ app, ctx, account } = t);
  },
);

const venueSigned = (underlying: string) => venueSignedPositions(app.sim, account, underlying);

const pendingTrade = (underlying: string): Promise<TradeRow> => pendingCondorTrade(app, 'flat-hold', underlying);
const openTrade = (underlying: string): Promise<TradeRow> => openCondorTrade(app, ctx, 'flat-hold', underlying);

/** A condor whose wings never filled: the entry sold both shorts, its rollback failed, the trade is broken (naked). */
async function brokenNakedTrade(underlying: string): Promise<TradeRow> {
  const trade = await pendingTrade(underlying);
  const shorts = trade.legs.filter((l) => l.action === 'Sell to Open');
  const legs: IntentLeg[] = shorts.map((l) => ({
    symbol: l.symbol,
    instrumentType: 'Equity Option',
    action: 'Sell to Open',
    ratio: 1,
  }));
  await insertGroup(app.ctx.sql, trade.entryGroupId, {
    tradeId: trade.id,
    kind: 'entry',
    mode: 'legged',
    quantity: 1,
    legs,
    partialFill: 'close',
    ruleSet: trade.ruleSet,
    rulesHash: trade.rulesHash,
    pricing: { startCents: 1, floorCents: 1, stepCents: 1, stepEverySeconds: 1, maxSteps: 0, fillTimeoutSeconds: 5 },
  });
  const { order } = await insertPlannedOrder(app.ctx.sql, {
    id: newId(),
    groupId: trade.entryGroupId,
    role: 'leg',
    seq: 0,
    size: 1,
    limitPriceCents: 200,
    legs: legs.map((l) => ({ symbol: l.symbol, instrumentType: l.instrumentType, action: l.action, quantity: 1 })),
  });
  expect((await submitOnce(app.ctx, order.id, trade.id)).kind).toBe('accepted');
  await waitUntil(async () => (await refreshOrder(ctx, (await getOrder(app.ctx.sql, order.id))!)).status === 'filled', {
    timeoutMs: 10_000,
    what: 'the naked shorts to fill',
  });
  await moveGroup(app.ctx.sql, trade.entryGroupId, 'Broken', { reason: 'test: wings never filled, rollback failed' });
  expect(await moveTrade(app.ctx.sql, trade.id, 'Broken', { exitReason: 'test' })).toBe(true);
  expect(venueSigned(underlying).map(([, q]) => q)).toEqual([-1, -1]);
  return (await getTrade(app.ctx.sql, trade.id))!;
}

const capture = () => {
  const lines: string[] = [];
  return { out: (s: string) => lines.push(s), text: () => lines.join('\n') };
};

describe('halt --flatten', () => {
  it('closes every position held — open and broken (naked) trades — and the request stands across the night', async () => {
    const open = await openTrade('SPY');
    const broken = await brokenNakedTrade('QQQ');
    // Broken trades count toward every limit: risk, open trades, busy underlyings
    const risk = await riskSummary(app.ctx.sql);
    expect(risk.underlyings.has('QQQ')).toBe(true);
    expect(risk.riskByUnderlying.get('QQQ')).toBe(40_000);

    // resume from reducing is refused while the broken trade is there
    await setTradingState(app.ctx.sql, 'reducing', 'executor', 'group broken');
    expect(await runHalt([], 'resume', { app: app.ctx, out: capture().out })).toBe(1);
    expect(await runHalt(['--force'], 'resume', { app: app.ctx, out: capture().out })).toBe(1);
    expect((await getTradingState(app.ctx.sql)).state).toBe('reducing');

    // 21:00 New York: flatten is requested while nothing can be sent
    app.sim.control.advanceClock(11 * HOUR);
    const o = capture();
    expect(await runHalt(['--flatten', '--reason', 'test'], 'halt', { app: app.ctx, out: o.out })).toBe(0);
    expect(await getTradingState(app.ctx.sql)).toMatchObject({ state: 'halted', flatten: true });
    expect(o.text()).toContain('flatten: 0 exit groups queued');
    expect(o.text()).toContain(`not yet trade ${broken.id}: market is Closed: flattened at the open`);
    const night = await evaluateExits(ctx);
    expect(night.triggered).toEqual([]);

    // The first exit cycle after the open flattens both, from what each trade actually holds
    app.sim.control.advanceClock(app.sim.clock.session().nextOpenAt - app.sim.clock.now() + 60_000);
    const morning = await evaluateExits(ctx);
    const byTrade = new Map(morning.triggered.map((t) => [t.tradeId, t]));
    expect([...byTrade.keys()].sort()).toEqual([open.id, broken.id].sort());
    expect(morning.triggered.every((t) => t.reason === 'flatten')).toBe(true);
    const brokenExit = (await getGroup(app.ctx.sql, byTrade.get(broken.id)!.groupId))!;
    expect(brokenExit.intent.legs.map((l) => `${l.action} ${l.symbol}`).sort()).toEqual(
      broken.legs
        .filter((l) => l.action === 'Sell to Open')
        .map((l) => `Buy to Close ${l.symbol}`)
        .sort(),
    );
    for (const t of morning.triggered) expect((await executeGroup(ctx, t.tradeId, t.groupId)).status).toBe('filled');
    for (const id of [open.id, broken.id]) {
      const t = (await getTrade(app.ctx.sql, id))!;
      expect(t.status).toBe('closed');
      expect(t.exitReason).toBe('flatten');
      expect((await tradePositions(app.ctx.sql, id)).every((p) => p.quantity === 0)).toBe(true);
    }
    expect(venueSigned('SPY')).toEqual([]);
    expect(venueSigned('QQQ')).toEqual([]);

    // The request still stands (nothing left to do) until resume, which nothing blocks now and which clears it
    expect((await evaluateExits(ctx)).triggered).toEqual([]);
    expect((await getTradingState(app.ctx.sql)).flatten).toBe(true);
    expect(await runHalt([], 'resume', { app: app.ctx, out: capture().out })).toBe(0);
    expect((await getTradingState(app.ctx.sql)).flatten).toBeUndefined();
  }, 90_000);

  it('prices without quotes from the last marks toward natural, never a blind $0.01, and closes', async () => {
    const trade = await openTrade('IWM');
    const noQuotes: ExecContext = {
      ...ctx,
      marketData: { ...ctx.marketData, snapshot: () => Promise.reject(new Error('quote feed down')) },
    };
    const r = await flattenAll(noQuotes, 'test');
    expect(r.flattened.map((f) => f.tradeId)).toEqual([trade.id]);
    const group = (await getGroup(app.ctx.sql, r.flattened[0]!.groupId))!;
    // Start: the entry fills (the last marks known) of each leg, closing sign: buy shorts (−), sell longs (+)
    const fills = await app.ctx.sql<{ symbol: string; action: string; price: number }[]>`
      select symbol, action, price_cents::int as price from fills where trade_id = ${trade.id}`;
    const start = fills.reduce((n, f) => n + (f.action.startsWith('Sell') ? -f.price : f.price), 0);
    expect(group.intent.pricing.startCents).toBe(start);
    expect(group.intent.pricing.floorCents).toBeLessThan(start);
    expect(group.intent.pricing.floorCents).not.toBe(-1);
    const audit = (await auditForTrade(app.ctx.sql, trade.id)).find((a) => a.kind === 'exit_triggered');
    expect(audit?.data).toMatchObject({ reason: 'flatten', pricedFrom: 'marks' });
    // The executor walks it toward natural on the real clock until the venue fills it
    const real = createExecContext(app.ctx);
    expect((await executeGroup(real, trade.id, group.id)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
    expect(venueSigned('IWM')).toEqual([]);
  }, 90_000);

  it('resume --force needs a reason and is audited with what it overrode', async () => {
    const broken = await brokenNakedTrade('AAPL');
    await setTradingState(app.ctx.sql, 'reducing', 'executor', 'group broken');
    expect(
      await runHalt(['--force', '--reason', 'I will close AAPL by hand'], 'resume', {
        app: app.ctx,
        out: capture().out,
      }),
    ).toBe(0);
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
    const audit = (await recentAudit(app.ctx.sql, 10)).find((a) => a.kind === 'resume');
    expect(audit?.data).toMatchObject({
      state: 'active',
      reason: 'I will close AAPL by hand',
      forced: true,
      overriddenTrades: [broken.id],
      from: 'reducing',
    });
  }, 60_000);

  it('an open trade left holding part of its structure (an exit closed one side only) is closed by the next exit cycle', async () => {
    const trade = await openTrade('MSFT');
    // An exit that closed the put spread and gave up on the call spread: the trade is open again with two legs
    const puts = trade.legs.filter((l) => l.right === 'P');
    const exitId = newId();
    const legs: IntentLeg[] = puts.map((l) => ({
      symbol: l.symbol,
      instrumentType: 'Equity Option',
      action: l.action === 'Sell to Open' ? 'Buy to Close' : 'Sell to Close',
      ratio: 1,
    }));
    expect(await moveTrade(app.ctx.sql, trade.id, 'ExitStarted', { exitReason: 'stop_loss' })).toBe(true);
    await insertGroup(app.ctx.sql, exitId, {
      tradeId: trade.id,
      kind: 'exit',
      mode: 'legged',
      quantity: 1,
      legs,
      partialFill: 'keep',
      ruleSet: trade.ruleSet,
      rulesHash: trade.rulesHash,
      pricing: {
        startCents: -500,
        floorCents: -500,
        stepCents: 1,
        stepEverySeconds: 1,
        maxSteps: 0,
        fillTimeoutSeconds: 5,
      },
    });
    const { order } = await insertPlannedOrder(app.ctx.sql, {
      id: newId(),
      groupId: exitId,
      role: 'leg',
      seq: 0,
      size: 1,
      limitPriceCents: -500,
      legs: legs.map((l) => ({ symbol: l.symbol, instrumentType: l.instrumentType, action: l.action, quantity: 1 })),
    });
    expect((await submitOnce(app.ctx, order.id, trade.id)).kind).toBe('accepted');
    await waitUntil(
      async () => (await refreshOrder(ctx, (await getOrder(app.ctx.sql, order.id))!)).status === 'filled',
      { timeoutMs: 10_000, what: 'the put spread close to fill' },
    );
    await moveGroup(app.ctx.sql, exitId, 'Cancelled', { reason: 'test: exit incomplete, call side still held' });
    expect(await moveTrade(app.ctx.sql, trade.id, 'ExitEnded')).toBe(true);
    expect(venueSigned('MSFT')).toHaveLength(2);

    const cycle = await evaluateExits(ctx);
    const mine = cycle.triggered.filter((t) => t.tradeId === trade.id);
    expect(mine.map((t) => t.reason)).toEqual(['leftovers']);
    const group = (await getGroup(app.ctx.sql, mine[0]!.groupId))!;
    expect(group.intent.legs.map((l) => `${l.action} ${l.symbol}`).sort()).toEqual(
      trade.legs
        .filter((l) => l.right === 'C')
        .map((l) => `${l.action === 'Sell to Open' ? 'Buy to Close' : 'Sell to Close'} ${l.symbol}`)
        .sort(),
    );
    expect((await executeGroup(createExecContext(app.ctx), trade.id, group.id)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!).toMatchObject({ status: 'closed', exitReason: 'leftovers' });
    expect(venueSigned('MSFT')).toEqual([]);
  }, 90_000);
});
