// Pricing the next leg of a legged entry: natural on the broker's ticks, the package (filled so far + the rest at
// natural) against the floor, and no price at all without a fresh two-sided quote (never a $0.01 default).
import { describe, expect, it } from 'vitest';
import { priceNextLeg, type LegQuote } from '../../../src/domain/leg-pricing.js';
import type { TickSize } from '../../../src/domain/market.js';

const TICKS: TickSize[] = [
  { threshold: 3, valueCents: 1 },
  { threshold: null, valueCents: 5 },
];
const NOW = 1_000_000;
const q = (
  symbol: string,
  action: LegQuote['action'],
  bid: number | null,
  ask: number | null,
  age = 0,
  ratio = 1,
): LegQuote => ({
  symbol,
  action,
  ratio,
  bidCents: bid,
  askCents: ask,
  receivedAt: age < 0 ? null : NOW - age,
});
const base = { ticks: TICKS, now: NOW, maxQuoteAgeMs: 15_000 };

describe('priceNextLeg', () => {
  it('condor before any fill: the first wing at its ask, the package at natural above the floor', () => {
    const legs = [
      q('LP', 'Buy to Open', 40, 45),
      q('LC', 'Buy to Open', 30, 34),
      q('SP', 'Sell to Open', 120, 125),
      q('SC', 'Sell to Open', 100, 104),
    ];
    expect(priceNextLeg({ ...base, floorCents: 100, filledNetCents: 0, legs })).toEqual({
      kind: 'send',
      limitCents: -45,
      packageNetCents: 141,
    });
  });

  it('the legs already filled count: a wing that filled dearer leaves less room', () => {
    const rest = [q('SP', 'Sell to Open', 120, 125), q('SC', 'Sell to Open', 100, 104)];
    expect(priceNextLeg({ ...base, floorCents: 100, filledNetCents: -90, legs: rest })).toEqual({
      kind: 'send',
      limitCents: 120,
      packageNetCents: 130,
    });
    expect(priceNextLeg({ ...base, floorCents: 100, filledNetCents: -130, legs: rest })).toEqual({
      kind: 'below_floor',
      packageNetCents: 90,
      floorCents: 100,
    });
  });

  it('a debit package: the floor is the most it may pay', () => {
    const legs = [q('L', 'Buy to Open', 200, 210), q('S', 'Sell to Open', 90, 95)];
    expect(priceNextLeg({ ...base, floorCents: -150, filledNetCents: 0, legs })).toMatchObject({
      kind: 'send',
      limitCents: -210,
      packageNetCents: -120,
    });
    expect(priceNextLeg({ ...base, floorCents: -100, filledNetCents: 0, legs })).toEqual({
      kind: 'below_floor',
      packageNetCents: -120,
      floorCents: -100,
    });
  });

  it("prices land on the broker's ticks: an ask of 3.02 is paid at 3.05, a bid of 3.04 sold at 3.00", () => {
    expect(
      priceNextLeg({ ...base, floorCents: -1000, filledNetCents: 0, legs: [q('L', 'Buy to Open', 290, 302)] }),
    ).toMatchObject({ limitCents: -305 });
    expect(
      priceNextLeg({ ...base, floorCents: -1000, filledNetCents: 0, legs: [q('S', 'Sell to Open', 304, 310)] }),
    ).toMatchObject({ limitCents: 300 });
  });

  it('ratio legs: the package counts every contract, the limit is per contract', () => {
    const legs = [q('S', 'Sell to Open', 50, 55, 0, 2), q('L', 'Buy to Open', 60, 62)];
    expect(priceNextLeg({ ...base, floorCents: 0, filledNetCents: 0, legs })).toEqual({
      kind: 'send',
      limitCents: 50,
      packageNetCents: 38,
    });
  });

  it.each([
    ['no quote at all', q('SP', 'Sell to Open', null, null, -1)],
    ['a sell with no bid', q('SP', 'Sell to Open', 0, 5)],
    ['a buy with no ask', q('SP', 'Buy to Open', 10, null)],
    ['a stale quote', q('SP', 'Sell to Open', 120, 125, 15_001)],
  ])('%s: no price, never a default', (_name, bad) => {
    const legs = [q('LP', 'Buy to Open', 40, 45), bad];
    expect(priceNextLeg({ ...base, floorCents: -10_000, filledNetCents: 0, legs })).toEqual({
      kind: 'no_quote',
      symbols: ['SP'],
    });
  });
});
