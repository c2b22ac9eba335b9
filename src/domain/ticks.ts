// Owns option price increments from the broker's published schedule (`tick-sizes` of the chain/instrument): which tick
// applies at a price, and rounding a one-contract price onto it toward the side that is asked for. Pure, integer cents.
import type { Cents } from './money.js';
import type { TickSize } from './market.js';

/** The tick (cents) at a price in cents: an entry with a threshold applies strictly below it; no threshold = fallback. */
export function tickAtCents(priceCents: Cents, ticks: readonly TickSize[]): Cents {
  let best: TickSize | undefined;
  let fallback: TickSize | undefined;
  for (const t of ticks) {
    if (t.threshold === null) fallback = t;
    else if (priceCents < Math.round(t.threshold * 100) && (!best || t.threshold < best.threshold!)) best = t;
  }
  const tick = (best ?? fallback)?.valueCents;
  if (tick === undefined || !(tick > 0))
    throw new Error(`no tick size applies at ${priceCents} cents (schedule ${JSON.stringify(ticks)})`);
  return tick;
}

/**
 * A non-negative price rounded onto the schedule: `up` to the next valid price at or above it, `down` to the last one
 * at or below it. Where the schedule changes (e.g. 0.01 below $3, 0.05 from $3), the tick of the result applies.
 */
export function roundPriceToTick(priceCents: Cents, ticks: readonly TickSize[], direction: 'up' | 'down'): Cents {
  if (!(priceCents >= 0)) throw new Error(`price must be non-negative, got ${priceCents}`);
  const cents = Math.round(priceCents);
  const tick = tickAtCents(cents, ticks);
  if (direction === 'down') {
    return Math.floor(cents / tick) * tick;
  }
  const up = Math.ceil(cents / tick) * tick;
  // Crossing into a coarser band: the result must be on the tick that applies there
  const atUp = tickAtCents(up, ticks);
  return up % atUp === 0 ? up : Math.ceil(up / atUp) * atUp;
}
