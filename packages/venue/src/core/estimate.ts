// Owns pre-trade estimates: the package's priced legs, its expected net price, fees, and the buying-power check.
import type { MarketModel } from '../types.js';
import { allocateLegPrices, naturalNetCents, signedLimit, type PricedLeg } from './fill-model.js';
import {
  balanceFigures,
  feesFor,
  type AccountRecord,
  type BalanceFigures,
  type Fees,
  type InstrumentInfo,
  type Marks,
} from './ledger.js';
import { requirementCents } from './margin.js';
import { dollarsToCents } from './money.js';
import type { ResolvedLeg } from './preflight.js';
import { isBuy, type OrderType, type PriceEffect } from './validate.js';

/** Marks (mid, cents) and spots from the market model; 0 for unknown or expired instruments. */
export function marksOf(market: MarketModel): Marks {
  return {
    markCents(symbol) {
      const q = market.quote(symbol);
      return q ? dollarsToCents(q.mid) : 0;
    },
    spot(underlying) {
      return market.hasUnderlying(underlying) ? market.spot(underlying) : 0;
    },
  };
}

/** Legs with their current quotes; undefined when any leg has no quote. */
export function pricedLegs(
  market: MarketModel,
  legs: { symbol: string; action: ResolvedLeg['action']; ratio: number }[],
): PricedLeg[] | undefined {
  const out: PricedLeg[] = [];
  for (const leg of legs) {
    const q = market.quote(leg.symbol);
    if (!q) return undefined;
    out.push({
      buy: isBuy(leg.action),
      ratio: leg.ratio,
      bidCents: dollarsToCents(q.bid),
      askCents: dollarsToCents(q.ask),
    });
  }
  return out;
}

/** Signed net price per unit the order is expected to trade at: its limit, or natural for a Market order. */
export function expectedNet(
  order: { orderType: OrderType; priceCents?: number; priceEffect?: PriceEffect },
  priced: PricedLeg[] | undefined,
): number | undefined {
  if (order.orderType === 'Limit' && order.priceCents !== undefined && order.priceEffect !== undefined) {
    return signedLimit(order.priceCents, order.priceEffect);
  }
  return priced ? naturalNetCents(priced) : undefined;
}

/** Positions after a hypothetical fill of `units` spread units of `legs`. */
export function positionsAfter(
  account: AccountRecord,
  legs: ResolvedLeg[],
  units: number,
): (InstrumentInfo & { quantity: number })[] {
  const map = new Map<string, InstrumentInfo & { quantity: number }>();
  for (const [symbol, pos] of account.positions) map.set(symbol, { ...pos });
  for (const leg of legs) {
    const q = (isBuy(leg.action) ? 1 : -1) * leg.ratio * units;
    const existing = map.get(leg.symbol);
    if (existing) existing.quantity += q;
    else map.set(leg.symbol, { ...leg, quantity: q });
  }
  return [...map.values()];
}

export interface OrderEstimate {
  fees: Fees;
  before: BalanceFigures;
  after: BalanceFigures;
  isolatedRequirement: number;
  marginOk: boolean;
}

/** Fees, buying power before/after and the margin check of an order filling completely at `netPerUnit`. */
export function estimateOrder(
  account: AccountRecord,
  legs: ResolvedLeg[],
  units: number,
  netPerUnit: number,
  priced: PricedLeg[] | undefined,
  marks: Marks,
): OrderEstimate {
  const legPrices = priced ? allocateLegPrices(priced, netPerUnit) : legs.map(() => Math.abs(netPerUnit));
  const fees = feesFor(
    legs.map((leg, i) => ({
      instrumentType: leg.instrumentType,
      action: leg.action,
      quantity: leg.ratio * units,
      priceCents: legPrices[i] ?? 0,
    })),
  );
  const multiplier = legs[0]?.multiplier ?? 100;
  const cashAfter = account.cashCents + netPerUnit * units * multiplier - fees.total;
  const before = balanceFigures(account.cashCents, account.positions.values(), account.marginOrCash, marks);
  const after = balanceFigures(cashAfter, positionsAfter(account, legs, units), account.marginOrCash, marks);
  const isolated = requirementCents(
    legs.map((leg) => ({
      symbol: leg.symbol,
      underlying: leg.underlying,
      quantity: (isBuy(leg.action) ? 1 : -1) * leg.ratio * units,
      markCents: marks.markCents(leg.symbol),
      multiplier: leg.multiplier,
      ...(leg.option ? { option: leg.option } : {}),
    })),
    { spot: marks.spot, marginOrCash: account.marginOrCash },
  );
  // Tastytrade rejects what would leave buying power negative, unless the order frees buying power (closes)
  const marginOk = after.derivativeBuyingPower >= 0 || after.derivativeBuyingPower >= before.derivativeBuyingPower;
  return { fees, before, after, isolatedRequirement: isolated, marginOk };
}
