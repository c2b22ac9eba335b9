// Owns how to close what a trade ACTUALLY holds (its fills netted per symbol, not its planned legs): closing orders of at
// most 4 legs, shorts bought back first, each priced from quotes when there are two-sided ones (from natural, conceding
// 10 % + $0.05) and otherwise from the last known mark (theo price from greeks, else the last fill) toward natural
// (mark ± 50 % of mark + $0.05) — never a blind $0.01; and which longs nobody bids for are left to expire. Pure.
import type { Cents } from './money.js';
import type { PricingPlan } from './order-group.js';

/** Tastytrade takes at most 4 legs in one order. */
export const MAX_LEGS_PER_ORDER = 4;

export interface HeldContract {
  symbol: string;
  /** Signed contracts held (long +, short −). */
  quantity: number;
  /** Per share, dollars; null when unknown. */
  bid: number | null;
  ask: number | null;
  /** Theoretical price from greeks (per share, dollars). */
  theo: number | null;
  /** Price of the last fill of this symbol (per share, dollars). */
  lastFill: number | null;
}

export interface ClosingLeg {
  symbol: string;
  action: 'Buy to Close' | 'Sell to Close';
  /** Contracts per unit of the order. */
  ratio: number;
}

export interface ClosingOrder {
  legs: ClosingLeg[];
  /** Units: the order's legs are `ratio × quantity` contracts. */
  quantity: number;
  pricing: PricingPlan;
  /** 'quotes' when every leg had a two-sided quote, else 'marks'. */
  pricedFrom: 'quotes' | 'marks';
}

export type ClosingPlan =
  /** `leftToExpire`: longs nobody bids for, not offered (see `nobodyBids`); they stay held until a bid or expiration. */
  { ok: true; orders: ClosingOrder[]; leftToExpire: string[] } | { ok: false; reason: string };

/**
 * A long nobody bids for: a two-sided quote (an ask) whose bid is zero. It is worth nothing now, and once no short is
 * held it covers nothing: there is no buyer to sell it to, so offering it at the smallest price only fails again and
 * again (a rollback or exit would then call a human for a position with no risk). It is kept, and sold when a bid
 * appears or removed by its expiration. An option without any quote is not this: it is priced from its marks.
 */
/** What happens to a long nobody bids for, as every message about one says it. */
export const LEFT_TO_EXPIRE = 'kept (worth $0 now): sold when a bid appears, else left to expire';

export const nobodyBids = (p: Pick<HeldContract, 'quantity' | 'bid' | 'ask'>): boolean =>
  p.quantity > 0 && p.bid !== null && p.bid <= 0 && p.ask !== null && p.ask > 0;

export interface ClosingPlanOptions {
  tickCents: number;
  stepEverySeconds: number;
  maxSteps: number;
  fillTimeoutSeconds: number;
}

const DEFAULTS: ClosingPlanOptions = { tickCents: 5, stepEverySeconds: 5, maxSteps: 6, fillTimeoutSeconds: 45 };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Per-share start and worst price of closing one contract (dollars), or why it cannot be priced. */
function legPrice(p: HeldContract): { start: number; worst: number; quoted: boolean } | string {
  const buy = p.quantity < 0;
  if (p.bid !== null && p.ask !== null && p.ask > 0 && p.bid <= p.ask) {
    // A flatten gets out: it starts at natural and may concede 10 % plus $0.05 beyond it
    return buy
      ? { start: p.ask, worst: p.ask * 1.1 + 0.05, quoted: true }
      : { start: p.bid, worst: Math.max(0, p.bid * 0.9 - 0.05), quoted: true };
  }
  const mark = p.theo ?? p.lastFill;
  if (mark === null || !Number.isFinite(mark) || mark < 0)
    return `${p.symbol}: no quote, theo price or fill to price it`;
  // No quote: start at the mark and concede half of it plus $0.05 toward natural
  return buy
    ? { start: mark, worst: mark * 1.5 + 0.05, quoted: false }
    : { start: mark, worst: Math.max(0, mark * 0.5 - 0.05), quoted: false };
}

const roundNearest = (cents: number, tick: number) => Math.round(cents / tick) * tick;
/** Signed: toward the worse side (less credit / more debit). */
const roundWorse = (cents: number, tick: number) => Math.floor(cents / tick + 1e-9) * tick;

function orderOf(chunk: readonly HeldContract[], o: ClosingPlanOptions): ClosingOrder | string {
  const size = chunk.map((p) => Math.abs(p.quantity)).reduce(gcd);
  let start = 0;
  let worst = 0;
  let quoted = true;
  for (const p of chunk) {
    const price = legPrice(p);
    if (typeof price === 'string') return price;
    const sign = p.quantity < 0 ? -1 : 1; // buying back a short is a debit
    const ratio = Math.abs(p.quantity) / size;
    start += sign * price.start * 100 * ratio;
    worst += sign * price.worst * 100 * ratio;
    quoted &&= price.quoted;
  }
  const tick = Math.max(1, o.tickCents);
  const floor: Cents = roundWorse(worst, tick);
  let first: Cents = Math.max(floor, roundNearest(start, tick));
  // A zero price is refused: a tick either way, never past the floor
  if (first === 0) first = floor < 0 ? -tick : tick;
  const floorCents = floor === 0 ? (first > 0 ? tick : -tick) : Math.min(floor, first);
  const steps = Math.max(1, o.maxSteps);
  const stepCents = Math.max(tick, Math.ceil((first - floorCents) / steps / tick) * tick);
  return {
    legs: chunk.map((p) => ({
      symbol: p.symbol,
      action: p.quantity < 0 ? 'Buy to Close' : 'Sell to Close',
      ratio: Math.abs(p.quantity) / size,
    })),
    quantity: size,
    pricing: {
      startCents: first,
      floorCents: Math.min(floorCents, first),
      stepCents,
      stepEverySeconds: o.stepEverySeconds,
      maxSteps: steps,
      fillTimeoutSeconds: o.fillTimeoutSeconds,
    },
    pricedFrom: quoted ? 'quotes' : 'marks',
  };
}

/**
 * The closing orders for `positions` (zero quantities ignored): one order when the legs fit one (≤ 4 distinct
 * symbols), else ≤ 4-leg orders with every short before any long, so no long is sold while a short it covers is open.
 */
export function closingPlan(
  positions: readonly HeldContract[],
  options: Partial<ClosingPlanOptions> = {},
): ClosingPlan {
  const o = { ...DEFAULTS, ...options };
  const bySymbol = new Map<string, HeldContract>();
  for (const p of positions) {
    if (p.quantity === 0) continue;
    const prev = bySymbol.get(p.symbol);
    bySymbol.set(p.symbol, prev ? { ...p, quantity: prev.quantity + p.quantity } : p);
  }
  const all = [...bySymbol.values()].filter((p) => p.quantity !== 0);
  // With no short held, a long nobody bids for covers nothing and cannot be sold: left to expire (or a later bid)
  const shortHeld = all.some((p) => p.quantity < 0);
  const leftToExpire = shortHeld ? [] : all.filter(nobodyBids).map((p) => p.symbol);
  const held = all.filter((p) => !leftToExpire.includes(p.symbol));
  if (held.length === 0) return { ok: true, orders: [], leftToExpire };
  const ordered = [...held.filter((p) => p.quantity < 0), ...held.filter((p) => p.quantity > 0)];
  const orders: ClosingOrder[] = [];
  for (let i = 0; i < ordered.length; i += MAX_LEGS_PER_ORDER) {
    const order = orderOf(ordered.slice(i, i + MAX_LEGS_PER_ORDER), o);
    if (typeof order === 'string') return { ok: false, reason: order };
    orders.push(order);
  }
  return { ok: true, orders, leftToExpire };
}
