// Owns reconciliation explaining position differences against the venue (issue 12): a position no trade owns is
// `foreign` (recorded once, alerted once); expirations and assignments are explained from the broker's settlements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { applyBrokerOrder } from '../../src/pipeline/broker-sync.js';
import { checkPositions } from '../../src/pipeline/reconcile/position-check.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import { getOrder } from '../../src/store/orders.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { recordingJobs, testExecContext } from '../support/executor-process.js';
import { waitUntil } from '../support/wait-until.js';
import { workingCondorOrder } from '../support/working-order.js';

let app: TestApp;
let ctx: ExecContext;

beforeAll(async () => {
  app = await startTestApp({});
  ctx = { ...testExecContext(app.ctx, recordingJobs()), now: () => app.sim.clock.now() };
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const explained = (symbol: string) =>
  app.ctx.sql<{ tradeId: string | null; data: { kind: string; ours: number; broker: number; detail: string } }[]>`
    select trade_id as "tradeId", data from audit_events where kind = 'position_explained' and data->>'symbol' = ${symbol} order by id`;
const alerts = (symbol: string) =>
  app.ctx.sql<
    { data: { kind: string; difference: string; message: string } }[]
  >`select data from audit_events where kind = 'alert' and data->>'symbol' = ${symbol} order by id`;

describe('reconciliation explains position differences', () => {
  it('shares bought outside Legwork are a foreign position: recorded and alerted once, however often reconciliation runs', async () => {
    const spot = app.sim.market.spot('AAPL');
    const order = await app.ctx.broker.submit({
      orderType: 'Limit',
      timeInForce: 'Day',
      limitPriceCents: -Math.round(spot * 100 + 200),
      legs: [{ symbol: 'AAPL', instrumentType: 'Equity', action: 'Buy to Open', quantity: 10 }],
      externalId: newId(),
    });
    await waitUntil(async () => (await app.ctx.broker.getOrder(order.brokerOrderId)).status === 'filled', {
      what: 'the share order filled',
    });

    const report = await reconcile(ctx, 'periodic');
    expect(report.positionDifferences).toEqual([
      { symbol: 'AAPL', kind: 'foreign', ours: 0, broker: 10, tradeIds: [] },
    ]);
    await reconcile(ctx, 'periodic');
    const rows = await explained('AAPL');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tradeId).toBeNull();
    expect(rows[0]!.data).toMatchObject({
      kind: 'foreign',
      ours: 0,
      broker: 10,
      detail: 'AAPL: the broker holds 10 that no trade owns',
    });
    expect((await alerts('AAPL')).map((a) => [a.data.kind, a.data.difference])).toEqual([
      ['reconcile_mismatch', 'foreign'],
    ]);
  }, 60_000);

  it('a fill the broker shows before it reaches Postgres is not a foreign position: read again, it agrees, nothing alerted', async () => {
    const { orderId } = await workingCondorOrder(app);
    const brokerOrderId = (await getOrder(app.ctx.sql, orderId))!.brokerOrderId!;
    app.sim.control.advanceClock(2000); // the venue fills the condor; no fill monitor runs here
    await waitUntil(async () => (await app.ctx.broker.getOrder(brokerOrderId)).status === 'filled', {
      what: 'filled at the venue',
    });
    const symbols = (await app.ctx.broker.getOrder(brokerOrderId)).legs.map((l) => l.symbol);
    // The fills reach Postgres 300 ms into the check, as a monitor job would bring them
    const late = new Promise((r) => setTimeout(r, 300)).then(async () =>
      applyBrokerOrder(app.ctx, await app.ctx.broker.getOrder(brokerOrderId), 'stream'),
    );
    const differences = await checkPositions(ctx);
    await late;
    expect(differences.filter((d) => symbols.includes(d.symbol))).toEqual([]);
    for (const symbol of symbols) expect(await alerts(symbol)).toEqual([]);
    app.sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });
  }, 60_000);
});
