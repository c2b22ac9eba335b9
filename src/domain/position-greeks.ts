// Owns the greeks of a held position and of a whole portfolio: the broker's per-share option greeks (DXLink) × quantity
// × multiplier, shares at delta 1, and the beta-weighted delta in shares of the benchmark (SPY). Pure.
import { isOccSymbol } from './instrument.js';
import { addGreeks, type Greeks, ZERO_GREEKS } from './portfolio.js';

/** The index portfolio delta is weighted against: a position's delta in shares of it. */
export const BENCHMARK = 'SPY';

/** Per share of one option, as DXLink's Greeks event carries them (theta $/day, vega $ per vol point). */
export interface ShareGreeks {
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
}

export interface GreeksInputs {
  /** The option's per-share greeks; unused for shares. */
  option?: ShareGreeks | undefined;
  /** The underlying's price (quote mid, dollars). */
  spot: number | null | undefined;
  /** The benchmark's price (quote mid, dollars). */
  benchmarkSpot: number | null | undefined;
  /** The underlying's beta to the market; unknown counts as 1. */
  beta: number | null | undefined;
}

export type PositionGreeks = { greeks: Greeks; missing?: undefined } | { greeks: null; missing: string };

const usable = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/**
 * Greeks of `quantity` (signed) of one symbol: an option's per-share greeks × quantity × multiplier; shares have delta
 * = quantity × multiplier and nothing else. Beta-weighted delta = delta × spot × beta / benchmark spot (SPY shares).
 * Null with the reason when something it needs is missing (no greeks, no price, an instrument it does not model).
 */
export function positionGreeks(
  p: { symbol: string; instrumentType: string; quantity: number; multiplier: number },
  inputs: GreeksInputs,
): PositionGreeks {
  const units = p.quantity * p.multiplier;
  let perUnit: { delta: number; gamma: number; theta: number; vega: number };
  if (p.instrumentType === 'Equity Option' || (p.instrumentType !== 'Equity' && isOccSymbol(p.symbol))) {
    const g = inputs.option;
    if (!g) return { greeks: null, missing: 'no greeks from the market data' };
    if (!usable(g.delta) || !usable(g.gamma) || !usable(g.theta) || !usable(g.vega))
      return { greeks: null, missing: 'incomplete greeks from the market data' };
    perUnit = { delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega };
  } else if (p.instrumentType === 'Equity') {
    perUnit = { delta: 1, gamma: 0, theta: 0, vega: 0 };
  } else {
    return { greeks: null, missing: `greeks of ${p.instrumentType} positions are not modelled` };
  }
  if (!usable(inputs.spot) || inputs.spot <= 0) return { greeks: null, missing: 'no price of the underlying' };
  if (!usable(inputs.benchmarkSpot) || inputs.benchmarkSpot <= 0)
    return { greeks: null, missing: `no price of ${BENCHMARK}` };
  const beta = usable(inputs.beta) ? inputs.beta : 1;
  const scaled = (n: number) => (n === 0 ? 0 : n * units); // no −0 from a short position's zero
  const delta = scaled(perUnit.delta);
  return {
    greeks: {
      delta,
      betaDelta: delta === 0 ? 0 : (delta * inputs.spot * beta) / inputs.benchmarkSpot,
      gamma: scaled(perUnit.gamma),
      theta: scaled(perUnit.theta),
      vega: scaled(perUnit.vega),
    },
  };
}

/** The sum of the known greeks (a position without greeks adds nothing; the caller reports it). */
export function sumGreeks(all: readonly (Greeks | null)[]): Greeks {
  return all.reduce<Greeks>((sum, g) => (g ? addGreeks(sum, g) : sum), ZERO_GREEKS);
}

/** Rounded for storage and display: 4 decimals (shares, $/day, $ per vol point). */
export function roundGreeks(g: Greeks): Greeks {
  const r = (n: number) => Math.round(n * 10_000) / 10_000 || 0;
  return { delta: r(g.delta), betaDelta: r(g.betaDelta), gamma: r(g.gamma), theta: r(g.theta), vega: r(g.vega) };
}
