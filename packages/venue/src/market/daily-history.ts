// Owns the seeded daily history of an underlying before the market model's own path: daily log returns that load on a
// market factor (SPY) through the underlying's correlation, chained backwards from a junction close, cached lazily.
import { dayNum, nyDate, prevTradingDay, tradingHours } from '../calendar.js';
import { hashNormal } from '../rng.js';
import type { DailyBar, UnderlyingSpec, VenueMillis } from '../types.js';

export const TRADING_DAYS_PER_YEAR = 252;
/** History reaches at most this many trading days before the junction (10 years); older requests start there. */
export const MAX_HISTORY_DAYS = 2520;
/** SPY's vol when the model has no SPY (custom underlyings): the market factor still exists. */
export const DEFAULT_SPY_VOL = 0.15;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Correlation of an underlying's daily returns with SPY's, from its beta (β = ρ·σ/σ_SPY), bounded to ±0.95 so every
 * name keeps some returns of its own. SPY is the market factor itself: 1.
 */
export function spyCorrelation(spec: Pick<UnderlyingSpec, 'symbol' | 'beta' | 'vol'>, spyVol: number): number {
  if (spec.symbol === 'SPY') return 1;
  if (!(spec.vol > 0) || !Number.isFinite(spec.beta)) return 0;
  return Math.max(-0.95, Math.min(0.95, (spec.beta * spyVol) / spec.vol));
}

/**
 * The log return of one trading day: vol/√252 · (ρ·M + √(1-ρ²)·E) - ½(vol/√252)², where M is the market factor of that
 * date (shared by every underlying of a seed) and E the underlying's own draw. A pure function of (seed, symbol, date).
 */
export function dailyLogReturn(seed: number, symbol: string, vol: number, rho: number, date: string): number {
  const day = dayNum(date);
  const m = hashNormal(seed, 'daily-market', day);
  const own = rho >= 1 ? 0 : hashNormal(seed, 'daily-own', symbol, day);
  const s = vol / Math.sqrt(TRADING_DAYS_PER_YEAR);
  return s * (rho * m + Math.sqrt(Math.max(0, 1 - rho * rho)) * own) - 0.5 * s * s;
}

/** The latest NYSE trading day whose regular close is at or before `t`. */
export function lastCompletedTradingDay(t: VenueMillis): string {
  const today = nyDate(t);
  const h = tradingHours(today);
  return h && h.closeAt <= t ? today : prevTradingDay(today);
}

/** The trading day `n` trading days before `date` (n = 0: `date` itself). */
export function tradingDaysBefore(date: string, n: number): string {
  let d = date;
  for (let i = 0; i < n; i++) d = prevTradingDay(d);
  return d;
}

export interface DailyHistoryOptions {
  seed: number;
  symbol: string;
  vol: number;
  /** Correlation with SPY (spyCorrelation). */
  rho: number;
  /** Typical shares a day; each day's volume varies around it. */
  typicalVolume: number;
  /** The last trading day of the history: its close is given at read time (the model's price then). */
  junction: string;
}

/**
 * The bars of trading days up to the junction, generated backwards on demand and cached as prices relative to the
 * junction's close: close(d-1) = close(d)·exp(-r(d)). The shape of each day (open gap, high, low) is seeded too.
 */
export class DailyHistory {
  private readonly dates: string[]; // junction first, then ever older trading days
  private readonly logRel: number[]; // ln(close(dates[k]) / close(junction))
  private readonly ret: number[]; // r(dates[k])

  constructor(private readonly o: DailyHistoryOptions) {
    this.dates = [o.junction];
    this.logRel = [0];
    this.ret = [this.returnOf(o.junction)];
  }

  private returnOf(date: string): number {
    return dailyLogReturn(this.o.seed, this.o.symbol, this.o.vol, this.o.rho, date);
  }

  /** Extends the cache back to `from` (or the history's limit); the index of the oldest date at or after `from`. */
  private reach(from: string): number {
    for (;;) {
      const k = this.dates.length - 1;
      const oldest = this.dates[k] as string;
      if (oldest <= from || k >= MAX_HISTORY_DAYS) break;
      const prev = prevTradingDay(oldest);
      this.dates.push(prev);
      this.logRel.push((this.logRel[k] as number) - (this.ret[k] as number));
      this.ret.push(this.returnOf(prev));
    }
    // dates descend: the last index whose date is still at or after `from`
    let lo = 0;
    let hi = this.dates.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.dates[mid] as string) >= from) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Bars oldest first for the trading days from `from` through the junction, whose close is `junctionClose`. */
  bars(from: string, junctionClose: number): DailyBar[] {
    if (from > this.o.junction) return [];
    const s = this.o.vol / Math.sqrt(TRADING_DAYS_PER_YEAR);
    const out: DailyBar[] = [];
    for (let k = this.reach(from); k >= 0; k--) {
      const date = this.dates[k] as string;
      const close = junctionClose * Math.exp(this.logRel[k] as number);
      const prevClose = close * Math.exp(-(this.ret[k] as number));
      const day = dayNum(date);
      const open = prevClose * Math.exp(0.25 * s * hashNormal(this.o.seed, 'daily-gap', this.o.symbol, day));
      const up = 0.6 * s * Math.abs(hashNormal(this.o.seed, 'daily-high', this.o.symbol, day));
      const down = 0.6 * s * Math.abs(hashNormal(this.o.seed, 'daily-low', this.o.symbol, day));
      const volumeFactor = Math.exp(0.25 * hashNormal(this.o.seed, 'daily-volume', this.o.symbol, day));
      const c = round2(close);
      const op = round2(open);
      out.push({
        date,
        open: op,
        high: Math.max(op, c, round2(Math.max(open, close) * Math.exp(up))),
        low: Math.min(op, c, round2(Math.min(open, close) * Math.exp(-down))),
        close: c,
        volume: Math.round(this.o.typicalVolume * volumeFactor),
        final: true,
      });
    }
    return out;
  }
}
