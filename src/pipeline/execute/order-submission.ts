// Owns sending one planned order to the broker at most once: the order guard, CAS planned→submitting, one POST with our
// id as external-identifier, then Accepted / Rejected / OutcomeUnknown. Never re-sends; unknown outcomes go to
// reconciliation. A price replace is a new order at the broker: it goes through the same guard here (replaceOnce).
import type { OrderLegRow, OrderRow } from '../../domain/records.js';
import { BrokerError } from '../../domain/broker-error.js';
import type { BrokerOrder, OrderRequest } from '../../domain/broker-order.js';
import { checkOrder, isClosingAction, type GuardDecision, type GuardLeg } from '../../domain/order-guard.js';
import { applyBrokerOrder } from '../broker-sync.js';
import type { Broker, SendOptions } from '../ports.js';
import type { Store } from '../store-port.js';

export type SubmitOutcome =
  | { kind: 'accepted'; order: OrderRow; brokerOrder: BrokerOrder }
  /** Refused by the broker, or by the order guard before anything was sent (error code `guard`). */
  | { kind: 'rejected'; order: OrderRow; error: BrokerError }
  | { kind: 'unknown'; order: OrderRow; error: unknown }
  /** Not in `planned`: another run already sent it (or is sending it); nothing was sent now. */
  | { kind: 'not_planned'; order: OrderRow };

type SubmitContext = { store: Store; broker: Broker };

const LIVE = ['submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel'];

/**
 * The guard's halt rule once more, as the request leaves (after the request budget let it go): a halt set while an
 * opening order waited to be sent stops it (chaos saw openings reach the venue 1.8–3.7 s after a halt under load:
 * the guard had passed before the order's audit write and its wait for a budget token). Closing orders are not held.
 */
function haltLatch(store: Store, legs: readonly OrderLegRow[]): SendOptions {
  const opening = legs.find((l) => !isClosingAction(l.action));
  if (!opening) return {};
  return {
    beforeSend: async () => {
      const { state } = await store.tradingState.get();
      if (state !== 'active') {
        throw new BrokerError(
          'rejected',
          `trading is ${state}: no opening order (${opening.action} ${opening.symbol}); not sent`,
          { code: 'guard', operation: 'submit' },
        );
      }
    },
  };
}

/** What is left of each leg of an order once its own fills are taken off. */
const remainingLegs = (legs: OrderLegRow[], filled: Map<string, number>): GuardLeg[] =>
  legs
    .map((l) => ({ symbol: l.symbol, action: l.action, quantity: l.quantity - (filled.get(l.symbol) ?? 0) }))
    .filter((l) => l.quantity > 0);

/** The broker request of an order row: a day limit order at its price, its legs, our id as the external id. */
export const orderRequestOf = (order: OrderRow): OrderRequest & { externalId: string } => ({
  orderType: 'Limit',
  timeInForce: 'Day',
  ...(order.limitPriceCents !== null ? { limitPriceCents: order.limitPriceCents } : {}),
  legs: order.legs.map((l) => ({
    symbol: l.symbol,
    instrumentType: l.instrumentType,
    quantity: l.quantity,
    action: l.action,
  })),
  externalId: order.id,
});

/**
 * Loads what the guard needs for one of our orders and asks it: the group's kind (compensation orders count as their own
 * kind), the trading state, and what the trade holds per symbol from its net fills less what its other live closing
 * orders may still close (net fills and settlements: the trade_positions view).
 */
export async function guardOrder(store: Store, order: OrderRow): Promise<GuardDecision> {
  const group = await store.groups.owner(order.groupId);
  if (!group) return { ok: false, reason: `guard: order group ${order.groupId} not found` };
  // Fills and the broker's settlements (expired, assigned options; delivered shares): what the trade really holds
  const held = new Map((await store.positions.ofTrade(group.tradeId)).map((p) => [p.symbol, p.quantity]));
  const others = await store.orders.othersOfTrade(group.tradeId, order.id, LIVE);
  for (const other of others) {
    for (const l of remainingLegs(other.legs, await store.fills.ofOrder(other.id))) {
      if (!isClosingAction(l.action)) continue;
      held.set(l.symbol, (held.get(l.symbol) ?? 0) + (l.action === 'Buy to Close' ? l.quantity : -l.quantity));
    }
  }
  const legs = remainingLegs(order.legs, await store.fills.ofOrder(order.id));
  const tradingState = (await store.tradingState.get()).state;
  return checkOrder({
    groupKind: order.role === 'compensation' ? 'compensation' : group.kind,
    tradingState,
    legs,
    held,
  });
}

async function auditRefusal(
  store: Store,
  order: OrderRow,
  tradeId: string,
  reason: string,
  what: 'submit' | 'replace',
  key: string,
): Promise<void> {
  await store.audit.append({
    kind: 'order_refused',
    tradeId,
    groupId: order.groupId,
    orderId: order.id,
    dedupeKey: key,
    data: { what, reason, role: order.role, legs: order.legs, limitPriceCents: order.limitPriceCents },
  });
}

export async function submitOnce(ctx: SubmitContext, orderId: string, tradeId: string): Promise<SubmitOutcome> {
  const planned = await ctx.store.orders.get(orderId);
  if (planned?.status === 'planned') {
    const verdict = await guardOrder(ctx.store, planned);
    if (!verdict.ok) {
      const r = await ctx.store.orders.transition(orderId, { type: 'GuardRefused', reason: verdict.reason }, 'local', {
        rejectReason: verdict.reason.slice(0, 500),
      });
      if (!r.ok || !r.changed) return { kind: 'not_planned', order: r.order };
      await auditRefusal(ctx.store, planned, tradeId, verdict.reason, 'submit', `order_refused:${orderId}`);
      return {
        kind: 'rejected',
        order: r.order,
        error: new BrokerError('rejected', verdict.reason, { code: 'guard', operation: 'submit' }),
      };
    }
  }
  const started = await ctx.store.orders.transition(orderId, { type: 'SubmitStarted' }, 'local');
  if (!started.ok || !started.changed) {
    const order = (await ctx.store.orders.get(orderId))!;
    return { kind: 'not_planned', order };
  }
  const order = started.order;
  await ctx.store.audit.append({
    kind: 'order_sent',
    tradeId,
    groupId: order.groupId,
    orderId,
    dedupeKey: `order_sent:${orderId}`,
    data: { legs: order.legs, size: order.size, limitPriceCents: order.limitPriceCents },
  });
  try {
    const brokerOrder = await ctx.broker.submit(orderRequestOf(order), haltLatch(ctx.store, order.legs));
    await ctx.store.orders.transition(
      orderId,
      { type: 'Accepted', brokerOrderId: brokerOrder.brokerOrderId, brokerStatus: brokerOrder.status },
      'http',
      {
        brokerOrderId: brokerOrder.brokerOrderId,
        brokerStatus: brokerOrder.rawStatus,
      },
    );
    // The response may already carry fills (an immediately marketable order)
    const synced = await applyBrokerOrder(ctx, brokerOrder, 'http');
    return { kind: 'accepted', order: synced?.order ?? (await ctx.store.orders.get(orderId))!, brokerOrder };
  } catch (error) {
    if (error instanceof BrokerError && error.kind === 'rejected') {
      const r = await ctx.store.orders.transition(
        orderId,
        { type: 'Rejected', reason: error.message },
        error.code === 'guard' ? 'local' : 'http',
        { rejectReason: error.message.slice(0, 500) },
      );
      if (error.code === 'guard')
        await auditRefusal(ctx.store, order, tradeId, error.message, 'submit', `order_refused:${orderId}`);
      return { kind: 'rejected', order: r.order, error };
    }
    // Timeout, 5xx, 429, network, anything else: the order may exist. Never re-sent; reconciliation settles it
    const reason = error instanceof Error ? error.message : String(error);
    const u = await ctx.store.orders.transition(orderId, { type: 'OutcomeUnknown', reason }, 'http');
    await ctx.store.audit.append({
      kind: 'order_unknown',
      tradeId,
      groupId: order.groupId,
      orderId,
      dedupeKey: `order_unknown:${orderId}`,
      data: { reason },
    });
    return { kind: 'unknown', order: u.order, error };
  }
}

export type ReplaceOutcome =
  | { kind: 'replaced'; newBrokerOrderId: number }
  /** The guard refused the replacement: nothing was sent, the order works on at its old price. */
  | { kind: 'refused'; reason: string }
  /** The broker refused it, or its outcome is unknown and no replacement carrying our id was found. */
  | { kind: 'failed'; error: BrokerError };

/**
 * One cancel/replace of a working order at a new price, behind the same guard as a submit. On an unknown outcome the
 * replacement is looked for by our id (it carries the same external identifier).
 */
export async function replaceOnce(
  ctx: SubmitContext,
  order: OrderRow,
  tradeId: string,
  priceCents: number,
): Promise<ReplaceOutcome> {
  const oldId = order.brokerOrderId;
  if (oldId === null)
    return { kind: 'failed', error: new BrokerError('rejected', 'no broker id to replace', { operation: 'replace' }) };
  const verdict = await guardOrder(ctx.store, order);
  if (!verdict.ok) {
    await auditRefusal(
      ctx.store,
      order,
      tradeId,
      verdict.reason,
      'replace',
      `order_refused:${order.id}:step${order.priceSteps + 1}`,
    );
    return { kind: 'refused', reason: verdict.reason };
  }
  try {
    return {
      kind: 'replaced',
      newBrokerOrderId: (
        await ctx.broker.replace(oldId, { limitPriceCents: priceCents }, haltLatch(ctx.store, order.legs))
      ).brokerOrderId,
    };
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    if (error.code === 'guard') {
      await auditRefusal(
        ctx.store,
        order,
        tradeId,
        error.message,
        'replace',
        `order_refused:${order.id}:step${order.priceSteps + 1}`,
      );
      return { kind: 'refused', reason: error.message };
    }
    if (error.kind !== 'unknown') return { kind: 'failed', error };
    const found = await ctx.broker.findByExternalId(order.id).catch(() => []);
    const newId = found.find((o) => o.replacesOrderId === oldId)?.brokerOrderId;
    return newId === undefined ? { kind: 'failed', error } : { kind: 'replaced', newBrokerOrderId: newId };
  }
}
