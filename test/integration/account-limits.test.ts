// rules/account.yaml against the venue: two rule sets together over the account allocation (the second entry is denied
// naming the limit, nothing sent), a daily loss when the venue moves the market against the book (trading halts in
// that exit cycle, why is recorded, `resume` resets it), and a broken account file that denies entries, never exits.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { nyDate } from '../../src/domain/dates.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { resumeTrading } from '../../src/pipeline/resume.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { openCondorTrade, pendingCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';

let app: TestApp;
let ctx: ExecContext;
let netLiqCents = 0;

beforeAll(async () => {
  app = await startTestApp({
    'ic-spy.yaml': condorRule({ name: 'ic-spy', entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }' }),
    'ic-qqq.yaml': condorRule({
      name: 'ic-qqq',
      symbols: ['QQQ'],
      entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }',
    }),
  });
  await app.ctx.rules.reload();
  ctx = createExecContext(app.ctx);
  netLiqCents = (await app.ctx.broker.balances()).netLiquidatingValueCents;
}, 60_000);
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  await app.readyToTrade();
  await app.ctx.store.failsafes.reset('test');
});

const accountFile = (body: string) => app.writeRule('account.yaml', `version: 1\n${body}`);
const venueOrders = (underlying: string) =>
  (app.sim.control.state()['accounts'] as { orders: { 'underlying-symbol'?: string }[] }[]).flatMap((a) =>
    a.orders.filter((o) => o['underlying-symbol'] === underlying),
  );

describe('account allocation across rule sets', () => {
  it('the second rule set’s trade would take total risk over maxTotalRiskPct: denied, the limit named, nothing sent', async () => {
    // Each condor risks $400: one fits, two do not (1.5 trades' worth of the account)
    const pct = Math.ceil(((1.5 * 40_000) / netLiqCents) * 100 * 100) / 100;
    accountFile(`allocation: { maxTotalRiskPct: ${pct} }\n`);

    const first = await openCondorTrade(app, ctx, 'ic-spy', 'SPY');
    expect(first.status).toBe('open');

    const second = await pendingCondorTrade(app, 'ic-qqq', 'QQQ');
    const ordersBefore = venueOrders('QQQ').length;
    const result = await executeGroup(ctx, second.id, second.entryGroupId);
    expect(result.status).toBe('denied');
    expect(result.reason).toMatch(/^account limit allocation\.maxTotalRiskPct: [\d.]+ % of net liq with this trade/);
    expect(result.reason).toMatch(/\[account\.yaml [0-9a-f]{12}\]$/);
    expect((await app.ctx.store.trades.get(second.id))!.status).toBe('rejected');
    expect(venueOrders('QQQ')).toHaveLength(ordersBefore);
    const [audit] = await app.ctx.sql<{ data: { ok: boolean; limit: string; accountRulesHash: string } }[]>`
      select data from audit_events where kind = 'account_limits_checked' and trade_id = ${second.id}`;
    expect(audit!.data).toMatchObject({ ok: false, limit: 'allocation.maxTotalRiskPct' });
    expect(audit!.data.accountRulesHash).toBe(app.ctx.accountRules.current().hash);

    // The first trade still closes: exits never meet account limits
    await app.ctx.store.tradingState.set('halted', 'test', 'flatten for the next test', { flatten: true });
    const report = await evaluateExits(ctx);
    expect(report.triggered.map((t) => t.tradeId)).toContain(first.id);
    for (const t of report.triggered) await executeGroup(ctx, t.tradeId, t.groupId);
    expect((await app.ctx.store.trades.get(first.id))!.status).toBe('closed');
  });
});

describe('daily loss failsafe', () => {
  it('the venue moves SPY against a short condor: the next exit cycle trips dailyLoss, halts with why; resume resets it', async () => {
    accountFile('failsafes: { dailyLoss: { dollars: 100 } }\n');
    const trade = await openCondorTrade(app, ctx, 'ic-spy', 'SPY', { dte: 45 }); // beyond closeAtDte
    // The start of the day: yesterday's close at today's net liq (what the portfolio sync records after each close)
    const portfolio = await app.ctx.store.portfolio.ensure('sim', app.ctx.broker.accountNumber);
    const start = (await app.ctx.broker.balances()).netLiquidatingValueCents;
    const now = app.ctx.clock.now();
    await app.ctx.store.portfolio.recordSnapshot(portfolio.id, {
      kind: 'close',
      at: now - 86_400_000,
      sessionDate: nyDate(now - 86_400_000),
      netLiqCents: start,
      cashCents: 0,
      buyingPowerCents: 0,
      realizedPnlCents: 0,
      unrealizedPnlCents: 0,
      greeks: { delta: 0, betaDelta: 0, gamma: 0, theta: 0, vega: 0 },
      positions: [],
    });
    const quiet = await evaluateExits(ctx);
    expect(quiet.failsafes?.checks.find((c) => c.name === 'dailyLoss')?.state).toBe('ok');
    expect((await app.ctx.store.tradingState.get()).state).toBe('active');

    const spot = app.sim.market.spot('SPY')!;
    expect(app.sim.control.moveMarket('SPY', { spot: spot * 0.85 }).ok).toBe(true);
    const lossCents = start - (await app.ctx.broker.balances()).netLiquidatingValueCents;
    expect(lossCents).toBeGreaterThanOrEqual(10_000);

    const report = await evaluateExits(ctx);
    expect(report.failsafes?.tripped).toEqual(['dailyLoss']);
    // The same cycle still manages the open trade: its stop loss fires (exits never wait for failsafes)
    expect(report.triggered.map((t) => [t.tradeId, t.reason])).toEqual([[trade.id, 'stop_loss']]);
    const state = await app.ctx.store.tradingState.get();
    expect(state).toMatchObject({ state: 'halted', by: 'failsafe:dailyLoss' });
    expect(state.reason).toMatch(/^failsafe dailyLoss: lost \$[\d.]+ today of \$[\d.]+ \(limit \$100\.00\)$/);
    const [trip] = await app.ctx.store.failsafes.active();
    expect(trip).toMatchObject({ name: 'dailyLoss', reason: state.reason });
    expect(trip!.data['lossCents']).toBeGreaterThanOrEqual(10_000);
    const alerts = await app.ctx.sql<{ n: number }[]>`select count(*)::int as n from audit_events
      where kind = 'alert' and data->>'kind' = 'failsafe'`;
    expect(alerts[0]!.n).toBeGreaterThan(0);
    // A new entry is refused while it stands
    const next = await pendingCondorTrade(app, 'ic-qqq', 'QQQ');
    expect(await executeGroup(ctx, next.id, next.entryGroupId)).toMatchObject({
      status: 'denied',
      reason: `trading is halted (${state.reason})`,
    });
    for (const t of report.triggered) expect((await executeGroup(ctx, t.tradeId, t.groupId)).status).toBe('filled');
    expect((await app.ctx.store.trades.get(trade.id))!.status).toBe('closed');
    // A second cycle does not trip it again
    expect((await evaluateExits(ctx)).failsafes?.tripped).toEqual([]);

    const resumed = await resumeTrading(app.ctx.store, 'test', { reason: 'seen it' });
    expect(resumed.ok && resumed.failsafesReset.map((t) => t.name)).toEqual(['dailyLoss']);
    expect(await app.ctx.store.failsafes.active()).toEqual([]);
    expect((await app.ctx.store.tradingState.get()).state).toBe('active');

    app.sim.control.moveMarket('SPY', { spot });
  });
});

describe('broker errors failsafe', () => {
  it('three broker refusals within the window (counted across processes in Redis) trip brokerErrors at the next cycle', async () => {
    accountFile('failsafes: { brokerErrors: { count: 3, minutes: 15 } }\n');
    const refuse = () =>
      app.ctx.broker.submit({
        orderType: 'Limit',
        timeInForce: 'Day',
        limitPriceCents: 100,
        legs: [
          { symbol: 'ZZZZ  270115P00010000', instrumentType: 'Equity Option', quantity: 1, action: 'Sell to Open' },
        ],
        externalId: `lw-refused-${Math.random().toString(36).slice(2)}`,
      });
    for (let i = 0; i < 2; i++) await expect(refuse()).rejects.toMatchObject({ kind: 'rejected' });
    await new Promise((r) => setTimeout(r, 100)); // the stats are written without waiting
    expect((await evaluateExits(ctx)).failsafes?.checks.find((c) => c.name === 'brokerErrors')?.state).toBe('ok');
    await expect(refuse()).rejects.toMatchObject({ kind: 'rejected' });
    await new Promise((r) => setTimeout(r, 100));
    const report = await evaluateExits(ctx);
    expect(report.failsafes?.tripped).toEqual(['brokerErrors']);
    expect((await app.ctx.store.tradingState.get()).reason).toBe(
      'failsafe brokerErrors: 3 broker rejections or errors in 15 min (limit 3)',
    );
    // After resume it counts from the reset: the three old errors no longer count
    expect((await resumeTrading(app.ctx.store, 'test', { reason: 'fixed' })).ok).toBe(true);
    expect((await evaluateExits(ctx)).failsafes?.tripped).toEqual([]);
    expect((await app.ctx.store.tradingState.get()).state).toBe('active');
  });
});

describe('a broken account file', () => {
  it('that was never valid denies entries (the limits the trader meant are unknown) and names the problem', async () => {
    const fresh = await startTestApp({ 'ic-spy.yaml': condorRule({ name: 'ic-spy' }) });
    try {
      fresh.writeRule('account.yaml', 'version: 1\nallocation: { maxTotalRiskPct: 250 }\n');
      await fresh.ctx.rules.reload();
      await fresh.readyToTrade();
      const freshCtx = createExecContext(fresh.ctx);
      const trade = await pendingCondorTrade(fresh, 'ic-spy', 'SPY');
      const result = await executeGroup(freshCtx, trade.id, trade.entryGroupId);
      expect(result.status).toBe('denied');
      expect(result.reason).toMatch(/^account limits unknown: .*account\.yaml refused: 2:\d+ /);
    } finally {
      await fresh.close();
    }
  });
});
