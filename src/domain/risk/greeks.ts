// Owns the portfolio greeks: per position and in total, each "per the whole position" (× quantity × multiplier):
// delta in shares, beta-weighted delta in shares of the beta symbol, gamma (shares per $1), theta ($ per calendar day),
// vega ($ per vol point), model value ($). Pure; Black–Scholes per option, an equity's delta is its share count.
import { bsGreeks, yearsToExpiry } from './black-scholes.js';
import { type Unvalued, valuedLegs } from './legs.js';
import type { MarketState, RiskPosition } from './types.js';

export interface Greeks {
  /** Shares-equivalent: Σ delta × quantity × multiplier. */
  delta: number;
  /**
   * Shares of the beta symbol with the same dollar exposure to a market move: Σ delta_i × spot_u × beta_u / spot_beta.
   * Null when the beta symbol has no spot.
   */
  betaDelta: number | null;
  /** Change of `delta` per $1 move of the underlying. */
  gamma: number;
  /** Dollars per calendar day. */
  theta: number;
  /** Dollars per vol point (IV + 0.01). */
  vega: number;
  /** Model value, dollars (long +, short −). */
  value: number;
}

export interface PositionGreeks extends Greeks {
  symbol: string;
  underlying: string;
  tradeId: string | null;
  /** The underlying's beta was unknown and taken as 1. */
  betaAssumed: boolean;
}

export interface PortfolioGreeks {
  positions: PositionGreeks[];
  total: Greeks;
  /** Totals per underlying (the parametric VaR reads delta and gamma here). */
  byUnderlying: Record<string, Greeks>;
  /** Underlyings whose beta was unknown and taken as 1. */
  betaAssumed: string[];
  /** Positions left out of every figure, and why. */
  unvalued: Unvalued[];
  /** Options without an IV, valued at zero vol. */
  noIv: string[];
}

const zero = (betaDelta: number | null): Greeks => ({ delta: 0, betaDelta, gamma: 0, theta: 0, vega: 0, value: 0 });

/** A per-share figure for the whole position; a zero is +0 (a short share's zero gamma is not −0). */
const whole = (perShare: number, units: number): number => {
  const x = perShare * units;
  return x === 0 ? 0 : x;
};

function add(into: Greeks, g: Greeks): void {
  into.delta += g.delta;
  into.betaDelta = into.betaDelta === null || g.betaDelta === null ? null : into.betaDelta + g.betaDelta;
  into.gamma += g.gamma;
  into.theta += g.theta;
  into.vega += g.vega;
  into.value += g.value;
}

export function portfolioGreeks(positions: readonly RiskPosition[], market: MarketState): PortfolioGreeks {
  const { legs, unvalued, noIv } = valuedLegs(positions, market);
  const benchmark = market.spot[market.betaSymbol];
  const hasBenchmark = benchmark !== undefined && benchmark > 0;
  const total = zero(hasBenchmark ? 0 : null);
  const byUnderlying: Record<string, Greeks> = {};
  const betaAssumed = new Set<string>();
  const out: PositionGreeks[] = [];
  for (const leg of legs) {
    const { position: p, units, spot, option: o } = leg;
    const per = o
      ? bsGreeks({
          right: o.call ? 'C' : 'P',
          spot,
          strike: o.strike,
          years: yearsToExpiry(o.expiresAt, market.nowMs),
          rate: market.rate,
          vol: o.vol,
        })
      : { price: spot, delta: 1, gamma: 0, theta: 0, vega: 0 };
    const g: Greeks = {
      delta: whole(per.delta, units),
      betaDelta: hasBenchmark ? whole(per.delta, (units * spot * leg.beta) / benchmark) : null,
      gamma: whole(per.gamma, units),
      theta: whole(per.theta, units),
      vega: whole(per.vega, units),
      value: whole(per.price, units),
    };
    if (leg.betaAssumed) betaAssumed.add(p.underlying);
    out.push({ symbol: p.symbol, underlying: p.underlying, tradeId: p.tradeId, betaAssumed: leg.betaAssumed, ...g });
    add(total, g);
    byUnderlying[p.underlying] ??= zero(hasBenchmark ? 0 : null);
    add(byUnderlying[p.underlying]!, g);
  }
  return { positions: out, total, byUnderlying, betaAssumed: [...betaAssumed].sort(), unvalued, noIv };
}
