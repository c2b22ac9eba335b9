// Portfolio greeks per whole position (× quantity × multiplier) for one short put and one iron condor, checked against
// Black–Scholes worked by hand; beta weighting, equity, zero quantity and what cannot be valued.
import { describe, expect, it } from 'vitest';
import { portfolioGreeks } from '../../../src/domain/risk/greeks.js';
import { CONDOR, market, option, SHORT_PUT, shares } from './book.js';

// Common to every leg: T = 30/365 = 0.0821918, √T = 0.2866911, r·T = 0.0041096, e^(−rT) = 0.9958988.

describe('portfolioGreeks', () => {
  it('one short XYZ 95 put (IV 25 %, spot 100, 30 days): delta, beta delta, gamma, theta, vega and value by hand', () => {
    // σ√T = 0.25·0.2866911 = 0.0716728; ln(100/95) = 0.0512933; (r + σ²/2)·T = 0.08125·0.0821918 = 0.0066781
    // d1 = (0.0512933 + 0.0066781) / 0.0716728 = 0.808834; d2 = 0.808834 − 0.0716728 = 0.737161
    // N(−d1) = 0.209305, N(−d2) = 0.230512, φ(d1) = 0.287640; K·e^(−rT) = 95·0.9958988 = 94.610390
    // put = 94.610390·0.230512 − 100·0.209305 = 21.808844 − 20.930531 = 0.878313 a share
    // per share: delta = N(d1) − 1 = −0.209305; gamma = φ / (S·σ√T) = 0.287640 / 7.16728 = 0.0401324;
    // vega = S·φ·√T / 100 = 0.0824639; theta = (−S·φ·σ/(2√T) + r·K·e^(−rT)·N(−d2)) / 365
    //      = (−100·0.287640·0.25 / 0.5733822 + 0.05·21.808844) / 365 = (−12.541384 + 1.090442) / 365 = −0.0313724
    // whole position = per share × (−1 × 100)
    const g = portfolioGreeks(SHORT_PUT, market());
    expect(g.total.delta).toBeCloseTo(20.9305, 4);
    expect(g.total.gamma).toBeCloseTo(-4.01324, 5);
    expect(g.total.theta).toBeCloseTo(3.13724, 5); // +$3.14 a day
    expect(g.total.vega).toBeCloseTo(-8.24639, 5); // −$8.25 per vol point
    expect(g.total.value).toBeCloseTo(-87.8313, 4);
    // beta-weighted: 20.9305 shares × $100 × beta 1.5 / SPY $500 = 6.27916 SPY shares
    expect(g.total.betaDelta).toBeCloseTo(6.27916, 5);
    expect(g.positions).toHaveLength(1);
    expect(g.positions[0]).toMatchObject({ symbol: SHORT_PUT[0]!.symbol, tradeId: 'T-PUT', betaAssumed: false });
    expect(g.positions[0]!.delta).toBe(g.total.delta);
    expect(g.byUnderlying['XYZ']!.gamma).toBe(g.total.gamma);
    expect([g.betaAssumed, g.unvalued, g.noIv]).toEqual([[], [], []]);
  });

  it('one iron condor (85/90 P, 110/115 C, IV 20 %): the sum of four legs worked by hand', () => {
    // σ√T = 0.2·0.2866911 = 0.0573382; (r + σ²/2)·T = 0.07·0.0821918 = 0.0057534; d1 = (ln(100/K) + 0.0057534) / 0.0573382
    //   long 85 P:  d1 = (0.1625189 + 0.0057534) / 0.0573382 = 2.934733; delta N(d1) − 1 = −0.0016692
    //   short 90 P: d1 = (0.1053605 + 0.0057534) / 0.0573382 = 1.937869; delta −0.0263196
    //   short 110 C: d1 = (−0.0953102 + 0.0057534) / 0.0573382 = −1.561903; delta N(d1) = 0.0591554
    //   long 115 C: d1 = (−0.1397619 + 0.0057534) / 0.0573382 = −2.337159; delta 0.0097155
    // delta = 100·(−0.0016692 + 0.0263196 − 0.0591554 + 0.0097155) = 100·(−0.0247895) = −2.47895 shares
    // prices (a share): 85 P 0.0027975, 90 P 0.0585698, 110 C 0.1425699, 115 C 0.0184884
    // value = 100·(0.0027975 − 0.0585698 − 0.1425699 + 0.0184884) = −17.98539 (a $17.99 model credit)
    // gamma = 100·(0.0009381 − 0.0106416 − 0.0205459 + 0.0045325) = −2.57169
    // theta = 100·(−0.0004908 + 0.0054624 + 0.0120489 − 0.0026141) = +1.44064 $/day
    // vega = 100·(0.0015421 − 0.0174930 − 0.0337741 + 0.0074507) = −4.22743 $/vol point
    const g = portfolioGreeks(CONDOR, market());
    expect(g.total.delta).toBeCloseTo(-2.47895, 4);
    expect(g.total.value).toBeCloseTo(-17.98539, 4);
    expect(g.total.gamma).toBeCloseTo(-2.57169, 4);
    expect(g.total.theta).toBeCloseTo(1.44064, 4);
    expect(g.total.vega).toBeCloseTo(-4.22743, 4);
    expect(g.total.betaDelta).toBeCloseTo((-2.47895 * 100 * 1.5) / 500, 4);
    expect(g.positions.map((p) => Math.round(p.delta * 1e4) / 1e4)).toEqual([-0.1669, 2.632, -5.9155, 0.9715]);
  });

  it('shares: delta is the share count; the beta symbol weighs 1; an unknown beta counts as 1 and is flagged', () => {
    const g = portfolioGreeks(
      [shares('SPY', 10), shares('ABC', -30), shares('XYZ', 100)],
      market({ spot: { XYZ: 100, SPY: 500, ABC: 50 }, beta: { XYZ: 1.5, ABC: null } }),
    );
    expect(g.positions.map((p) => [p.delta, p.betaDelta, p.gamma, p.theta, p.vega, p.value])).toEqual([
      [10, 10, 0, 0, 0, 5000],
      [-30, -3, 0, 0, 0, -1500], // −30 × $50 × 1 / $500
      [100, 30, 0, 0, 0, 10000], // 100 × $100 × 1.5 / $500
    ]);
    expect(g.total.delta).toBe(80);
    expect(g.total.betaDelta).toBe(37);
    expect(g.betaAssumed).toEqual(['ABC']);
    expect(g.positions.map((p) => p.betaAssumed)).toEqual([false, true, false]);
  });

  it('no spot for the beta symbol: beta delta is null, the other greeks stand', () => {
    const g = portfolioGreeks(SHORT_PUT, market({ spot: { XYZ: 100 } }));
    expect(g.total.betaDelta).toBeNull();
    expect(g.total.delta).toBeCloseTo(20.9305, 4);
  });

  it('a zero-quantity position contributes nothing', () => {
    const without = portfolioGreeks(CONDOR, market());
    const withZero = portfolioGreeks([...CONDOR, option('P', 95, 0, 0.3, 'T-Z'), shares('XYZ', 0)], market());
    expect(withZero.total).toEqual(without.total);
    expect(withZero.positions.slice(4).map((p) => [p.delta, p.gamma, p.theta, p.vega, p.value])).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('what cannot be valued is named and left out; an option without IV is valued at zero vol', () => {
    const noSpot = option('P', 50, -1, 0.3, null, 'QQQ');
    const incomplete = { ...option('C', 120, 1, 0.3, null), strike: undefined };
    const noIv = { ...option('P', 120, -1, 0.3, 'T-X'), iv: undefined };
    const g = portfolioGreeks([noSpot, incomplete, noIv], market());
    expect(g.unvalued).toEqual([
      { symbol: noSpot.symbol, reason: 'no_spot' },
      { symbol: incomplete.symbol, reason: 'incomplete_option' },
    ]);
    expect(g.noIv).toEqual([noIv.symbol]);
    // deep in the money at zero vol: worth K·e^(−rT) − S = 120·0.9958988 − 100 = 19.50786 a share; short, delta +100
    expect(g.total.value).toBeCloseTo(-1950.786, 3);
    expect(g.total.delta).toBe(100);
    expect(g.total.gamma).toBe(0);
  });
});
