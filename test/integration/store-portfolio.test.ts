// The portfolio tables through the PostgreSQL Store: one portfolio per (environment, account) however many processes
// ask at once, a sync replaces positions atomically, one close snapshot per session, one active trip per failsafe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN, ZERO_GREEKS, type PortfolioPosition } from '../../src/domain/portfolio.js';
import type { Store } from '../../src/pipeline/store-port.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let store: Store;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.sql);
  store = createPostgresStore(db.sql);
});
afterAll(async () => db.drop());

const position = (symbol: string, quantity: number): PortfolioPosition => ({
  symbol,
  owner: FOREIGN,
  tradeId: null,
  underlying: 'SPY',
  instrumentType: 'Equity',
  quantity,
  multiplier: 1,
  markCents: 60_000,
  averageOpenPriceCents: 59_000,
  expiresAt: null,
  greeks: { ...ZERO_GREEKS, delta: quantity },
});

describe('portfolio store', () => {
  it('ten concurrent first uses of an account make one portfolio; another environment makes its own', async () => {
    const rows = await Promise.all(Array.from({ length: 10 }, () => store.portfolio.ensure('sim', '5WT00001')));
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    const sandbox = await store.portfolio.ensure('sandbox', '5WT00001');
    expect(sandbox.id).not.toBe(rows[0]!.id);
    const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from portfolios`;
    expect(row!.n).toBe(2);
  });

  it('a sync replaces balances and positions', async () => {
    const p = await store.portfolio.ensure('sim', '5WT00002');
    const balances = {
      syncedAt: Date.parse('2027-01-14T15:00:00Z'),
      netLiqCents: 10_000_000,
      cashCents: 9_000_000,
      buyingPowerCents: 8_000_000,
      maintenanceCents: 1_000_000,
      greeks: { ...ZERO_GREEKS, delta: 10 },
    };
    await store.portfolio.sync(p.id, balances, [position('SPY', 10), position('QQQ', -5)]);
    await store.portfolio.sync(p.id, { ...balances, netLiqCents: 10_100_000 }, [position('SPY', 7)]);
    const held = await store.portfolio.positions(p.id);
    expect(held.map((h) => [h.symbol, h.quantity, h.owner, h.greeks?.delta])).toEqual([['SPY', 7, FOREIGN, 7]]);
    const again = await store.portfolio.get('sim', '5WT00002');
    expect(again).toMatchObject({ netLiqCents: 10_100_000, cashCents: 9_000_000, greeks: { delta: 10 } });
    expect(again!.syncedAt!.toISOString()).toBe('2027-01-14T15:00:00.000Z');
  });

  it('one close snapshot per session; intraday points in time order; the peak net liq', async () => {
    const p = await store.portfolio.ensure('sim', '5WT00003');
    const snap = (kind: 'close' | 'intraday', at: string, netLiqCents: number) => ({
      kind,
      at: Date.parse(at),
      sessionDate: at.slice(0, 10),
      netLiqCents,
      cashCents: 1,
      buyingPowerCents: 2,
      realizedPnlCents: 3,
      unrealizedPnlCents: -4,
      greeks: ZERO_GREEKS,
      positions: [],
    });
    expect(await store.portfolio.recordSnapshot(p.id, snap('intraday', '2027-01-14T15:00:00Z', 100))).toBe(true);
    expect(await store.portfolio.recordSnapshot(p.id, snap('intraday', '2027-01-14T15:05:00Z', 130))).toBe(true);
    expect(await store.portfolio.recordSnapshot(p.id, snap('close', '2027-01-14T21:00:00Z', 120))).toBe(true);
    expect(await store.portfolio.recordSnapshot(p.id, snap('close', '2027-01-14T21:10:00Z', 125))).toBe(false);
    const all = await store.portfolio.snapshotsSince(p.id, 0);
    expect(all.map((s) => [s.kind, s.netLiqCents, s.unrealizedPnlCents])).toEqual([
      ['intraday', 100, -4],
      ['intraday', 130, -4],
      ['close', 120, -4],
    ]);
    expect((await store.portfolio.snapshotsSince(p.id, 0, 'close')).map((s) => s.sessionDate)).toEqual(['2027-01-14']);
    expect(await store.portfolio.peakNetLiq(p.id, 0)).toBe(130);
    expect(await store.portfolio.peakNetLiq(p.id, Date.parse('2027-01-14T16:00:00Z'))).toBe(120);
    expect(await store.portfolio.latestSnapshot(p.id, 'intraday')).toMatchObject({ netLiqCents: 130 });
  });

  it('a failsafe trips once until reset; reset clears every active trip and records who', async () => {
    expect(await store.failsafes.trip('dailyLoss', 'lost $1,600', { lossCents: 160_000 })).toBe(true);
    expect(await store.failsafes.trip('dailyLoss', 'lost $1,700', { lossCents: 170_000 })).toBe(false);
    expect(await store.failsafes.trip('drawdown', 'down 11 %', {})).toBe(true);
    expect((await store.failsafes.active()).map((t) => [t.name, t.reason])).toEqual([
      ['dailyLoss', 'lost $1,600'],
      ['drawdown', 'down 11 %'],
    ]);
    const reset = await store.failsafes.reset('cli:resume');
    expect(reset.map((t) => t.name).sort()).toEqual(['dailyLoss', 'drawdown']);
    expect(await store.failsafes.active()).toEqual([]);
    expect((await store.failsafes.latest()).every((t) => t.resetBy === 'cli:resume')).toBe(true);
    expect(await store.failsafes.lastReset('dailyLoss')).toBeInstanceOf(Date);
    expect(await store.failsafes.trip('dailyLoss', 'again', {})).toBe(true);
  });
});
