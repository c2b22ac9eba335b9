// Owns an early assignment handled by the production workers alone (issue 12): `legwork worker
// reconcile,exit,execute,monitor` as a child process, its reconcile and exit schedulers every second. The venue assigns
// the short put of an open condor; with no test code calling the pipeline, reconciliation records the settlement, the
// exit cycle closes the delivered shares and the remaining legs through the execute worker, and the trade ends closed
// with its P&L and nothing left at the venue.
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { getTrade } from '../../src/store/trades.repo.js';
import type { TestApp } from '../support/app.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import { condorRule } from '../support/rules.js';
import { useTradingApp } from '../support/trading-app.js';
import { waitUntil } from '../support/wait-until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Exits that stay quiet (whatever clock the worker reads): only the settlement can close the trade
const RULE = condorRule({
  name: 'assigned-by-workers',
  entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
  execution: 'execution: { mode: combo, partialFill: keep }',
}).replace(
  'exits: { takeProfitPct: 50 }',
  'exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 40, holdThroughExpiration: true }',
);

let app: TestApp;
let ctx: ExecContext;
let worker: WorkerProcess | undefined;

useTradingApp({ 'assigned.yaml': RULE }, (t) => {
  ({ app, ctx } = t);
});
// Registered after useTradingApp's: runs before the app closes
afterAll(async () => {
  worker?.kill9();
  await worker?.exited;
});

describe('an early assignment handled by the production workers', () => {
  it('ends with the shares and the other legs closed at the venue and the trade closed with its P&L', async () => {
    const trade = await openCondorTrade(app, ctx, 'assigned-by-workers', 'SPY');
    const account = app.sim.venue.accountNumbers()[0]!;
    // On the test app's clock: the venue is frozen, so cadences in broker time would never come round
    worker = startWorkerProcess(
      'reconcile,exit,execute,monitor',
      app.workerEnv({ LEGWORK_EXIT_EVERY_SECONDS: '1', LEGWORK_RECONCILE_EVERY_SECONDS: '1' }),
    );
    await worker.ready;

    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    expect(app.sim.control.assign({ symbol: shortPut.symbol }).ok).toBe(true);
    const shares = () =>
      app.sim.venue
        .positionsWire(account)
        .filter((p) => p['symbol'] === 'SPY')
        .reduce((n, p) => n + Number(p['quantity']), 0);
    expect(shares()).toBe(100);

    try {
      await waitUntil(async () => (await getTrade(app.ctx.sql, trade.id))!.status === 'closed', {
        timeoutMs: 60_000,
        what: 'the assigned trade closed by the workers',
      });
    } catch (error) {
      const out = worker.output
        .join('')
        .split('\n')
        .filter((l) => !l.includes('reconcile (periodic) done'))
        .join('\n');
      const [t] = await app.ctx.sql`select status, exit_reason from trades where id = ${trade.id}`;
      const s = await app.ctx.sql`select kind, symbol, action from settlements`;
      const g = await app.ctx
        .sql`select kind, status, reason, intent->'legs' as legs from order_groups where trade_id = ${trade.id}`;
      throw new Error(
        `${String(error)}; trade ${JSON.stringify(t)} settlements ${JSON.stringify(s)} groups ${JSON.stringify(g)}; worker output: ${out.slice(-6000)}`,
      );
    }
    const closed = (await getTrade(app.ctx.sql, trade.id))!;
    expect(closed.exitReason).toBe('assignment');
    expect(shares()).toBe(0);
    expect(venueSignedPositions(app.sim, account, 'SPY')).toEqual([]);
    const [books] = await app.ctx.sql<{ cash: string; fees: string; settled: number }[]>`select
      (select coalesce(sum(cash_cents), 0)::text from trade_positions where trade_id = ${trade.id}) as cash,
      (select coalesce(sum(fee_cents), 0)::text from trade_fees where trade_id = ${trade.id}) as fees,
      (select count(*)::int from settlements where trade_id = ${trade.id}) as settled`;
    expect(books!.settled).toBe(2);
    expect(Number(closed.realizedPnlCents)).toBe(Number(books!.cash) - Number(books!.fees));
    const alerts = await app.ctx.sql<
      { kind: string }[]
    >`select data->>'kind' as kind from audit_events where kind = 'alert' and trade_id = ${trade.id}`;
    expect(alerts.map((a) => a.kind)).toEqual(['assignment', 'assignment']);
  }, 120_000);
});
