// Owns turning risk positions into valued legs: each position's spot, beta, vol and size (quantity × multiplier)
// resolved once, what cannot be valued named with its reason, and a leg's model value at a spot, time and vol. Pure.
import { bsKernel, bsParts, yearsToExpiry } from './black-scholes.js';
import type { MarketState, RiskPosition } from './types.js';

export interface OptionTerms {
  call: boolean;
  strike: number;
  expiresAt: number;
  /** The position's IV, or 0 when it has none (named in `noIv`). */
  vol: number;
}

export interface ValuedLeg {
  position: RiskPosition;
  spot: number;
  /** quantity × multiplier, signed: shares (or shares under the options) held. */
  units: number;
  /** Beta of the underlying against the market's beta symbol: 1 for the beta symbol itself, 1 when unknown. */
  beta: number;
  /** The underlying's beta was unknown (null or missing) and taken as 1. */
  betaAssumed: boolean;
  /** Null for an equity position. */
  option: OptionTerms | null;
}

export interface Unvalued {
  symbol: string;
  reason: 'no_spot' | 'incomplete_option';
}

export interface ValuedLegs {
  legs: ValuedLeg[];
  /** Positions left out of every figure: no positive spot for the underlying, or an option without right, strike, expiry. */
  unvalued: Unvalued[];
  /** Options without an IV, valued at zero vol (their discounted intrinsic value). */
  noIv: string[];
}

export function valuedLegs(positions: readonly RiskPosition[], market: MarketState): ValuedLegs {
  const legs: ValuedLeg[] = [];
  const unvalued: Unvalued[] = [];
  const noIv: string[] = [];
  for (const position of positions) {
    const spot = market.spot[position.underlying];
    if (spot === undefined || !(spot > 0)) {
      unvalued.push({ symbol: position.symbol, reason: 'no_spot' });
      continue;
    }
    let option: OptionTerms | null = null;
    if (position.kind === 'option') {
      const { right, strike, expiresAt, iv } = position;
      if ((right !== 'C' && right !== 'P') || !(strike !== undefined && strike > 0) || expiresAt === undefined) {
        unvalued.push({ symbol: position.symbol, reason: 'incomplete_option' });
        continue;
      }
      const hasIv = iv !== undefined && Number.isFinite(iv) && iv > 0;
      if (!hasIv) noIv.push(position.symbol);
      option = { call: right === 'C', strike, expiresAt, vol: hasIv ? iv : 0 };
    }
    const known = market.beta[position.underlying];
    const isBenchmark = position.underlying === market.betaSymbol;
    const betaAssumed = !isBenchmark && (known === null || known === undefined || !Number.isFinite(known));
    legs.push({
      position,
      spot,
      units: position.quantity * position.multiplier,
      beta: betaAssumed || isBenchmark ? 1 : known!,
      betaAssumed,
      option,
    });
  }
  return { legs, unvalued, noIv };
}

/** Model value of one unit (share, or one share's worth of option) at `spot`, at time `atMs`, with vol × volFactor. */
export function unitValue(leg: ValuedLeg, spot: number, atMs: number, volFactor: number, rate: number): number {
  const o = leg.option;
  if (o === null) return spot;
  const p = bsParts(o.strike, yearsToExpiry(o.expiresAt, atMs), rate, o.vol * volFactor);
  return bsKernel(o.call, spot, Math.log(spot), p.shift, p.volSqrtT, p.strikePv);
}
