// Owns the Tastytrade JSON of market reference data on the venue: chains, instruments, metrics, sessions.
import { decimalString, isoTime, isoTimeZ } from '../format.js';
import type {
  ChainExpiration,
  JsonObject,
  MarketMetrics,
  MarketSession,
  OptionChain,
  UnderlyingSpec,
} from '../types.js';

const tickSizesWire = (chain: OptionChain) =>
  chain.tickSizes.map((t) =>
    t.threshold === undefined
      ? { value: decimalString(t.value) }
      : { threshold: decimalString(t.threshold), value: decimalString(t.value) },
  );

const deliverables = (chain: OptionChain) => [
  {
    id: 100_000 + [...chain.underlyingSymbol].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 900_000, 7),
    amount: decimalString(chain.sharesPerContract),
    'deliverable-type': 'Shares',
    description: `${chain.sharesPerContract} shares of ${chain.underlyingSymbol}`,
    'instrument-type': 'Equity',
    percent: '100',
    'root-symbol': chain.rootSymbol,
    symbol: chain.underlyingSymbol,
  },
];

/** One item of GET /option-chains/:sym/nested. */
export function nestedChainWire(chain: OptionChain): JsonObject {
  return {
    'underlying-symbol': chain.underlyingSymbol,
    'root-symbol': chain.rootSymbol,
    'option-chain-type': 'Standard',
    'shares-per-contract': chain.sharesPerContract,
    'tick-sizes': tickSizesWire(chain),
    deliverables: deliverables(chain),
    expirations: chain.expirations.map((e) => ({
      'expiration-type': e.expirationType,
      'expiration-date': e.expirationDate,
      'days-to-expiration': e.daysToExpiration,
      'settlement-type': e.settlementType,
      strikes: e.strikes.map((s) => ({
        'strike-price': decimalString(s.strike),
        call: s.callSymbol,
        'call-streamer-symbol': s.callStreamerSymbol,
        put: s.putSymbol,
        'put-streamer-symbol': s.putStreamerSymbol,
      })),
    })),
  };
}

/** One EquityOption as in GET /option-chains/:sym and GET /instruments/equity-options/:occ. */
export function equityOptionWire(
  chain: OptionChain,
  e: ChainExpiration,
  strike: number,
  right: 'C' | 'P',
  symbol: string,
  streamerSymbol: string,
): JsonObject {
  return {
    active: true,
    'days-to-expiration': e.daysToExpiration,
    'exercise-style': 'American',
    'expiration-date': e.expirationDate,
    'expiration-type': e.expirationType,
    'expires-at': isoTime(e.expiresAt),
    'instrument-type': 'Equity Option',
    'is-closing-only': false,
    'market-time-instrument-collection': 'Equity Option',
    'option-chain-type': 'Standard',
    'option-type': right,
    'root-symbol': chain.rootSymbol,
    'settlement-type': e.settlementType,
    'shares-per-contract': chain.sharesPerContract,
    'stops-trading-at': isoTime(e.stopsTradingAt),
    'streamer-symbol': streamerSymbol,
    'strike-price': decimalString(strike),
    symbol,
    'underlying-symbol': chain.underlyingSymbol,
  };
}

/** Items of GET /option-chains/:sym (flat): every call and put of every expiration. */
export function flatChainWire(chain: OptionChain): JsonObject[] {
  const items: JsonObject[] = [];
  for (const e of chain.expirations) {
    for (const s of e.strikes) {
      items.push(equityOptionWire(chain, e, s.strike, 'C', s.callSymbol, s.callStreamerSymbol));
      items.push(equityOptionWire(chain, e, s.strike, 'P', s.putSymbol, s.putStreamerSymbol));
    }
  }
  return items;
}

/** GET /instruments/equities/:sym. */
export function equityWire(spec: UnderlyingSpec, chain: OptionChain | undefined, id: number): JsonObject {
  const isEtf = spec.earningsInDays === null;
  return {
    id,
    symbol: spec.symbol,
    'instrument-type': 'Equity',
    // Not a real CUSIP: nine characters derived from the id, so it is stable and obviously simulated
    cusip: `SIM${String(id).padStart(6, '0')}`,
    'short-description': spec.description.toUpperCase().slice(0, 30),
    'is-index': false,
    'listed-market': isEtf ? 'ARCX' : 'XNAS',
    description: spec.description.toUpperCase(),
    lendability: 'Easy To Borrow',
    'borrow-rate': '0.0',
    'market-time-instrument-collection': 'Equity',
    'is-closing-only': false,
    'is-options-closing-only': false,
    active: true,
    'is-fractional-quantity-eligible': true,
    'is-illiquid': spec.liquidityRating <= 1,
    'is-etf': isEtf,
    'streamer-symbol': spec.symbol,
    'tick-sizes': [{ value: '0.0001', threshold: '1.0' }, { value: '0.01' }],
    'option-tick-sizes': chain ? tickSizesWire(chain) : [],
  };
}

/** One item of GET /market-metrics. IV index/rank/percentile are fractions; IV30/HV in percent, like Tastytrade. */
export function marketMetricsWire(m: MarketMetrics): JsonObject {
  const at = isoTimeZ(m.updatedAt);
  const item: JsonObject = {
    symbol: m.symbol,
    'implied-volatility-index': decimalString(m.ivIndex),
    'implied-volatility-index-15-day': decimalString(m.ivIndex),
    'implied-volatility-index-5-day-change': decimalString(m.ivIndex5DayChange),
    'implied-volatility-index-rank': decimalString(m.ivRank),
    'tos-implied-volatility-index-rank': decimalString(m.ivRank),
    'tw-implied-volatility-index-rank': decimalString(m.ivRank),
    'tos-implied-volatility-index-rank-updated-at': at,
    'implied-volatility-index-rank-source': 'tos',
    'implied-volatility-percentile': decimalString(m.ivPercentile),
    'implied-volatility-updated-at': at,
    'liquidity-value': decimalString(m.liquidityValue),
    'liquidity-rank': decimalString(m.liquidityRank),
    'liquidity-rating': m.liquidityRating,
    'updated-at': at,
    'option-expiration-implied-volatilities': m.expirationIvs.map((e) => ({
      'expiration-date': e.expirationDate,
      'option-chain-type': 'Standard',
      'settlement-type': e.settlementType,
      'implied-volatility': decimalString(e.impliedVolatility),
    })),
    beta: decimalString(m.beta),
    'beta-updated-at': at,
    'corr-spy-3month': decimalString(m.corrSpy3Month, 2),
    'dividend-yield': decimalString(m.dividendYield),
    'listed-market': 'XNAS',
    lendability: 'Easy To Borrow',
    'borrow-rate': '0.0',
    'market-cap': m.marketCap,
    'implied-volatility-30-day': decimalString(m.iv30, 2),
    'historical-volatility-30-day': decimalString(m.hv30, 2),
    'historical-volatility-60-day': decimalString(m.hv60, 2),
    'historical-volatility-90-day': decimalString(m.hv90, 2),
    'iv-hv-30-day-difference': decimalString(m.iv30 - m.hv30, 2),
    sector: m.sector,
    industry: m.industry,
  };
  if (m.earnings) {
    item['earnings'] = {
      visible: true,
      'expected-report-date': m.earnings.expectedReportDate,
      estimated: m.earnings.estimated,
      'late-flag': 0,
      ...(m.earnings.timeOfDay ? { 'time-of-day': m.earnings.timeOfDay } : {}),
      'updated-at': at,
    };
  }
  return item;
}

const sessionSnapshotWire = (s: MarketSession): JsonObject => ({
  'close-at': isoTime(s.closeAt),
  'close-at-ext': isoTime(s.closeAtExt),
  'instrument-collection': 'Equity',
  'open-at': isoTime(s.openAt),
  'session-date': s.tradingDate,
  'start-at': isoTime(s.startAt),
});

/** One item of GET /market-time/sessions/current?instrument-collections[]=Equity; `next` is the following session. */
export function marketSessionWire(current: MarketSession, next: MarketSession): JsonObject {
  return {
    'close-at': isoTime(current.closeAt),
    'close-at-ext': isoTime(current.closeAtExt),
    'instrument-collection': 'Equity',
    'open-at': isoTime(current.openAt),
    'start-at': isoTime(current.startAt),
    state: current.state,
    'next-session': sessionSnapshotWire(next),
  };
}

/**
 * GET /market-time/equities/holidays: `market-half-days` and `market-holidays` as lists of dates. Not recorded: the
 * keys are those of Tastytrade's published schema (MarketCalendarDeserializer) and the tastyware client's model, which
 * reads both as lists of YYYY-MM-DD dates.
 */
export function marketCalendarWire(calendar: { holidays: string[]; halfDays: string[] }): JsonObject {
  return { 'market-half-days': calendar.halfDays, 'market-holidays': calendar.holidays };
}
