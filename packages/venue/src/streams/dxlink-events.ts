// Owns the dxFeed event records the venue's DXLink server publishes: field lists per event type and pure builders from the market model.
import type { MarketModel, OptionContract } from '../types.js';
import { jsonDouble, type FeedValue } from './dxlink-protocol.js';

/** One dxFeed event as field → value (FULL form); COMPACT rows are cut from it with `compactValues`. */
export type EventRecord = Record<string, FeedValue>;

/**
 * Default record layouts (the JS SDK never sends acceptEventFields, so the server picks them). They are the dxLink
 * schema field lists (docs/tastytrade-api.md §11.4) with `eventType` first, as the tastytrade web platform requests.
 */
export const EVENT_FIELDS = {
  Quote: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'sequence',
    'timeNanoPart',
    'bidTime',
    'bidExchangeCode',
    'bidPrice',
    'bidSize',
    'askTime',
    'askExchangeCode',
    'askPrice',
    'askSize',
  ],
  Trade: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'time',
    'timeNanoPart',
    'sequence',
    'exchangeCode',
    'price',
    'change',
    'size',
    'dayId',
    'dayVolume',
    'dayTurnover',
    'tickDirection',
    'extendedTradingHours',
  ],
  Summary: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'dayId',
    'dayOpenPrice',
    'dayHighPrice',
    'dayLowPrice',
    'dayClosePrice',
    'dayClosePriceType',
    'prevDayId',
    'prevDayClosePrice',
    'prevDayClosePriceType',
    'prevDayVolume',
    'openInterest',
  ],
  Greeks: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'eventFlags',
    'index',
    'time',
    'sequence',
    'price',
    'volatility',
    'delta',
    'gamma',
    'theta',
    'rho',
    'vega',
  ],
  Profile: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'description',
    'shortSaleRestriction',
    'tradingStatus',
    'statusReason',
    'haltStartTime',
    'haltEndTime',
    'highLimitPrice',
    'lowLimitPrice',
    'high52WeekPrice',
    'low52WeekPrice',
    'beta',
    'earningsPerShare',
    'dividendFrequency',
    'exDividendAmount',
    'exDividendDayId',
    'shares',
    'freeFloat',
  ],
  Underlying: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'eventFlags',
    'index',
    'time',
    'sequence',
    'volatility',
    'frontVolatility',
    'backVolatility',
    'callVolume',
    'putVolume',
    'putCallRatio',
  ],
  Candle: [
    'eventType',
    'eventSymbol',
    'eventTime',
    'eventFlags',
    'index',
    'time',
    'sequence',
    'count',
    'open',
    'high',
    'low',
    'close',
    'volume',
    'VWAP',
    'bidVolume',
    'askVolume',
    'impVolatility',
    'openInterest',
  ],
} as const satisfies Record<string, readonly string[]>;

export type DxEventType = keyof typeof EVENT_FIELDS;

export function isServedEventType(type: string): type is DxEventType {
  return Object.hasOwn(EVENT_FIELDS, type);
}

/** Every field name the server knows, by its lowercase spelling (names are the same in every event type that has them). */
const CANONICAL_FIELD = new Map<string, string>(
  Object.values(EVENT_FIELDS)
    .flat()
    .map((f) => [f.toLowerCase(), f]),
);

/**
 * The record layout for `type` on a channel: the client's acceptEventFields exactly as asked — its order and its
 * spelling, echoed back in FEED_CONFIG; a name the server does not know stays in its place and is sent as "NaN"
 * (`compactValues`); a name repeated (in any case) counts once, at its first place — or the default layout when the
 * client asked for nothing usable. Undefined for event types this server never publishes.
 */
export function negotiateEventFields(type: string, requested: unknown): string[] | undefined {
  if (!isServedEventType(type)) return undefined;
  if (Array.isArray(requested)) {
    const seen = new Set<string>();
    const layout = requested.filter((f): f is string => {
      if (typeof f !== 'string' || f === '' || seen.has(f.toLowerCase())) return false;
      seen.add(f.toLowerCase());
      return true;
    });
    if (layout.length > 0) return layout;
  }
  return [...EVENT_FIELDS[type]];
}

/** A record's value for a field name as the client spelled it (names match case-insensitively, `vwap` = `VWAP`). */
function fieldValue(record: EventRecord, name: string): FeedValue | undefined {
  const own = (key: string) => (Object.hasOwn(record, key) ? record[key] : undefined); // never "constructor" & co.
  return own(name) ?? own(CANONICAL_FIELD.get(name.toLowerCase()) ?? name);
}

/** Flattens records into one COMPACT value list in `fields` order; a field the record lacks or the server does not know is "NaN". */
export function compactValues(records: readonly EventRecord[], fields: readonly string[]): FeedValue[] {
  const out: FeedValue[] = [];
  for (const r of records) for (const f of fields) out.push(fieldValue(r, f) ?? 'NaN');
  return out;
}

/** What a streamer symbol means to the market model. */
export interface ResolvedSymbol {
  kind: 'equity' | 'option';
  /** Ticker for equities, OCC symbol for options (the market model's key). */
  symbol: string;
  underlying: string;
  contract?: OptionContract;
}

export function resolveStreamerSymbol(market: MarketModel, streamerSymbol: string): ResolvedSymbol | undefined {
  const sym = market.fromStreamerSymbol(streamerSymbol);
  if (sym === undefined) return undefined;
  const contract = market.contract(sym);
  if (contract !== undefined) return { kind: 'option', symbol: sym, underlying: contract.underlying, contract };
  if (market.hasUnderlying(sym)) return { kind: 'equity', symbol: sym, underlying: sym };
  return undefined;
}

const nyDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** dxFeed day id (days since 1970-01-01) of the New York calendar date containing `ms`. */
export function dayIdOf(ms: number): number {
  const [y, m, d] = nyDate.format(new Date(ms)).split('-').map(Number);
  return Math.round(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / 86_400_000);
}

/** The weekday before `dayId` (holidays ignored). */
export function prevWeekdayId(dayId: number): number {
  let id = dayId - 1;
  while ((id + 4) % 7 === 0 || (id + 4) % 7 === 6) id--; // 1970-01-01 was a Thursday (weekday 4); 0 = Sunday, 6 = Saturday
  return id;
}

/** dxFeed time-series index: seconds in the high 32 bits, milliseconds in bits 22..31 (exact as a double). */
export function eventIndex(timeMs: number): number {
  return Math.floor(timeMs / 1000) * 2 ** 32 + (timeMs % 1000) * 2 ** 22;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Builds the current event of `type` for a resolved symbol; undefined when the market has nothing (no data is sent). */
export function buildEvent(
  market: MarketModel,
  type: string,
  eventSymbol: string,
  r: ResolvedSymbol,
): EventRecord | undefined {
  switch (type) {
    case 'Quote':
      return quoteEvent(market, eventSymbol, r);
    case 'Trade':
      return tradeEvent(market, eventSymbol, r);
    case 'Summary':
      return summaryEvent(market, eventSymbol, r);
    case 'Greeks':
      return r.kind === 'option' ? greeksEvent(market, eventSymbol, r) : undefined;
    case 'Profile':
      return profileEvent(market, eventSymbol, r);
    case 'Underlying':
      return r.kind === 'equity' ? underlyingEvent(market, eventSymbol, r) : undefined;
    default:
      return undefined;
  }
}

function quoteEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const q = market.quote(r.symbol);
  if (q === undefined) return undefined;
  const sec = Math.floor(q.time / 1000) * 1000; // dxFeed bid/ask times carry whole seconds
  const ex = r.kind === 'equity' ? 'Q' : 'C';
  return {
    eventType: 'Quote',
    eventSymbol,
    eventTime: 0,
    sequence: 0,
    timeNanoPart: 0,
    bidTime: sec,
    bidExchangeCode: ex,
    bidPrice: jsonDouble(q.bid),
    bidSize: jsonDouble(q.bidSize),
    askTime: sec,
    askExchangeCode: ex,
    askPrice: jsonDouble(q.ask),
    askSize: jsonDouble(q.askSize),
  };
}

function tradeEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const q = market.quote(r.symbol);
  if (q === undefined) return undefined;
  const s = market.summary(r.symbol);
  const traded = Number.isFinite(q.last) && q.last > 0;
  return {
    eventType: 'Trade',
    eventSymbol,
    eventTime: 0,
    time: traded ? q.time : 0,
    timeNanoPart: 0,
    sequence: 0,
    exchangeCode: r.kind === 'equity' ? 'Q' : 'C',
    price: traded ? q.last : 'NaN',
    change: traded && s !== undefined ? jsonDouble(round2(q.last - s.prevDayClose)) : 'NaN',
    size: traded ? (r.kind === 'equity' ? 100 : 1) : 'NaN',
    dayId: dayIdOf(q.time),
    dayVolume: jsonDouble(s?.dayVolume),
    dayTurnover: traded && s !== undefined ? jsonDouble(round2(s.dayVolume * q.last)) : 'NaN',
    tickDirection: 'UNDEFINED',
    extendedTradingHours: false,
  };
}

function summaryEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const s = market.summary(r.symbol);
  if (s === undefined) return undefined;
  const dayId = dayIdOf(s.time);
  return {
    eventType: 'Summary',
    eventSymbol,
    eventTime: 0,
    dayId,
    dayOpenPrice: jsonDouble(s.dayOpen),
    dayHighPrice: jsonDouble(s.dayHigh),
    dayLowPrice: jsonDouble(s.dayLow),
    dayClosePrice: 'NaN',
    dayClosePriceType: 'REGULAR', // the day's close is unknown until the session ends
    prevDayId: prevWeekdayId(dayId),
    prevDayClosePrice: jsonDouble(s.prevDayClose),
    prevDayClosePriceType: 'FINAL',
    prevDayVolume: 'NaN',
    openInterest: Math.round(s.openInterest),
  };
}

function greeksEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const g = market.greeks(r.symbol);
  if (g === undefined) return undefined;
  return {
    eventType: 'Greeks',
    eventSymbol,
    eventTime: 0,
    eventFlags: 0,
    index: eventIndex(g.time),
    time: g.time,
    sequence: 0,
    price: jsonDouble(g.price),
    volatility: jsonDouble(g.volatility),
    delta: jsonDouble(g.delta),
    gamma: jsonDouble(g.gamma),
    theta: jsonDouble(g.theta),
    rho: jsonDouble(g.rho),
    vega: jsonDouble(g.vega),
  };
}

function profileEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const base = {
    eventType: 'Profile',
    eventSymbol,
    eventTime: 0,
    shortSaleRestriction: 'INACTIVE',
    tradingStatus: 'ACTIVE',
    statusReason: '',
    haltStartTime: 0,
    haltEndTime: 0,
    highLimitPrice: 'NaN',
    lowLimitPrice: 'NaN',
    earningsPerShare: 'NaN',
    exDividendDayId: 0,
    shares: 'NaN',
    freeFloat: 'NaN',
  };
  if (r.kind === 'option') {
    const c = r.contract;
    if (c === undefined) return undefined;
    const desc = `${c.underlying} ${c.expirationDate} ${c.strike} ${c.right === 'C' ? 'Call' : 'Put'}`;
    return {
      ...base,
      description: desc,
      high52WeekPrice: 'NaN',
      low52WeekPrice: 'NaN',
      beta: 'NaN',
      dividendFrequency: 0,
      exDividendAmount: 0,
    };
  }
  const spec = market.spec(r.symbol);
  if (spec === undefined) return undefined;
  // No price history: a 52-week range around the initial spot (widened if the price breaks out), so Profile stays steady.
  const spot = market.spot(r.symbol);
  return {
    ...base,
    description: spec.description,
    high52WeekPrice: round2(Math.max(spec.spot * (1 + 0.6 * spec.vol), spot)),
    low52WeekPrice: round2(Math.min(spec.spot * (1 - 0.9 * spec.vol), spot)),
    beta: spec.beta,
    dividendFrequency: spec.dividendYield > 0 ? 4 : 0,
    exDividendAmount: spec.dividendYield > 0 ? round2((spec.spot * spec.dividendYield) / 4) : 0,
  };
}

function underlyingEvent(market: MarketModel, eventSymbol: string, r: ResolvedSymbol): EventRecord | undefined {
  const spec = market.spec(r.symbol);
  if (spec === undefined) return undefined;
  const m = market.metrics(r.symbol);
  const s = market.summary(r.symbol);
  const time = s?.time ?? m?.updatedAt ?? 0;
  // Option volume is not modelled: a fixed share of the stock's day volume, puts slightly heavier (sensible, not real).
  const callVolume = s !== undefined ? Math.round(s.dayVolume * 0.02) : NaN;
  const putVolume = s !== undefined ? Math.round(s.dayVolume * 0.024) : NaN;
  return {
    eventType: 'Underlying',
    eventSymbol,
    eventTime: 0,
    eventFlags: 0,
    index: eventIndex(time),
    time,
    sequence: 0,
    volatility: jsonDouble(m?.ivIndex ?? spec.vol),
    frontVolatility: jsonDouble(m?.expirationIvs[0]?.impliedVolatility),
    backVolatility: jsonDouble(m?.expirationIvs[1]?.impliedVolatility),
    callVolume: jsonDouble(callVolume),
    putVolume: jsonDouble(putVolume),
    putCallRatio: callVolume > 0 ? jsonDouble(Math.round((putVolume / callVolume) * 1000) / 1000) : 'NaN',
  };
}
