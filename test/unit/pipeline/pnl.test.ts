// Trade P&L from positions and marks: options count 100 shares a contract, shares delivered by an assignment one.
import { describe, expect, it } from 'vitest';
import { tradePnl } from '../../../src/pipeline/pnl.js';

const PUT = 'SPY   261218P00600000';
const CALL = 'SPY   261218C00700000';

describe('tradePnl', () => {
  it.each([
    // sold the call for $1.00 (cash +100 $ = 10 000 ¢), marked at $0.40: +$60, less $1.13 of fees
    ['an option position', [{ symbol: CALL, quantity: -1, cashCents: 10_000 }], { [CALL]: 0.4 }, 113, 5_887],
    // the put assigned: 100 shares bought at $600 (cash −60 000 $), marked at $598.50: −$150 on the shares plus the put's credit
    [
      'shares delivered by an assignment',
      [
        { symbol: PUT, quantity: 0, cashCents: 25_000 },
        { symbol: 'SPY', quantity: 100, cashCents: -6_000_000 },
      ],
      { SPY: 598.5 },
      613,
      25_000 - 15_000 - 613,
    ],
  ] as const)('%s: unrealised at the marks', (_name, positions, marks, fees, expected) => {
    const pnl = tradePnl('t', positions, new Map(Object.entries(marks)), fees);
    expect(pnl.unrealizedCents).toBe(expected);
    expect(pnl.unmarked).toEqual([]);
  });

  it('a held symbol without a mark leaves unrealised unknown and names it', () => {
    const pnl = tradePnl('t', [{ symbol: 'SPY', quantity: 100, cashCents: -6_000_000 }], new Map(), 0);
    expect(pnl).toMatchObject({ unrealizedCents: null, unmarked: ['SPY'] });
  });
});
