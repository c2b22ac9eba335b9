// The account's history as `legwork history` and GET /api/history show it: closes oldest first with the change since
// the previous session's close, intraday points against the close before their session, dollars, a window counted
// back from the newest snapshot.
import { describe, expect, it } from 'vitest';
import type { SnapshotInput } from '../../../src/domain/portfolio.js';
import { loadHistory } from '../../../src/pipeline/account/account-stage.js';
import { createMemoryStore } from '../../support/memory-store.js';

const ny = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00-05:00`);
const G = { delta: 12.5, betaDelta: 10, gamma: -0.4, theta: 3.25, vega: -20 };
const snap = (kind: 'close' | 'intraday', date: string, hhmm: string, netLiqCents: number): SnapshotInput => ({
  kind,
  at: ny(date, hhmm),
  sessionDate: date,
  netLiqCents,
  cashCents: 5_000_012,
  buyingPowerCents: 4_000_000,
  realizedPnlCents: -1_234,
  unrealizedPnlCents: 5_678,
  greeks: G,
  positions: [{ symbol: 'SPY', owner: 'foreign', quantity: 10, markCents: 60_012, greeks: null }],
});

async function recorded(snaps: SnapshotInput[]) {
  const store = createMemoryStore(() => 0);
  const portfolio = await store.portfolio.ensure('sim', '5WT00001');
  for (const s of snaps) await store.portfolio.recordSnapshot(portfolio.id, s);
  return { store, portfolio };
}

describe('loadHistory', () => {
  it('closes with their day change, intraday points against the previous close, money in dollars', async () => {
    const { store, portfolio } = await recorded([
      snap('close', '2026-11-13', '16:01', 10_000_000),
      snap('close', '2026-11-16', '16:01', 10_050_000),
      snap('intraday', '2026-11-17', '10:00', 10_020_000),
      snap('close', '2026-11-17', '16:01', 9_990_050),
    ]);
    const h = await loadHistory(store, portfolio, 30);
    expect(h.portfolio).toEqual({ environment: 'sim', accountNumber: '5WT00001' });
    expect(h.snapshots.map((r) => [r.date, r.netLiq, r.dayChange])).toEqual([
      ['2026-11-13', 100_000, null],
      ['2026-11-16', 100_500, 500],
      ['2026-11-17', 99_900.5, -599.5],
    ]);
    expect(h.snapshots[2]).toMatchObject({
      kind: 'close',
      at: '2026-11-17T21:01:00.000Z',
      cash: 50_000.12,
      buyingPower: 40_000,
      realizedPnl: -12.34,
      unrealizedPnl: 56.78,
      ...G,
      positions: [{ symbol: 'SPY', owner: 'foreign', quantity: 10, mark: 600.12, greeks: null }],
    });
    expect(h.intraday.map((r) => [r.at, r.netLiq, r.dayChange])).toEqual([['2026-11-17T15:00:00.000Z', 100_200, -300]]);
    expect(Object.keys(h.intraday[0]!)).not.toContain('positions');
  });

  it('keeps the last N days before the newest snapshot; the first kept close still has its day change', async () => {
    const { store, portfolio } = await recorded([
      snap('close', '2026-11-13', '16:01', 10_000_000),
      snap('close', '2026-11-16', '16:01', 10_050_000),
      snap('close', '2026-11-17', '16:01', 10_060_000),
    ]);
    const h = await loadHistory(store, portfolio, 2);
    expect(h.snapshots.map((r) => [r.date, r.dayChange])).toEqual([
      ['2026-11-16', 500],
      ['2026-11-17', 100],
    ]);
  });

  it('no portfolio yet, or no snapshot yet: empty', async () => {
    const store = createMemoryStore(() => 0);
    expect(await loadHistory(store, undefined)).toEqual({ portfolio: null, snapshots: [], intraday: [] });
    const portfolio = await store.portfolio.ensure('sim', '5WT00001');
    expect(await loadHistory(store, portfolio)).toEqual({
      portfolio: { environment: 'sim', accountNumber: '5WT00001' },
      snapshots: [],
      intraday: [],
    });
  });
});
