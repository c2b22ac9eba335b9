// Owns quote formation: bid/ask around a theoretical value, rounded to Tastytrade tick sizes, with seeded sizes.
import { hashUniform } from '../rng.js';
import type { Quote, VenueMillis, TickSize } from '../types.js';

/** The tick size that applies at a price (entries with a threshold apply strictly below it). */
export function tickFor(price: number, ticks: TickSize[]): number {
  const sorted = [...ticks].sort((a, b) => (a.threshold ?? Infinity) - (b.threshold ?? Infinity));
  for (const t of sorted) if (t.threshold === undefined || price < t.threshold) return t.value;
  return sorted[sorted.length - 1]?.value ?? 0.01;
}

const cents = (x: number): number => Math.round(x * 100);
const EPS = 1e-7;

/** Largest price on the tick grid that is <= price (never below 0). */
export function roundDownToTick(price: number, ticks: TickSize[]): number {
  if (price <= 0) return 0;
  const t = cents(tickFor(price, ticks));
  return (Math.max(0, Math.floor((price * 100) / t + EPS)) * t) / 100;
}

/** Smallest price on the tick grid that is >= price. */
export function roundUpToTick(price: number, ticks: TickSize[]): number {
  const t = cents(tickFor(Math.max(price, 0), ticks));
  let c = Math.ceil((Math.max(price, 0) * 100) / t - EPS) * t;
  // Crossing a threshold can make the coarser tick apply above it: re-snap on the coarser grid.
  const t2 = cents(tickFor(c / 100, ticks));
  if (t2 !== t) c = Math.ceil(c / t2 - EPS) * t2;
  return c / 100;
}

export interface OptionQuoteInput {
  symbol: string;
  theo: number; // theoretical value, dollars
  spot: number;
  strike: number;
  T: number; // years to expiration
  iv: number; // implied vol used for theo
  liquidityRating: number; // 1..5
  ticks: TickSize[];
  time: VenueMillis;
  /** Seed for the displayed sizes (already keyed by symbol / time bucket). */
  sizeSeed: number;
}

const LIQUIDITY_FACTOR = [4, 4, 2.6, 1.8, 1.3, 1] as const;

function liquidityFactor(rating: number): number {
  return LIQUIDITY_FACTOR[Math.min(5, Math.max(0, Math.round(rating)))] ?? 1;
}

/**
 * Raw (unrounded) full spread in dollars: a fixed part plus a share of the value, scaled up for low liquidity,
 * for strikes away from the money (in standard deviations) and for expirations far from ~30 days.
 */
export function rawOptionSpread(i: Omit<OptionQuoteInput, 'symbol' | 'ticks' | 'time' | 'sizeSeed'>): number {
  const sd = i.iv * Math.sqrt(Math.max(i.T, 1 / (365 * 24)));
  const z = Math.abs(Math.log(i.strike / i.spot)) / sd;
  const fm = 1 + 0.5 * Math.min(z, 4);
  const ft = Math.min(2.5, 1 + 0.25 * Math.abs(Math.log(Math.max(i.T, 1 / 365) / (30 / 365))));
  return liquidityFactor(i.liquidityRating) * (0.01 + 0.004 * Math.max(0, i.theo)) * fm * ft;
}

function sizes(seed: number, rating: number, lots: number): { bidSize: number; askSize: number } {
  const max = Math.max(2, Math.round(lots * rating));
  return {
    bidSize: 1 + Math.floor(hashUniform(seed, 'bid') * max),
    askSize: 1 + Math.floor(hashUniform(seed, 'ask') * max),
  };
}

/** Option quote: bid rounded down, ask rounded up, at least one tick wide; ask > 0 always, bid may be 0. */
export function optionQuote(i: OptionQuoteInput): Quote {
  const theo = Math.max(0, i.theo);
  const half = rawOptionSpread(i) / 2;
  let bid = roundDownToTick(theo - half, i.ticks);
  let ask = roundUpToTick(theo + half, i.ticks);
  const minTick = tickFor(0, i.ticks);
  if (ask < minTick) ask = minTick;
  if (ask <= bid) ask = roundUpToTick(bid + tickFor(bid, i.ticks), i.ticks);
  if (bid < 0) bid = 0;
  const { bidSize, askSize } = sizes(i.sizeSeed, i.liquidityRating, 20);
  return {
    symbol: i.symbol,
    bid,
    ask,
    bidSize: bid > 0 ? bidSize : 0,
    askSize,
    mid: Math.round(((bid + ask) / 2) * 1000) / 1000,
    last: Math.max(minTick, Math.round(theo * 100) / 100),
    time: i.time,
  };
}

/** Equity quote: a cent or a few wide around spot depending on price and liquidity, sizes in round lots. */
export function equityQuote(i: {
  symbol: string;
  spot: number;
  liquidityRating: number;
  time: VenueMillis;
  sizeSeed: number;
}): Quote {
  const spreadCents = Math.max(1, Math.round(i.spot * 0.00001 * liquidityFactor(i.liquidityRating) ** 2));
  const bidC = Math.max(1, Math.floor(i.spot * 100 - spreadCents / 2 + EPS));
  const bid = bidC / 100;
  const ask = (bidC + spreadCents) / 100;
  const { bidSize, askSize } = sizes(i.sizeSeed, i.liquidityRating, 8);
  return {
    symbol: i.symbol,
    bid,
    ask,
    bidSize: bidSize * 100,
    askSize: askSize * 100,
    mid: Math.round(((bid + ask) / 2) * 1000) / 1000,
    last: Math.round(i.spot * 100) / 100,
    time: i.time,
  };
}
