// Owns the maximum drawdown of an equity curve: the largest fall in dollars from a running peak to a later point. Pure.

export interface EquityPoint {
  /** Epoch ms. */
  at: number;
  /** Dollars. */
  value: number;
}

export interface Drawdown {
  /** Largest peak-to-trough fall, dollars, ≥ 0 (0 for a curve that never falls). */
  maxDrawdown: number;
  /** That fall as a percentage of its peak (12.5 = 12.5 %); 0 without a fall, null when the peak is not positive. */
  maxDrawdownPct: number | null;
  /** When the peak and the trough of that fall were; null when the curve never falls. */
  peakAt: number | null;
  troughAt: number | null;
}

/**
 * Points are taken in time order (sorted by `at`). The figure is the largest dollar fall; its percentage is of that
 * fall's own peak (a smaller fall from a lower peak can be a larger percentage).
 */
export function maxDrawdown(equity: readonly EquityPoint[]): Drawdown {
  const points = [...equity].sort((a, b) => a.at - b.at);
  let best: Drawdown = { maxDrawdown: 0, maxDrawdownPct: 0, peakAt: null, troughAt: null };
  let peak = points[0];
  for (const p of points) {
    if (peak === undefined || p.value > peak.value) {
      peak = p;
      continue;
    }
    const fall = peak.value - p.value;
    if (fall > best.maxDrawdown)
      best = {
        maxDrawdown: fall,
        maxDrawdownPct: peak.value > 0 ? (fall / peak.value) * 100 : null,
        peakAt: peak.at,
        troughAt: p.at,
      };
  }
  return best;
}
