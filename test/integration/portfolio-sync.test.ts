// The account as a whole against the real venue: a trade Legwork opened is attributed to it and shares bought at the
// venue outside Legwork are foreign; syncing again, or from a second process at the same moment, leaves one portfolio;
// crossing the session close on the venue's clock writes exactly one close snapshot, which `legwork history --json`
// and GET /api/history show; the reconcile role syncs at start and after the account streamer's events.
import type TastytradeClient from '@tastytrade/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { FOREIGN } from '../../src/domain/portfolio.js';
import { createAuth } from '../../src/http/auth.js';
import { createLogger } from '../../src/log.js';
import { type PortfolioSyncContext, syncPortfolio } from '../../src/pipeline/account/account-stage.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { createDb } from '../../src/store/db.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import type { TradeRow } from '../../src/store/trades.repo.js';
import { accountContext } from '../../workers/account.worker.js';
import { runWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { runLegwork } from '../support/cli.js';
import { serveHttpApp } from '../support/http-server.js';
import { advanceVenue } from '../support/clock-driver.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';
import { sdkClient, TUESDAY_10_NY } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

const MINUTE = 60_000;
/** 16:01 New York on the venue's Tuesday (TUESDAY_10_NY is 10:00). */
const TUESDAY_16_01_NY = TUESDAY_10_NY + 6 * 60 * MINUTE + MINUTE;

let app: TestApp;
let exec: ExecContext;
let ctx: PortfolioSyncContext;
let sdk: TastytradeClient;
let account: string;
let trade: TradeRow;

const portfolios = async () =>
  app.ctx.sql<{ id: string; accountNumber: string }[]>`
    select id::text, account_number as "accountNumber" from portfolios`;
const positionsOf = async () => {
  const [p] = await portfolios();
  return app.ctx.store.portfolio.positions(Number(p!.id));
};
const snapshots = async (kind: 'close' | 'intraday') =>
  app.ctx.sql<{ sessionDate: string; at: Date; netLiqCents: string }[]>`
    select session_date::text as "sessionDate", at, net_liq_cents::text as "netLiqCents"
    from account_snapshots where kind = ${kind} order by at`;

/** Shares bought at the venue through the SDK, as a person would outside Legwork. */
async function buySharesOutsideLegwork(symbol: string, quantity: number): Promise<void> {
  const limit = (app.sim.market.spot(symbol) + 5).toFixed(2);
  await sdk.orderService.createOrder(account, {
    'time-in-force': 'Day',
    'order-type': 'Limit',
    price: limit,
    'price-effect': 'Debit',
    legs: [{ 'instrument-type': 'Equity', symbol, quantity, action: 'Buy to Open' }],
  });
}

const venueQuantity = async (symbol: string) =>
  (await app.ctx.broker.positions()).find((p) => p.symbol === symbol)?.quantity ?? 0;

beforeAll(async () => {
  // The app reads the venue's (frozen) clock exactly: decisions, stored times and the workers' syncs are broker time
  app = await startTestApp(
    { 'pf.yaml': condorRule({ name: 'pf', entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }' }) },
    { clock: 'sim-now' },
  );
  await app.readyToTrade();
  exec = createExecContext(app.ctx);
  ctx = accountContext(app.ctx);
  sdk = sdkClient(app.sim);
  account = app.sim.venue.accountNumbers()[0]!;
  trade = await openCondorTrade(app, exec, 'pf', 'SPY');
  await buySharesOutsideLegwork('AAPL', 10);
  await waitUntil(async () => (await venueQuantity('AAPL')) === 10, { what: 'the AAPL shares at the venue' });
}, 90_000);

afterAll(async () => {
  await app?.close();
});

describe('portfolio sync against the venue', () => {
  it('attributes the condor to its trade and the shares bought outside Legwork to foreign, with greeks', async () => {
    const report = await syncPortfolio(ctx, 'sim');
    expect(report).toMatchObject({ status: 'synced', positions: 5, foreign: 1, missingGreeks: [] });
    const rows = await positionsOf();
    const legs = trade.legs.map((l) => l.symbol).sort();
    expect(
      rows
        .filter((r) => r.owner === trade.id)
        .map((r) => r.symbol)
        .sort(),
    ).toEqual(legs);
    const signed = new Map(trade.legs.map((l) => [l.symbol, l.action === 'Sell to Open' ? -1 : 1]));
    for (const r of rows.filter((x) => x.owner === trade.id)) {
      expect(r.tradeId).toBe(trade.id);
      expect(r.quantity).toBe(signed.get(r.symbol));
      expect(r.multiplier).toBe(100);
      expect(Math.abs(r.greeks!.delta)).toBeGreaterThan(0);
    }
    const aapl = rows.find((r) => r.symbol === 'AAPL')!;
    expect(aapl).toMatchObject({ owner: FOREIGN, tradeId: null, quantity: 10, instrumentType: 'Equity' });
    expect(aapl.greeks).toMatchObject({ delta: 10, gamma: 0, theta: 0, vega: 0 });

    const [p] = await portfolios();
    const portfolio = (await app.ctx.store.portfolio.get('sim', account))!;
    expect(portfolio.id).toBe(Number(p!.id));
    const balances = await app.ctx.broker.balances();
    expect(portfolio).toMatchObject({
      netLiqCents: balances.netLiquidatingValueCents,
      cashCents: balances.cashCents,
      buyingPowerCents: balances.derivativeBuyingPowerCents,
      syncedAt: new Date(TUESDAY_10_NY),
    });
    // The portfolio's greeks are the sum of its positions'
    for (const k of ['delta', 'betaDelta', 'gamma', 'theta', 'vega'] as const)
      expect(portfolio.greeks![k]).toBeCloseTo(
        rows.reduce((n, r) => n + r.greeks![k], 0),
        3,
      );
    // The market is open at 10:00: an intraday point, and no close
    expect((await snapshots('intraday')).map((s) => s.at.getTime())).toEqual([TUESDAY_10_NY]);
    expect(await snapshots('close')).toEqual([]);
  }, 30_000);

  it('a second sync, and two processes syncing at once, leave one portfolio holding one copy of each position', async () => {
    await syncPortfolio(ctx, 'sim');
    const other = createDb(app.db.url);
    try {
      const second: PortfolioSyncContext = {
        ...ctx,
        store: createPostgresStore(other),
        log: createLogger({ level: 'silent', pretty: false }),
      };
      const [a, b] = await Promise.all([
        ctx.store.portfolio.ensure('sim', account),
        second.store.portfolio.ensure('sim', account),
      ]);
      expect(a.id).toBe(b.id);
      const reports = await Promise.all([syncPortfolio(ctx, 'sim'), syncPortfolio(second, 'sim')]);
      expect(reports.map((r) => r.status)).toEqual(['synced', 'synced']);
    } finally {
      await other.end({ timeout: 5 });
    }
    expect(await portfolios()).toHaveLength(1);
    const keys = (await positionsOf()).map((r) => `${r.symbol}|${r.owner}`);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(5);
    // Same broker instant: still the one intraday point
    expect(await snapshots('intraday')).toHaveLength(1);
  }, 30_000);

  it('crossing the session close writes exactly one close snapshot; legwork history --json prints it', async () => {
    await advanceVenue(app.sim, TUESDAY_16_01_NY - app.sim.clock.now());
    const first = await syncPortfolio(ctx, 'sim');
    expect(first.snapshots).toEqual([{ kind: 'close', sessionDate: '2026-11-17' }]);
    expect((await syncPortfolio(ctx, 'sim')).snapshots).toEqual([]);
    await advanceVenue(app.sim, 30 * MINUTE);
    expect((await syncPortfolio(ctx, 'sim')).snapshots).toEqual([]);
    // The night: the broker reports Wednesday's session now; Tuesday's close stays the one
    await advanceVenue(app.sim, 5 * 60 * MINUTE);
    expect((await syncPortfolio(ctx, 'sim')).snapshots).toEqual([]);
    const closes = await snapshots('close');
    expect(closes.map((s) => [s.sessionDate, s.at.getTime()])).toEqual([['2026-11-17', TUESDAY_16_01_NY]]);

    const run = await runLegwork(['history', '--json', '--intraday'], app.sim.baseUrl, { DATABASE_URL: app.db.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      portfolio: { environment: string; accountNumber: string };
      snapshots: { date: string; at: string; netLiq: number; dayChange: number | null; positions: unknown[] }[];
      intraday: { at: string }[];
    };
    expect(printed.portfolio).toEqual({ environment: 'sim', accountNumber: account });
    expect(printed.snapshots).toHaveLength(1);
    expect(printed.snapshots[0]).toMatchObject({
      kind: 'close',
      date: '2026-11-17',
      at: new Date(TUESDAY_16_01_NY).toISOString(),
      netLiq: Number(closes[0]!.netLiqCents) / 100,
      dayChange: null,
    });
    expect(printed.snapshots[0]!.positions).toHaveLength(5);
    expect(printed.intraday.map((r) => r.at)).toEqual([new Date(TUESDAY_10_NY).toISOString()]);

    const table = await runLegwork(['history'], app.sim.baseUrl, { DATABASE_URL: app.db.url });
    expect(table.code).toBe(0);
    const [header, row, ...rest] = table.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'date',
      'net liq',
      'day change',
      'cash',
      'BP',
      'realised',
      'unrealised',
      'delta',
      'β-delta',
      'gamma',
      'theta',
      'vega',
    ]);
    expect(row!.startsWith('2026-11-17')).toBe(true);
    expect(row).toContain(
      `$${(Number(closes[0]!.netLiqCents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    );
    expect(rest).toEqual([]);
  }, 60_000);

  it('GET /api/history returns the snapshots in dollars to a viewer, 401 without a login', async () => {
    const auth = createAuth({ viewer: { user: 'watcher', password: 'v1ew' } });
    const { base, close } = await serveHttpApp(app.ctx, { auth });
    try {
      const viewer = { authorization: `Basic ${Buffer.from('watcher:v1ew').toString('base64')}` };
      expect((await fetch(`${base}/api/history`)).status).toBe(401);
      expect((await fetch(`${base}/api/history?days=0`, { headers: viewer })).status).toBe(400);
      const res = await fetch(`${base}/api/history?days=7`, { headers: viewer });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { snapshots: { date: string; netLiq: number }[]; intraday: unknown[] };
      const [close] = await snapshots('close');
      expect(body.snapshots.map((s) => [s.date, s.netLiq])).toEqual([['2026-11-17', Number(close!.netLiqCents) / 100]]);
      expect(body.intraday).toHaveLength(1);
    } finally {
      await close();
    }
  }, 30_000);

  it('the reconcile role syncs at start and after the account streamer reports a position change', async () => {
    const completed = async (reasons: string[]) =>
      (await app.ctx.queues.account.getJobs(['completed'])).filter((j) => reasons.includes(j.data.reason));
    const pending = async () => {
      const counts = await app.ctx.queues.account.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };
    const running = await runWorkers(app.ctx, ['reconcile', 'monitor'], { schedulers: false });
    try {
      await waitUntil(async () => (await completed(['startup'])).length === 1 && (await pending()) === 0, {
        timeoutMs: 20_000,
        what: 'the start-up portfolio sync',
      });
      expect((await completed(['startup']))[0]!.returnvalue).toMatchObject({ status: 'synced', positions: 5 });
      const before = (await completed(['position', 'balance'])).length;
      // Wednesday 10:00: the venue fills share orders in the regular session only
      await advanceVenue(app.sim, TUESDAY_10_NY + 24 * 60 * MINUTE - app.sim.clock.now());
      await buySharesOutsideLegwork('AAPL', 5);
      // No schedule runs here: only the streamer's events can bring the new shares into the portfolio
      await waitUntil(async () => (await completed(['position', 'balance'])).length > before, {
        timeoutMs: 20_000,
        what: 'a portfolio sync after the streamer event',
      });
      expect((await positionsOf()).find((r) => r.symbol === 'AAPL')).toMatchObject({ owner: FOREIGN, quantity: 15 });
    } finally {
      await running.stop(5_000);
    }
  }, 60_000);
});
