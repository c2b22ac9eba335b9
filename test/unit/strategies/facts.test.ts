// Owns the hand-checked facts of candidates on a small synthetic chain: prices, ticks, risk, POP/EV, greeks, earnings.
import { describe, expect, it } from 'vitest';
import type { GreeksSnapshot, MarketMetrics, OptionChain, QuoteSnapshot } from '../../../src/domain/market.js';
import { packageTickCents, roundToTick, tickCentsAt } from '../../../src/strategies/build-candidate.js';
import { getStrategy } from '../../../src/strategies/index.js';
import { expectedPayoff, normCdf, probBelow } from '../../../src/strategies/probability.js';
import type { Candidate, CandidateLeg, StrategyInput } from '../../../src/strategies/types.js';
import { checkCandidate } from './checks.js';

// XYZ at 100, 35 days to 2026-02-06, IV 30% everywhere. Quotes [bid, ask, delta, theta, vega] per share.
type Row = [number, number, number, number, number];
const PUTS: Record<number, Row> = {
  80: [0.2, 0.25, -0.05, -0.005, 0.03],
  85: [0.45, 0.55, -0.1, -0.01, 0.05],
  90: [1.0, 1.1, -0.2, -0.02, 0.08],
  95: [2.0, 2.1, -0.35, -0.03, 0.1],
  100: [3.6, 3.8, -0.5, -0.04, 0.11],
};
const CALLS: Record<number, Row> = {
  100: [3.9, 4.1, 0.5, -0.04, 0.11],
  105: [2.1, 2.2, 0.33, -0.03, 0.1],
  110: [0.9, 1.0, 0.2, -0.02, 0.08],
  115: [0.35, 0.45, 0.09, -0.01, 0.05],
  120: [0.15, 0.2, 0.04, -0.005, 0.03],
};
const TODAY = '2026-01-02';
const EXP = '2026-02-06';
const metrics: MarketMetrics = {
  symbol: 'XYZ',
  ivIndex: 0.3,
  ivRank: 0.425,
  ivPercentile: 0.61,
  iv30: 30,
  hv30: 25,
  liquidityRating: 3,
  beta: 1.2,
  earningsDate: '2026-01-20',
  expirationIvs: [],
  updatedAt: null,
};

function synthetic(puts = PUTS, calls = CALLS, m: MarketMetrics | null = metrics): StrategyInput {
  const strikes = [...new Set([...Object.keys(puts), ...Object.keys(calls)].map(Number))].sort((a, b) => a - b);
  const chain: OptionChain = {
    underlying: 'XYZ',
    root: 'XYZ',
    sharesPerContract: 100,
    tickSizes: [
      { threshold: null, valueCents: 5 },
      { threshold: 3, valueCents: 1 },
    ],
    expirations: [
      {
        expiration: EXP,
        daysToExpiration: 35,
        expirationType: 'Regular',
        settlementType: 'PM',
        strikes: strikes.map((k) => ({
          strike: k,
          callSymbol: `XYZ   260206C${String(k * 1000).padStart(8, '0')}`,
          callStreamerSymbol: `.XYZ260206C${k}`,
          putSymbol: `XYZ   260206P${String(k * 1000).padStart(8, '0')}`,
          putStreamerSymbol: `.XYZ260206P${k}`,
        })),
      },
    ],
  };
  const quotes = new Map<string, QuoteSnapshot>();
  const greeks = new Map<string, GreeksSnapshot>();
  for (const [right, rows] of [
    ['P', puts],
    ['C', calls],
  ] as const) {
    for (const [k, [bid, ask, delta, theta, vega]] of Object.entries(rows)) {
      const s = `.XYZ260206${right}${k}`;
      quotes.set(s, { streamerSymbol: s, bid, ask, bidSize: 10, askSize: 10, receivedAt: 0 });
      greeks.set(s, {
        streamerSymbol: s,
        price: null,
        iv: 0.3,
        delta,
        gamma: 0.01,
        theta,
        vega,
        rho: null,
        receivedAt: 0,
      });
    }
  }
  return {
    underlying: 'XYZ',
    underlyingPrice: 100,
    chain,
    snapshot: { quotes, greeks, missing: [] },
    metrics: m,
    today: TODAY,
  };
}

const run = (name: string, input: StrategyInput, params: unknown): Candidate[] => {
  const s = getStrategy(name)!;
  return s.build(input, s.paramsSchema.parse(params));
};
const params = { dte: { min: 30, max: 40 }, shortDelta: { target: 0.2, tolerance: 0.02 }, wings: { points: 5 } };

// Independent check of the lognormal model: Simpson integration over x = ln(S_T/S) ~ N(−σ²T/2, σ²T), for S_T in [lo, hi].
function integrate(f: (sT: number) => number, sigma: number, years: number, lo = 0, hi = Infinity): number {
  const sd = sigma * Math.sqrt(years);
  const mu = (-sd * sd) / 2;
  const n = 20_000;
  const a = Math.max(mu - 10 * sd, Math.log(lo / 100));
  const b = Math.min(mu + 10 * sd, Math.log(hi / 100));
  const h = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    sum += w * f(100 * Math.exp(x)) * Math.exp(-((x - mu) ** 2) / (2 * sd * sd));
  }
  return (sum * h) / 3 / (sd * Math.sqrt(2 * Math.PI));
}
const T = 35 / 365;

describe('facts of a hand-checked put credit spread (sell 90P, buy 85P)', () => {
  const input = synthetic();
  const [c, ...rest] = run('put-credit-spread', input, params);

  it('has the legs, prices and risk computed by hand', () => {
    expect(rest).toEqual([]);
    expect(c!.id).toBe('put-credit-spread:XYZ:2026-02-06:85/90');
    checkCandidate(c!, input);
    expect(c!.creditMidCents).toBe(55); // (1.00+1.10)/2 − (0.45+0.55)/2
    expect(c!.creditNaturalCents).toBe(45); // 1.00 bid − 0.55 ask
    expect(c!.facts).toMatchObject({
      strategy: 'put-credit-spread',
      underlying: 'XYZ',
      underlying_price: 100,
      dte: 35,
      expiration_type: 'Regular',
      credit_mid: 0.55,
      credit_natural: 0.45,
      width: 5,
      credit_to_width: 0.11,
      max_loss: 445,
      max_leg_spread: 0.1,
      package_spread: 0.1,
      short_delta: 0.2,
      defined_risk: true,
      iv_rank: 42.5,
      iv_percentile: 61,
      iv_index: 30,
      liquidity_rating: 3,
      days_to_earnings: 18,
      earnings_before_expiration: true,
    });
    expect(c!.facts.return_on_risk).toBeCloseTo(55 / 445, 9);
    expect(c!.facts.package_spread_pct).toBeCloseTo(0.1 / 0.55, 9);
    expect(c!.facts.net_delta).toBeCloseTo(0.2 - 0.1, 9); // −(−0.20) + (−0.10)
    expect(c!.facts.net_theta).toBeCloseTo(0.02 - 0.01, 9);
    expect(c!.facts.net_vega).toBeCloseTo(-0.08 + 0.05, 9);
  });

  it('has POP and EV of the lognormal model (checked by numerical integration)', () => {
    const pop = integrate(() => 1, 0.3, T, 90 - 0.55);
    expect(c!.facts.pop).toBeCloseTo(pop * 100, 6);
    const payoff = (s: number) => 0.55 - Math.max(0, 90 - s) + Math.max(0, 85 - s);
    expect(c!.facts.expected_value!).toBeCloseTo(integrate(payoff, 0.3, T) * 100, 2);
  });
});

describe('facts of a hand-checked iron condor (85/90/110/115) and strangle (90/110)', () => {
  const input = synthetic();

  it('condor: credit, natural, width, POP between the breakevens', () => {
    const [c] = run('iron-condor', input, params);
    checkCandidate(c!, input);
    expect(c!.id).toBe('iron-condor:XYZ:2026-02-06:85/90/110/115');
    expect([c!.creditMidCents, c!.creditNaturalCents]).toEqual([110, 90]); // 1.05−0.50+0.95−0.40 ; 1.00+0.90−0.55−0.45
    expect(c!.facts.max_loss).toBe(390);
    expect(c!.facts.net_delta).toBeCloseTo(-0.1 + 0.2 - 0.2 + 0.09, 9);
    const pop = integrate(() => 1, 0.3, T, 88.9, 111.1);
    expect(c!.facts.pop).toBeCloseTo(pop * 100, 6);
  });

  it('strangle: 5-cent ticks when every leg trades at $3 or more', () => {
    const rows = (r: Record<number, Row>, k: number, bid: number, ask: number): Record<number, Row> => ({
      ...r,
      [k]: [bid, ask, ...r[k]!.slice(2)] as Row,
    });
    const s = synthetic(rows(PUTS, 90, 3.1, 3.2), rows(CALLS, 110, 3.12, 3.3));
    const [c] = run('short-strangle', s, { shortDelta: { target: 0.2, tolerance: 0.01 } });
    checkCandidate(c!, s);
    // raw mid 3.15 + 3.21 = 6.36 → nearest nickel 6.35; natural 3.10 + 3.12
    expect([c!.creditMidCents, c!.creditNaturalCents]).toEqual([635, 622]);
    expect(c!.facts.expected_value).not.toBeNull();
    expect(c!.facts.max_loss).toBeNull();
  });
});

describe('chain order', () => {
  it('builds the same candidates from a chain whose strikes are not sorted', () => {
    const input = synthetic();
    const shuffled: StrategyInput = {
      ...input,
      chain: {
        ...input.chain,
        expirations: input.chain.expirations.map((e) => ({ ...e, strikes: [...e.strikes].reverse() })),
      },
    };
    expect(run('iron-condor', shuffled, params)).toEqual(run('iron-condor', input, params));
    expect(run('iron-condor', input, params)).toHaveLength(1);
  });
});

describe('structures that must not be built', () => {
  it('no net debit, no one-sided or crossed quotes', () => {
    const debit = synthetic({ ...PUTS, 85: [1.2, 1.3, -0.1, -0.01, 0.05] });
    expect(run('put-credit-spread', debit, params)).toEqual([]);
    expect(run('put-credit-spread', synthetic({ ...PUTS, 90: [0, 1.1, -0.2, -0.02, 0.08] }), params)).toEqual([]);
    expect(run('put-credit-spread', synthetic({ ...PUTS, 85: [0.55, 0.45, -0.1, -0.01, 0.05] }), params)).toEqual([]);
  });

  it('no credit at or above the width', () => {
    const rich = synthetic({ ...PUTS, 90: [5.5, 5.6, -0.2, -0.02, 0.08] });
    expect(run('put-credit-spread', rich, params)).toEqual([]);
  });
});

describe('earnings and metrics', () => {
  const first = (m: MarketMetrics | null): Candidate => run('put-credit-spread', synthetic(PUTS, CALLS, m), params)[0]!;

  it('earnings on the expiration day count as before expiration; past dates are unknown', () => {
    expect(first({ ...metrics, earningsDate: EXP }).facts).toMatchObject({
      days_to_earnings: 35,
      earnings_before_expiration: true,
    });
    expect(first({ ...metrics, earningsDate: '2026-02-07' }).facts).toMatchObject({
      days_to_earnings: 36,
      earnings_before_expiration: false,
    });
    expect(first({ ...metrics, earningsDate: '2025-12-01' }).facts).toMatchObject({
      days_to_earnings: null,
      earnings_before_expiration: false,
    });
  });

  it('without metrics the metric facts are null', () => {
    expect(first(null).facts).toMatchObject({
      iv_rank: null,
      iv_percentile: null,
      iv_index: null,
      liquidity_rating: null,
      days_to_earnings: null,
      earnings_before_expiration: false,
    });
  });
});

describe('ticks and probability helpers', () => {
  const ticks = [
    { threshold: 3, valueCents: 1 },
    { threshold: null, valueCents: 5 },
  ];

  it('an entry with a threshold applies strictly below it; the package takes the smallest tick of its legs', () => {
    expect([tickCentsAt(2.99, ticks), tickCentsAt(3, ticks), tickCentsAt(12, ticks)]).toEqual([1, 5, 5]);
    const leg = (mid: number) => ({ mid }) as CandidateLeg;
    expect(packageTickCents([leg(3.5), leg(4)], ticks)).toBe(5);
    expect(packageTickCents([leg(3.5), leg(0.4)], ticks)).toBe(1);
    expect([
      roundToTick(57.5, 1),
      roundToTick(57.51, 1),
      roundToTick(632.5, 5),
      roundToTick(633, 5),
      roundToTick(637.5, 5),
    ]).toEqual([57, 58, 630, 635, 635]);
  });

  it('normal CDF, tail probabilities and expected payoffs', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(probBelow(100, 100, 0.3, T)).toBeGreaterThan(0.5); // median below spot: ln S_T has mean −σ²T/2
    expect(probBelow(100, 90, 0.3, T)).toBeLessThan(probBelow(100, 95, 0.3, T));
    // parity with the forward at spot: E[(S−K)+] − E[(K−S)+] = S − K
    expect(expectedPayoff('C', 100, 95, 0.3, T) - expectedPayoff('P', 100, 95, 0.3, T)).toBeCloseTo(5, 10);
    expect(expectedPayoff('P', 100, 90, 0.3, T)).toBeCloseTo(
      integrate((s) => Math.max(0, 90 - s), 0.3, T),
      6,
    );
  });
});
