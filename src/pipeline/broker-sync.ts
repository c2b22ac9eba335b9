// Owns applying what the broker says about an order (REST response, streamer push, poll, reconciliation) to ours:
// find it by broker id or external identifier, follow replaces, record new fills once, move the status.
import { filledUnits, isTerminal, missingFills, reportedFilledUnits, type BrokerOrder } from '../domain/broker-order.js';
import type { Sql } from '../store/db.js';
import { getOrder, orderByBrokerId, recordFill, transitionOrder, type EventSource, type OrderRow } from '../store/orders.repo.js';

export interface SyncResult {
  order: OrderRow;
  changed: boolean;
  newFills: number;
  /** The report was about an older broker id of this order (replaced): fills count, status does not. */
  stale: boolean;
  /** The broker says the order ended, but fills it counts have not arrived: kept non-terminal until they do. */
  fillsLagging?: boolean;
}

/** Returns undefined when the broker order is not one of ours. */
export async function applyBrokerOrder(ctx: { sql: Sql }, broker: BrokerOrder, source: EventSource): Promise<SyncResult | undefined> {
  let order = await orderByBrokerId(ctx.sql, broker.brokerOrderId);
  if (!order && broker.externalId) order = await getOrder(ctx.sql, broker.externalId);
  if (!order && broker.replacesOrderId !== undefined) order = await orderByBrokerId(ctx.sql, broker.replacesOrderId);
  if (!order) return undefined;

  const [group] = await ctx.sql<{ tradeId: string }[]>`select trade_id as "tradeId" from order_groups where id = ${order.groupId}`;
  let newFills = 0;
  for (const leg of broker.legs) {
    for (const fill of leg.fills) {
      const recorded = await recordFill(ctx.sql, {
        brokerFillId: fill.fillId,
        orderId: order.id,
        groupId: order.groupId,
        tradeId: group!.tradeId,
        brokerOrderId: broker.brokerOrderId,
        symbol: leg.symbol,
        action: leg.action,
        quantity: fill.quantity,
        priceCents: fill.priceCents,
        filledAt: new Date(fill.filledAt),
      });
      if (recorded) newFills += 1;
    }
  }

  // Units filled across the whole replace chain: fills are recorded per order, whichever broker id carried them
  const [{ units } = { units: 0 }] = await ctx.sql<{ units: number }[]>`
    select coalesce(min(filled / ratio), 0)::int as units from (
      select l.symbol, (l.quantity / ${order.size})::int as ratio, coalesce(sum(f.quantity), 0)::int as filled
      from jsonb_to_recordset(${ctx.sql.json(order.legs as never)}) as l(symbol text, quantity int)
      left join fills f on f.order_id = ${order.id} and f.symbol = l.symbol
      group by l.symbol, l.quantity) per_leg`;
  const own = broker.brokerOrderId === order.brokerOrderId || order.brokerOrderId === null;
  const units_ = Math.max(units, own ? Math.max(filledUnits(broker), reportedFilledUnits(broker)) : 0);
  // The broker says it is over (Filled, or cancelled after fills) but not every fill it counts has reached us: the
  // order is not terminal here until they have (settling from the fills table would see less than the broker holds)
  const recorded = await ctx.sql<{ symbol: string; qty: number }[]>`
    select symbol, sum(quantity)::int as qty from fills where broker_order_id = ${broker.brokerOrderId} group by symbol`;
  const lagging = isTerminal(broker.status) && missingFills(broker, new Map(recorded.map((r) => [r.symbol, r.qty]))).length > 0;
  const reportedStatus = lagging ? 'live' : broker.status;

  // A replaced broker order (it names its replacement) is never the current one, whatever its status says
  const isCurrent =
    broker.replacingOrderId === undefined &&
    (order.brokerOrderId === null || order.brokerOrderId === broker.brokerOrderId || broker.replacesOrderId === order.brokerOrderId);
  if (broker.replacingOrderId !== undefined && order.brokerOrderId === broker.brokerOrderId) {
    // The broker reports the replace before our PUT returned: follow the order to its new broker id now, so the
    // old id's "Cancelled" can never be read as the order's end while the replacement works
    const r = await transitionOrder(ctx.sql, order.id, { type: 'Replaced', newBrokerOrderId: broker.replacingOrderId }, source,
      { brokerOrderId: broker.replacingOrderId, filledUnits: units_, reportFor: { brokerOrderId: broker.brokerOrderId } }, `replaced-by:${broker.replacingOrderId}`);
    if (r.ok) return { order: r.order, changed: r.changed, newFills, stale: true };
  }
  if (!isCurrent) {
    // An update about a broker id this order had before a replace: keep its fills, ignore its status
    const r = await transitionOrder(ctx.sql, order.id, { type: 'BrokerUpdate', brokerStatus: 'live', filledUnits: units_, size: order.size }, source, { filledUnits: units_ });
    return { order: r.order, changed: r.changed, newFills, stale: true };
  }
  const event =
    order.status === 'unknown' || order.status === 'submitting'
      ? ({ type: 'Found', brokerOrderId: broker.brokerOrderId, brokerStatus: reportedStatus, filledUnits: units_, size: order.size } as const)
      : ({ type: 'BrokerUpdate', brokerStatus: reportedStatus, filledUnits: units_, size: order.size } as const);
  const r = await transitionOrder(ctx.sql, order.id, event, source, {
    brokerOrderId: broker.brokerOrderId,
    brokerStatus: broker.rawStatus,
    filledUnits: units_,
    ...(broker.rejectReason ? { rejectReason: broker.rejectReason.slice(0, 500) } : {}),
    reportFor: { brokerOrderId: broker.brokerOrderId, ...(broker.replacesOrderId !== undefined ? { replacesOrderId: broker.replacesOrderId } : {}) },
  });
  return { order: r.order, changed: r.changed, newFills, stale: false, ...(lagging ? { fillsLagging: true } : {}) };
}
