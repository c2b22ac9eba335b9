// Owns the seeded market model: spot paths per underlying, chains, quotes, greeks, summaries, metrics and controls.
import { DAY_MS, addDays, nyDate, nyTime } from '../calendar.js';
import { hashKeys } from '../rng.js';
import type {
  DaySummary,
  MarketMetrics,
  MarketModel,
  OptionChain,
  OptionContract,
  MarketClock,
  VenueMillis,
  UnderlyingSpec,
} from '../types.js';
import { bsmGreeks } from './bsm.js';
import { buildChain, formatOcc, formatStreamerSymbol, parseOcc, parseStreamerSymbol, strikeOnLadder } from './chain.js';
import { createDailyBars } from './daily-bars.js';
import {
  DEFAULT_SPY_VOL,
  TRADING_DAYS_PER_YEAR,
  lastCompletedTradingDay,
  spyCorrelation,
  tradingDaysBefore,
} from './daily-history.js';
import { buildMetrics, daySummary, dayVolume, openInterest } from './metrics.js';
import { MarketTime, SpotPath } from './path.js';
import { equityQuote, optionQuote } from './quotes.js';
import { averageDailyVolume, defaultUnderlyings, marketCap } from './underlyings.js';
import { atmVolAt, surfaceIv } from './vol-surface.js';

export const RISK_FREE_RATE = 0.045;
const YEAR_MS = 365 * DAY_MS;
const MIN_T = 60_000 / YEAR_MS;

export interface MarketModelOptions {
  clock: MarketClock;
  seed: number;
  underlyings?: UnderlyingSpec[];
  /** Simulated-time grid of the price paths, ms (default 1000). */
  stepMs?: number;
}

export type VenueMarketModel = MarketModel & {
  /** Brings prices to clock.now() and fires onChange for underlyings whose spot moved. Call it from a timer. */
  step(): void;
};

interface Und {
  spec: UnderlyingSpec;
  path: SpotPath;
  earnings: string | null; // first expected report date (then every 91 days)
  refs: Map<string, number[]>; // NY date -> reference spots of that day's strike grid (only grows)
  chain?: { value: OptionChain; strikes: Set<number>; refs: number[]; refCount: number; from: number; until: number };
  earningsAt?: { date: string; at: VenueMillis | null };
  notified: number;
}

export function createMarketModel(opts: MarketModelOptions): VenueMarketModel {
  const { clock, seed } = opts;
  const time = new MarketTime(clock, opts.stepMs ?? 1000);
  const origin = clock.now();
  const unds = new Map<string, Und>();
  const listeners = new Set<(u: string[]) => void>();
  const memo = new Map<string, number>(); // `${symbol}|${n}` -> spot, cleared on control moves

  const nowN = (): number => time.stepOf(clock.now());
  let lastDay = { at: NaN, day: '' };
  const today = (now: VenueMillis): string => {
    if (lastDay.at !== now) lastDay = { at: now, day: nyDate(now) };
    return lastDay.day;
  };
  const emit = (symbols: string[]): void => {
    for (const l of [...listeners]) l(symbols);
  };

  function spotAt(u: Und, n: number): number {
    const key = `${u.spec.symbol}|${n}`;
    let s = memo.get(key);
    if (s === undefined) {
      if (memo.size > 4096) memo.clear();
      s = u.path.spot(n);
      memo.set(key, s);
    }
    return s;
  }

  const daily = createDailyBars({
    seed,
    now: () => clock.now(),
    stepOf: (t) => time.stepOf(t),
    stepMs: time.stepMs,
    spot: (symbol, n) => und(symbol).path.spot(n),
    spec: (symbol) => unds.get(symbol)?.spec,
    live(symbol) {
      const s = summary(symbol);
      const q = model.quote(symbol);
      if (s === undefined || q === undefined) return undefined;
      return { summary: s, price: Number.isFinite(q.last) && q.last > 0 ? q.last : q.mid };
    },
  });

  function add(spec: UnderlyingSpec, n: number): void {
    const s = { ...spec };
    if (!(s.spot > 0) || !(s.vol > 0)) throw new Error(`market model: ${s.symbol} needs a positive spot and vol`);
    unds.set(s.symbol, {
      spec: s,
      path: new SpotPath(seed, s, n, time.dt),
      earnings: s.earningsInDays === null ? null : nyDate(origin + s.earningsInDays * DAY_MS),
      refs: new Map(),
      notified: s.spot,
    });
    daily.register(s.symbol, clock.now());
    memo.clear();
  }
  for (const s of opts.underlyings ?? defaultUnderlyings()) add(s, 0);

  function und(symbol: string): Und {
    const u = unds.get(symbol);
    if (!u) throw new Error(`market model: unknown underlying ${symbol}`);
    return u;
  }

  function nextEarnings(u: Und, today: string): string | null {
    let d = u.earnings;
    while (d !== null && d < today) d = addDays(d, 91);
    return d;
  }

  function earningsT(u: Und, now: VenueMillis): number | null {
    const day = today(now);
    if (u.earningsAt?.date !== day) {
      const d = nextEarnings(u, day);
      u.earningsAt = { date: day, at: d ? nyTime(d, u.spec.earningsTimeOfDay === 'BTO' ? '09:00' : '16:30') : null };
    }
    const at = u.earningsAt.at;
    return at === null ? null : (at - now) / YEAR_MS;
  }

  /** Strike grid references for a date: the spot at the day's start, plus control moves far from it. */
  function refsFor(u: Und, date: string): number[] {
    let r = u.refs.get(date);
    if (!r) {
      r = [u.path.spot(time.stepOf(nyTime(date, '00:00')))];
      u.refs.set(date, r);
    }
    return r;
  }

  /** Chains are cached until the next NY midnight or the first expiration, whichever comes first. */
  function chainOf(u: Und): OptionChain {
    const now = clock.now();
    const c = u.chain;
    if (c && now >= c.from && now < c.until && c.refs.length === c.refCount) return c.value;
    const day = today(now);
    const refs = refsFor(u, day);
    const value = buildChain(u.spec, now, refs);
    const midnight = nyTime(addDays(day, 1), '00:00');
    u.chain = {
      value,
      refs,
      refCount: refs.length,
      from: now,
      until: Math.min(midnight, value.expirations[0]?.expiresAt ?? midnight),
      strikes: new Set((value.expirations[0]?.strikes ?? []).map((s) => Math.round(s.strike * 1000))),
    };
    return value;
  }

  function contract(occ: string): OptionContract | undefined {
    const p = parseOcc(occ);
    const u = p && unds.get(p.root);
    if (!p || !u) return undefined;
    const exp = chainOf(u).expirations.find((e) => e.expirationDate === p.expirationDate);
    if (!exp) return undefined;
    const listed = u.chain?.strikes.has(Math.round(p.strike * 1000));
    if (!listed && !strikeOnLadder(u.spec, p.strike, refsFor(u, today(clock.now())))) return undefined;
    return {
      symbol: formatOcc(p.root, p.expirationDate, p.right, p.strike),
      streamerSymbol: formatStreamerSymbol(p.root, p.expirationDate, p.right, p.strike),
      underlying: u.spec.symbol,
      rootSymbol: p.root,
      expirationDate: p.expirationDate,
      expiresAt: exp.expiresAt,
      strike: p.strike,
      right: p.right,
      expirationType: exp.expirationType,
      settlementType: exp.settlementType,
    };
  }

  /** Spot, time to expiry, surface IV and BSM greeks of a contract at market step n and instant t. */
  function price(u: Und, c: OptionContract, n: number, t: VenueMillis) {
    const S = spotAt(u, n);
    const T = Math.max(MIN_T, (c.expiresAt - t) / YEAR_MS);
    const iv = surfaceIv(u.spec, u.path.vol(n), c.strike / S, T, { earningsT: earningsT(u, t) });
    const g = bsmGreeks({ right: c.right, S, K: c.strike, T, r: RISK_FREE_RATE, q: u.spec.dividendYield, sigma: iv });
    return { S, T, iv, g };
  }

  function summary(symbol: string): DaySummary | undefined {
    const now = clock.now();
    const n = time.stepOf(now);
    const eq = unds.get(symbol);
    const c = eq ? undefined : contract(symbol);
    const u = eq ?? (c ? unds.get(c.underlying) : undefined);
    if (!u) return undefined;
    const w = time.dayWindow(now);
    // Options are valued at the sampled spot with time decay measured from now (approximate, cheap).
    const valueAt = (k: number): number => (c ? price(u, c, k, now - (n - k) * time.stepMs).g.price : u.path.spot(k));
    let oi = 0;
    let volume: number;
    if (c) {
      const p = price(u, c, n, now);
      const exp = chainOf(u).expirations.find((e) => e.expirationDate === c.expirationDate);
      const ref = refsFor(u, today(now))[0] ?? p.S;
      oi = openInterest({
        seed,
        symbol: c.symbol,
        tradingDate: w.date,
        spot: ref,
        strike: c.strike,
        iv: p.iv,
        T: p.T,
        liquidityRating: u.spec.liquidityRating,
        monthly: exp?.expirationType === 'Regular',
      });
      volume = dayVolume(seed, c.symbol, w.date, oi * 0.35, w.elapsed);
    } else {
      volume = dayVolume(seed, symbol, w.date, averageDailyVolume(u.spec), w.elapsed);
    }
    const every = Math.max(1, Math.round((c ? 1_800_000 : 300_000) / time.stepMs));
    return daySummary({
      symbol: c ? c.symbol : symbol,
      time: now,
      n,
      openN: w.openN,
      prevN: w.prevN,
      every,
      valueAt,
      openInterest: oi,
      dayVolume: volume,
    });
  }

  function metrics(symbol: string): MarketMetrics | undefined {
    const u = unds.get(symbol);
    if (!u) return undefined;
    const now = clock.now();
    const n = time.stepOf(now);
    // The daily closes the Candle feed serves (the last 90 finished sessions), then the current spot
    const from = tradingDaysBefore(lastCompletedTradingDay(now), 89);
    const closes = (daily.bars(symbol, from, { live: false }) ?? []).map((b) => b.close).slice(-90);
    closes.push(spotAt(u, n));
    const eT = earningsT(u, now);
    const vol = u.path.vol(n);
    const ivAt = (T: number) => Math.round(atmVolAt(u.spec, vol, T, { earningsT: eT }) * 1e4) / 1e4;
    return buildMetrics({
      spec: u.spec,
      seed,
      periodsPerYear: TRADING_DAYS_PER_YEAR,
      corrSpy: spyCorrelation(u.spec, unds.get('SPY')?.spec.vol ?? DEFAULT_SPY_VOL),
      closes,
      now,
      iv30: atmVolAt(u.spec, vol, 30 / 365, { earningsT: eT }),
      earningsDate: nextEarnings(u, today(now)),
      marketCap: marketCap(symbol, spotAt(u, n)),
      expirationIvs: chainOf(u).expirations.map((e) => ({
        expirationDate: e.expirationDate,
        settlementType: e.settlementType,
        impliedVolatility: ivAt(Math.max(MIN_T, (e.expiresAt - now) / YEAR_MS)),
      })),
    });
  }

  const model: VenueMarketModel = {
    underlyings: () => [...unds.keys()],
    hasUnderlying: (s) => unds.has(s),
    spec: (s) => {
      const u = unds.get(s);
      return u ? { ...u.spec } : undefined;
    },
    spot: (s) => spotAt(und(s), nowN()),
    spotAt: (s, at) => spotAt(und(s), time.stepOf(at)),
    chain: (s) => {
      const u = unds.get(s);
      return u ? chainOf(u) : undefined;
    },
    contract,
    quote(symbol) {
      const now = clock.now();
      const n = time.stepOf(now);
      const sizeSeed = hashKeys(seed, 'size', symbol, Math.floor(n / 15));
      const u = unds.get(symbol);
      if (u)
        return equityQuote({
          symbol,
          spot: spotAt(u, n),
          liquidityRating: u.spec.liquidityRating,
          time: now,
          sizeSeed,
        });
      const c = contract(symbol);
      const cu = c && unds.get(c.underlying);
      if (!c || !cu) return undefined;
      const p = price(cu, c, n, now);
      return optionQuote({
        symbol: c.symbol,
        theo: p.g.price,
        spot: p.S,
        strike: c.strike,
        T: p.T,
        iv: p.iv,
        time: now,
        sizeSeed,
        liquidityRating: cu.spec.liquidityRating,
        ticks: chainOf(cu).tickSizes,
      });
    },
    greeks(occ) {
      const now = clock.now();
      const c = contract(occ);
      const u = c && unds.get(c.underlying);
      if (!c || !u) return undefined;
      const { iv, g } = price(u, c, time.stepOf(now), now);
      return { symbol: c.symbol, volatility: iv, ...g, time: now };
    },
    summary,
    metrics,
    dailyBars: (symbol, fromDate) => daily.bars(symbol, fromDate),
    fromStreamerSymbol(s) {
      if (unds.has(s)) return s;
      const p = parseStreamerSymbol(s);
      return p ? contract(formatOcc(p.root, p.expirationDate, p.right, p.strike))?.symbol : undefined;
    },
    setMarket(symbol, change) {
      const u = und(symbol);
      if (change.spot !== undefined && !(change.spot > 0 && Number.isFinite(change.spot))) {
        throw new Error(`setMarket: invalid spot ${change.spot}`);
      }
      if (change.vol !== undefined && !(change.vol > 0 && change.vol < 10))
        throw new Error(`setMarket: invalid vol ${change.vol}`);
      const now = clock.now();
      const refs = refsFor(u, today(now)); // fix today's grid before the move
      const a = u.path.set(time.stepOf(now), change);
      if (refs.every((r) => Math.abs(a.spot / r - 1) > 0.05)) refs.push(a.spot);
      memo.clear();
      daily.moved(symbol);
      u.notified = a.spot;
      emit([symbol]);
    },
    addUnderlying(spec) {
      add(spec, nowN());
      emit([spec.symbol]);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    step() {
      const n = nowN();
      const moved: string[] = [];
      for (const u of unds.values()) {
        const s = spotAt(u, n);
        if (s !== u.notified) {
          u.notified = s;
          moved.push(u.spec.symbol);
        }
      }
      if (moved.length) emit(moved);
    },
  };
  clock.onAdvance(() => model.step());
  return model;
}
