// Owns the one-day Value at Risk of the portfolio at 95 % and 99 %, as positive dollar losses, two ways. Pure.
// (a) Historical simulation: each past day's joint log returns (closes per underlying over the same dates, oldest
//     first) applied to today's spots, every option fully repriced one calendar day forward with its IV unchanged;
//     VaR_α is the k-th worst loss of n days, k = ceil(n·(1 − α)) (at least 1): with 20 days both VaR95 and VaR99 are
//     the worst day, with 40 days VaR95 is the second worst. The one day of time decay is part of each day's P&L.
// (b) Delta-gamma parametric: per underlying u the dollar delta D_u = Δ_u·S_u and dollar gamma G_u = Γ_u·S_u² (Δ in
//     shares, Γ in shares per $1, whole positions), the sample covariance Σ of the same daily log returns;
//     P&L ≈ Σ_u D_u·r_u + ½ Σ_u G_u·r_u². VaR_α = z_α·√(DᵀΣD) − ½ Σ_u G_u·σ_u²: the delta term's normal quantile, then
//     the gamma term's mean as a simple shift (a short-gamma book loses it on average, so its VaR grows); no
//     Cornish–Fisher skew correction, no theta, no vega.
// Either VaR is floored at 0 (a quantile that is a gain is reported as no loss). An underlying held without closes
// counts as unmoved (and is named in `missing`).
import { DAY_MS } from '../dates.js';
import { portfolioGreeks } from './greeks.js';
import { type Unvalued, unitValue, valuedLegs } from './legs.js';
import { covariance, logReturns, sameLength } from './returns.js';
import type { MarketState, RiskPosition } from './types.js';

export { correlation, covariance, logReturns } from './returns.js';
export { maxDrawdown } from './drawdown.js';

/** Standard normal quantiles: N(Z95) = 0.95, N(Z99) = 0.99. */
export const Z95 = 1.6448536269514722;
export const Z99 = 2.3263478740408408;

export interface VarFigures {
  /** Dollars, ≥ 0. */
  var95: number;
  var99: number;
}

export interface HistoricalVar extends VarFigures {
  /** The portfolio's P&L for each historical day's returns applied today, dollars, oldest first. */
  pnl: number[];
  /** Underlyings held without closes, taken as unmoved. */
  missing: string[];
  unvalued: Unvalued[];
  noIv: string[];
}

export interface ParametricVar extends VarFigures {
  /** Standard deviation of the delta term's one-day P&L, dollars: √(DᵀΣD). */
  deltaSigma: number;
  /** Mean one-day P&L of the gamma term, dollars: ½ Σ_u G_u·σ_u² (negative when short gamma). */
  gammaMean: number;
  /** D_u = Δ_u·S_u: dollars of P&L per unit (100 %) log return of u, to first order. */
  dollarDelta: Record<string, number>;
  /** G_u = Γ_u·S_u²: P&L ≈ D_u·r + ½·G_u·r². */
  dollarGamma: Record<string, number>;
  missing: string[];
  unvalued: Unvalued[];
  noIv: string[];
}

/**
 * The k-th worst loss of n P&L figures, k = ceil(n·(1 − confidence)) and at least 1, floored at 0. (n·(1 − α) is
 * rounded to 1e-9 first: in doubles 20 × (1 − 0.95) is 1.0000000000000009, whose ceiling would be 2.)
 */
export function lossQuantile(pnl: readonly number[], confidence: number): number {
  if (pnl.length === 0) return 0;
  const k = Math.max(1, Math.ceil(pnl.length * (1 - confidence) - 1e-9));
  const losses = pnl.map((x) => -x).sort((a, b) => b - a);
  return Math.max(0, losses[Math.min(k, losses.length) - 1]!);
}

export function historicalVar(
  positions: readonly RiskPosition[],
  market: MarketState,
  closes: Record<string, readonly number[]>,
): HistoricalVar {
  const n = Math.max(0, sameLength(closes, 2, 'close series') - 1);
  const { legs: all, unvalued, noIv } = valuedLegs(positions, market);
  const legs = all.filter((l) => l.units !== 0);
  const returns = new Map<string, number[]>();
  const missing = new Set<string>();
  for (const leg of legs) {
    const u = leg.position.underlying;
    const c = closes[u];
    if (c === undefined) missing.add(u);
    else if (!returns.has(u)) returns.set(u, logReturns(c));
  }
  const pnl = new Array<number>(n).fill(0);
  const tomorrow = market.nowMs + DAY_MS;
  for (const leg of legs) {
    const r = returns.get(leg.position.underlying);
    const base = leg.units * unitValue(leg, leg.spot, market.nowMs, 1, market.rate);
    for (let t = 0; t < n; t++) {
      const spot = leg.spot * Math.exp(r === undefined ? 0 : r[t]!);
      pnl[t] = pnl[t]! + leg.units * unitValue(leg, spot, tomorrow, 1, market.rate) - base;
    }
  }
  return {
    var95: lossQuantile(pnl, 0.95),
    var99: lossQuantile(pnl, 0.99),
    pnl,
    missing: [...missing].sort(),
    unvalued,
    noIv,
  };
}

export function parametricVar(
  positions: readonly RiskPosition[],
  market: MarketState,
  closes: Record<string, readonly number[]>,
): ParametricVar {
  const greeks = portfolioGreeks(positions, market);
  const held = Object.keys(greeks.byUnderlying).sort();
  const dollarDelta: Record<string, number> = {};
  const dollarGamma: Record<string, number> = {};
  for (const u of held) {
    const s = market.spot[u]!;
    dollarDelta[u] = greeks.byUnderlying[u]!.delta * s;
    dollarGamma[u] = greeks.byUnderlying[u]!.gamma * s * s;
  }
  const missing = held.filter((u) => closes[u] === undefined);
  const priced = held.filter((u) => closes[u] !== undefined);
  let variance = 0;
  let gammaMean = 0;
  if (priced.length > 0) {
    const { symbols, matrix } = covariance(Object.fromEntries(priced.map((u) => [u, logReturns(closes[u]!)])));
    symbols.forEach((a, i) => {
      symbols.forEach((b, j) => {
        variance += dollarDelta[a]! * matrix[i]![j]! * dollarDelta[b]!;
      });
      gammaMean += 0.5 * dollarGamma[a]! * matrix[i]![i]!;
    });
  }
  const deltaSigma = Math.sqrt(Math.max(0, variance));
  return {
    var95: Math.max(0, Z95 * deltaSigma - gammaMean),
    var99: Math.max(0, Z99 * deltaSigma - gammaMean),
    deltaSigma,
    gammaMean,
    dollarDelta,
    dollarGamma,
    missing,
    unvalued: greeks.unvalued,
    noIv: greeks.noIv,
  };
}
