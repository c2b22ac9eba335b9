// Owns the unit tests of the iron butterfly builder on the venue's SPY and TSLA chains.
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
const fly = getStrategy('iron-butterfly')!;
const build = (input: StrategyInput, params: unknown = {}): Candidate[] =>
  fly.build(input, fly.paramsSchema.parse(params));

describe.each(['SPY', 'TSLA'])('iron butterfly on %s', (symbol) => {
  const input = inputs[symbol]!;

  it('sells the put and the call at the strike nearest the underlying price, wings at the requested points', () => {
    const cs = build(input, { wings: { points: 20 } });
    const expected = input.chain.expirations.filter((e) => e.daysToExpiration >= 30 && e.daysToExpiration <= 60).length;
    expect(cs.length).toBe(expected); // one body per expiration by default
    for (const c of cs) {
      checkCandidate(c, input);
      const [lp, sp, sc, lc] = c.legs;
      expect(shape(c)).toMatch(/^BP[\d.]+ SP[\d.]+ SC[\d.]+ BC[\d.]+$/);
      expect(sp!.strike).toBe(sc!.strike);
      const strikes = input.chain.expirations.find((e) => e.expiration === c.expiration)!.strikes.map((s) => s.strike);
      const nearest = Math.min(...strikes.map((k) => Math.abs(k - input.underlyingPrice)));
      expect(Math.abs(sp!.strike - input.underlyingPrice)).toBe(nearest);
      expect([sp!.strike - lp!.strike, lc!.strike - sc!.strike]).toEqual([20, 20]);
      expect(c.facts.max_loss).toBeCloseTo((20 - c.facts.credit_mid) * 100, 6);
      expect(c.facts.short_delta).toBeGreaterThan(0.4);
    }
  });

  it('offers more bodies around the money with maxCandidatesPerExpiration, nearest first', () => {
    const cs = build(input, { maxCandidatesPerExpiration: 3 });
    for (const group of byExpiration(cs).values()) {
      expect(group.length).toBe(3);
      const d = group.map((c) => Math.abs(c.legs[1]!.strike - input.underlyingPrice));
      expect([...d].sort((a, b) => a - b)).toEqual(d);
    }
  });

  it('builds wings by delta', () => {
    const cs = build(input, { wings: { delta: 0.16, tolerance: 0.04 } });
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      checkCandidate(c, input);
      for (const l of [c.legs[0]!, c.legs[3]!])
        expect(Math.abs(Math.abs(l.delta!) - 0.16)).toBeLessThanOrEqual(0.04 + 1e-12);
    }
  });

  it('takes more credit with wider wings, which widens the breakevens and raises the POP', () => {
    const narrow = build(input, { wings: { points: 5 } });
    const wide = build(input, { wings: { points: 30 } });
    for (const c of narrow) {
      const w = wide.find((x) => x.expiration === c.expiration)!;
      expect(w.facts.credit_mid).toBeGreaterThan(c.facts.credit_mid);
      expect(w.facts.pop).toBeGreaterThan(c.facts.pop);
      expect(c.facts.pop).toBeLessThan(50);
    }
  });
});

describe('iron butterfly: gaps and empties', () => {
  const input = inputs['SPY']!;

  it('moves to the next body when the ATM call has no quote', () => {
    const first = build(input)[0]!;
    const cs = build(withoutData(input, [first.legs[2]!.streamerSymbol]));
    const same = cs.find((c) => c.expiration === first.expiration)!;
    expect(same.legs[1]!.strike).not.toBe(first.legs[1]!.strike);
    expect(Math.abs(same.legs[1]!.strike - first.legs[1]!.strike)).toBe(1);
  });

  it('returns [] when nothing matches', () => {
    expect(build(input, { dte: { min: 0, max: 0 }, expirations: 'weekly' })).toEqual([]);
    expect(build(input, { wings: { points: 1000 } })).toEqual([]);
  });
});
