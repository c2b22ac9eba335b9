// attributePositions: what the broker holds is split between the trades that hold it and foreign, never more than
// the broker shows on a trade's side.
import { describe, expect, it } from 'vitest';
import type { Position } from '../../../src/domain/account.js';
import { attributePositions, FOREIGN } from '../../../src/domain/portfolio.js';

const P = 'SPY   270115P00580000';
const C = 'SPY   270115C00620000';
const pos = (symbol: string, quantity: number): Position => ({
  accountNumber: 'A',
  symbol,
  instrumentType: symbol.length > 6 ? 'Equity Option' : 'Equity',
  underlyingSymbol: 'SPY',
  quantity,
  multiplier: symbol.length > 6 ? 100 : 1,
  averageOpenPriceCents: 150,
  closePriceCents: 140,
  markCents: null,
  expiresAt: null,
  updatedAt: null,
});
const T1 = 'a0000000-0000-4000-8000-000000000001';
const T2 = 'b0000000-0000-4000-8000-000000000002';

describe('attributePositions', () => {
  it('credits each trade its holding and leaves the rest foreign', () => {
    const rows = attributePositions(
      [pos(P, -3), pos(C, -1), pos('AAPL', 50)],
      [
        { tradeId: T1, symbol: P, quantity: -1 },
        { tradeId: T2, symbol: P, quantity: -1 },
        { tradeId: T1, symbol: C, quantity: -1 },
      ],
    );
    expect(rows.map((r) => [r.symbol, r.owner, r.quantity])).toEqual([
      [P, T1, -1],
      [P, T2, -1],
      [P, FOREIGN, -1],
      [C, T1, -1],
      ['AAPL', FOREIGN, 50],
    ]);
    expect(rows[0]!.markCents).toBe(140); // no mark: the close price
  });

  it('a trade is credited at most what the broker shows, and never across sides', () => {
    const rows = attributePositions(
      [pos(P, -1), pos(C, 2)],
      [
        { tradeId: T1, symbol: P, quantity: -2 },
        { tradeId: T1, symbol: C, quantity: -1 },
      ],
    );
    expect(rows.map((r) => [r.symbol, r.owner, r.quantity])).toEqual([
      [P, T1, -1],
      [C, FOREIGN, 2],
    ]);
  });

  it('flat broker positions are not positions', () => {
    expect(attributePositions([pos(P, 0)], [{ tradeId: T1, symbol: P, quantity: -1 }])).toEqual([]);
  });
});
