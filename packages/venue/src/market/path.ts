// Owns the underlying price paths: exact GBM on a market-time grid driven by a hashed Brownian path, plus control anchors.
import { DAY_MS, addDays, dateOf, dayNum, nyDate, nyTime, prevTradingDay, tradingHours } from '../calendar.js';
import { BrownianPath, deriveSeed } from '../rng.js';
import type { MarketClock, VenueMillis, UnderlyingSpec } from '../types.js';
import { isEtf } from './underlyings.js';

const OPEN_GAP_MS = 3_600_000; // market time inserted at each open (overnight gap) in real/replay modes

/**
 * Cumulative regular-session milliseconds, measured from the start of a base New York date (signed, memoised per day).
 * Used to run prices on "market time" that stops outside regular hours.
 */
export class RegularTime {
  private readonly base: number;
  private readonly fwd: number[] = [0]; // cum at start of day base+i
  private readonly back: number[] = [0]; // cum at start of day base-i

  /** `openGapMs`: extra market time inserted at each open, so prices can gap overnight. */
  constructor(
    baseMs: VenueMillis,
    private readonly openGapMs = 0,
  ) {
    this.base = dayNum(nyDate(baseMs));
  }

  private duration(day: number): number {
    const h = tradingHours(dateOf(day));
    return h ? this.openGapMs + h.closeAt - h.openAt : 0;
  }

  /** Market time in one trading day (gap + regular session). */
  dayLength(dateStr: string): number {
    return this.duration(dayNum(dateStr));
  }

  private cumAtDayStart(day: number): number {
    const i = day - this.base;
    if (i >= 0) {
      while (this.fwd.length <= i) {
        const k = this.fwd.length - 1;
        this.fwd.push((this.fwd[k] ?? 0) + this.duration(this.base + k));
      }
      return this.fwd[i] ?? 0;
    }
    while (this.back.length <= -i) {
      const k = this.back.length; // start of day base-k = start of base-(k-1) minus day base-k
      this.back.push((this.back[k - 1] ?? 0) - this.duration(this.base - k));
    }
    return this.back[-i] ?? 0;
  }

  /** Market ms (regular sessions plus open gaps) between the base day's start and `ms`. */
  at(ms: VenueMillis): number {
    const date = nyDate(ms);
    const h = tradingHours(date);
    const within = h && ms >= h.openAt ? this.openGapMs + Math.min(ms, h.closeAt) - h.openAt : 0;
    return this.cumAtDayStart(dayNum(date)) + within;
  }
}

/**
 * Maps clock instants to integer market steps. In `open` mode every millisecond counts; in `real`/replay modes only
 * regular sessions (plus a gap at each open) count, so prices stand still outside regular hours.
 */
export class MarketTime {
  readonly hours: boolean;
  readonly dayMarketMs: number;
  readonly periodsPerYear: number;
  /** Years of variance per step. */
  readonly dt: number;
  private readonly regular: RegularTime | undefined;
  private readonly originT: number;

  constructor(
    clock: MarketClock,
    readonly stepMs: number,
  ) {
    const origin = clock.now();
    this.hours = clock.spec.mode !== 'open';
    this.regular = this.hours ? new RegularTime(origin, OPEN_GAP_MS) : undefined;
    this.dayMarketMs = this.hours ? 6.5 * 3_600_000 + OPEN_GAP_MS : DAY_MS;
    this.periodsPerYear = this.hours ? 252 : 365;
    this.dt = stepMs / (this.dayMarketMs * this.periodsPerYear);
    this.originT = this.regular ? this.regular.at(origin) : origin;
  }

  stepOf(t: VenueMillis): number {
    return Math.floor(((this.regular ? this.regular.at(t) : t) - this.originT) / this.stepMs);
  }

  /** Steps in one trading day (one calendar day in `open` mode). */
  get stepsPerDay(): number {
    return this.dayMarketMs / this.stepMs;
  }

  /**
   * The trading day a day summary describes (today once open, else the previous trading day; in `open` mode any
   * calendar day, 09:30 to 09:30), its open and previous-close steps and the elapsed share of its session.
   */
  dayWindow(now: VenueMillis): { date: string; openN: number; prevN: number; elapsed: number } {
    const today = nyDate(now);
    if (!this.hours) {
      const date = now >= nyTime(today, '09:30') ? today : addDays(today, -1);
      const openAt = nyTime(date, '09:30');
      const prevN = this.stepOf(nyTime(addDays(date, -1), '16:00'));
      return { date, openN: this.stepOf(openAt), prevN, elapsed: (now - openAt) / 23_400_000 };
    }
    const h = tradingHours(today);
    const date = h && now >= h.openAt ? today : prevTradingDay(today);
    const dh = tradingHours(date);
    const ph = tradingHours(prevTradingDay(date));
    const openN = dh ? this.stepOf(dh.openAt) : 0;
    const prevN = ph ? this.stepOf(ph.closeAt) : openN;
    const elapsed = dh ? (Math.min(now, dh.closeAt) - dh.openAt) / (dh.closeAt - dh.openAt) : 1;
    return { date, openN, prevN, elapsed };
  }
}

interface Anchor {
  n: number;
  spot: number;
  vol: number;
}

/**
 * One underlying's spot and ATM vol as pure functions of the market step: S(n) = S_a exp(-σ²dt(n-n_a)/2 + σ√dt (W(n)-W(n_a)))
 * from the latest control anchor a at or before n (the first anchor also extends backwards for history).
 * Any n is O(log) to evaluate, so big clock jumps cost nothing and the path does not depend on how often it is read.
 */
export class SpotPath {
  private anchors: Anchor[];
  private readonly w: BrownianPath;
  private readonly elasticity: number;

  constructor(
    seed: number,
    readonly spec: UnderlyingSpec,
    n0: number,
    private readonly dt: number,
  ) {
    this.anchors = [{ n: n0, spot: spec.spot, vol: spec.vol }];
    this.w = new BrownianPath(deriveSeed(seed, 'path', spec.symbol));
    this.elasticity = isEtf(spec) ? 3 : 1.5;
  }

  private anchorAt(n: number): Anchor {
    let a = this.anchors[0] as Anchor;
    for (const x of this.anchors) if (x.n <= n) a = x;
    return a;
  }

  spot(n: number): number {
    const a = this.anchorAt(n);
    const dw = this.w.at(n) - this.w.at(a.n);
    return a.spot * Math.exp(-0.5 * a.vol * a.vol * this.dt * (n - a.n) + a.vol * Math.sqrt(this.dt) * dw);
  }

  /** ATM 30-day vol: the anchor's vol, rising as spot falls below the anchor's spot (leverage effect), bounded. */
  vol(n: number): number {
    const a = this.anchorAt(n);
    const f = Math.exp(-this.elasticity * Math.log(this.spot(n) / a.spot));
    return a.vol * Math.min(1.8, Math.max(0.6, f));
  }

  /** Control move at step n: later reads continue from the new spot/vol. */
  set(n: number, change: { spot?: number; vol?: number }): { spot: number; vol: number } {
    const a: Anchor = { n, spot: change.spot ?? this.spot(n), vol: change.vol ?? this.vol(n) };
    this.anchors = [...this.anchors.filter((x) => x.n < n), a];
    return a;
  }
}
