// One-day VaR: historical simulation on a hand-made 21-close series (the quantile picked by hand), the delta-gamma
// parametric VaR of one short put by hand, the quantile convention, and properties (VaR99 ≥ VaR95; a zero-quantity
// position changes nothing).
import { describe, expect, it } from 'vitest';
import { normCdf } from '../../../src/domain/risk/normal.js';
import type { RiskPosition } from '../../../src/domain/risk/types.js';
import { historicalVar, lossQuantile, parametricVar, Z95, Z99 } from '../../../src/domain/risk/var.js';
import { CONDOR, EXPIRY, market, option, rng, SHORT_PUT, shares } from './book.js';

/**
 * 21 closes of XYZ, 20 daily returns. The largest falls: day 5, 102 → 98 (−3.92 %); day 10, 100 → 97 (−3 %); then
 * 101 → 99 and 102 → 100 (−1.98 %, −1.96 %). First and last close are both 100, so the log returns sum to 0.
 */
const XYZ_21 = [100, 101, 99, 100, 102, 98, 100, 103, 101, 100, 97, 99, 100, 102, 101, 100, 104, 102, 100, 101, 100];
/** 20 more days of ±1 % moves: 41 closes, 40 returns, the same two worst days. */
const XYZ_41 = [
  ...XYZ_21,
  99,
  100,
  101,
  100,
  99,
  100,
  101,
  100,
  99,
  100,
  101,
  100,
  99,
  100,
  101,
  100,
  99,
  100,
  101,
  100,
];

describe('lossQuantile: the k-th worst loss of n, k = ceil(n·(1 − α)), at least 1', () => {
  const pnl = (n: number) => Array.from({ length: n }, (_, i) => -(i + 1)); // losses 1 … n
  it('picks k by hand: n = 20 → k = 1 at 95 % (not 2: 20 × 0.05 is 1.0000000000000009 in doubles)', () => {
    expect(lossQuantile(pnl(20), 0.95)).toBe(20); // k = ceil(1) = 1: the worst
    expect(lossQuantile(pnl(20), 0.99)).toBe(20); // k = ceil(0.2) = 1
    expect(lossQuantile(pnl(40), 0.95)).toBe(39); // k = ceil(2) = 2: the second worst
    expect(lossQuantile(pnl(100), 0.95)).toBe(96); // k = 5
    expect(lossQuantile(pnl(100), 0.99)).toBe(100); // k = 1
    expect(lossQuantile(pnl(250), 0.99)).toBe(248); // k = ceil(2.5) = 3
  });
  it('a quantile that is a gain is no loss: 0', () => {
    expect(lossQuantile([5, 10, 1], 0.95)).toBe(0);
    expect(lossQuantile([], 0.95)).toBe(0);
  });
});

describe('historicalVar', () => {
  it('100 shares over 21 closes: VaR95 = VaR99 = the worst day, 100 × 100 × (1 − 98/102) = $392.16', () => {
    const v = historicalVar([shares('XYZ', 100)], market(), { XYZ: XYZ_21 });
    expect(v.pnl).toHaveLength(20);
    // each day: 100 shares × $100 × (close_t / close_(t−1) − 1); day 1: 10000 × (101/100 − 1) = +100
    expect(v.pnl[0]).toBeCloseTo(100, 9);
    expect(v.pnl[4]).toBeCloseTo(-392.156863, 6); // 10000 × (98/102 − 1) = −10000 × 4/102
    expect(v.var95).toBeCloseTo(392.156863, 6);
    expect(v.var99).toBeCloseTo(392.156863, 6);
  });

  it('41 closes: VaR95 is the second worst day (k = ceil(40 × 0.05) = 2), 100 → 97 = $300; VaR99 the worst', () => {
    const v = historicalVar([shares('XYZ', 100)], market(), { XYZ: XYZ_41 });
    expect(v.pnl).toHaveLength(40);
    expect(v.var95).toBeCloseTo(300, 9);
    expect(v.var99).toBeCloseTo(392.156863, 6);
  });

  it('one short put, repriced one day on: the worst day is the largest fall, worked by hand', () => {
    // today: put 0.878313 (greeks.test.ts), position −87.83130
    // the worst day: S = 100 × 98/102 = 96.078431, T = 29/365 = 0.0794521, √T = 0.2818724, σ√T = 0.0704681
    // d1 = (ln(96.078431/95) + 0.08125·0.0794521) / 0.0704681 = (0.0112880 + 0.0064555) / 0.0704681 = 0.251794
    // d2 = 0.181326; K·e^(−rT) = 95·e^(−0.0039726) = 94.623351
    // put = 94.623351·N(−0.181326) − 96.078431·N(−0.251794) = 94.623351·0.4280559 − 96.078431·0.4006002
    //     = 40.504086 − 38.489037 = 2.015049; P&L = −201.50491 + 87.83130 = −113.67361
    const v = historicalVar(SHORT_PUT, market(), { XYZ: XYZ_21 });
    expect(v.pnl[4]).toBeCloseTo(-113.67361, 4);
    expect(v.var95).toBeCloseTo(113.67361, 4);
    expect(v.var99).toBeCloseTo(113.67361, 4);
  });

  it('an underlying held without closes counts as unmoved and is named; unequal series are refused', () => {
    const v = historicalVar([shares('XYZ', 100), shares('ABC', 10)], market({ spot: { XYZ: 100, ABC: 50 } }), {
      XYZ: XYZ_21,
    });
    expect(v.missing).toEqual(['ABC']);
    expect(v.var95).toBeCloseTo(392.156863, 6);
    expect(() => historicalVar(SHORT_PUT, market(), { XYZ: XYZ_21, SPY: [500, 501] })).toThrow(RangeError);
  });
});

describe('parametricVar (delta-gamma, mean shift)', () => {
  it('one short put by hand: z·|Δ·S|·σ − ½·Γ·S²·σ²', () => {
    // daily log returns of XYZ_21 sum to ln(100/100) = 0, so the mean is 0 and σ² = Σr² / 19 = 0.00889699 / 19
    //   = 0.000468263, σ = 0.0216394
    // D = Δ·S = 20.930531 shares × $100 = $2093.0531; G = Γ·S² = −4.0132427 × 100² = −40132.427
    // delta term σ = 2093.0531 × 0.0216394 = $45.29237; gamma mean = ½ × (−40132.427) × 0.000468263 = −$9.39626
    // VaR95 = 1.644854 × 45.29237 + 9.39626 = 74.49933 + 9.39626 = $83.89559
    // VaR99 = 2.326348 × 45.29237 + 9.39626 = 105.36582 + 9.39626 = $114.76208
    const v = parametricVar(SHORT_PUT, market(), { XYZ: XYZ_21 });
    expect(v.dollarDelta['XYZ']).toBeCloseTo(2093.0531, 3);
    expect(v.dollarGamma['XYZ']).toBeCloseTo(-40132.43, 1);
    expect(v.deltaSigma).toBeCloseTo(45.29237, 4);
    expect(v.gammaMean).toBeCloseTo(-9.39626, 4);
    expect(v.var95).toBeCloseTo(83.89559, 4);
    expect(v.var99).toBeCloseTo(114.76208, 4);
  });

  it('two underlyings: the covariance joins them (SPY moving half of XYZ, perfectly correlated)', () => {
    // ln SPY returns = ½ ln XYZ returns: DΣD = σx²·(D_x² + 2·D_x·D_s·½ + D_s²·¼) = σx²·(D_x + ½·D_s)²
    // D_x = 100 × $100 = 10000, D_s = 10 × $500 = 5000 → σ = σx·12500 = 0.0216394 × 12500 = $270.4923
    const spy = XYZ_21.map((c) => 500 * Math.sqrt(c / 100));
    const v = parametricVar([shares('XYZ', 100), shares('SPY', 10)], market(), { XYZ: XYZ_21, SPY: spy });
    expect(v.deltaSigma).toBeCloseTo(270.4923, 3);
    expect(v.gammaMean).toBe(0);
    expect(v.var95).toBeCloseTo(Z95 * 270.4923, 2);
  });

  it('the mean shift understates a gamma-dominated book (the figures docs/risk.md quotes)', () => {
    // the condor: D = −2.47895 × 100 = −$247.89, G = −2.57169 × 100² = −25716.9; on XYZ_41 σ_D = $4.14 and the gamma
    // mean −$3.59, so VaR99 = 2.326348 × 4.14373 + 3.59284 = $13.23, while the historical worst day (100 → 104:
    // delta −$9.9, gamma −$20.6, theta +$1.4) loses $29.57
    const h = historicalVar(CONDOR, market(), { XYZ: XYZ_41 });
    const p = parametricVar(CONDOR, market(), { XYZ: XYZ_41 });
    expect(p.var99).toBeCloseTo(13.2326, 4);
    expect(h.var99).toBeCloseTo(29.5708, 4);
  });

  it('the z values are the normal quantiles', () => {
    expect(normCdf(Z95)).toBeCloseTo(0.95, 12);
    expect(normCdf(Z99)).toBeCloseTo(0.99, 12);
  });
});

describe('properties', () => {
  /** A random book of condors, short puts and shares on three underlyings, and 61 random closes for each. */
  function randomCase(seed: number): { book: RiskPosition[]; closes: Record<string, number[]> } {
    const r = rng(seed);
    const book: RiskPosition[] = [];
    const names = ['XYZ', 'SPY', 'ABC'];
    for (let i = 0; i < 6; i++) {
      const u = names[i % 3]!;
      const s = u === 'SPY' ? 500 : u === 'ABC' ? 50 : 100;
      const q = 1 + Math.floor(r() * 3);
      const exp = EXPIRY + Math.floor(r() * 20) * 86_400_000;
      const iv = 0.15 + r() * 0.3;
      if (r() < 0.5) book.push(option('P', Math.round(s * (0.85 + r() * 0.1)), -q, iv, `T${i}`, u, exp));
      else
        book.push(
          option('P', Math.round(s * 0.85), q, iv, `T${i}`, u, exp),
          option('P', Math.round(s * 0.9), -q, iv, `T${i}`, u, exp),
          option('C', Math.round(s * 1.1), -q, iv, `T${i}`, u, exp),
          option('C', Math.round(s * 1.15), q, iv, `T${i}`, u, exp),
        );
    }
    if (r() < 0.5) book.push(shares(names[Math.floor(r() * 3)]!, Math.round((r() - 0.5) * 200)));
    const closes: Record<string, number[]> = {};
    for (const u of names) {
      let c = 100;
      closes[u] = [c];
      for (let t = 0; t < 60; t++) {
        c *= Math.exp((r() - 0.5) * 0.06);
        closes[u]!.push(c);
      }
    }
    return { book, closes };
  }
  const m = market({ spot: { XYZ: 100, SPY: 500, ABC: 50 }, beta: { XYZ: 1.5, ABC: 0.8 } });

  it('VaR99 ≥ VaR95 ≥ 0 for both methods over 50 random books', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { book, closes } = randomCase(seed);
      for (const v of [historicalVar(book, m, closes), parametricVar(book, m, closes)]) {
        expect(v.var95).toBeGreaterThanOrEqual(0);
        expect(v.var99).toBeGreaterThanOrEqual(v.var95);
      }
    }
  });

  it('a zero-quantity position changes neither VaR', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { book, closes } = randomCase(seed);
      const zero = [option('P', 95, 0, 0.4, 'TZ'), shares('ABC', 0)];
      expect(historicalVar([...book, ...zero], m, closes).pnl).toEqual(historicalVar(book, m, closes).pnl);
      const [a, b] = [parametricVar([...book, ...zero], m, closes), parametricVar(book, m, closes)];
      expect([a.var95, a.var99]).toEqual([b.var95, b.var99]);
    }
  });
});
