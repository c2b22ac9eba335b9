// The account risk report against the venue: a condor Legwork opened and a position opened directly at the venue (a
// foreign one) are both valued and counted (the foreign one in account-limit use), VaR over the venue's daily candles,
// the what-if grid, `legwork risk --json` and GET /api/risk; a flatten never touches the foreign position.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { runRisk } from '../../src/cli/risk.js';
import type { RiskReport } from '../../src/pipeline/account/account-stage.js';
import { syncPortfolio } from '../../src/pipeline/account/account-stage.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { createAuth } from '../../src/http/auth.js';
import { startHttpServer } from '../../src/http/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';

let app: TestApp;
let ctx: ExecContext;

beforeAll(async () => {
  app = await startTestApp(
    {
      'ic-spy.yaml': condorRule({ name: 'ic-spy', entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }' }),
    },
    // Broker time is the venue's (its daily candles end at its today, not this machine's)
    { clock: 'sim-now' },
  );
  app.writeRule('account.yaml', 'version: 1\nallocation: { maxTotalRiskPct: 90, maxUnderlyingRiskPct: 80 }\n');
  await app.ctx.rules.reload();
  await app.readyToTrade();
  ctx = createExecContext(app.ctx);
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function reportJson(): Promise<RiskReport> {
  let text = '';
  const code = await runRisk(['--json'], { app: app.ctx, out: (s) => (text += s), err: (s) => (text += s) });
  expect(code, text).toBe(0);
  return JSON.parse(text) as RiskReport;
}

describe('legwork risk', () => {
  it('values Legwork’s condor and a foreign AAPL position, counts both, and the flatten leaves the foreign one alone', async () => {
    const trade = await openCondorTrade(app, ctx, 'ic-spy', 'SPY', { dte: 45 });
    const opened = app.sim.control.openPosition({ symbol: 'AAPL', quantity: 100 });
    expect(opened.ok).toBe(true);
    const synced = await syncPortfolio(ctx, 'sim');
    expect(synced).toMatchObject({ status: 'synced', foreign: 1 });

    const r = await reportJson();
    expect(r.netLiq).toBe((await app.ctx.broker.balances()).netLiquidatingValueCents / 100);
    const owners = r.positions.map((p) => [p.underlying, p.owner === 'foreign' ? 'foreign' : p.tradeId, p.quantity]);
    expect(owners).toContainEqual(['AAPL', 'foreign', 100]);
    expect(owners.filter((o) => o[1] === trade.id)).toHaveLength(4);
    // The total is the sum of the positions (greeks per the whole position)
    const sum = r.positions.reduce((s, p) => s + (p.greeks?.delta ?? 0), 0);
    expect(r.greeks.delta).toBeCloseTo(sum, 0);
    // 100 AAPL shares: delta 100 of them
    expect(r.positions.find((p) => p.underlying === 'AAPL')!.greeks!.delta).toBe(100);
    // VaR over 250 days of the venue's daily candles; 99 % at least 95 %; the delta-gamma figure too
    expect(r.var.days).toBe(250);
    expect(r.var.hist95).toBeGreaterThan(0);
    expect(r.var.hist99).toBeGreaterThanOrEqual(r.var.hist95);
    expect(r.var.param99).toBeGreaterThanOrEqual(r.var.param95);
    expect(r.correlation.symbols).toEqual(['AAPL', 'SPY']);
    expect(r.correlation.matrix[0]![1]).toBeGreaterThan(0);
    // The grid: 21 spot moves × 7 vol changes; nothing moved, nothing made or lost; 100 shares of AAPL at +10 %
    expect(r.scenarios.spot).toHaveLength(21);
    expect(r.scenarios.vol).toHaveLength(7);
    expect(r.scenarios.pnl[3]![10]).toBe(0);
    // Per trade and foreign: the condor's and the shares' grids add up to the total (100 AAPL shares at +10 %: +10 % of
    // their value, whatever the vol)
    expect(Object.keys(r.scenarios.byTrade)).toEqual([trade.id]);
    for (const [v, row] of r.scenarios.pnl.entries())
      for (const [s, total] of row.entries())
        expect(r.scenarios.byTrade[trade.id]![v]![s]! + r.scenarios.foreign[v]![s]!).toBeCloseTo(total, 1);
    expect(r.scenarios.foreign[3]![20]).toBeCloseTo(app.sim.market.spot('AAPL')! * 100 * 0.1, 0);
    // Limits count the foreign position: AAPL's risk is its value, $ spot × 100
    const aapl = r.limits.find((l) => l.name === 'allocation.maxUnderlyingRiskPct[AAPL]');
    const spot = app.sim.market.spot('AAPL')!;
    expect(aapl?.used).toBeCloseTo(((spot * 100) / r.netLiq) * 100, 0);
    expect(r.accountRulesHash).toBe(app.ctx.accountRules.current().hash);

    // GET /api/risk serves the same report
    const auth = createAuth({ admin: { user: 'boss', password: 's3cret-admin' } });
    const server = await startHttpServer(app.ctx, { port: 0, host: '127.0.0.1', auth, requestLogging: false });
    try {
      const basic = `Basic ${Buffer.from('boss:s3cret-admin').toString('base64')}`;
      expect((await fetch(`${server.url}/api/risk`)).status).toBe(401);
      const res = await fetch(`${server.url}/api/risk`, { headers: { authorization: basic } });
      expect(res.status).toBe(200);
      const viaApi = (await res.json()) as RiskReport;
      expect(viaApi.positions.map((p) => p.symbol).sort()).toEqual(r.positions.map((p) => p.symbol).sort());
      expect(Object.keys(viaApi).sort()).toEqual(Object.keys(r).sort());
    } finally {
      await server.close();
    }

    // halt --flatten: Legwork's condor closes; the foreign shares are never traded
    await app.ctx.store.tradingState.set('halted', 'test', 'flatten', { flatten: true });
    const exits = await evaluateExits(ctx);
    expect(exits.triggered.map((t) => t.tradeId)).toEqual([trade.id]);
    for (const t of exits.triggered) await executeGroup(ctx, t.tradeId, t.groupId);
    const held = await app.ctx.broker.positions();
    expect(held.map((p) => [p.symbol, p.quantity])).toEqual([['AAPL', 100]]);
  });
});
