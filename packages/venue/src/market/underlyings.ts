// Owns the default simulated underlyings (late-2026-ish spots, vols, strike steps, liquidity) and their static facts.
import type { UnderlyingSpec } from '../types.js';

const SPECS: readonly UnderlyingSpec[] = [
  {
    symbol: 'SPY',
    description: 'SPDR S&P 500 ETF Trust',
    spot: 690,
    vol: 0.15,
    dividendYield: 0.012,
    liquidityRating: 5,
    pennyProgram: true,
    strikeStep: 1,
    beta: 1,
    sector: 'ETF',
    industry: 'Broad Market Index',
    earningsInDays: null,
  },
  {
    symbol: 'QQQ',
    description: 'Invesco QQQ Trust, Series 1',
    spot: 620,
    vol: 0.2,
    dividendYield: 0.006,
    liquidityRating: 5,
    pennyProgram: true,
    strikeStep: 1,
    beta: 1.15,
    sector: 'ETF',
    industry: 'Large Cap Growth Index',
    earningsInDays: null,
  },
  {
    symbol: 'IWM',
    description: 'iShares Russell 2000 ETF',
    spot: 245,
    vol: 0.22,
    dividendYield: 0.011,
    liquidityRating: 4,
    pennyProgram: true,
    strikeStep: 1,
    beta: 1.2,
    sector: 'ETF',
    industry: 'Small Cap Index',
    earningsInDays: null,
  },
  {
    symbol: 'AAPL',
    description: 'Apple Inc.',
    spot: 265,
    vol: 0.25,
    dividendYield: 0.004,
    liquidityRating: 4,
    pennyProgram: true,
    strikeStep: 2.5,
    beta: 1.1,
    sector: 'Technology',
    industry: 'Computer Hardware',
    earningsInDays: 68,
    earningsTimeOfDay: 'AMC',
  },
  {
    symbol: 'MSFT',
    description: 'Microsoft Corporation',
    spot: 520,
    vol: 0.24,
    dividendYield: 0.007,
    liquidityRating: 3,
    pennyProgram: true,
    strikeStep: 5,
    beta: 0.95,
    sector: 'Technology',
    industry: 'Software',
    earningsInDays: 62,
    earningsTimeOfDay: 'AMC',
  },
  {
    symbol: 'NVDA',
    description: 'NVIDIA Corporation',
    spot: 195,
    vol: 0.45,
    dividendYield: 0.0002,
    liquidityRating: 4,
    pennyProgram: true,
    strikeStep: 2.5,
    beta: 1.9,
    sector: 'Technology',
    industry: 'Semiconductors',
    earningsInDays: 12,
    earningsTimeOfDay: 'AMC',
  },
  {
    symbol: 'TSLA',
    description: 'Tesla, Inc.',
    spot: 420,
    vol: 0.55,
    dividendYield: 0,
    liquidityRating: 4,
    pennyProgram: true,
    strikeStep: 2.5,
    beta: 2.1,
    sector: 'Consumer Discretionary',
    industry: 'Automobiles',
    earningsInDays: 55,
    earningsTimeOfDay: 'AMC',
  },
  {
    symbol: 'AMZN',
    description: 'Amazon.com, Inc.',
    spot: 240,
    vol: 0.3,
    dividendYield: 0,
    liquidityRating: 3,
    pennyProgram: true,
    strikeStep: 2.5,
    beta: 1.25,
    sector: 'Consumer Discretionary',
    industry: 'Internet Retail',
    earningsInDays: 70,
    earningsTimeOfDay: 'AMC',
  },
];

/** Shares outstanding (millions) for market caps; ETFs report assets under management the same way. */
const SHARES_OUT_M: Record<string, number> = {
  SPY: 1000,
  QQQ: 610,
  IWM: 290,
  AAPL: 14_900,
  MSFT: 7_430,
  NVDA: 24_300,
  TSLA: 3_220,
  AMZN: 10_700,
};

/** Average daily share volume (millions). */
const DAILY_VOLUME_M: Record<string, number> = {
  SPY: 65,
  QQQ: 40,
  IWM: 30,
  AAPL: 50,
  MSFT: 20,
  NVDA: 180,
  TSLA: 95,
  AMZN: 40,
};

/** Fresh copies of the default underlyings. */
export function defaultUnderlyings(): UnderlyingSpec[] {
  return SPECS.map((s) => ({ ...s }));
}

export function isEtf(spec: UnderlyingSpec): boolean {
  return spec.earningsInDays === null;
}

/** Market capitalisation in dollars at a given spot (0 when unknown). */
export function marketCap(symbol: string, spot: number): number {
  const m = SHARES_OUT_M[symbol];
  return m ? Math.round(m * 1e6 * spot) : 0;
}

/** Typical daily share volume; unknown symbols get a volume from their liquidity rating. */
export function averageDailyVolume(spec: UnderlyingSpec): number {
  const m = DAILY_VOLUME_M[spec.symbol];
  return m ? m * 1e6 : Math.round(2e5 * 4 ** Math.max(0, spec.liquidityRating - 1));
}

/** Strike spacing away from the money. */
export function farStrikeStep(spec: UnderlyingSpec): number {
  return spec.strikeStep <= 1 ? spec.strikeStep * 5 : spec.strikeStep * 2;
}
