// The pure settlement decision (OCC rules): the $0.01 in-the-money boundary, long/short, calls/puts, the close of an
// early-close expiration day, and early assignment.
import { describe, expect, it } from 'vitest';
import { assignEarly, isShortInTheMoney, settleAtExpiration, settlementTime } from '../../src/core/settlement.js';

const put = (strike: number, quantity: number) => ({ right: 'P' as const, strike, quantity, multiplier: 100 });
const call = (strike: number, quantity: number) => ({ right: 'C' as const, strike, quantity, multiplier: 100 });

describe('settleAtExpiration', () => {
  it('a short put in the money by ≥ $0.01 is assigned: the writer receives the shares at the strike', () => {
    expect(settleAtExpiration(put(400, -2), 39_999)).toEqual({
      outcome: 'Assignment',
      shares: 200,
      strikeCents: 40_000,
    });
  });

  it('a short call in the money is assigned: the writer delivers the shares', () => {
    expect(settleAtExpiration(call(400, -3), 40_050)).toEqual({
      outcome: 'Assignment',
      shares: -300,
      strikeCents: 40_000,
    });
  });

  it('a long call in the money is exercised into shares bought at the strike; a long put into shares sold', () => {
    expect(settleAtExpiration(call(12.5, 1), 1_300)).toEqual({ outcome: 'Exercise', shares: 100, strikeCents: 1_250 });
    expect(settleAtExpiration(put(12.5, 4), 1_249)).toEqual({ outcome: 'Exercise', shares: -400, strikeCents: 1_250 });
  });

  it('at the money, or in the money by less than a cent, expires worthless (long and short, calls and puts)', () => {
    for (const option of [put(400, -1), put(400, 1), call(400, -1), call(400, 1)]) {
      expect(settleAtExpiration(option, 40_000)).toEqual({ outcome: 'Expiration', shares: 0, strikeCents: 40_000 });
    }
    // 400.004 rounds to 40 000 cents: not a cent in the money
    expect(settleAtExpiration(call(400, 1), Math.round(400.004 * 100)).outcome).toBe('Expiration');
  });

  it('exactly $0.01 in the money is exercised or assigned', () => {
    expect(settleAtExpiration(call(400, 1), 40_001).outcome).toBe('Exercise');
    expect(settleAtExpiration(put(400, -1), 39_999).outcome).toBe('Assignment');
  });

  it('out of the money expires worthless', () => {
    expect(settleAtExpiration(call(400, -1), 30_000)).toEqual({
      outcome: 'Expiration',
      shares: 0,
      strikeCents: 40_000,
    });
    expect(settleAtExpiration(put(400, 5), 50_000).outcome).toBe('Expiration');
  });
});

describe('settlementTime', () => {
  it('is the session close of the expiration date: 16:00 New York, 13:00 on an early close', () => {
    expect(new Date(settlementTime('2026-11-20')).toISOString()).toBe('2026-11-20T21:00:00.000Z'); // Friday, EST
    expect(new Date(settlementTime('2026-06-19')).toISOString()).toBe('2026-06-19T20:00:00.000Z'); // Friday, EDT
    // The day after Thanksgiving closes at 13:00
    expect(new Date(settlementTime('2026-11-27')).toISOString()).toBe('2026-11-27T18:00:00.000Z');
  });
});

describe('early assignment', () => {
  it('assigns part or all of a short position, refusing longs and quantities beyond it', () => {
    expect(assignEarly(put(400, -3), 2)).toEqual({ outcome: 'Assignment', shares: 200, strikeCents: 40_000 });
    expect(assignEarly(call(400, -1), 1)).toEqual({ outcome: 'Assignment', shares: -100, strikeCents: 40_000 });
    expect(() => assignEarly(put(400, 1), 1)).toThrow(/only a short/);
    expect(() => assignEarly(put(400, -1), 2)).toThrow(/1\.\.1/);
  });

  it('only short options in the money by ≥ $0.01 are candidates', () => {
    expect(isShortInTheMoney(put(400, -1), 39_999)).toBe(true);
    expect(isShortInTheMoney(put(400, -1), 40_000)).toBe(false);
    expect(isShortInTheMoney(put(400, 1), 30_000)).toBe(false);
    expect(isShortInTheMoney(call(400, -1), 40_001)).toBe(true);
  });
});
