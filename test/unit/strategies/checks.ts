// Owns the structural checks every strategy test applies to every candidate (recomputed independently of src/strategies).
import { expect } from 'vitest';
import { daysToExpiration } from '../../../src/domain/instrument.js';
import type { Candidate, StrategyInput } from '../../../src/strategies/types.js';

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Legs of a candidate as compact text, e.g. "BP640 SP645 SC720 BC725". */
export const shape = (c: Candidate): string =>
  c.legs.map((l) => `${l.action === 'Sell to Open' ? 'S' : 'B'}${l.right}${l.strike}`).join(' ');

/** The checks that hold for every candidate of every strategy. */
export function checkCandidate(c: Candidate, input: StrategyInput): void {
  const f = c.facts;
  const snap = input.snapshot;
  // legs: one expiration, quoted two-sided with greeks, ascending strikes, no right+strike twice
  for (const l of c.legs) {
    expect(l.expiration).toBe(c.expiration);
    expect(l.ratio).toBe(1);
    const q = snap.quotes.get(l.streamerSymbol)!;
    const g = snap.greeks.get(l.streamerSymbol)!;
    expect(q.bid! > 0 && q.ask! >= q.bid!).toBe(true);
    expect([l.bid, l.ask, l.delta, l.iv]).toEqual([q.bid, q.ask, g.delta, g.iv]);
    expect(l.mid).toBeCloseTo((q.bid! + q.ask!) / 2, 12);
  }
  const keys = c.legs.map((l) => `${l.right}${l.strike}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (let i = 1; i < c.legs.length; i++) expect(c.legs[i]!.strike).toBeGreaterThanOrEqual(c.legs[i - 1]!.strike);

  // id, dte
  expect(c.id).toBe(`${c.strategy}:${input.underlying}:${c.expiration}:${c.legs.map((l) => l.strike).join('/')}`);
  expect(c.dte).toBe(daysToExpiration(c.expiration, input.today));
  expect(f.dte).toBe(c.dte);
  expect(f.strategy).toBe(c.strategy);
  expect(f.underlying).toBe(input.underlying);

  // prices
  const shorts = c.legs.filter((l) => l.action === 'Sell to Open');
  const longs = c.legs.filter((l) => l.action === 'Buy to Open');
  const natural = shorts.reduce((s, l) => s + l.bid, 0) - longs.reduce((s, l) => s + l.ask, 0);
  const mid = shorts.reduce((s, l) => s + l.mid, 0) - longs.reduce((s, l) => s + l.mid, 0);
  expect(c.creditNaturalCents).toBe(Math.round(natural * 100));
  expect(f.credit_natural).toBeCloseTo(natural, 9);
  expect(c.creditMidCents).toBeGreaterThan(0);
  expect(Math.abs(c.creditMidCents - mid * 100)).toBeLessThanOrEqual(2.5 + 1e-6); // within half a nickel
  expect(f.credit_mid).toBe(c.creditMidCents / 100);
  expect(f.package_spread).toBeCloseTo(mid - natural, 9);
  expect(f.package_spread_pct).toBeCloseTo((mid - natural) / f.credit_mid, 9);
  expect(f.max_leg_spread).toBeCloseTo(Math.max(...c.legs.map((l) => l.ask - l.bid)), 9);

  // risk
  if (f.defined_risk) {
    expect(f.width).toBeGreaterThan(0);
    expect(f.credit_mid).toBeLessThan(f.width!);
    expect(f.max_loss).toBeCloseTo((f.width! - f.credit_mid) * 100, 6);
    expect(f.credit_to_width).toBeCloseTo(f.credit_mid / f.width!, 9);
    expect(f.return_on_risk).toBeCloseTo((f.credit_mid * 100) / f.max_loss!, 9);
  } else {
    expect([f.width, f.max_loss, f.credit_to_width, f.return_on_risk]).toEqual([null, null, null, null]);
  }
  expect(f.pop).toBeGreaterThan(0);
  expect(f.pop).toBeLessThan(100);
  expect(f.expected_value).not.toBeNull();

  // greeks: signed with the position, per share
  const signed = (k: 'delta' | 'theta' | 'vega') =>
    c.legs.reduce((s, l) => s + (l.action === 'Sell to Open' ? -1 : 1) * (l[k] ?? 0), 0);
  expect(f.net_delta).toBeCloseTo(signed('delta'), 9);
  expect(f.net_theta).toBeCloseTo(signed('theta'), 9);
  expect(f.net_vega).toBeCloseTo(signed('vega'), 9);
  expect(f.short_delta).toBe(Math.max(...shorts.map((l) => Math.abs(l.delta!))));
  expect(f.underlying_price).toBe(input.underlyingPrice);

  // market metrics as 0–100
  const m = input.metrics!;
  expect(f.iv_rank).toBeCloseTo(m.ivRank! * 100, 6);
  expect(f.iv_percentile).toBeCloseTo(m.ivPercentile! * 100, 6);
  expect(f.iv_index).toBeCloseTo(m.ivIndex! * 100, 6);
  expect(f.liquidity_rating).toBe(m.liquidityRating);
}

/** Candidates grouped by expiration. */
export function byExpiration(cs: Candidate[]): Map<string, Candidate[]> {
  const out = new Map<string, Candidate[]>();
  for (const c of cs) out.set(c.expiration, [...(out.get(c.expiration) ?? []), c]);
  return out;
}
