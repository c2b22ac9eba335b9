// Rounding onto the broker's tick schedule (penny and non-penny names, across the $3 threshold), and the tick lookup.
import { describe, expect, it } from 'vitest';
import type { TickSize } from '../../../src/domain/market.js';
import { roundPriceToTick, tickAtCents } from '../../../src/domain/ticks.js';

const PENNY: TickSize[] = [
  { threshold: 3, valueCents: 1 },
  { threshold: null, valueCents: 5 },
];
const NICKEL: TickSize[] = [
  { threshold: 3, valueCents: 5 },
  { threshold: null, valueCents: 10 },
];

describe('tick schedule', () => {
  it.each([
    [PENNY, 299, 1],
    [PENNY, 300, 5],
    [PENNY, 1250, 5],
    [NICKEL, 5, 5],
    [NICKEL, 300, 10],
  ] as const)('tick at %#', (ticks, price, tick) => expect(tickAtCents(price, ticks)).toBe(tick));

  it.each([
    // schedule, price, up, down
    [PENNY, 137, 137, 137],
    [PENNY, 299, 299, 299],
    [PENNY, 302, 305, 300],
    [PENNY, 300, 300, 300],
    [PENNY, 0, 0, 0],
    [NICKEL, 137, 140, 135],
    [NICKEL, 298, 300, 295],
    [NICKEL, 301, 310, 300],
  ] as const)('%# rounds %s', (ticks, price, up, down) => {
    expect(roundPriceToTick(price, ticks, 'up')).toBe(up);
    expect(roundPriceToTick(price, ticks, 'down')).toBe(down);
  });

  it('refuses a schedule that gives no tick, and a negative price', () => {
    expect(() => tickAtCents(500, [{ threshold: 3, valueCents: 1 }])).toThrow(/no tick size/);
    expect(() => roundPriceToTick(-1, PENNY, 'up')).toThrow(/non-negative/);
  });
});
