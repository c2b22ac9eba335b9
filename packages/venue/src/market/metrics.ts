// Owns derived market statistics: seeded IV history, IV rank/percentile, historical vols, open interest and volumes.
import { createRng, deriveSeed, hashUniform } from '../rng.js';
import type { DaySummary, MarketMetrics, VenueMillis, UnderlyingSpec } from '../types.js';

export const IV_HISTORY_DAYS = 252;

/**
 * A seeded 252-day daily IV history that ends at `current`: a mean-reverting log-vol walk around the base vol,
 * generated backwards from today so the last point is exactly the current IV. Same seed and inputs -> same history.
 */
export function ivHistory(
  seed: number,
  symbol: string,
  baseVol: number,
  current: number,
  days = IV_HISTORY_DAYS,
): number[] {
  const rng = createRng(deriveSeed(seed, 'iv-history', symbol));
  const out = new Array<number>(days);
  let lv = Math.log(current);
  const target = Math.log(baseVol);
  out[days - 1] = current;
  for (let i = days - 2; i >= 0; i--) {
    lv += 0.04 * (target - lv) + 0.055 * rng.normal();
    out[i] = Math.exp(lv);
  }
  return out;
}

/** IV rank = (cur - min) / (max - min); IV percentile = share of days with a lower IV. Both fractions in [0, 1]. */
export function ivRankPercentile(history: number[], current: number): { rank: number; percentile: number } {
  const all = [...history, current];
  const min = Math.min(...all);
  const max = Math.max(...all);
  const rank = max > min ? (current - min) / (max - min) : 0.5;
  const lower = history.filter((v) => v < current).length;
  const percentile = history.length ? lower / history.length : 0.5;
  return { rank: Math.min(1, Math.max(0, rank)), percentile: Math.min(1, Math.max(0, percentile)) };
}

/** Annualised close-to-close historical vol in percent over the last `window` returns of `closes` (oldest first). */
export function historicalVol(closes: number[], window: number, periodsPerYear: number): number {
  const tail = closes.slice(-(window + 1));
  const rets: number[] = [];
  for (let i = 1; i < tail.length; i++) {
    const a = tail[i - 1] ?? 0;
    const b = tail[i] ?? 0;
    if (a > 0 && b > 0) rets.push(Math.log(b / a));
  }
  if (rets.length < 2) return 0;
  const mean = rets.reduce((s, r) => s + r, 0) / rets.length;
  const variance = rets.reduce((s, r) => s + (r - mean) ** 2, 0) / (rets.length - 1);
  return Math.sqrt(variance * periodsPerYear) * 100;
}

const round = (x: number, dp: number): number => Math.round(x * 10 ** dp) / 10 ** dp;

export interface MetricsInput {
  spec: UnderlyingSpec;
  seed: number;
  /** Current 30-day ATM IV (fraction), incl. any earnings within 30 days. */
  iv30: number;
  /** Daily closes, oldest first, ending with the current spot (at least 91 for HV90). */
  closes: number[];
  periodsPerYear: number;
  /** Correlation of daily returns with SPY's (the one the daily history is generated with). */
  corrSpy: number;
  earningsDate: string | null;
  expirationIvs: MarketMetrics['expirationIvs'];
  marketCap: number;
  now: VenueMillis;
}

export function buildMetrics(i: MetricsInput): MarketMetrics {
  const { spec } = i;
  const hist = ivHistory(i.seed, spec.symbol, spec.vol, i.iv30);
  const { rank, percentile } = ivRankPercentile(hist.slice(0, -1), i.iv30);
  const fiveAgo = hist[hist.length - 6] ?? i.iv30;
  return {
    symbol: spec.symbol,
    ivIndex: round(i.iv30, 4),
    ivIndex5DayChange: round(i.iv30 - fiveAgo, 4),
    ivRank: round(rank, 4),
    ivPercentile: round(percentile, 4),
    iv30: round(i.iv30 * 100, 2),
    hv30: round(historicalVol(i.closes, 30, i.periodsPerYear), 2),
    hv60: round(historicalVol(i.closes, 60, i.periodsPerYear), 2),
    hv90: round(historicalVol(i.closes, 90, i.periodsPerYear), 2),
    liquidityRating: spec.liquidityRating,
    liquidityRank: round(Math.min(1, Math.max(0, (spec.liquidityRating - 0.5) / 5)), 4),
    liquidityValue: round(spec.liquidityRating * 0.2 * (0.9 + 0.2 * hashUniform(i.seed, 'liq', spec.symbol)), 4),
    beta: spec.beta,
    corrSpy3Month: round(i.corrSpy, 2),
    marketCap: i.marketCap,
    dividendYield: spec.dividendYield,
    sector: spec.sector,
    industry: spec.industry,
    earnings: i.earningsDate
      ? {
          expectedReportDate: i.earningsDate,
          estimated: false,
          ...(spec.earningsTimeOfDay ? { timeOfDay: spec.earningsTimeOfDay } : {}),
        }
      : null,
    expirationIvs: i.expirationIvs,
    updatedAt: i.now,
  };
}

/**
 * Seeded open interest for one option, fixed for a trading date: larger near the money (in standard deviations),
 * for liquid names and for monthlies.
 */
export function openInterest(o: {
  seed: number;
  symbol: string;
  tradingDate: string;
  spot: number;
  strike: number;
  iv: number;
  T: number;
  liquidityRating: number;
  monthly: boolean;
}): number {
  const sd = o.iv * Math.sqrt(Math.max(o.T, 1 / 365));
  const z = Math.log(o.strike / o.spot) / sd;
  const base = 60 * 3 ** Math.max(0, o.liquidityRating - 1) * (o.monthly ? 2 : 1);
  const bell = Math.exp(-0.5 * z * z) + 0.02;
  const noise = 0.4 + 1.2 * hashUniform(o.seed, 'oi', o.symbol, o.tradingDate);
  const roundStrike = Math.round(o.strike) % 5 === 0 ? 1.5 : 1;
  return Math.max(0, Math.round(base * bell * noise * roundStrike));
}

/** Seeded volume so far today: a share of `typical` that grows with the elapsed fraction of the session. */
export function dayVolume(seed: number, symbol: string, tradingDate: string, typical: number, elapsed: number): number {
  const f = Math.min(1, Math.max(0, elapsed));
  return Math.round(typical * f * (0.7 + 0.6 * hashUniform(seed, 'vol', symbol, tradingDate)));
}

/**
 * A day summary from a value function on market steps: open at `openN`, high/low from samples every `every` steps up
 * to `n` (a pure function of the path, so it does not depend on how often prices were read), previous close at `prevN`.
 */
export function daySummary(o: {
  symbol: string;
  time: VenueMillis;
  n: number;
  openN: number;
  prevN: number;
  every: number;
  valueAt: (step: number) => number;
  openInterest: number;
  dayVolume: number;
}): DaySummary {
  const samples = [o.valueAt(o.openN)];
  for (let k = o.openN + o.every; k < o.n; k += o.every) samples.push(o.valueAt(k));
  if (o.n > o.openN) samples.push(o.valueAt(o.n));
  return {
    symbol: o.symbol,
    dayOpen: round(samples[0] ?? 0, 2),
    dayHigh: round(Math.max(...samples), 2),
    dayLow: round(Math.min(...samples), 2),
    prevDayClose: round(o.valueAt(o.prevN), 2),
    openInterest: o.openInterest,
    dayVolume: o.dayVolume,
    time: o.time,
  };
}
