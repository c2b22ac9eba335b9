// Owns the implied-vol surface: put skew, smaller call wing, term structure and an earnings bump, from one ATM 30-day vol.
import type { UnderlyingSpec } from '../types.js';
import { isEtf } from './underlyings.js';

export const YEAR_DAYS = 365;
const T30 = 30 / YEAR_DAYS;
const MIN_T = 0.5 / YEAR_DAYS;

export interface SurfaceParams {
  /** Linear and quadratic smile coefficients in standardised moneyness z = ln(K/S) / (atm * sqrt(T)). */
  putSkew: number;
  putCurve: number;
  callSkew: number;
  callCurve: number;
  /** Relative ATM vol change per unit ln(T / 30d); positive = upward sloping (contango). */
  termSlope: number;
  /** One-day expected earnings move (fraction of spot), added as a variance jump for expirations after earnings. */
  earningsMove: number;
}

export function surfaceParams(spec: UnderlyingSpec): SurfaceParams {
  if (isEtf(spec)) {
    return { putSkew: 0.3, putCurve: 0.05, callSkew: 0.12, callCurve: 0.08, termSlope: 0.035, earningsMove: 0 };
  }
  return {
    putSkew: 0.15,
    putCurve: 0.05,
    callSkew: 0.03,
    callCurve: 0.06,
    termSlope: 0.02,
    earningsMove: spec.vol * 0.18,
  };
}

export interface SurfaceOptions {
  /** Years from now to the next earnings report; null/undefined = none known. */
  earningsT?: number | null;
}

/** ATM implied vol for an expiration T (years) from the 30-day ATM vol: term structure plus earnings variance. */
export function atmVolAt(spec: UnderlyingSpec, atm30: number, T: number, opts: SurfaceOptions = {}): number {
  const p = surfaceParams(spec);
  const t = Math.max(T, MIN_T);
  const ratio = Math.min(1.25, Math.max(0.8, 1 + p.termSlope * Math.log(t / T30)));
  const base = atm30 * ratio;
  const e = opts.earningsT;
  if (e != null && e >= 0 && T > e && p.earningsMove > 0) {
    return Math.sqrt(base * base + (p.earningsMove * p.earningsMove) / t);
  }
  return base;
}

/** Smile multiplier for standardised moneyness z (negative = lower strikes). */
export function smileFactor(spec: UnderlyingSpec, z: number): number {
  const p = surfaceParams(spec);
  const x = Math.min(3.5, Math.max(-4, z));
  const f = x < 0 ? 1 - p.putSkew * x + p.putCurve * x * x : 1 - p.callSkew * x + p.callCurve * x * x;
  return Math.min(3, Math.max(0.6, f));
}

/**
 * Implied vol for a strike: `moneyness` = K / S, `T` in years, `atm30` = current ATM 30-day vol.
 * Lower strikes get higher vols (put skew); far upside strikes curl up slightly (call wing).
 */
export function surfaceIv(
  spec: UnderlyingSpec,
  atm30: number,
  moneyness: number,
  T: number,
  opts: SurfaceOptions = {},
): number {
  const atm = atmVolAt(spec, atm30, T, opts);
  const z = Math.log(moneyness) / (atm * Math.sqrt(Math.max(T, MIN_T)));
  return atm * smileFactor(spec, z);
}
