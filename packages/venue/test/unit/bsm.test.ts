// Owns the unit tests of Black-Scholes-Merton prices, greeks vs finite differences and implied-vol round trips.
import { describe, it, expect } from 'vitest';
import { bsmGreeks, bsmPrice, impliedVol, normCdf, priceBounds, type BsmInput } from '../../src/market/bsm.js';

const hull: Omit<BsmInput, 'right'> = { S: 42, K: 40, T: 0.5, r: 0.1, q: 0, sigma: 0.2 };

describe('normCdf', () => {
  it('matches known values', () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 15);
    expect(normCdf(1)).toBeCloseTo(0.841344746068543, 12);
    expect(normCdf(-1.96)).toBeCloseTo(0.024997895148220435, 12);
    expect(normCdf(8)).toBeCloseTo(1, 12);
  });
});

describe('Black-Scholes-Merton', () => {
  it('reproduces Hull example 15.6 (call 4.76, put 0.81)', () => {
    expect(bsmPrice({ ...hull, right: 'C' })).toBeCloseTo(4.7594, 3);
    expect(bsmPrice({ ...hull, right: 'P' })).toBeCloseTo(0.8086, 3);
  });

  it('satisfies put-call parity with a dividend yield', () => {
    const i = { S: 690, K: 700, T: 45 / 365, r: 0.045, q: 0.012, sigma: 0.16 };
    const c = bsmPrice({ ...i, right: 'C' });
    const p = bsmPrice({ ...i, right: 'P' });
    expect(c - p).toBeCloseTo(i.S * Math.exp(-i.q * i.T) - i.K * Math.exp(-i.r * i.T), 10);
  });

  it('greeks match finite differences in the documented units', () => {
    const base = { S: 250, K: 260, T: 40 / 365, r: 0.045, q: 0.01, sigma: 0.3 };
    for (const right of ['C', 'P'] as const) {
      const g = bsmGreeks({ ...base, right });
      const p = (o: Partial<typeof base>) => bsmPrice({ ...base, ...o, right });
      const h = 0.01;
      expect(g.delta).toBeCloseTo((p({ S: base.S + h }) - p({ S: base.S - h })) / (2 * h), 6);
      expect(g.gamma).toBeCloseTo((p({ S: base.S + h }) - 2 * p({}) + p({ S: base.S - h })) / (h * h), 4);
      expect(g.vega).toBeCloseTo((p({ sigma: base.sigma + 1e-4 }) - p({ sigma: base.sigma - 1e-4 })) / 2e-4 / 100, 6);
      const dT = 1e-5;
      expect(g.theta).toBeCloseTo((p({ T: base.T - dT }) - p({ T: base.T + dT })) / (2 * dT) / 365, 6);
      expect(g.rho).toBeCloseTo((p({ r: base.r + 1e-5 }) - p({ r: base.r - 1e-5 })) / 2e-5 / 100, 6);
    }
  });

  it('has the textbook signs and magnitudes', () => {
    const c = bsmGreeks({ ...hull, right: 'C' });
    const p = bsmGreeks({ ...hull, right: 'P' });
    expect(c.delta).toBeGreaterThan(0.7);
    expect(c.delta).toBeLessThan(0.8);
    expect(p.delta).toBeCloseTo(c.delta - 1, 12);
    expect(c.gamma).toBeCloseTo(p.gamma, 12);
    expect(c.gamma).toBeGreaterThan(0);
    expect(c.vega).toBeGreaterThan(0);
    expect(c.theta).toBeLessThan(0);
    expect(c.rho).toBeGreaterThan(0);
    expect(p.rho).toBeLessThan(0);
  });

  it('prices at intrinsic when expired', () => {
    expect(bsmGreeks({ ...hull, T: 0, right: 'C' })).toMatchObject({ price: 2, delta: 1, gamma: 0 });
    expect(bsmGreeks({ ...hull, T: 0, right: 'P' })).toMatchObject({ price: 0, delta: 0 });
  });
});

describe('impliedVol', () => {
  it('round-trips across strikes, maturities and rights', () => {
    for (const sigma of [0.08, 0.2, 0.55, 1.5]) {
      for (const K of [300, 380, 400, 420, 520]) {
        for (const T of [2 / 365, 30 / 365, 1]) {
          for (const right of ['C', 'P'] as const) {
            const i = { S: 400, K, T, r: 0.045, q: 0.01, right };
            const price = bsmPrice({ ...i, sigma });
            if (price - priceBounds(i).lower < 1e-6) continue; // no time value left: no information about vol
            const back = impliedVol(price, i);
            expect(back, `${right} K=${K} T=${T} s=${sigma}`).toBeDefined();
            expect(bsmPrice({ ...i, sigma: back ?? 0 })).toBeCloseTo(price, 7);
          }
        }
      }
    }
  });

  it('returns undefined outside the no-arbitrage bounds', () => {
    expect(impliedVol(1.5, { ...hull, right: 'C' })).toBeUndefined(); // below intrinsic-ish lower bound
    expect(impliedVol(43, { ...hull, right: 'C' })).toBeUndefined(); // above spot
    expect(impliedVol(1, { ...hull, T: 0, right: 'C' })).toBeUndefined();
  });
});
