// Owns the underlyings' daily bars: the seeded history up to the last close before an underlying entered the model,
// joined to the model's own path after it (each finished session sampled like the day summary, today's live bar).
import { isTradingDay, nextTradingDay, tradingHours } from '../calendar.js';
import type { DailyBar, DaySummary, UnderlyingSpec, VenueMillis } from '../types.js';
import { DEFAULT_SPY_VOL, DailyHistory, lastCompletedTradingDay, spyCorrelation } from './daily-history.js';
import { daySummary, dayVolume } from './metrics.js';
import { averageDailyVolume } from './underlyings.js';

export interface DailyBarsDeps {
  seed: number;
  now(): VenueMillis;
  stepOf(t: VenueMillis): number;
  stepMs: number;
  /** The underlying's spot at a market step (control moves included). */
  spot(symbol: string, n: number): number;
  spec(symbol: string): UnderlyingSpec | undefined;
  /** Today's summary and latest price, for the bar of a session under way. */
  live(symbol: string): { summary: DaySummary; price: number } | undefined;
}

export interface DailyBars {
  /** Starts (or restarts, for a replaced underlying) the bars of `symbol`, which entered the model at `addedAt`. */
  register(symbol: string, addedAt: VenueMillis): void;
  /** Bars oldest first from `from` through today; `live: false` leaves out today's unfinished bar. */
  bars(symbol: string, from: string, opts?: { live?: boolean }): DailyBar[] | undefined;
  /** A control move at the current step: forgets finished sessions it may have changed. */
  moved(symbol: string): void;
}

interface Entry {
  /** The last trading day whose close came before the underlying entered the model: the history ends there. */
  junction: string;
  history?: DailyHistory;
  /** Finished sessions of the model's own path, by date. */
  sessions: Map<string, DailyBar>;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function createDailyBars(deps: DailyBarsDeps): DailyBars {
  const entries = new Map<string, Entry>();
  const every = Math.max(1, Math.round(300_000 / deps.stepMs)); // the equity day summary's 5-minute samples

  const closeStep = (date: string): number => deps.stepOf(tradingHours(date)!.closeAt);

  function historyOf(symbol: string, e: Entry, spec: UnderlyingSpec): DailyHistory {
    if (e.history === undefined) {
      const spyVol = deps.spec('SPY')?.vol ?? DEFAULT_SPY_VOL;
      e.history = new DailyHistory({
        seed: deps.seed,
        symbol,
        vol: spec.vol,
        rho: spyCorrelation(spec, spyVol),
        typicalVolume: averageDailyVolume(spec),
        junction: e.junction,
      });
    }
    return e.history;
  }

  /** A finished session of the path: open, 5-minute highs and lows and close, as the day summary samples them. */
  function session(symbol: string, e: Entry, spec: UnderlyingSpec, date: string): DailyBar {
    let bar = e.sessions.get(date);
    if (bar === undefined) {
      const h = tradingHours(date)!;
      const n = deps.stepOf(h.closeAt);
      const s = daySummary({
        symbol,
        time: h.closeAt,
        n,
        openN: deps.stepOf(h.openAt),
        prevN: n,
        every,
        valueAt: (k) => deps.spot(symbol, k),
        openInterest: 0,
        dayVolume: dayVolume(deps.seed, symbol, date, averageDailyVolume(spec), 1),
      });
      const close = round2(deps.spot(symbol, n));
      bar = {
        date,
        open: s.dayOpen,
        high: Math.max(s.dayHigh, close),
        low: Math.min(s.dayLow, close),
        close,
        volume: s.dayVolume,
        final: true,
      };
      e.sessions.set(date, bar);
    }
    return bar;
  }

  return {
    register(symbol, addedAt) {
      entries.set(symbol, { junction: lastCompletedTradingDay(addedAt), sessions: new Map() });
    },

    bars(symbol, from, opts = {}) {
      const e = entries.get(symbol);
      const spec = deps.spec(symbol);
      if (e === undefined || spec === undefined) return undefined;
      const now = deps.now();
      const out =
        from <= e.junction ? historyOf(symbol, e, spec).bars(from, deps.spot(symbol, closeStep(e.junction))) : [];
      const first = nextTradingDay(e.junction);
      for (let d = from > first ? (isTradingDay(from) ? from : nextTradingDay(from)) : first; ; d = nextTradingDay(d)) {
        const h = tradingHours(d)!;
        if (h.openAt > now) break;
        if (h.closeAt <= now) {
          out.push(session(symbol, e, spec, d));
          continue;
        }
        const live = opts.live === false ? undefined : deps.live(symbol);
        if (live !== undefined) {
          const { summary: s, price } = live;
          out.push({
            date: d,
            open: s.dayOpen,
            high: Math.max(s.dayHigh, price),
            low: Math.min(s.dayLow, price),
            close: price,
            volume: s.dayVolume,
            final: false,
          });
        }
        break;
      }
      return out;
    },

    moved(symbol) {
      // A move at the current step changes the close of a session that just ended (market time stands still until
      // the next open in real/replay modes); sessions before it keep their prices.
      const e = entries.get(symbol);
      if (e !== undefined && lastCompletedTradingDay(deps.now()) >= e.junction) {
        e.sessions.delete(lastCompletedTradingDay(deps.now()));
      }
    },
  };
}
