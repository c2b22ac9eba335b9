// Owns the unit tests of the put and call credit spreads on the venue's SPY and TSLA chains.
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
const pcs = getStrategy('put-credit-spread')!;
const ccs = getStrategy('call-credit-spread')!;
const build = (s: typeof pcs, input: StrategyInput, params: unknown = {}): Candidate[] =>
  s.build(input, s.paramsSchema.parse(params));

describe.each(['SPY', 'TSLA'])('put credit spread on %s', (symbol) => {
  const input = inputs[symbol]!;

  it('sells a put near the target delta and buys the put `points` below, in every expiration of the window', () => {
    const cs = build(pcs, input, {
      dte: { min: 25, max: 60 },
      shortDelta: { target: 0.2, tolerance: 0.04 },
      wings: { points: 5 },
    });
    expect(cs.length).toBeGreaterThan(3);
    const expirations = input.chain.expirations.filter((e) => e.daysToExpiration >= 25 && e.daysToExpiration <= 60);
    expect(byExpiration(cs).size).toBe(expirations.length);
    for (const c of cs) {
      checkCandidate(c, input);
      const [long, short] = c.legs;
      expect(c.legs.length).toBe(2);
      expect([long!.right, long!.action, short!.right, short!.action]).toEqual([
        'P',
        'Buy to Open',
        'P',
        'Sell to Open',
      ]);
      expect(Math.abs(Math.abs(short!.delta!) - 0.2)).toBeLessThanOrEqual(0.04 + 1e-12);
      expect(short!.strike - long!.strike).toBe(5);
      expect(c.facts.width).toBe(5);
      expect(c.dte).toBeGreaterThanOrEqual(25);
      expect(c.dte).toBeLessThanOrEqual(60);
      expect(short!.strike).toBeLessThan(input.underlyingPrice);
    }
  });

  it('keeps at most maxCandidatesPerExpiration per expiration, nearest the target delta first', () => {
    const three = build(pcs, input, { maxCandidatesPerExpiration: 3 });
    const ten = build(pcs, input, { maxCandidatesPerExpiration: 10 });
    for (const [exp, group] of byExpiration(three)) {
      expect(group.length).toBeLessThanOrEqual(3);
      const dist = group.map((c) => Math.abs(Math.abs(c.legs[1]!.delta!) - 0.16));
      expect([...dist].sort((a, b) => a - b)).toEqual(dist);
      // the first three of the larger set are the same candidates
      expect(
        ten
          .filter((c) => c.expiration === exp)
          .slice(0, group.length)
          .map((c) => c.id),
      ).toEqual(group.map((c) => c.id));
    }
    expect(ten.length).toBeGreaterThan(three.length);
  });

  it('builds wings by delta: the long put beyond the short with |delta| nearest the wing delta', () => {
    const cs = build(pcs, input, { wings: { delta: 0.08, tolerance: 0.02 } });
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      checkCandidate(c, input);
      const [long, short] = c.legs;
      expect(long!.strike).toBeLessThan(short!.strike);
      expect(Math.abs(Math.abs(long!.delta!) - 0.08)).toBeLessThanOrEqual(0.02 + 1e-12);
      expect(c.facts.width).toBe(short!.strike - long!.strike);
    }
  });

  it('gives a higher POP to farther OTM shorts', () => {
    const near = build(pcs, input, { shortDelta: { target: 0.3, tolerance: 0.03 } });
    const far = build(pcs, input, { shortDelta: { target: 0.1, tolerance: 0.03 } });
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

describe.each(['SPY', 'TSLA'])('call credit spread on %s', (symbol) => {
  const input = inputs[symbol]!;

  it('sells a call near the target delta and buys the call `points` above', () => {
    const cs = build(ccs, input, { wings: { points: 10 }, shortDelta: { target: 0.25, tolerance: 0.05 } });
    expect(cs.length).toBeGreaterThan(3);
    for (const c of cs) {
      checkCandidate(c, input);
      const [short, long] = c.legs;
      expect([short!.right, short!.action, long!.right, long!.action]).toEqual([
        'C',
        'Sell to Open',
        'C',
        'Buy to Open',
      ]);
      expect(Math.abs(short!.delta! - 0.25)).toBeLessThanOrEqual(0.05 + 1e-12);
      expect(long!.strike - short!.strike).toBe(10);
      expect(c.facts.max_loss).toBeCloseTo((10 - c.facts.credit_mid) * 100, 6);
      expect(short!.strike).toBeGreaterThan(input.underlyingPrice);
    }
  });

  it('gives a higher POP to farther OTM shorts', () => {
    const near = build(ccs, input, { shortDelta: { target: 0.3, tolerance: 0.03 } });
    const far = build(ccs, input, { shortDelta: { target: 0.1, tolerance: 0.03 } });
    expect(far.length).toBeGreaterThan(0);
    for (const [exp, group] of byExpiration(far)) {
      const nearGroup = near.filter((c) => c.expiration === exp);
      expect(Math.min(...group.map((c) => c.facts.pop))).toBeGreaterThan(
        Math.max(...nearGroup.map((c) => c.facts.pop)),
      );
    }
  });
});

describe('credit spreads: data gaps and empty results', () => {
  const input = inputs['SPY']!;

  it('skips a short leg without a quote or without greeks, and never substitutes a wing strike', () => {
    const first = build(pcs, input)[0]!;
    const [long, short] = first.legs;
    for (const what of ['quote', 'greeks'] as const) {
      const cs = build(pcs, withoutData(input, [short!.streamerSymbol], what));
      expect(cs.length).toBeGreaterThan(0);
      expect(cs.some((c) => c.legs.some((l) => l.streamerSymbol === short!.streamerSymbol))).toBe(false);
    }
    // Without the wing's quote, that short strike has no 5-point wing: no structure sells it.
    const cs = build(pcs, withoutData(input, [long!.streamerSymbol]));
    expect(cs.some((c) => c.legs.some((l) => l.streamerSymbol === long!.streamerSymbol))).toBe(false);
    expect(cs.some((c) => c.legs[1]!.streamerSymbol === short!.streamerSymbol)).toBe(false);
  });

  it('returns an empty list when nothing matches', () => {
    expect(build(pcs, input, { dte: { min: 300, max: 400 } })).toEqual([]);
    expect(build(ccs, input, { shortDelta: { target: 0.9, tolerance: 0 } })).toEqual([]);
    expect(build(pcs, input, { wings: { points: 0.5 } })).toEqual([]); // SPY has no half-point strikes
    expect(build(ccs, { ...input, snapshot: { quotes: new Map(), greeks: new Map(), missing: [] } })).toEqual([]);
  });

  it('is deterministic: same input, same candidates and ids', () => {
    const a = build(ccs, input);
    const b = build(ccs, strategyInput(market, 'SPY'));
    expect(b).toEqual(a);
    expect(new Set(a.map((c) => c.id)).size).toBe(a.length);
    expect(shape(a[0]!)).toMatch(/^SC\d+ BC\d+$/);
  });
});
