// Owns when and at what prices an order fills: fill-rule matching, package marketability and per-leg price allocation.
import type { FillBehavior, FillRule } from '../types.js';

export interface RuleTarget {
  symbols: string[];
  underlying: string;
}

const matches = (rule: FillRule, target: RuleTarget) =>
  (rule.symbol === undefined || target.symbols.includes(rule.symbol)) &&
  (rule.underlying === undefined || rule.underlying === target.underlying);

/** The behaviour part of a rule (without its matching keys). */
export function behaviorOf(rule: FillBehavior): FillBehavior {
  const out: FillBehavior = { behavior: rule.behavior };
  if (rule.delayMs !== undefined) out.delayMs = rule.delayMs;
  if (rule.code !== undefined) out.code = rule.code;
  if (rule.message !== undefined) out.message = rule.message;
  if (rule.leg !== undefined) out.leg = rule.leg;
  if (rule.quantity !== undefined) out.quantity = rule.quantity;
  return out;
}

/**
 * First match wins: next-order rules (in the order added; the match is consumed, `consumed` = its index), then rules by
 * leg symbol, then by underlying, then the default. A rule with both symbol and underlying needs both to match.
 */
export function pickBehavior(
  rules: FillRule[],
  fallback: FillBehavior,
  target: RuleTarget,
): { behavior: FillBehavior; consumed?: number } {
  const next = rules.findIndex((r) => r.next === true && matches(r, target));
  if (next >= 0) return { behavior: behaviorOf(rules[next]!), consumed: next };
  const bySymbol = rules.find((r) => r.next !== true && r.symbol !== undefined && matches(r, target));
  if (bySymbol) return { behavior: behaviorOf(bySymbol) };
  const byUnderlying = rules.find(
    (r) => r.next !== true && r.symbol === undefined && r.underlying !== undefined && matches(r, target),
  );
  if (byUnderlying) return { behavior: behaviorOf(byUnderlying) };
  return { behavior: behaviorOf(fallback) };
}

export interface PricedLeg {
  buy: boolean;
  /** Contracts (shares) of this leg per spread unit. */
  ratio: number;
  bidCents: number;
  askCents: number;
}

/** Net natural price per spread unit, signed (credit positive): sell legs at the bid, buy legs at the ask. */
export function naturalNetCents(legs: PricedLeg[]): number {
  return legs.reduce((sum, l) => sum + (l.buy ? -l.askCents : l.bidCents) * l.ratio, 0);
}

/** Signed limit per spread unit: +price for a Credit order, −price for a Debit order. */
export function signedLimit(priceCents: number, effect: 'Credit' | 'Debit'): number {
  return effect === 'Credit' ? priceCents : -priceCents;
}

/** A limit order is marketable when the natural package price is at least as good as its limit. */
export function isMarketable(legs: PricedLeg[], limitSigned: number): boolean {
  return naturalNetCents(legs) >= limitSigned;
}

/**
 * Per-leg fill prices (cents, ≥ 0) whose signed net equals `targetNet` per unit. Starts from natural prices and hands
 * the surplus (natural − target) back one cent at a time, round-robin (sell legs down, buy legs up). When leg ratios
 * make an exact split impossible, the remainder stays with the client (a fill slightly better than the limit).
 */
export function allocateLegPrices(legs: PricedLeg[], targetNet: number): number[] {
  const prices = legs.map((l) => (l.buy ? l.askCents : l.bidCents));
  let surplus = naturalNetCents(legs) - targetNet;
  if (surplus <= 0) return prices;
  let progress = true;
  while (surplus > 0 && progress) {
    progress = false;
    for (let i = 0; i < legs.length && surplus > 0; i++) {
      const leg = legs[i]!;
      if (leg.ratio > surplus) continue;
      if (!leg.buy && prices[i]! <= 0) continue;
      prices[i] = prices[i]! + (leg.buy ? 1 : -1);
      surplus -= leg.ratio;
      progress = true;
    }
  }
  return prices;
}

/** Spread units of an order: the gcd of its legs' quantities (size 10 for a 10-lot vertical). */
export function spreadUnits(quantities: number[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return quantities.reduce((g, q) => gcd(g, q), 0) || 1;
}

/** Units a partial behaviour fills now: `quantity` (default half, at least 1), never more than what remains. */
export function partialUnits(behavior: FillBehavior, remaining: number): number {
  const wanted = behavior.quantity ?? Math.max(1, Math.floor(remaining / 2));
  return Math.max(0, Math.min(remaining, Math.floor(wanted)));
}
