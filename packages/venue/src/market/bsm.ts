// Owns Black-Scholes-Merton pricing: price, greeks (per-day theta, per-point vega, per-1% rho) and implied-vol inversion.
import { normCdf, normPdf } from './normal.js';
import type { OptionRight } from '../types.js';

export { normCdf, normPdf };

export interface BsmInput {
  right: OptionRight;
  S: number; // spot
  K: number; // strike
  T: number; // years
  r: number; // continuous risk-free rate
  q: number; // continuous dividend yield
  sigma: number; // annualised vol
}

export interface BsmGreeks {
  price: number;
  delta: number;
  gamma: number;
  /** Per calendar day (annual theta / 365), dollars per share. */
  theta: number;
  /** Per vol point (0.01), dollars per share. */
  vega: number;
  /** Per 1% rate move (0.01), dollars per share. */
  rho: number;
}

export function bsmPrice(i: BsmInput): number {
  return bsmGreeks(i).price;
}

export function bsmGreeks({ right, S, K, T, r, q, sigma }: BsmInput): BsmGreeks {
  const call = right === 'C';
  if (!(T > 0) || !(sigma > 0)) {
    const intrinsic = Math.max(0, call ? S - K : K - S);
    const itm = call ? S > K : K > S;
    return { price: intrinsic, delta: itm ? (call ? 1 : -1) : 0, gamma: 0, theta: 0, vega: 0, rho: 0 };
  }
  const sqrtT = Math.sqrt(T);
  const vsT = sigma * sqrtT;
  const d1 = (Math.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / vsT;
  const d2 = d1 - vsT;
  const dq = Math.exp(-q * T);
  const dr = Math.exp(-r * T);
  const pdf = normPdf(d1);
  const gamma = (dq * pdf) / (S * vsT);
  const vega = (S * dq * pdf * sqrtT) / 100;
  const decay = -(S * dq * pdf * sigma) / (2 * sqrtT);
  if (call) {
    const nd1 = normCdf(d1);
    const nd2 = normCdf(d2);
    return {
      price: S * dq * nd1 - K * dr * nd2,
      delta: dq * nd1,
      gamma,
      theta: (decay - r * K * dr * nd2 + q * S * dq * nd1) / 365,
      vega,
      rho: (K * T * dr * nd2) / 100,
    };
  }
  const nmd1 = normCdf(-d1);
  const nmd2 = normCdf(-d2);
  return {
    price: K * dr * nmd2 - S * dq * nmd1,
    delta: -dq * nmd1,
    gamma,
    theta: (decay + r * K * dr * nmd2 - q * S * dq * nmd1) / 365,
    vega,
    rho: (-K * T * dr * nmd2) / 100,
  };
}

/** No-arbitrage bounds of an option price. */
export function priceBounds({ right, S, K, T, r, q }: Omit<BsmInput, 'sigma'>): { lower: number; upper: number } {
  const fs = S * Math.exp(-q * T);
  const fk = K * Math.exp(-r * T);
  return right === 'C' ? { lower: Math.max(0, fs - fk), upper: fs } : { lower: Math.max(0, fk - fs), upper: fk };
}

/**
 * Implied vol from a price: Newton's method on vega, falling back to bisection whenever a Newton step leaves the
 * bracket. Undefined when the price is outside the no-arbitrage bounds or no vol in (0.0001, 10] reproduces it.
 */
export function impliedVol(price: number, input: Omit<BsmInput, 'sigma'>, tol = 1e-9): number | undefined {
  if (!(input.T > 0) || !Number.isFinite(price)) return undefined;
  const { lower, upper } = priceBounds(input);
  if (price <= lower || price >= upper) return undefined;
  let lo = 1e-4;
  let hi = 10;
  if (bsmPrice({ ...input, sigma: hi }) < price || bsmPrice({ ...input, sigma: lo }) > price) return undefined;
  let sigma = Math.min(3, Math.max(0.05, (Math.sqrt((2 * Math.PI) / input.T) * price) / input.S));
  for (let i = 0; i < 200; i++) {
    const g = bsmGreeks({ ...input, sigma });
    const diff = g.price - price;
    if (Math.abs(diff) < tol) return sigma;
    if (diff > 0) hi = sigma;
    else lo = sigma;
    const vega = g.vega * 100;
    let nextSigma = vega > 1e-12 ? sigma - diff / vega : NaN;
    if (!(nextSigma > lo && nextSigma < hi)) nextSigma = 0.5 * (lo + hi);
    if (hi - lo < 1e-12) return nextSigma;
    sigma = nextSigma;
  }
  return sigma;
}
