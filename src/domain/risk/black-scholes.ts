// Owns European Black–Scholes pricing of the risk analytics: price and greeks of a call or put with a flat rate and no
// dividends; theta per calendar day (annual theta / 365), vega per vol point (0.01); at or after expiry the intrinsic
// value and zero greeks. Pure. One price formula (`bsKernel`), which the what-if grid calls with precomputed parts.
import { DAY_MS } from '../dates.js';
import { normCdf, normPdf } from './normal.js';

/** Time in years = ms / (365 × 86,400,000): calendar time, as theta per calendar day assumes. */
export const YEAR_MS = 365 * DAY_MS;

export interface BsInput {
  right: 'C' | 'P';
  spot: number;
  strike: number;
  /** Years to expiry; 0 or less = expired. */
  years: number;
  /** Continuously compounded, annualised. */
  rate: number;
  /** Annualised decimal; 0 or less prices the option on its discounted forward intrinsic value. */
  vol: number;
}

/** Per share (one unit of the underlying). */
export interface BsGreeks {
  price: number;
  delta: number;
  /** Change of delta per $1 of spot. */
  gamma: number;
  /** Dollars per calendar day. */
  theta: number;
  /** Dollars per vol point (σ + 0.01). */
  vega: number;
}

/** Years from `nowMs` to `expiresAt`, never negative. */
export const yearsToExpiry = (expiresAt: number, nowMs: number): number => Math.max(0, (expiresAt - nowMs) / YEAR_MS);

/**
 * The price from parts a caller may precompute per leg: `lnSpot` = ln S, `shift` = (r + σ²/2)·T − ln K,
 * `volSqrtT` = σ√T, `strikePv` = K·e^(−rT). d1 = (ln S + shift) / σ√T, d2 = d1 − σ√T;
 * call = S·N(d1) − K·e^(−rT)·N(d2), put = K·e^(−rT)·N(−d2) − S·N(−d1). When σ√T is 0 (expired, or no vol) the
 * value is max(0, ±(S − K·e^(−rT))): the intrinsic value at expiry (e^0 = 1), the discounted forward's before it.
 */
export function bsKernel(
  call: boolean,
  spot: number,
  lnSpot: number,
  shift: number,
  volSqrtT: number,
  strikePv: number,
): number {
  if (!(volSqrtT > 0)) return call ? Math.max(0, spot - strikePv) : Math.max(0, strikePv - spot);
  const d1 = (lnSpot + shift) / volSqrtT;
  const d2 = d1 - volSqrtT;
  return call ? spot * normCdf(d1) - strikePv * normCdf(d2) : strikePv * normCdf(-d2) - spot * normCdf(-d1);
}

/** The kernel's parts for one strike, time and vol (see `bsKernel`). */
export function bsParts(
  strike: number,
  years: number,
  rate: number,
  vol: number,
): { shift: number; volSqrtT: number; strikePv: number } {
  const t = Math.max(0, years);
  const v = Math.max(0, vol);
  return {
    shift: (rate + 0.5 * v * v) * t - Math.log(strike),
    volSqrtT: v * Math.sqrt(t),
    strikePv: strike * Math.exp(-rate * t),
  };
}

export function bsPrice({ right, spot, strike, years, rate, vol }: BsInput): number {
  const p = bsParts(strike, years, rate, vol);
  return bsKernel(right === 'C', spot, Math.log(spot), p.shift, p.volSqrtT, p.strikePv);
}

export function bsGreeks(input: BsInput): BsGreeks {
  const { right, spot: S, strike: K, years: T, rate: r, vol: sigma } = input;
  const call = right === 'C';
  const price = bsPrice(input);
  if (!(T > 0)) return { price, delta: 0, gamma: 0, theta: 0, vega: 0 };
  const strikePv = K * Math.exp(-r * T);
  if (!(sigma > 0)) {
    // Deterministic forward: the value is max(0, ±(S − K·e^(−rT))), so delta is a step and theta the strike's carry.
    const itm = call ? S > strikePv : strikePv > S;
    const carry = (r * strikePv) / 365;
    return { price, delta: itm ? (call ? 1 : -1) : 0, gamma: 0, theta: itm ? (call ? -carry : carry) : 0, vega: 0 };
  }
  const sqrtT = Math.sqrt(T);
  const volSqrtT = sigma * sqrtT;
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / volSqrtT;
  const d2 = d1 - volSqrtT;
  const pdf = normPdf(d1);
  const decay = -(S * pdf * sigma) / (2 * sqrtT);
  return {
    price,
    delta: call ? normCdf(d1) : normCdf(d1) - 1,
    gamma: pdf / (S * volSqrtT),
    theta: (call ? decay - r * strikePv * normCdf(d2) : decay + r * strikePv * normCdf(-d2)) / 365,
    vega: (S * pdf * sqrtT) / 100,
  };
}
