// Greeks of a held position: per share × quantity × multiplier, shares at delta 1, beta-weighted into SPY shares; what
// cannot be computed is null with its reason, never a guess.
import { describe, expect, it } from 'vitest';
import { positionGreeks, roundGreeks, sumGreeks } from '../../../src/domain/position-greeks.js';

const PUT = { symbol: 'QQQ   270115P00380000', instrumentType: 'Equity Option', quantity: -3, multiplier: 100 };
const per = { delta: -0.2, gamma: 0.01, theta: -0.04, vega: 0.25 };

describe('positionGreeks', () => {
  it('scales an option by quantity × multiplier and weights its delta by spot × beta / SPY', () => {
    const r = positionGreeks(PUT, { option: per, spot: 400, benchmarkSpot: 640, beta: 1.1 });
    expect(r.greeks && roundGreeks(r.greeks)).toEqual({ delta: 60, betaDelta: 41.25, gamma: -3, theta: 12, vega: -75 });
  });

  it('holds shares at delta 1 each; an unknown beta counts as 1', () => {
    const r = positionGreeks(
      { symbol: 'AAPL', instrumentType: 'Equity', quantity: -40, multiplier: 1 },
      { spot: 160, benchmarkSpot: 640, beta: null },
    );
    expect(r.greeks).toEqual({ delta: -40, betaDelta: -10, gamma: 0, theta: 0, vega: 0 });
  });

  it.each([
    [{ spot: 400, benchmarkSpot: 640, beta: 1 }, 'no greeks from the market data'],
    [
      { option: { ...per, vega: null }, spot: 400, benchmarkSpot: 640, beta: 1 },
      'incomplete greeks from the market data',
    ],
    [{ option: per, spot: null, benchmarkSpot: 640, beta: 1 }, 'no price of the underlying'],
    [{ option: per, spot: 400, benchmarkSpot: undefined, beta: 1 }, 'no price of SPY'],
  ])('is null without what it needs (%j): %s', (inputs, missing) =>
    expect(positionGreeks(PUT, inputs)).toEqual({ greeks: null, missing }),
  );

  it('does not model futures', () => {
    expect(
      positionGreeks(
        { symbol: '/ESZ6', instrumentType: 'Future', quantity: 1, multiplier: 50 },
        { spot: 6000, benchmarkSpot: 640, beta: 1 },
      ),
    ).toEqual({ greeks: null, missing: 'greeks of Future positions are not modelled' });
  });

  it('sums the known greeks only', () => {
    const a = { delta: 1, betaDelta: 2, gamma: 3, theta: 4, vega: 5 };
    expect(sumGreeks([a, null, a])).toEqual({ delta: 2, betaDelta: 4, gamma: 6, theta: 8, vega: 10 });
  });
});
