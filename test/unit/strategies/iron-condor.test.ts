// Owns the unit tests of the iron condor builder on the venue's SPY and TSLA chains.
import { describe, expect, it } from 'vitest';
import { getStrategy } from '../../../src/strategies/index.js';
import type { Candidate, StrategyInput } from '../../../src/strategies/types.js';
import { sharedMarket, strategyInput, withoutData } from '../../support/market-input.js';
import { byExpiration, checkCandidate, shape } from './checks.js';

const market = sharedMarket();
const inputs: Record<string, StrategyInput> = {
  SPY: strategyInput(market, 'SPY'),
  TSLA: strategyInput(market, 'TSLA'),
};
const ic = getStrategy('iron-condor')!;
const build = (input: StrategyInput, params: unknown = {}): Candidate[] =>
  ic.build(input, ic.paramsSchema.parse(params));

describe.each(['SPY', 'TSLA'])('iron condor on %s', (symbol) => {
  const input = inputs[symbol]!;

  it('buys a put, sells a put, sells a call, buys a call: shorts by delta, wings at the requested points', () => {
    const cs = build(input, { dte: { min: 20, max: 60 }, wings: { points: 10 } });
    expect(cs.length).toBeGreaterThan(3);
    for (const c of cs) {
      checkCandidate(c, input);
      const [lp, sp, sc, lc] = c.legs;
      expect(shape(c)).toMatch(/^BP[\d.]+ SP[\d.]+ SC[\d.]+ BC[\d.]+$/);
      expect(lp!.strike).toBeLessThan(sp!.strike);
      expect(sp!.strike).toBeLessThan(sc!.strike);
      expect(sc!.strike).toBeLessThan(lc!.strike);
      expect(sp!.strike).toBeLessThan(input.underlyingPrice);
      expect(sc!.strike).toBeGreaterThan(input.underlyingPrice);
      for (const s of [sp!, sc!]) expect(Math.abs(Math.abs(s.delta!) - 0.16)).toBeLessThanOrEqual(0.05 + 1e-12);
      expect([sp!.strike - lp!.strike, lc!.strike - sc!.strike]).toEqual([10, 10]);
      expect(c.facts.width).toBe(10);
      expect(c.facts.max_loss).toBeCloseTo((10 - c.facts.credit_mid) * 100, 6);
      expect(c.dte).toBeGreaterThanOrEqual(20);
      expect(c.dte).toBeLessThanOrEqual(60);
    }
  });

  it('takes separate put and call deltas and keeps at most maxCandidatesPerExpiration', () => {
    const cs = build(input, {
      putDelta: { target: 0.25, tolerance: 0.03 },
      callDelta: { target: 0.1, tolerance: 0.03 },
      maxCandidatesPerExpiration: 2,
    });
    expect(cs.length).toBeGreaterThan(0);
    for (const group of byExpiration(cs).values()) expect(group.length).toBeLessThanOrEqual(2);
    for (const c of cs) {
      expect(Math.abs(Math.abs(c.legs[1]!.delta!) - 0.25)).toBeLessThanOrEqual(0.03 + 1e-12);
      expect(Math.abs(c.legs[2]!.delta! - 0.1)).toBeLessThanOrEqual(0.03 + 1e-12);
      expect(c.facts.short_delta).toBe(Math.abs(c.legs[1]!.delta!));
    }
  });

  it('tries (put, call) short pairs in order of their summed distance to the target deltas', () => {
    const cs = build(input, { maxCandidatesPerExpiration: 25, shortDelta: { target: 0.16, tolerance: 0.04 } });
    for (const group of byExpiration(cs).values()) {
      expect(group.length).toBeGreaterThan(5);
      const d = group.map((c) => Math.abs(Math.abs(c.legs[1]!.delta!) - 0.16) + Math.abs(c.legs[2]!.delta! - 0.16));
      for (let i = 1; i < d.length; i++) expect(d[i]!).toBeGreaterThanOrEqual(d[i - 1]! - 1e-12);
    }
  });

  it('builds wings by delta, possibly of different widths: width and max loss follow the wider side', () => {
    const cs = build(input, { wings: { delta: 0.05, tolerance: 0.02 } });
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      checkCandidate(c, input);
      const [lp, sp, sc, lc] = c.legs;
      for (const l of [lp!, lc!]) expect(Math.abs(Math.abs(l.delta!) - 0.05)).toBeLessThanOrEqual(0.02 + 1e-12);
      expect(c.facts.width).toBe(Math.max(sp!.strike - lp!.strike, lc!.strike - sc!.strike));
    }
  });

  it('filters weekly and monthly expirations', () => {
    const monthly = build(input, { dte: { min: 0, max: 120 }, expirations: 'monthly' });
    const weekly = build(input, { dte: { min: 0, max: 120 }, expirations: 'weekly' });
    const any = build(input, { dte: { min: 0, max: 120 } });
    expect(monthly.length).toBeGreaterThan(0);
    expect(weekly.length).toBeGreaterThan(0);
    expect(monthly.every((c) => c.facts.expiration_type === 'Regular')).toBe(true);
    expect(weekly.every((c) => c.facts.expiration_type === 'Weekly')).toBe(true);
    expect(any.length).toBe(monthly.length + weekly.length);
  });

  it('gives a higher POP to farther OTM shorts', () => {
    const near = build(input, { shortDelta: { target: 0.3, tolerance: 0.03 } });
    const far = build(input, { shortDelta: { target: 0.1, tolerance: 0.03 } });
    expect(far.length).toBeGreaterThan(0);
    for (const [exp, group] of byExpiration(far)) {
      const nearGroup = near.filter((c) => c.expiration === exp);
      expect(nearGroup.length).toBeGreaterThan(0);
      expect(Math.min(...group.map((c) => c.facts.pop))).toBeGreaterThan(
        Math.max(...nearGroup.map((c) => c.facts.pop)),
      );
    }
  });
});

describe('iron condor: gaps, empties, determinism', () => {
  const input = inputs['TSLA']!;

  it('skips legs without quotes and returns [] when nothing matches', () => {
    const first = build(input)[0]!;
    const gone = first.legs[2]!.streamerSymbol;
    const cs = build(withoutData(input, [gone]));
    expect(cs.length).toBeGreaterThan(0);
    expect(cs.some((c) => c.legs.some((l) => l.streamerSymbol === gone))).toBe(false);
    expect(build(input, { dte: { min: 500, max: 600 } })).toEqual([]);
    expect(build(input, { wings: { points: 1 } })).toEqual([]); // TSLA strikes are 2.5 apart
    // shorts so near the money that the put strike is not below the call strike: no inverted condors
    expect(build(input, { shortDelta: { target: 0.6, tolerance: 0.05 } })).toEqual([]);
  });

  it('marks earnings before expiration from the metrics', () => {
    const cs = build(input, { dte: { min: 0, max: 120 } });
    const earnings = input.metrics!.earningsDate!;
    expect(earnings).toBeTruthy();
    for (const c of cs) {
      expect(c.facts.earnings_before_expiration).toBe(earnings <= c.expiration);
      expect(c.facts.days_to_earnings).toBe(Math.round((Date.parse(earnings) - Date.parse(input.today)) / 86_400_000));
    }
    expect(cs.some((c) => c.facts.earnings_before_expiration)).toBe(true);
    expect(cs.some((c) => !c.facts.earnings_before_expiration)).toBe(true);
    for (const c of build(inputs['SPY']!))
      expect([c.facts.days_to_earnings, c.facts.earnings_before_expiration]).toEqual([null, false]);
  });

  it('is deterministic', () => {
    const a = build(input);
    expect(build(strategyInput(market, 'TSLA'))).toEqual(a);
    expect(a[0]!.id).toMatch(/^iron-condor:TSLA:\d{4}-\d{2}-\d{2}:[\d.]+\/[\d.]+\/[\d.]+\/[\d.]+$/);
    expect(new Set(a.map((c) => c.id)).size).toBe(a.length);
  });
});
