// Return statistics and drawdown: log returns, correlation worked by hand (matrix and symbol order), and the maximum
// drawdown of an equity curve.
import { describe, expect, it } from 'vitest';
import { correlation, covariance, logReturns, maxDrawdown } from '../../../src/domain/risk/var.js';

describe('logReturns, covariance and correlation', () => {
  it('log returns of closes, oldest first', () => {
    const r = logReturns([100, 110, 99]);
    expect(r[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(r[1]).toBeCloseTo(Math.log(0.9), 15);
    expect(() => logReturns([100, 0])).toThrow(RangeError);
  });

  it('correlation by hand, symbols in alphabetical order', () => {
    // A = [0.01, −0.01, 0.02, 0]: mean 0.005, centred [0.005, −0.015, 0.015, −0.005], Σa² = 0.0005
    // D = [0.01, 0.01, −0.01, −0.01]: mean 0, Σd² = 0.0004; Σa·d = 0.00005 − 0.00015 − 0.00015 + 0.00005 = −0.0002
    // corr(A, D) = −0.0002 / √(0.0005 × 0.0004) = −0.0002 / 0.000447214 = −0.447214 (= −1/√5)
    // B = 2A: +1; C = −A: −1
    const a = [0.01, -0.01, 0.02, 0];
    const { symbols, matrix } = correlation({
      D: [0.01, 0.01, -0.01, -0.01],
      C: a.map((x) => -x),
      B: a.map((x) => 2 * x),
      A: a,
    });
    expect(symbols).toEqual(['A', 'B', 'C', 'D']);
    const rounded = matrix.map((row) => row.map((x) => Math.round(x * 1e6) / 1e6));
    expect(rounded).toEqual([
      [1, 1, -1, -0.447214],
      [1, 1, -1, -0.447214],
      [-1, -1, 1, 0.447214],
      [-0.447214, -0.447214, 0.447214, 1],
    ]);
    // sample covariance (n − 1 = 3): var(A) = 0.0005 / 3
    expect(covariance({ A: a }).matrix[0]![0]).toBeCloseTo(0.0005 / 3, 15);
  });

  it('a constant series correlates 0 with the others; unequal or too short series are refused', () => {
    expect(correlation({ A: [0.01, -0.01, 0.02], K: [0, 0, 0] }).matrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(() => correlation({ A: [0.01, 0.02], B: [0.01] })).toThrow(RangeError);
    expect(() => correlation({ A: [0.01] })).toThrow(RangeError);
  });
});

describe('maxDrawdown', () => {
  it('the largest fall from a running peak, with its percentage of that peak and when, in time order', () => {
    // 100 → 120 (peak) → 90 (trough): −30 = 25 % of 120; later 130 → 110 is only −20
    const curve = [
      { at: 4, value: 130 },
      { at: 1, value: 100 },
      { at: 3, value: 90 },
      { at: 2, value: 120 },
      { at: 5, value: 110 },
      { at: 6, value: 140 },
    ];
    expect(maxDrawdown(curve)).toEqual({ maxDrawdown: 30, maxDrawdownPct: 25, peakAt: 2, troughAt: 3 });
  });

  it('a curve that never falls has no drawdown; an empty curve neither', () => {
    const none = { maxDrawdown: 0, maxDrawdownPct: 0, peakAt: null, troughAt: null };
    expect(
      maxDrawdown([
        { at: 1, value: 10 },
        { at: 2, value: 10 },
        { at: 3, value: 12 },
      ]),
    ).toEqual(none);
    expect(maxDrawdown([])).toEqual(none);
  });
});
