// Owns Tastytrade market data → Legwork: nested option chains (roots merged, missing streamer symbols computed),
// market metrics, the DXLink quote token, the market session, and DXLink Quote/Greeks/Candle events. Pure.
import type { MarketSessionInfo } from '../../domain/account.js';
import { nyDate } from '../../domain/dates.js';
import { occToStreamer } from '../../domain/instrument.js';
import type {
  ChainExpiration,
  GreeksSnapshot,
  MarketMetrics,
  OptionChain,
  QuoteSnapshot,
  TickSize,
} from '../../domain/market.js';
import { toCents } from '../../domain/money.js';
import { mapping, wireError } from './mapper-util.js';
import {
  isObject,
  parseWire,
  TtCandleEvent,
  TtGreeksEvent,
  TtMarketMetrics,
  TtMarketSession,
  TtNestedChain,
  TtQuoteEvent,
  TtQuoteToken,
  unwrapEnvelope,
} from './wire.js';
import { z } from 'zod';

const CHAIN = 'nested option chain';

function toExpirations(chain: TtNestedChain, at: string): ChainExpiration[] {
  return chain.expirations.map((e, i) => ({
    expiration: e['expiration-date'],
    daysToExpiration: e['days-to-expiration'],
    expirationType: e['expiration-type'],
    settlementType: e['settlement-type'],
    strikes: e.strikes
      .map((s, j) => {
        const path = `${at}.expirations[${i}].strikes[${j}]`;
        return {
          strike: Number(s['strike-price']),
          callSymbol: s.call,
          callStreamerSymbol: s['call-streamer-symbol'] ?? mapping(CHAIN, `${path}.call`, () => occToStreamer(s.call)),
          putSymbol: s.put,
          putStreamerSymbol: s['put-streamer-symbol'] ?? mapping(CHAIN, `${path}.put`, () => occToStreamer(s.put)),
        };
      })
      .sort((a, b) => a.strike - b.strike),
  }));
}

/**
 * GET /option-chains/{sym}/nested items. Several roots (SPX and SPXW) are merged into one chain: expirations sorted by
 * date, the underlying's own root first on a shared date. Root, contract size and ticks come from that root. Only
 * Standard chains are read (adjusted, non-standard deliverables are left out).
 */
export function parseNestedChain(items: unknown, underlying: string): OptionChain {
  const chains = parseWire(CHAIN, z.array(TtNestedChain), unwrapEnvelope(items));
  const standard = chains
    .map((chain, index) => ({ chain, at: `$[${index}]` }))
    .filter(({ chain }) => (chain['option-chain-type'] ?? 'Standard') === 'Standard');
  const primary = standard.find(({ chain }) => chain['root-symbol'] === underlying) ?? standard[0];
  if (!primary) throw wireError(CHAIN, '$', `no Standard option chain for ${underlying}`);
  const rank = (root: string) => (root === primary.chain['root-symbol'] ? 0 : 1);
  const expirations = standard
    .flatMap(({ chain, at }) => toExpirations(chain, at).map((e) => ({ e, rank: rank(chain['root-symbol']) })))
    .sort((a, b) => a.e.expiration.localeCompare(b.e.expiration) || a.rank - b.rank)
    .map(({ e }) => e);
  const tickSizes: TickSize[] = (primary.chain['tick-sizes'] ?? []).map((t, i) => ({
    threshold: t.threshold === undefined || t.threshold === null ? null : Number(t.threshold),
    valueCents: mapping(CHAIN, `${primary.at}.tick-sizes[${i}].value`, () => toCents(t.value)),
  }));
  return {
    underlying,
    root: primary.chain['root-symbol'],
    sharesPerContract: primary.chain['shares-per-contract'],
    tickSizes,
    expirations,
  };
}

/** GET /market-metrics items. IV index/rank/percentile stay fractions; IV30/HV30 stay percent. */
export function parseMarketMetrics(items: unknown): MarketMetrics[] {
  return parseWire('market metrics', z.array(TtMarketMetrics), unwrapEnvelope(items)).map((m) => ({
    symbol: m.symbol,
    ivIndex: m['implied-volatility-index'] ?? null,
    ivRank:
      m['implied-volatility-index-rank'] ??
      m['tos-implied-volatility-index-rank'] ??
      m['implied-volatility-rank'] ??
      null,
    ivPercentile: m['implied-volatility-percentile'] ?? null,
    iv30: m['implied-volatility-30-day'] ?? null,
    hv30: m['historical-volatility-30-day'] ?? null,
    liquidityRating: m['liquidity-rating'] ?? null,
    beta: m.beta ?? null,
    earningsDate: m.earnings?.['expected-report-date'] ?? null,
    expirationIvs: (m['option-expiration-implied-volatilities'] ?? []).flatMap((e) => {
      const iv = e['implied-volatility'];
      return iv === undefined || iv === null ? [] : [{ expiration: e['expiration-date'], iv }];
    }),
    updatedAt: m['updated-at'] ?? null,
  }));
}

/** GET /api-quote-tokens. */
export function parseQuoteToken(json: unknown): { token: string; dxlinkUrl: string; level: string } {
  const t = parseWire('quote token', TtQuoteToken, unwrapEnvelope(json));
  return { token: t.token, dxlinkUrl: t['dxlink-url'], level: t.level ?? 'unknown' };
}

const SESSION_STATES: Record<string, MarketSessionInfo['state']> = {
  open: 'Open',
  closed: 'Closed',
  'pre-market': 'Pre-market',
  extended: 'Extended',
};

/**
 * GET /market-time/sessions/current: the `{items:[...]}` list (the Equity item is used) or a single object.
 * `openAt`/`closeAt` are the current session's (null when Tastytrade has none); `nextOpenAt` is `next-session.open-at`.
 */
export function parseMarketSession(json: unknown): MarketSessionInfo {
  const kind = 'market session';
  let value = unwrapEnvelope(json);
  let at = '$';
  if (Array.isArray(value)) {
    const index = Math.max(
      0,
      value.findIndex((v) => isObject(v) && v['instrument-collection'] === 'Equity'),
    );
    if (value.length === 0) throw wireError(kind, '$', 'the list is empty');
    value = value[index];
    at = `$[${index}]`;
  }
  const s = parseWire(kind, TtMarketSession, value);
  const state = SESSION_STATES[s.state.toLowerCase()];
  if (!state) throw wireError(kind, `${at}.state`, `unknown market state ${JSON.stringify(s.state)}`);
  return {
    state,
    openAt: s['open-at'] ?? null,
    closeAt: s['close-at'] ?? null,
    nextOpenAt: s['next-session']?.['open-at'] ?? null,
  };
}

/** A DXLink event as the SDK delivers it; null unless it is a Quote. "NaN"/"Infinity" become null. */
export function parseQuoteEvent(e: Record<string, unknown>, receivedAt: number): QuoteSnapshot | null {
  if (e['eventType'] !== 'Quote') return null;
  const q = parseWire('DXLink Quote event', TtQuoteEvent, e);
  return {
    streamerSymbol: q.eventSymbol,
    bid: q.bidPrice ?? null,
    ask: q.askPrice ?? null,
    bidSize: q.bidSize ?? null,
    askSize: q.askSize ?? null,
    receivedAt,
  };
}

/** A DXLink event as the SDK delivers it; null unless it is a Greeks event. `volatility` becomes `iv`. */
export function parseGreeksEvent(e: Record<string, unknown>, receivedAt: number): GreeksSnapshot | null {
  if (e['eventType'] !== 'Greeks') return null;
  const g = parseWire('DXLink Greeks event', TtGreeksEvent, e);
  return {
    streamerSymbol: g.eventSymbol,
    price: g.price ?? null,
    iv: g.volatility ?? null,
    delta: g.delta ?? null,
    gamma: g.gamma ?? null,
    theta: g.theta ?? null,
    vega: g.vega ?? null,
    rho: g.rho ?? null,
    receivedAt,
  };
}

/** dxFeed event flags of time-series snapshots (a Candle history arrives newest first between BEGIN and END). */
export const DX_FLAGS = { REMOVE_EVENT: 0x02, SNAPSHOT_BEGIN: 0x04, SNAPSHOT_END: 0x08, SNAPSHOT_SNIP: 0x10 } as const;

export interface CandleEvent {
  /** The candle symbol, e.g. `SPY{=d}`. */
  candleSymbol: string;
  flags: number;
  /** Start of the candle's period, epoch ms. */
  time: number | null;
  /** New York trading date of a daily candle: its period starts at 00:00 UTC (dxFeed) or midnight New York, noon after either is that date. */
  date: string | null;
  /** Null when "NaN" (e.g. the snapshot's end marker). */
  close: number | null;
}

/** A DXLink event as the SDK delivers it; null unless it is a Candle. */
export function parseCandleEvent(e: Record<string, unknown>): CandleEvent | null {
  if (e['eventType'] !== 'Candle') return null;
  const c = parseWire('DXLink Candle event', TtCandleEvent, e);
  const time = c.time ?? null;
  return {
    candleSymbol: c.eventSymbol,
    flags: c.eventFlags ?? 0,
    time,
    date: time === null ? null : nyDate(time + 12 * 3_600_000),
    close: c.close ?? null,
  };
}
