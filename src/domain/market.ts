// Owns what Legwork knows of the market: metrics, option chains, quotes, greeks and daily closes. Pure types.
import type { OptionRight } from './instrument.js';

export interface MarketMetrics {
  symbol: string;
  /** Fractions 0..1, as Tastytrade sends them. */
  ivIndex: number | null;
  ivRank: number | null;
  ivPercentile: number | null;
  /** Percent, e.g. 26.5. */
  iv30: number | null;
  hv30: number | null;
  liquidityRating: number | null;
  beta: number | null;
  /** YYYY-MM-DD of the next expected earnings report, if known. */
  earningsDate: string | null;
  expirationIvs: { expiration: string; iv: number }[];
  updatedAt: number | null;
}

export interface ChainStrike {
  strike: number;
  callSymbol: string;
  callStreamerSymbol: string;
  putSymbol: string;
  putStreamerSymbol: string;
}

export interface ChainExpiration {
  expiration: string; // YYYY-MM-DD
  daysToExpiration: number;
  expirationType: string; // Regular, Weekly, Quarterly, End-Of-Month
  settlementType: string; // PM, AM
  strikes: ChainStrike[];
}

export interface TickSize {
  threshold: number | null;
  valueCents: number;
}

export interface OptionChain {
  underlying: string;
  root: string;
  sharesPerContract: number;
  tickSizes: TickSize[];
  expirations: ChainExpiration[];
}

export interface QuoteSnapshot {
  streamerSymbol: string;
  bid: number | null;
  ask: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** Broker time at which this value was last known current: its event's arrival, or a later event on the same live feed. */
  receivedAt: number;
}

export interface GreeksSnapshot {
  streamerSymbol: string;
  price: number | null;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
  rho: number | null;
  /** As for quotes: when last known current. */
  receivedAt: number;
}

export interface MarketSnapshot {
  quotes: Map<string, QuoteSnapshot>;
  greeks: Map<string, GreeksSnapshot>;
  /** Symbols that had no complete data by the deadline. */
  missing: string[];
}

/** One trading day's closing price of an underlying, for historical risk (VaR, correlation). */
export interface DailyClose {
  /** New York trading date, YYYY-MM-DD. */
  date: string;
  /** Dollars per share. */
  close: number;
}

export type { OptionRight };
