// Owns sending one planned order to the broker at most once: CAS planned→submitting, one POST with our id as
// external-identifier, then Accepted / Rejected / OutcomeUnknown. Never re-sends; unknown outcomes go to reconciliation.
import { BrokerError } from '../domain/broker-error.js';
import type { BrokerOrder } from '../domain/broker-order.js';
import { appendAudit } from '../store/audit.repo.js';
import type { Sql } from '../store/db.js';
import { getOrder, transitionOrder, type OrderRow } from '../store/orders.repo.js';
import { applyBrokerOrder } from './broker-sync.js';
import type { Broker } from './ports.js';

export type SubmitOutcome =
  | { kind: 'accepted'; order: OrderRow; brokerOrder: BrokerOrder }
  | { kind: 'rejected'; order: OrderRow; error: BrokerError }
  | { kind: 'unknown'; order: OrderRow; error: unknown }
  /** Not in `planned`: another run already sent it (or is sending it); nothing was sent now. */
  | { kind: 'not_planned'; order: OrderRow };

export async function submitOnce(ctx: { sql: Sql; broker: Broker }, orderId: string, tradeId: string): Promise<SubmitOutcome> {
  const started = await transitionOrder(ctx.sql, orderId, { type: 'SubmitStarted' }, 'local');
  if (!started.ok || !started.changed) {
    const order = (await getOrder(ctx.sql, orderId))!;
    return { kind: 'not_planned', order };
  }
  const order = started.order;
  await appendAudit(ctx.sql, {
    kind: 'order_sent',
    tradeId,
    groupId: order.groupId,
    orderId,
    dedupeKey: `order_sent:${orderId}`,
    data: { legs: order.legs, size: order.size, limitPriceCents: order.limitPriceCents },
  });
  try {
    const brokerOrder = await ctx.broker.submit({
      orderType: 'Limit',
      timeInForce: 'Day',
      ...(order.limitPriceCents !== null ? { limitPriceCents: order.limitPriceCents } : {}),
      legs: order.legs.map((l) => ({ symbol: l.symbol, instrumentType: l.instrumentType, quantity: l.quantity, action: l.action })),
      externalId: orderId,
    });
    await transitionOrder(ctx.sql, orderId, { type: 'Accepted', brokerOrderId: brokerOrder.brokerOrderId, brokerStatus: brokerOrder.status }, 'http', {
      brokerOrderId: brokerOrder.brokerOrderId,
      brokerStatus: brokerOrder.rawStatus,
    });
    // The response may already carry fills (an immediately marketable order)
    const synced = await applyBrokerOrder(ctx, brokerOrder, 'http');
    return { kind: 'accepted', order: synced?.order ?? (await getOrder(ctx.sql, orderId))!, brokerOrder };
  } catch (error) {
    if (error instanceof BrokerError && error.kind === 'rejected') {
      const r = await transitionOrder(ctx.sql, orderId, { type: 'Rejected', reason: error.message }, 'http', { rejectReason: error.message.slice(0, 500) });
      return { kind: 'rejected', order: r.order, error };
    }
    // Timeout, 5xx, 429, network, anything else: the order may exist. Never re-sent; reconciliation settles it
    const reason = error instanceof Error ? error.message : String(error);
    const u = await transitionOrder(ctx.sql, orderId, { type: 'OutcomeUnknown', reason }, 'http');
    await appendAudit(ctx.sql, { kind: 'order_unknown', tradeId, groupId: order.groupId, orderId, dedupeKey: `order_unknown:${orderId}`, data: { reason } });
    return { kind: 'unknown', order: u.order, error };
  }
}
