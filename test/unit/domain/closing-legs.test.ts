// closingPlan: what a trade actually holds becomes ≤ 4-leg closing orders, shorts first, priced from natural with quotes
// and from the last marks (theo, else last fill) toward natural without them — never a blind $0.01.
import { describe, expect, it } from 'vitest';
import { closingPlan, type HeldContract, nobodyBids } from '../../../src/domain/closing-legs.js';
import { priceAtStep } from '../../../src/domain/order-group.js';

const held = (symbol: string, quantity: number, q: Partial<HeldContract> = {}): HeldContract => ({
  symbol,
  quantity,
  bid: null,
  ask: null,
  theo: null,
  lastFill: null,
  ...q,
});
const quoted = (symbol: string, quantity: number, bid: number, ask: number) => held(symbol, quantity, { bid, ask });

describe('closingPlan', () => {
  it('a held condor with quotes: one 4-leg order at natural, walking at most 10 % + $0.05 per leg beyond it', () => {
    const plan = closingPlan(
      [quoted('LP', 1, 0.5, 0.6), quoted('SP', -1, 1.0, 1.1), quoted('SC', -1, 0.9, 1.0), quoted('LC', 1, 0.3, 0.4)],
      { tickCents: 1 },
    );
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.orders).toHaveLength(1);
    const [o] = plan.orders;
    expect(o!.legs).toEqual([
      { symbol: 'SP', action: 'Buy to Close', ratio: 1 },
      { symbol: 'SC', action: 'Buy to Close', ratio: 1 },
      { symbol: 'LP', action: 'Sell to Close', ratio: 1 },
      { symbol: 'LC', action: 'Sell to Close', ratio: 1 },
    ]);
    expect(o!.quantity).toBe(1);
    expect(o!.pricedFrom).toBe('quotes');
    // natural: −1.10 −1.00 +0.50 +0.30 = −1.30; worst: −(1.21+0.05) −(1.10+0.05) +(0.45−0.05) +(0.27−0.05) = −1.79
    expect(o!.pricing.startCents).toBe(-130);
    expect(o!.pricing.floorCents).toBe(-179);
    expect(priceAtStep(o!.pricing, o!.pricing.maxSteps)).toBe(-179);
  });

  it('units: the common factor of the quantities, ratios for the rest', () => {
    const plan = closingPlan([quoted('A', -4, 1, 1.1), quoted('B', 2, 0.5, 0.6)], { tickCents: 1 });
    expect(plan.ok && plan.orders[0]).toMatchObject({
      quantity: 2,
      legs: [
        { symbol: 'A', ratio: 2 },
        { symbol: 'B', ratio: 1 },
      ],
    });
  });

  it('nets repeated symbols and ignores flat ones', () => {
    const plan = closingPlan([quoted('A', -2, 1, 1.1), quoted('A', 1, 1, 1.1), quoted('B', 0, 1, 1.1)], {
      tickCents: 1,
    });
    expect(plan.ok && plan.orders.map((o) => o.legs)).toEqual([[{ symbol: 'A', action: 'Buy to Close', ratio: 1 }]]);
  });

  it('nothing held: no orders', () => {
    expect(closingPlan([held('A', 0)])).toEqual({ ok: true, orders: [], leftToExpire: [] });
  });

  it('more than 4 legs: ≤ 4-leg orders, every short before any long', () => {
    const positions = [
      quoted('L1', 1, 1, 1.1),
      quoted('S1', -1, 1, 1.1),
      quoted('L2', 1, 1, 1.1),
      quoted('S2', -1, 1, 1.1),
      quoted('S3', -1, 1, 1.1),
      quoted('L3', 1, 1, 1.1),
    ];
    const plan = closingPlan(positions, { tickCents: 1 });
    expect(plan.ok && plan.orders.map((o) => o.legs.map((l) => l.symbol))).toEqual([
      ['S1', 'S2', 'S3', 'L1'],
      ['L2', 'L3'],
    ]);
  });

  it('no quote: from the theo price (else the last fill) toward natural by 50 % + $0.05', () => {
    const plan = closingPlan([held('S', -1, { theo: 2.0, lastFill: 1.0 }), held('L', 1, { lastFill: 0.8 })], {
      tickCents: 1,
    });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    const [o] = plan.orders;
    expect(o!.pricedFrom).toBe('marks');
    // start: −2.00 + 0.80 = −1.20; worst: −(3.00 + 0.05) + (0.40 − 0.05) = −2.70
    expect(o!.pricing.startCents).toBe(-120);
    expect(o!.pricing.floorCents).toBe(-270);
  });

  it('a leg with no quote, no theo and no fill cannot be priced (no blind $0.01)', () => {
    const plan = closingPlan([held('S', -1), quoted('L', 1, 0.5, 0.6)]);
    expect(plan).toEqual({ ok: false, reason: 'S: no quote, theo price or fill to price it' });
  });

  it('prices are on the tick, the floor rounded toward the worse side, never zero', () => {
    const plan = closingPlan([quoted('S', -1, 3.12, 3.23)], { tickCents: 5 });
    expect(plan.ok && plan.orders[0]!.pricing).toMatchObject({ startCents: -325, floorCents: -365 }); // −3.603 rounded to the worse tick
    const tiny = closingPlan([held('L', 1, { lastFill: 0.0 })], { tickCents: 1 });
    expect(tiny.ok && tiny.orders[0]!.pricing).toMatchObject({ startCents: 1, floorCents: 1 });
  });

  it('longs nobody bids for, with no short held, are left to expire: not offered, not a failure', () => {
    // The short is gone (bought back): the two wings cover nothing, one has a bid, one has none
    const plan = closingPlan([quoted('LP', 1, 0.4, 0.5), quoted('LC', 2, 0, 0.05)], { tickCents: 1 });
    expect(plan.ok && plan.orders.map((o) => o.legs.map((l) => [l.symbol, l.action, l.ratio * o.quantity]))).toEqual([
      [['LP', 'Sell to Close', 1]],
    ]);
    expect(plan.ok && plan.leftToExpire).toEqual(['LC']);
    // Only worthless longs: nothing to send
    expect(closingPlan([quoted('LC', 2, 0, 0.05)])).toEqual({ ok: true, orders: [], leftToExpire: ['LC'] });
    // While a short is held every long is closed with it (shorts first): a long may still cover it
    const withShort = closingPlan([quoted('SC', -1, 0.1, 0.15), quoted('LC', 1, 0, 0.05)], { tickCents: 1 });
    expect(withShort.ok && withShort.leftToExpire).toEqual([]);
    expect(withShort.ok && withShort.orders.flatMap((o) => o.legs.map((l) => l.symbol))).toEqual(['SC', 'LC']);
    // No quote at all is not "nobody bids": it is priced from its marks as before
    expect(closingPlan([held('LC', 1, { lastFill: 0.2 })]).ok && true).toBe(true);
    expect(nobodyBids({ quantity: 1, bid: 0, ask: 0.05 })).toBe(true);
    expect(nobodyBids({ quantity: 1, bid: null, ask: 0.05 })).toBe(false);
    expect(nobodyBids({ quantity: -1, bid: 0, ask: 0.05 })).toBe(false);
    expect(nobodyBids({ quantity: 1, bid: 0.01, ask: 0.05 })).toBe(false);
  });
});
