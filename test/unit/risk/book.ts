// Owns the hand-made books of the risk tests: a market (XYZ at $100, SPY at $500, r = 5 %), one short put and one iron
// condor on XYZ expiring in exactly 30 days, and a seeded random generator for property checks.
import { DAY_MS } from '../../../src/domain/dates.js';
import type { MarketState, RiskPosition } from '../../../src/domain/risk/types.js';

/** Tuesday 2026-11-17, 10:00 New York. */
export const NOW = Date.parse('2026-11-17T15:00:00Z');
/** 30 calendar days on: T = 30 / 365 = 0.0821918 years. */
export const EXPIRY = NOW + 30 * DAY_MS;

export const market = (over: Partial<MarketState> = {}): MarketState => ({
  spot: { XYZ: 100, SPY: 500 },
  beta: { XYZ: 1.5 },
  rate: 0.05,
  nowMs: NOW,
  betaSymbol: 'SPY',
  ...over,
});

export const option = (
  right: 'C' | 'P',
  strike: number,
  quantity: number,
  iv: number,
  tradeId: string | null,
  underlying = 'XYZ',
  expiresAt = EXPIRY,
): RiskPosition => ({
  symbol: `${underlying.padEnd(6)}261217${right}${String(strike * 1000).padStart(8, '0')}`,
  underlying,
  kind: 'option',
  right,
  strike,
  expiresAt,
  quantity,
  multiplier: 100,
  iv,
  tradeId,
});

export const shares = (underlying: string, quantity: number, tradeId: string | null = null): RiskPosition => ({
  symbol: underlying,
  underlying,
  kind: 'equity',
  quantity,
  multiplier: 1,
  tradeId,
});

/** Short one XYZ 95 put, IV 25 %. */
export const SHORT_PUT = [option('P', 95, -1, 0.25, 'T-PUT')];

/** XYZ iron condor, one of each, IV 20 % on every leg: long 85 P, short 90 P, short 110 C, long 115 C. */
export const CONDOR = [
  option('P', 85, 1, 0.2, 'T-IC'),
  option('P', 90, -1, 0.2, 'T-IC'),
  option('C', 110, -1, 0.2, 'T-IC'),
  option('C', 115, 1, 0.2, 'T-IC'),
];

/** Mulberry32: a small deterministic generator for property checks. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
