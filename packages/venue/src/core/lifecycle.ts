// Owns the order lifecycle on ticks: routing, exchange rejects, fills per fill behaviour, cancels, replaces, expiry.
import { nyDate } from '../calendar.js';
import type { FillBehavior, MarketModel, MarketClock } from '../types.js';
import { expectedNet, pricedLegs } from './estimate.js';
import { allocateLegPrices, isMarketable, partialUnits } from './fill-model.js';
import { applyLegFill, type AccountRecord, type PositionRecord } from './ledger.js';
import { legFillFees } from './transactions.js';
import { filledQuantity, isTerminal, remainingUnits, setStatus, type OrderRecord, type OrderStatus } from './orders.js';

export interface LifecycleDeps {
  clock: MarketClock;
  market: MarketModel;
  account(accountNumber: string): AccountRecord | undefined;
  order(id: number): OrderRecord | undefined;
  ids: { fillId(): string; execId(): string; clientOrderId(): string; transactionId(): number };
  /** Publishes the order's current wire state. */
  emitOrder(o: OrderRecord): void;
  /** Called once fills were added to an order, before it is published (the fillsLag fault hooks in here). */
  filled?(o: OrderRecord): void;
  /** Publishes what a fill changed: CurrentPosition per position, then AccountBalance. */
  emitFillEffects(o: OrderRecord, account: AccountRecord, changed: PositionRecord[]): void;
}

export interface Lifecycle {
  /** Hands an accepted order to the exchange: Routed when the market is open, else Received until the open. */
  route(o: OrderRecord, now: number): void;
  /** One lifecycle pass of an order at `now`; every status change publishes an Order event. */
  advance(o: OrderRecord, now: number): void;
  /** Ends a working order at once: Expired (a pending cancel or replace completes as Cancelled instead). */
  expire(o: OrderRecord, now: number): void;
}

export function rejectReason(b: FillBehavior): string {
  const base = b.message ?? (b.code && b.code !== 'order_rejected' ? b.code : 'Order rejected by exchange');
  return b.leg ? `${base}: leg ${b.leg}` : base;
}

export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { clock, market, ids } = deps;

  const route = (o: OrderRecord, now: number) => {
    setStatus(o, clock.isMarketOpen(now) ? 'Routed' : 'Received', now);
    if (o.status === 'Routed' && o.behavior.behavior === 'delayed') o.eligibleAt = now + (o.behavior.delayMs ?? 2000);
  };

  /** Fills `units` spread units, every leg at once (a package), at the given per-leg prices. */
  const executeFill = (o: OrderRecord, units: number, legPrices: number[], now: number) => {
    const account = deps.account(o.accountNumber);
    if (!account || units <= 0) return;
    const today = nyDate(now);
    const group = ids.execId();
    const changed: PositionRecord[] = [];
    o.legs.forEach((leg, i) => {
      const qty = units * leg.ratio;
      const price = legPrices[i] ?? 0;
      // Fees per leg fill on cumulative quantities, so per-leg caps hold across partial fills
      const fees = legFillFees(leg, leg.action, filledQuantity(leg), qty, price);
      const fill = {
        fillId: ids.fillId(),
        extExecId: ids.execId(),
        extGroupFillId: group,
        quantity: qty,
        priceCents: price,
        filledAt: now,
        destinationVenue: leg.instrumentType === 'Equity' ? 'SIM_EQUITIES_A' : 'SIM_OPTIONS_A',
      };
      leg.fills.push(fill);
      changed.push(applyLegFill(account, leg, leg.action, qty, price, now, today));
      account.cashCents -= fees.total;
      const { action: _a, quantity: _q, ratio: _r, fills: _f, ...instrument } = leg;
      account.transactions.push({
        type: 'Trade',
        id: ids.transactionId(),
        accountNumber: account.accountNumber,
        orderId: o.id,
        instrument,
        action: leg.action,
        quantity: qty,
        priceCents: price,
        executedAt: now,
        extExecId: fill.extExecId,
        extGroupFillId: group,
        destinationVenue: fill.destinationVenue,
        legCount: 1,
        fees,
      });
    });
    if (remainingUnits(o) === 0) setStatus(o, 'Filled', now);
    else o.updatedAt = now;
    deps.filled?.(o);
    deps.emitOrder(o);
    deps.emitFillEffects(o, account, changed);
  };

  /** Fills what the behaviour and the market allow now: a marketable limit fills at its limit, a market order at natural. */
  const tryFill = (o: OrderRecord, now: number) => {
    const b = o.behavior;
    if (!clock.isMarketOpen(now) || b.behavior === 'never' || b.behavior === 'reject') return;
    if (b.behavior === 'delayed' && now < (o.eligibleAt ?? 0)) return;
    if (b.behavior === 'partial' && o.partialDone) return;
    const priced = pricedLegs(market, o.legs);
    const target = expectedNet(o, priced);
    if (!priced || target === undefined || !isMarketable(priced, target)) return;
    const remaining = remainingUnits(o);
    const units = b.behavior === 'partial' ? partialUnits(b, remaining) : remaining;
    if (b.behavior === 'partial') o.partialDone = true;
    executeFill(o, units, allocateLegPrices(priced, target), now);
  };

  const activateReplacement = (original: OrderRecord, now: number) => {
    const next = original.replacingOrderId !== undefined ? deps.order(original.replacingOrderId) : undefined;
    if (next?.status !== 'Contingent') return;
    route(next, now);
    deps.emitOrder(next);
  };

  /** Ends an order whose cancel (or replace) was requested; a replace then releases its replacement. */
  const finishCancel = (o: OrderRecord, now: number) => {
    const replacing = o.status === 'Replace Requested';
    setStatus(o, 'Cancelled', now);
    deps.emitOrder(o);
    if (replacing) activateReplacement(o, now);
  };

  const expire = (o: OrderRecord, now: number) => {
    if (isTerminal(o.status)) return;
    if (o.status === 'Cancel Requested' || o.status === 'Replace Requested') return finishCancel(o, now);
    setStatus(o, 'Expired', now);
    deps.emitOrder(o);
  };

  const advance = (o: OrderRecord, now: number) => {
    if (isTerminal(o.status) || o.status === 'Contingent') return;
    if (o.expiresAt !== undefined && clock.spec.mode !== 'open' && now >= o.expiresAt) return expire(o, now);
    if (o.status === 'Cancel Requested' || o.status === 'Replace Requested') {
      if (o.wasLive) tryFill(o, now); // a fill can race the cancel at the exchange
      if ((o.status as OrderStatus) !== 'Filled') return finishCancel(o, now);
      const next = o.replacingOrderId !== undefined ? deps.order(o.replacingOrderId) : undefined;
      if (next && !isTerminal(next.status)) {
        next.rejectReason = `Order ${o.id} filled before it could be replaced`;
        setStatus(next, 'Rejected', now);
        deps.emitOrder(next);
      }
      return;
    }
    if (o.status === 'Received') {
      if (!clock.isMarketOpen(now)) return;
      route(o, now);
      deps.emitOrder(o);
    }
    if (o.status === 'Routed') {
      if (o.behavior.behavior === 'reject') {
        o.rejectReason = rejectReason(o.behavior);
        setStatus(o, 'Rejected', now);
        return deps.emitOrder(o);
      }
      setStatus(o, 'In Flight', now);
      deps.emitOrder(o);
    }
    if (o.status === 'In Flight') {
      o.extClientOrderId ??= ids.clientOrderId();
      setStatus(o, 'Live', now);
      deps.emitOrder(o);
    }
    if (o.status === 'Live') tryFill(o, now);
  };

  return { route, advance, expire };
}
