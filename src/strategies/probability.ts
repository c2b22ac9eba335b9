// Owns the probability math of candidates: a driftless lognormal model of the price at expiration, POP and expected value.
// Pure. Formulas are documented in docs/strategies.md.
import { normCdf } from '../domain/risk/normal.js';
import type { CandidateLeg } from './types.js';

export { normCdf };

/** Years to expiration from calendar DTE; at least half a day so a same-day expiration keeps some spread. */
export const yearsFromDte = (dte: number): number => Math.max(dte, 0.5) / 365;

/**
 * P(S_T < K) when ln(S_T / S) ~ N(−σ²T/2, σ²T) (no drift in the forward, r = q = 0):
 * N((ln(K/S) + σ²T/2) / (σ√T)).
 */
export function probBelow(spot: number, strike: number, sigma: number, years: number): number {
  if (strike <= 0) return 0;
  const sd = sigma * Math.sqrt(years);
  if (!(sd > 0)) return strike > spot ? 1 : 0;
  return normCdf((Math.log(strike / spot) + (sd * sd) / 2) / sd);
}

/** E[max(S_T − K, 0)] (call) or E[max(K − S_T, 0)] (put) under the same model: Black-76 with F = S and no discounting. */
export function expectedPayoff(right: 'C' | 'P', spot: number, strike: number, sigma: number, years: number): number {
  const sd = sigma * Math.sqrt(years);
  if (!(sd > 0)) return Math.max(0, right === 'C' ? spot - strike : strike - spot);
  const d1 = (Math.log(spot / strike) + (sd * sd) / 2) / sd;
  const d2 = d1 - sd;
  return right === 'C' ? spot * normCdf(d1) - strike * normCdf(d2) : strike * normCdf(-d2) - spot * normCdf(-d1);
}

export interface ShortSides {
  /** The short put (lowest short put strike) and short call (highest short call strike), if the structure has them. */
  put: CandidateLeg | undefined;
  call: CandidateLeg | undefined;
}

export function shortSides(legs: CandidateLeg[]): ShortSides {
  let put: CandidateLeg | undefined;
  let call: CandidateLeg | undefined;
  for (const l of legs) {
    if (l.action !== 'Sell to Open') continue;
    if (l.right === 'P' && (!put || l.strike < put.strike)) put = l;
    if (l.right === 'C' && (!call || l.strike > call.strike)) call = l;
  }
  return { put, call };
}

/**
 * Probability of profit at expiration, 0..1: the price ends between the breakevens.
 * Breakevens: short put strike − credit, short call strike + credit. Each tail uses its own short strike's IV:
 * POP = 1 − P(S_T < BE_put; σ_put) − P(S_T > BE_call; σ_call).
 */
export function probabilityOfProfit(spot: number, credit: number, sides: ShortSides, years: number): number {
  let loss = 0;
  if (sides.put) loss += probBelow(spot, sides.put.strike - credit, sides.put.iv ?? 0, years);
  if (sides.call) loss += 1 - probBelow(spot, sides.call.strike + credit, sides.call.iv ?? 0, years);
  return Math.min(1, Math.max(0, 1 - loss));
}

/**
 * Expected value at expiration per share: credit − Σ_short E[payoff] + Σ_long E[payoff], every put leg valued with
 * the short put's IV and every call leg with the short call's IV (the distribution POP uses). Null when not finite.
 */
export function expectedValuePerShare(
  spot: number,
  credit: number,
  legs: CandidateLeg[],
  sides: ShortSides,
  years: number,
): number | null {
  let payout = 0;
  for (const l of legs) {
    const sigma = (l.right === 'P' ? sides.put?.iv : sides.call?.iv) ?? l.iv;
    if (sigma === null || !(sigma > 0)) return null;
    const e = expectedPayoff(l.right, spot, l.strike, sigma, years) * l.ratio;
    payout += l.action === 'Sell to Open' ? e : -e;
  }
  const ev = credit - payout;
  return Number.isFinite(ev) ? ev : null;
}
