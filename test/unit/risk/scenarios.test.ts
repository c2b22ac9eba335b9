// The what-if grid by full repricing: its shape, the unmoved cell exactly 0, grid points of one short put and one iron
// condor worked by hand, expiry clipping, per-trade and foreign splits, beta-weighted moves and zero quantity.
import { describe, expect, it } from 'vitest';
import { scenarioGrid } from '../../../src/domain/risk/scenarios.js';
import { CONDOR, market, option, SHORT_PUT, shares } from './book.js';

// Default axes: spot −10 % … +10 % (index 0 … 20, 0 % at 10), vol −30 % … +30 % (index 0 … 6, 0 at 3), days 0, 7, 30.
const S0 = 10;
const V0 = 3;

describe('scenarioGrid', () => {
  it('the default grid is 3 days × 7 vols × 21 spots, and the unmoved cell is exactly 0', () => {
    const g = scenarioGrid([...SHORT_PUT, ...CONDOR, shares('XYZ', 100)], market());
    expect(g.spot).toHaveLength(21);
    expect([g.spot[0], g.spot[S0], g.spot[20]]).toEqual([-0.1, 0, 0.1]);
    expect(g.vol).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(g.days).toEqual([0, 7, 30]);
    expect(g.pnl.map((d) => d.map((v) => v.length))).toEqual([Array(7).fill(21), Array(7).fill(21), Array(7).fill(21)]);
    expect(g.pnl[0]![V0]![S0]).toBe(0);
    for (const cube of Object.values(g.byTrade)) expect(cube[0]![V0]![S0]).toBe(0);
  });

  it('one iron condor: −10 % today loses $133.03 (less than width − credit), and at expiry every cell keeps the credit', () => {
    // today (see greeks.test.ts): value −17.98539. At S = 90, T = 30/365, σ = 0.2 (σ√T = 0.0573382, drift 0.0057534):
    //   85 P: d1 = (ln(90/85) + 0.0057534) / 0.0573382 = (0.0571584 + 0.0057534) / 0.0573382 = 1.097206, d2 = 1.039868
    //         85·0.9958988·N(−1.039868) − 90·N(−1.097206) = 84.651402·0.1492007 − 90·0.1362757 = 0.365235
    //   90 P: d1 = 0.0057534 / 0.0573382 = 0.100342, d2 = 0.043004
    //         89.630896·N(−0.043004) − 90·N(−0.100342) = 89.630896·0.4828493 − 90·0.4600365 = 1.874935
    //   110 C: d1 = (ln(90/110) + 0.0057534) / 0.0573382 = −3.399430: 90·0.0003376 − 109.548873·0.0002733 = 0.000442
    //   115 C: d1 = −4.174686: 0.0000166
    //   value = 100·(0.365235 − 1.874935 − 0.000442 + 0.0000166) = −151.01258; P&L = −151.01258 + 17.98539 = −133.02719
    const g = scenarioGrid(CONDOR, market());
    expect(g.value).toBeCloseTo(-17.98539, 4);
    expect(g.pnl[0]![V0]![0]).toBeCloseTo(-133.02719, 4);
    expect(-g.pnl[0]![V0]![0]!).toBeLessThan(5 * 100 - 17.98539); // the most a 5-wide condor can lose
    // day 30 is the expiry: every leg at intrinsic. Between −10 % (S = 90) and +10 % (S = 110) all four legs are worth
    // 0 (the short strikes are exactly 90 and 110), so the P&L is the whole model credit whatever the vol.
    for (const row of g.pnl[2]!) for (const cell of row) expect(cell).toBeCloseTo(17.98539, 4);
    expect(g.byTrade['T-IC']).toEqual(g.pnl);
  });

  it('one short put: spot −5 %, vol −10 % relative, 7 days on, priced by hand', () => {
    // S = 95, σ = 0.25·0.9 = 0.225, T = 23/365 = 0.0630137, √T = 0.2510253, σ√T = 0.0564807
    // d1 = (ln(95/95) + (0.05 + 0.225²/2)·0.0630137) / 0.0564807 = 0.0047457 / 0.0564807 = 0.084024; d2 = 0.027543
    // K·e^(−rT) = 95·e^(−0.0031507) = 94.701156; put = 94.701156·N(−0.027543) − 95·N(−0.084024)
    //   = 94.701156·0.4890133 − 95·0.4665188 = 46.310125 − 44.319284 = 1.990841
    // P&L = −100·1.990841 − (−87.83130) = −111.25280
    const g = scenarioGrid(SHORT_PUT, market());
    expect(g.pnl[1]![2]![5]).toBeCloseTo(-111.2528, 4);
    // and today at −10 % (S = 90): put 5.559780 → P&L = −555.9780 + 87.8313 = −468.1467
    expect(g.pnl[0]![V0]![0]).toBeCloseTo(-468.1467, 4);
  });

  it('horizons past an expiry are clipped to it: day 45 is the same as day 30 for a 30-day book', () => {
    const g = scenarioGrid(CONDOR, market(), { days: [30, 45] });
    expect(g.pnl[1]).toEqual(g.pnl[0]);
  });

  it('splits per trade and foreign positions, and the total is their sum cell by cell', () => {
    const g = scenarioGrid([...SHORT_PUT, ...CONDOR, shares('XYZ', 100)], market(), { days: [0, 7] });
    expect(Object.keys(g.byTrade).sort()).toEqual(['T-IC', 'T-PUT']);
    expect(g.byTrade['T-PUT']).toEqual(scenarioGrid(SHORT_PUT, market(), { days: [0, 7] }).pnl);
    // the foreign 100 shares: P&L = 100 × $100 × move, whatever the vol and day
    expect(g.foreign[1]![6]![0]).toBeCloseTo(-1000, 9);
    expect(g.foreign[0]![0]![20]).toBeCloseTo(1000, 9);
    const ic = g.byTrade['T-IC']!;
    const put = g.byTrade['T-PUT']!;
    for (const [h, d] of g.pnl.entries())
      for (const [v, row] of d.entries())
        for (const [s, cell] of row.entries())
          expect(cell).toBeCloseTo(ic[h]![v]![s]! + put[h]![v]![s]! + g.foreign[h]![v]![s]!, 9);
  });

  it('same percentage by default; beta-weighted moves each underlying by pct × beta (unknown beta: 1)', () => {
    const book = [shares('XYZ', 100), shares('SPY', 10), shares('ABC', 20)];
    const m = market({ spot: { XYZ: 100, SPY: 500, ABC: 50 }, beta: { XYZ: 1.5, ABC: null } });
    const axes = { spot: [-0.1], vol: [0], days: [0] };
    // same %: 100·100·(−0.1) + 10·500·(−0.1) + 20·50·(−0.1) = −1000 − 500 − 100 = −1600
    expect(scenarioGrid(book, m, axes).pnl[0]![0]![0]).toBeCloseTo(-1600, 9);
    // beta-weighted: XYZ −15 % → −1500; SPY −10 % → −500; ABC (beta unknown → 1) −10 % → −100
    expect(scenarioGrid(book, m, { ...axes, betaWeighted: true }).pnl[0]![0]![0]).toBeCloseTo(-2100, 9);
  });

  it('a zero-quantity position contributes nothing', () => {
    const zero = [option('P', 95, 0, 0.3, 'T-PUT'), shares('XYZ', 0, 'T-IC')];
    const without = scenarioGrid(CONDOR, market());
    const withZero = scenarioGrid([...CONDOR, ...zero], market());
    expect(withZero.pnl).toEqual(without.pnl);
    expect(withZero.byTrade).toEqual(without.byTrade);
  });

  it('refuses a move that takes a spot to zero or below, and negative days', () => {
    expect(() => scenarioGrid(SHORT_PUT, market(), { spot: [-1] })).toThrow(RangeError);
    expect(() => scenarioGrid(SHORT_PUT, market(), { spot: [-0.7], betaWeighted: true })).toThrow(RangeError);
    expect(() => scenarioGrid(SHORT_PUT, market(), { days: [-1] })).toThrow(RangeError);
  });
});
