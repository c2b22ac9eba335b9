// Owns the price of the next leg of a legged entry: every remaining leg at natural from a fresh quote on the broker's
// tick schedule, and the package net (legs filled so far + the rest at natural) checked against the intent's floor.
// Pure: the caller brings the quotes, the fills so far and the clock.
import type { LegAction } from './broker-order.js';
import type { TickSize } from './market.js';
import type { Cents } from './money.js';
import { roundPriceToTick } from './ticks.js';

export interface LegQuote {
  symbol: string;
  action: LegAction;
  /** Contracts per structure unit. */
  ratio: number;
  /** Per share, cents; null when the broker has no such side. */
  bidCents: number | null;
  askCents: number | null;
  /** When the quote was received (epoch ms); null when there is no quote at all. */
  receivedAt: number | null;
}

export interface LegPricingInput {
  /** Worst acceptable package net per structure unit, signed (credit +, debit −), per share. */
  floorCents: Cents;
  /** Net of the legs already filled, per structure unit, signed, per share. */
  filledNetCents: Cents;
  /** The next leg first, then the legs still to be sent after it. */
  legs: readonly LegQuote[];
  ticks: readonly TickSize[];
  now: number;
  /** A quote older than this is not fresh. */
  maxQuoteAgeMs: number;
}

export type LegPrice =
  /** Send the next leg at this one-contract limit, signed (credit +, debit −). */
  | { kind: 'send'; limitCents: Cents; packageNetCents: Cents }
  /** Some remaining leg has no usable fresh quote: wait for one (within a deadline), never guess a price. */
  | { kind: 'no_quote'; symbols: string[] }
  /** Even at natural the package would end below the floor: roll back rather than cross it. */
  | { kind: 'below_floor'; packageNetCents: Cents; floorCents: Cents };

const isBuy = (a: LegAction): boolean => a.startsWith('Buy');

/** Natural one-contract price on the tick schedule, signed: a buy pays the ask (rounded up), a sell gets the bid (down). */
export function naturalLegCents(q: LegQuote, ticks: readonly TickSize[]): Cents | undefined {
  if (isBuy(q.action))
    return q.askCents !== null && q.askCents > 0 ? -roundPriceToTick(q.askCents, ticks, 'up') : undefined;
  if (q.bidCents === null || q.bidCents <= 0) return undefined;
  const bid = roundPriceToTick(q.bidCents, ticks, 'down');
  return bid > 0 ? bid : undefined;
}

export function priceNextLeg(input: LegPricingInput): LegPrice {
  const missing: string[] = [];
  const naturals: Cents[] = [];
  for (const q of input.legs) {
    const fresh = q.receivedAt !== null && input.now - q.receivedAt <= input.maxQuoteAgeMs;
    const natural = fresh ? naturalLegCents(q, input.ticks) : undefined;
    if (natural === undefined) missing.push(q.symbol);
    else naturals.push(natural * q.ratio);
  }
  if (missing.length > 0 || input.legs.length === 0) return { kind: 'no_quote', symbols: missing };
  const packageNetCents = input.filledNetCents + naturals.reduce((a, b) => a + b, 0);
  if (packageNetCents < input.floorCents) return { kind: 'below_floor', packageNetCents, floorCents: input.floorCents };
  return { kind: 'send', limitCents: naturals[0]! / input.legs[0]!.ratio, packageNetCents };
}
