// Owns the unit tests of tick rounding and bid/ask formation for options and equities.
import { describe, it, expect } from 'vitest';
import { tickSizesFor } from '../../src/market/chain.js';
import { equityQuote, optionQuote, roundDownToTick, roundUpToTick, tickFor } from '../../src/market/quotes.js';

const penny = tickSizesFor({ pennyProgram: true });
const nickel = tickSizesFor({ pennyProgram: false });
const onTick = (p: number, ticks = penny) => {
  const t = Math.round(tickFor(p, ticks) * 100);
  return Math.round(p * 100) % t === 0 && Math.abs(p * 100 - Math.round(p * 100)) < 1e-6;
};
const base = {
  symbol: 'X',
  spot: 100,
  strike: 100,
  T: 30 / 365,
  iv: 0.3,
  liquidityRating: 5,
  ticks: penny,
  time: 0,
  sizeSeed: 1,
};

describe('tick rounding', () => {
  it('uses Tastytrade tick sizes', () => {
    expect(tickFor(2.99, penny)).toBe(0.01);
    expect(tickFor(3, penny)).toBe(0.05);
    expect(tickFor(2.99, nickel)).toBe(0.05);
    expect(tickFor(3, nickel)).toBe(0.1);
  });

  it('rounds bids down and asks up onto the grid', () => {
    expect(roundDownToTick(2.994, penny)).toBe(2.99);
    expect(roundUpToTick(2.994, penny)).toBe(3);
    expect(roundDownToTick(3.04, penny)).toBe(3);
    expect(roundUpToTick(3.01, penny)).toBe(3.05);
    expect(roundUpToTick(1.2, penny)).toBe(1.2);
    expect(roundDownToTick(1.23, nickel)).toBe(1.2);
    expect(roundUpToTick(2.97, nickel)).toBe(3);
    expect(roundUpToTick(3.01, nickel)).toBe(3.1);
    expect(roundDownToTick(-1, penny)).toBe(0);
  });
});

describe('option quotes', () => {
  it('are at least a tick wide, on ticks, never a zero ask', () => {
    for (const theo of [0, 0.0004, 0.013, 0.5, 2.99, 3.001, 7.5, 42.42, 180]) {
      for (const ticks of [penny, nickel]) {
        const q = optionQuote({ ...base, theo, ticks });
        expect(q.ask).toBeGreaterThan(q.bid);
        expect(q.bid).toBeGreaterThanOrEqual(0);
        expect(q.ask).toBeGreaterThanOrEqual(tickFor(0, ticks));
        expect(onTick(q.bid, ticks), `bid ${q.bid}`).toBe(true);
        expect(onTick(q.ask, ticks), `ask ${q.ask}`).toBe(true);
        expect(q.bid).toBeLessThanOrEqual(theo + 1e-9);
        expect(q.ask).toBeGreaterThanOrEqual(theo - 1e-9);
      }
    }
    expect(optionQuote({ ...base, theo: 0.001 })).toMatchObject({ bid: 0, ask: 0.01 });
    expect(optionQuote({ ...base, theo: 0.001, ticks: nickel })).toMatchObject({ bid: 0, ask: 0.05 });
  });

  it('widen away from the money (relative to value) and for illiquid names', () => {
    const rel = (q: { bid: number; ask: number; mid: number }) => (q.ask - q.bid) / q.mid;
    const atm = optionQuote({ ...base, theo: 3.4 });
    const otm = optionQuote({ ...base, strike: 120, theo: 0.35 });
    expect(rel(otm)).toBeGreaterThan(rel(atm));
    const liquid = optionQuote({ ...base, theo: 6 });
    const illiquid = optionQuote({ ...base, theo: 6, liquidityRating: 1 });
    expect(illiquid.ask - illiquid.bid).toBeGreaterThan(liquid.ask - liquid.bid);
    const long = optionQuote({ ...base, theo: 6, T: 1.5 });
    expect(long.ask - long.bid).toBeGreaterThanOrEqual(liquid.ask - liquid.bid);
  });
});

describe('equity quotes', () => {
  it('are a cent or so wide around spot with round-lot sizes', () => {
    const q = equityQuote({ symbol: 'SPY', spot: 690.123, liquidityRating: 5, time: 0, sizeSeed: 3 });
    expect(q.ask - q.bid).toBeCloseTo(0.01, 9);
    expect(q.bid).toBeLessThanOrEqual(690.123);
    expect(q.ask).toBeGreaterThanOrEqual(690.12);
    expect(q.bidSize % 100).toBe(0);
    expect(q.last).toBe(690.12);
  });
});
