// European Black–Scholes against textbook values computed by hand, put–call parity, expiry and zero vol, and the
// greeks against finite differences of the price.
import { describe, expect, it } from 'vitest';
import { bsGreeks, bsPrice, type BsInput, yearsToExpiry, YEAR_MS } from '../../../src/domain/risk/black-scholes.js';

const input = (over: Partial<BsInput> = {}): BsInput => ({
  right: 'C',
  spot: 100,
  strike: 100,
  years: 1,
  rate: 0.05,
  vol: 0.2,
  ...over,
});

describe('bsPrice and bsGreeks', () => {
  it('S = K = 100, T = 1, r = 5 %, σ = 20 %: the textbook call 10.4506 and put 5.5735 with their greeks', () => {
    // d1 = (ln(100/100) + (0.05 + 0.2²/2)·1) / (0.2·√1) = 0.07 / 0.2 = 0.35; d2 = 0.35 − 0.2 = 0.15
    // N(0.35) = 0.636831, N(0.15) = 0.559618, φ(0.35) = e^(−0.06125)/√(2π) = 0.375240; K·e^(−0.05) = 95.122942
    // call = 100·0.636831 − 95.122942·0.559618 = 63.683065 − 53.232482 = 10.450584
    // put = 95.122942·(1 − 0.559618) − 100·(1 − 0.636831) = 41.890461 − 36.316935 = 5.573526
    const call = bsGreeks(input());
    expect(call.price).toBeCloseTo(10.450584, 5);
    expect(call.delta).toBeCloseTo(0.636831, 6); // N(d1)
    expect(call.gamma).toBeCloseTo(0.018762, 6); // φ(d1) / (S·σ√T) = 0.375240 / 20
    expect(call.vega).toBeCloseTo(0.37524, 6); // S·φ(d1)·√T / 100 = 100·0.375240 / 100
    // theta = (−S·φ(d1)·σ / (2√T) − r·K·e^(−rT)·N(d2)) / 365 = (−3.752403 − 0.05·95.122942·0.559618) / 365
    //       = (−3.752403 − 2.661624) / 365 = −6.414027 / 365 = −0.017573
    expect(call.theta).toBeCloseTo(-0.017573, 6);
    const put = bsGreeks(input({ right: 'P' }));
    expect(put.price).toBeCloseTo(5.573526, 5);
    expect(put.delta).toBeCloseTo(-0.363169, 6); // N(d1) − 1
    expect(put.gamma).toBeCloseTo(call.gamma, 12);
    expect(put.vega).toBeCloseTo(call.vega, 12);
    // theta = (−3.752403 + 0.05·95.122942·0.440382) / 365 = (−3.752403 + 2.094523) / 365 = −0.004542
    expect(put.theta).toBeCloseTo(-0.004542, 6);
  });

  it('put–call parity C − P = S − K·e^(−rT) across strikes, times, vols and rates', () => {
    for (const strike of [60, 95, 100, 130])
      for (const years of [1 / 365, 30 / 365, 1, 3])
        for (const vol of [0.05, 0.2, 0.8])
          for (const rate of [0, 0.05]) {
            const c = bsPrice(input({ strike, years, vol, rate }));
            const p = bsPrice(input({ right: 'P', strike, years, vol, rate }));
            expect(c - p).toBeCloseTo(100 - strike * Math.exp(-rate * years), 9);
          }
  });

  it('at and after expiry: the intrinsic value and zero greeks', () => {
    for (const years of [0, -0.01]) {
      expect(bsGreeks(input({ strike: 90, years }))).toEqual({ price: 10, delta: 0, gamma: 0, theta: 0, vega: 0 });
      expect(bsGreeks(input({ right: 'P', strike: 90, years })).price).toBe(0);
      expect(bsGreeks(input({ right: 'P', strike: 112.5, years })).price).toBe(12.5);
    }
  });

  it('zero vol before expiry: the discounted forward intrinsic value, a step delta, the strike carry as theta', () => {
    // K·e^(−rT) = 100·e^(−0.05) = 95.122942: the call is worth 100 − 95.122942 = 4.877058, delta 1
    const g = bsGreeks(input({ vol: 0 }));
    expect(g.price).toBeCloseTo(4.877058, 6);
    expect(g.delta).toBe(1);
    expect(g.gamma).toBe(0);
    expect(g.theta).toBeCloseTo(-(0.05 * 95.122942) / 365, 6); // −0.013031 a day
    expect(bsGreeks(input({ right: 'P', vol: 0 })).price).toBe(0);
  });

  it('each greek matches a central finite difference of the price', () => {
    for (const right of ['C', 'P'] as const)
      for (const strike of [90, 100, 115]) {
        const at = (over: Partial<BsInput>) => bsPrice(input({ right, strike, years: 45 / 365, vol: 0.3, ...over }));
        const g = bsGreeks(input({ right, strike, years: 45 / 365, vol: 0.3 }));
        const h = 0.01;
        expect(g.delta).toBeCloseTo((at({ spot: 100 + h }) - at({ spot: 100 - h })) / (2 * h), 6);
        expect(g.gamma).toBeCloseTo((at({ spot: 100 + h }) - 2 * at({}) + at({ spot: 100 - h })) / (h * h), 4);
        expect(g.vega).toBeCloseTo((at({ vol: 0.3 + 1e-4 }) - at({ vol: 0.3 - 1e-4 })) / 2e-4 / 100, 6);
        const day = 1 / 365;
        expect(g.theta).toBeCloseTo(
          (-(at({ years: 45 / 365 + day / 100 }) - at({ years: 45 / 365 - day / 100 })) / 2) * 100,
          6,
        );
      }
  });

  it('time in years is calendar milliseconds over 365 days, never negative', () => {
    expect(yearsToExpiry(1_000 + YEAR_MS / 2, 1_000)).toBe(0.5);
    expect(yearsToExpiry(1_000, 2_000)).toBe(0);
  });
});
