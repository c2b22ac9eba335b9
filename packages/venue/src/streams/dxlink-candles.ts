// Owns Candle events for the venue's DXLink server: candle-symbol parsing, daily candle history of underlyings (time-series
// snapshots, newest first) and the current candle of other periods, built from the market model.
import { DAY_MS, dateOf } from '../calendar.js';
import type { DailyBar, MarketModel } from '../types.js';
import { dayIdOf, eventIndex, resolveStreamerSymbol, type EventRecord } from './dxlink-events.js';

/** dxFeed event flags used in time-series snapshots. */
export const EVENT_FLAGS = { REMOVE_EVENT: 0x02, SNAPSHOT_BEGIN: 0x04, SNAPSHOT_END: 0x08 } as const;

export interface CandleSymbol {
  base: string;
  count: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w';
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Parses "SPY{=5m}" / "AAPL{=d}" / "SPY{=5m,tho=true}". Undefined for unsupported periods (tick, volume, price, month, ...). */
export function parseCandleSymbol(symbol: string): CandleSymbol | undefined {
  const m = /^(.+)\{=(\d*)([a-z]+)(?:,[^}]*)?\}$/.exec(symbol);
  if (m === null) return undefined;
  const unit = m[3];
  if (unit !== 's' && unit !== 'm' && unit !== 'h' && unit !== 'd' && unit !== 'w') return undefined;
  const count = m[2] === '' || m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isInteger(count) || count <= 0) return undefined;
  return { base: m[1] ?? '', count, unit };
}

/** Start of the candle period that contains `t` (daily/weekly candles start at 00:00 UTC of the New York date, like dxFeed). */
function periodStart(c: CandleSymbol, t: number): number {
  if (c.unit === 'd' || c.unit === 'w') {
    const day = dayIdOf(t);
    if (c.unit === 'd') return day * 86_400_000;
    const monday = day - ((day + 3) % 7); // 1970-01-01 (day 0) was a Thursday
    return monday * 86_400_000;
  }
  const len = UNIT_MS[c.unit] * c.count;
  return Math.floor(t / len) * len;
}

function nanCandle(eventSymbol: string, time: number, eventFlags: number): EventRecord {
  return {
    eventType: 'Candle',
    eventSymbol,
    eventTime: 0,
    eventFlags,
    index: eventIndex(time),
    time,
    sequence: 0,
    count: 0,
    open: 'NaN',
    high: 'NaN',
    low: 'NaN',
    close: 'NaN',
    volume: 'NaN',
    VWAP: 'NaN',
    bidVolume: 'NaN',
    askVolume: 'NaN',
    impVolatility: 'NaN',
    openInterest: 'NaN',
  };
}

/** An underlying's daily candles (`SYM{=d}`) come from its daily bars; other periods and options have a current candle only. */
function dailyUnderlying(market: MarketModel, c: CandleSymbol): string | undefined {
  if (c.unit !== 'd' || c.count !== 1) return undefined;
  const r = resolveStreamerSymbol(market, c.base);
  return r?.kind === 'equity' ? r.symbol : undefined;
}

function barCandle(eventSymbol: string, bar: DailyBar, eventFlags: number): EventRecord {
  const time = dayIdOfDate(bar.date) * DAY_MS;
  return {
    ...nanCandle(eventSymbol, time, eventFlags),
    count: 1,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
  };
}

const dayIdOfDate = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** The latest daily bar of an underlying (today's while its session is under way). */
function latestBar(market: MarketModel, underlying: string): DailyBar | undefined {
  const q = market.quote(underlying);
  if (q === undefined) return undefined;
  return market.dailyBars(underlying, dateOf(dayIdOf(q.time) - 10))?.at(-1); // no market closes 10 days in a row
}

/** The current candle of `candleSymbol`, or undefined when the symbol or period is unknown. */
export function currentCandle(market: MarketModel, candleSymbol: string): EventRecord | undefined {
  const c = parseCandleSymbol(candleSymbol);
  if (c === undefined) return undefined;
  const daily = dailyUnderlying(market, c);
  if (daily !== undefined) {
    const bar = latestBar(market, daily);
    return bar && barCandle(candleSymbol, bar, 0);
  }
  const r = resolveStreamerSymbol(market, c.base);
  if (r === undefined) return undefined;
  const q = market.quote(r.symbol);
  if (q === undefined) return undefined;
  const s = market.summary(r.symbol);
  const price = Number.isFinite(q.last) && q.last > 0 ? q.last : q.mid;
  const time = periodStart(c, q.time);
  const multiDay = c.unit === 'd' || c.unit === 'w';
  const candle = nanCandle(candleSymbol, time, 0);
  if (multiDay && s !== undefined) {
    Object.assign(candle, {
      count: 1,
      open: s.dayOpen,
      high: Math.max(s.dayHigh, price),
      low: Math.min(s.dayLow, price),
      close: price,
      volume: s.dayVolume,
    });
  } else {
    Object.assign(candle, { count: 1, open: price, high: price, low: price, close: price, volume: 0 });
  }
  if (r.kind === 'option') {
    const g = market.greeks(r.symbol);
    if (g !== undefined && Number.isFinite(g.volatility)) candle['impVolatility'] = g.volatility;
    if (s !== undefined) candle['openInterest'] = s.openInterest;
  }
  return candle;
}

/**
 * Candle events for a subscription. Snapshot (as in ws_dxlink_feed_data__candle_compact.json): the candles at or after
 * `fromTime`, newest first, the first flagged SNAPSHOT_BEGIN, then a REMOVE|SNAPSHOT_END marker before the oldest one.
 * An underlying's daily candles (`SPY{=d}`) reach back to `fromTime` (one per NYSE trading day, at most the daily
 * history's 10 years); other periods and options have only the current candle. Update: the current candle.
 */
export function buildCandles(
  market: MarketModel,
  candleSymbol: string,
  fromTime: number | undefined,
  snapshot: boolean,
): EventRecord[] {
  const c = parseCandleSymbol(candleSymbol);
  const daily = c && dailyUnderlying(market, c);
  if (daily !== undefined && snapshot && fromTime !== undefined) {
    const bars = market.dailyBars(daily, dateOf(Math.ceil(fromTime / DAY_MS))) ?? [];
    return timeSeriesSnapshot(
      candleSymbol,
      bars.reverse().map((b) => barCandle(candleSymbol, b, 0)),
      fromTime,
    );
  }
  const cur = currentCandle(market, candleSymbol);
  if (cur === undefined) return [];
  if (!snapshot) return [cur];
  const from = fromTime ?? 0;
  const curTime = typeof cur['time'] === 'number' ? cur['time'] : 0;
  return timeSeriesSnapshot(candleSymbol, curTime >= from ? [cur] : [], from);
}

/** Candles (newest first) framed as a time-series snapshot: SNAPSHOT_BEGIN on the first, then the end marker. */
function timeSeriesSnapshot(candleSymbol: string, newestFirst: EventRecord[], from: number): EventRecord[] {
  const out: EventRecord[] = newestFirst.map((e, i) => ({
    ...e,
    eventFlags: i === 0 ? EVENT_FLAGS.SNAPSHOT_BEGIN : 0,
  }));
  const oldest = out.at(-1)?.['time'];
  const endFlags =
    EVENT_FLAGS.REMOVE_EVENT | EVENT_FLAGS.SNAPSHOT_END | (out.length === 0 ? EVENT_FLAGS.SNAPSHOT_BEGIN : 0);
  // The marker must not sit on a candle's own time (it would remove it).
  out.push(nanCandle(candleSymbol, typeof oldest === 'number' ? Math.min(from, oldest - 1) : from, endFlags));
  return out;
}
