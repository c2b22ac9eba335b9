// Owns the unit tests of the short strangle builder (undefined risk) on the venue's SPY and TSLA chains.
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
const strangle = getStrategy('short-strangle')!;
const build = (input: StrategyInput, params: unknown = {}): Candidate[] =>
  strangle.build(input, strangle.paramsSchema.parse(params));

describe.each(['SPY', 'TSLA'])('short strangle on %s', (symbol) => {
  const input = inputs[symbol]!;

  it('sells an OTM put and an OTM call by delta; undefined risk has no width or max loss', () => {
    expect(strangle.definedRisk).toBe(false);
    const cs = build(input, { dte: { min: 10, max: 70 }, shortDelta: { target: 0.2, tolerance: 0.05 } });
    expect(cs.length).toBeGreaterThan(3);
    for (const c of cs) {
      checkCandidate(c, input);
      expect(shape(c)).toMatch(/^SP[\d.]+ SC[\d.]+$/);
      const [sp, sc] = c.legs;
      expect(sp!.strike).toBeLessThan(input.underlyingPrice);
      expect(sc!.strike).toBeGreaterThan(input.underlyingPrice);
      for (const s of [sp!, sc!]) expect(Math.abs(Math.abs(s.delta!) - 0.2)).toBeLessThanOrEqual(0.05 + 1e-12);
      expect(c.facts.defined_risk).toBe(false);
      expect(c.facts.net_theta).toBeGreaterThan(0);
      expect(c.facts.net_vega).toBeLessThan(0);
      expect(c.dte).toBeGreaterThanOrEqual(10);
      expect(c.dte).toBeLessThanOrEqual(70);
    }
  });

  it('gives a higher POP to farther OTM shorts and keeps maxCandidatesPerExpiration', () => {
    const near = build(input, { shortDelta: { target: 0.3, tolerance: 0.03 }, maxCandidatesPerExpiration: 1 });
    const far = build(input, { shortDelta: { target: 0.1, tolerance: 0.03 }, maxCandidatesPerExpiration: 1 });
    expect(far.length).toBeGreaterThan(0);
    for (const [exp, group] of byExpiration(far)) {
      expect(group.length).toBe(1);
      expect(group[0]!.facts.pop).toBeGreaterThan(near.find((c) => c.expiration === exp)!.facts.pop);
    }
  });
});

describe('short strangle: gaps and empties', () => {
  it('skips legs without greeks and returns [] when nothing matches', () => {
    const input = inputs['TSLA']!;
    const first = build(input)[0]!;
    const gone = first.legs[0]!.streamerSymbol;
    expect(build(withoutData(input, [gone], 'greeks')).some((c) => c.legs.some((l) => l.streamerSymbol === gone))).toBe(
      false,
    );
    expect(build(input, { putDelta: { target: 0.02, tolerance: 0 } })).toEqual([]);
    expect(build(strategyInput(market, 'TSLA', 20))).toEqual([]); // the chain stops before the DTE window
  });
});
