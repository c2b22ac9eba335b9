// Owns applying what the broker says about an order (REST response, streamer push, poll, reconciliation) to ours:
// find it by broker id or external identifier, follow replaces, record new fills once, move the status.
import type { EventSource, OrderRow } from '../domain/records.js';
import {
  filledUnits,
  isTerminal,
  missingFills,
  reportedFilledUnits,
  type BrokerOrder,
} from '../domain/broker-order.js';
import type { Store } from './store-port.js';

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
export async function applyBrokerOrder(
  ctx: { store: Store },
  broker: BrokerOrder,
  source: EventSource,
): Promise<SyncResult | undefined> {
  let order = await ctx.store.orders.byBrokerId(broker.brokerOrderId);
  if (!order && broker.externalId) order = await ctx.store.orders.get(broker.externalId);
  if (!order && broker.replacesOrderId !== undefined) order = await ctx.store.orders.byBrokerId(broker.replacesOrderId);
  if (!order) return undefined;

  const group = await ctx.store.groups.owner(order.groupId);
  let newFills = 0;
  for (const leg of broker.legs) {
    for (const fill of leg.fills) {
      const recorded = await ctx.store.fills.record({
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
  const units = await ctx.store.fills.unitsOfOrder(order);
  const own = broker.brokerOrderId === order.brokerOrderId || order.brokerOrderId === null;
  const units_ = Math.max(units, own ? Math.max(filledUnits(broker), reportedFilledUnits(broker)) : 0);
  // The broker says it is over (Filled, or cancelled after fills) but not every fill it counts has reached us: the
  // order is not terminal here until they have (settling from the fills table would see less than the broker holds)
  const recorded = await ctx.store.fills.ofBrokerOrder(broker.brokerOrderId);
  const lagging = isTerminal(broker.status) && missingFills(broker, recorded).length > 0;
  const reportedStatus = lagging ? 'live' : broker.status;

  // A replace can lose the race to a fill: the original ends Filled and its replacement is Rejected ("filled before it
  // could be replaced"). The original's Filled is then the order's end, whichever of the two ids the row names (a
  // replacement rejected for its own reasons, with the original gone, still ends the order rejected)
  const filledOriginal =
    broker.replacingOrderId !== undefined &&
    broker.status === 'filled' &&
    (order.brokerOrderId === broker.brokerOrderId || order.brokerOrderId === broker.replacingOrderId);
  // ... and the refused replacement's report, once the original's Filled is recorded, is an old one
  const refusedAfterFill =
    broker.status === 'rejected' && broker.replacesOrderId === order.brokerOrderId && order.status === 'filled';
  // Otherwise a replaced broker order (it names its replacement) is never the current one, whatever its status says
  const isCurrent =
    !refusedAfterFill &&
    (filledOriginal ||
      (broker.replacingOrderId === undefined &&
        (order.brokerOrderId === null ||
          order.brokerOrderId === broker.brokerOrderId ||
          broker.replacesOrderId === order.brokerOrderId)));
  if (!filledOriginal && broker.replacingOrderId !== undefined && order.brokerOrderId === broker.brokerOrderId) {
    // The broker reports the replace before our PUT returned: follow the order to its new broker id now, so the
    // old id's "Cancelled" can never be read as the order's end while the replacement works
    const r = await ctx.store.orders.transition(
      order.id,
      { type: 'Replaced', newBrokerOrderId: broker.replacingOrderId },
      source,
      {
        brokerOrderId: broker.replacingOrderId,
        filledUnits: units_,
        reportFor: { brokerOrderId: broker.brokerOrderId },
      },
      `replaced-by:${broker.replacingOrderId}`,
    );
    if (r.ok) return { order: r.order, changed: r.changed, newFills, stale: true };
  }
  if (!isCurrent) {
    // An update about a broker id this order had before a replace: keep its fills, ignore its status
    const r = await ctx.store.orders.transition(
      order.id,
      { type: 'BrokerUpdate', brokerStatus: 'live', filledUnits: units_, size: order.size },
      source,
      { filledUnits: units_ },
    );
    return { order: r.order, changed: r.changed, newFills, stale: true };
  }
  const event =
    order.status === 'unknown' || order.status === 'submitting'
      ? ({
          type: 'Found',
          brokerOrderId: broker.brokerOrderId,
          brokerStatus: reportedStatus,
          filledUnits: units_,
          size: order.size,
        } as const)
      : ({ type: 'BrokerUpdate', brokerStatus: reportedStatus, filledUnits: units_, size: order.size } as const);
  const r = await ctx.store.orders.transition(order.id, event, source, {
    brokerOrderId: broker.brokerOrderId,
    brokerStatus: broker.rawStatus,
    filledUnits: units_,
    ...(broker.rejectReason ? { rejectReason: broker.rejectReason.slice(0, 500) } : {}),
    // The race guard (a report about another id than the row's changes no status) does not apply to the original
    // that filled before its replace: its Filled is the end
    ...(filledOriginal
      ? {}
      : {
          reportFor: {
            brokerOrderId: broker.brokerOrderId,
            ...(broker.replacesOrderId !== undefined ? { replacesOrderId: broker.replacesOrderId } : {}),
          },
        }),
  });
  return { order: r.order, changed: r.changed, newFills, stale: false, ...(lagging ? { fillsLagging: true } : {}) };
}
