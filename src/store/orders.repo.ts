// Owns orders in Postgres: the planned intent, state changes as compare-and-set + an appended event in one
// transaction (through the domain transition table), the broker-id chain across replaces, and fills recorded once.
import { isIdShaped } from '../domain/ids.js';
import { applyOrderEvent } from '../domain/order-transitions.js';
import { isTerminalOrder, type OrderEvent } from '../domain/order.js';
import { isTerminal } from '../domain/broker-order.js';
import { storeNow } from './store-clock.js';
import type { Queryable } from './db.js';
import { atomically } from './tx.js';
import type {
  EventSource,
  FillRecord,
  NewOrder,
  OrderRow,
  PositionRow,
  TransitionFields,
  TransitionOutcome,
} from '../domain/records.js';
export type {
  EventSource,
  FillRecord,
  NewOrder,
  OrderLegRow,
  OrderRole,
  OrderRow,
  PositionRow,
  TransitionFields,
  TransitionOutcome,
} from '../domain/records.js';

const COLUMNS = (sql: Queryable) => sql`id, group_id as "groupId", role, seq, status, broker_status as "brokerStatus",
  broker_order_id as "brokerOrderId", legs, size, limit_price_cents as "limitPriceCents", filled_units as "filledUnits",
  price_steps as "priceSteps", reject_reason as "rejectReason", submitted_at as "submittedAt", created_at as "createdAt",
  updated_at as "updatedAt"`;

/** Persists the intent of one broker order before it is sent; idempotent on (group, role, seq). */
export async function insertPlannedOrder(sql: Queryable, o: NewOrder): Promise<{ order: OrderRow; created: boolean }> {
  const at = storeNow();
  const inserted = await sql<OrderRow[]>`
    insert into orders (id, group_id, role, seq, status, legs, size, limit_price_cents, created_at, updated_at)
    values (${o.id}, ${o.groupId}, ${o.role}, ${o.seq}, 'planned', ${sql.json(o.legs as never)}, ${o.size}, ${o.limitPriceCents}, ${at}, ${at})
    on conflict (group_id, role, seq) do nothing returning ${COLUMNS(sql)}`;
  if (inserted[0]) return { order: inserted[0], created: true };
  const [existing] = await sql<
    OrderRow[]
  >`select ${COLUMNS(sql)} from orders where group_id = ${o.groupId} and role = ${o.role} and seq = ${o.seq}`;
  if (!existing) throw new Error(`order ${o.groupId}/${o.role}/${o.seq} vanished`);
  return { order: existing, created: false };
}

export async function getOrder(sql: Queryable, id: string): Promise<OrderRow | undefined> {
  // An external id another tool gave its order at the broker is no order of ours (Postgres would refuse it as a uuid)
  if (!isIdShaped(id)) return undefined;
  const [row] = await sql<OrderRow[]>`select ${COLUMNS(sql)} from orders where id = ${id}`;
  return row;
}

export async function ordersOfGroup(sql: Queryable, groupId: string): Promise<OrderRow[]> {
  return sql<OrderRow[]>`select ${COLUMNS(sql)} from orders where group_id = ${groupId} order by role, seq`;
}

/** Our order behind a broker id, including ids it had before a replace. */
export async function orderByBrokerId(sql: Queryable, brokerOrderId: number): Promise<OrderRow | undefined> {
  const [row] = await sql<OrderRow[]>`select ${COLUMNS(sql)} from orders
    where id = (select order_id from order_broker_ids where broker_order_id = ${brokerOrderId})`;
  return row;
}

export async function openOrders(sql: Queryable): Promise<OrderRow[]> {
  return sql<OrderRow[]>`select ${COLUMNS(sql)} from orders
    where status in ('planned', 'submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel') order by created_at`;
}

/**
 * Applies one event to an order under a row lock: the domain table decides the new status; the row and an
 * order_events entry are written in the same transaction. A dedupe key makes a replayed observation a no-op.
 * An invalid transition changes nothing and reports the error (the caller decides whether to alert).
 */
export async function transitionOrder(
  sql: Queryable,
  orderId: string,
  event: OrderEvent,
  source: EventSource,
  fields: TransitionFields = {},
  dedupeKey?: string,
): Promise<TransitionOutcome> {
  return atomically(sql, async (tx) => {
    const [order] = await tx<OrderRow[]>`select ${COLUMNS(tx)} from orders where id = ${orderId} for update`;
    if (!order) throw new Error(`order ${orderId} not found`);
    if (dedupeKey) {
      const seen = await tx`select 1 from order_events where dedupe_key = ${dedupeKey}`;
      if (seen.length > 0) return { ok: true, order, changed: false };
    }
    const about = fields.reportFor;
    if (
      about &&
      order.brokerOrderId !== null &&
      about.brokerOrderId !== order.brokerOrderId &&
      about.replacesOrderId !== order.brokerOrderId
    ) {
      event = { type: 'BrokerUpdate', brokerStatus: 'live', filledUnits: fields.filledUnits ?? 0, size: order.size };
      fields = { ...(fields.filledUnits !== undefined ? { filledUnits: fields.filledUnits } : {}) };
    }
    const { reportFor: _about, ...recorded } = fields;
    const result = applyOrderEvent(order.status, event);
    if (!result.ok) return { ok: false, order, changed: false, error: result.error };
    const filledUnits = Math.max(order.filledUnits, fields.filledUnits ?? 0);
    // An older snapshot (reordered push, slow poll) after a terminal one changes nothing, not even the raw status
    const stale =
      isTerminalOrder(order.status) &&
      (event.type === 'BrokerUpdate' || event.type === 'Accepted') &&
      !isTerminal(event.brokerStatus);
    const brokerStatus = stale ? null : (fields.brokerStatus ?? null);
    // A repeated observation (a poll that finds nothing new) does not make the order look busy: reconciliation
    // resumes groups whose orders stayed untouched, and a dead executor's group must not look alive forever
    const bump =
      result.changed ||
      filledUnits !== order.filledUnits ||
      event.type !== 'BrokerUpdate' ||
      (fields.brokerOrderId !== undefined && fields.brokerOrderId !== order.brokerOrderId);
    const at = storeNow();
    const [updated] = await tx<OrderRow[]>`
      update orders set status = ${result.status}, updated_at = case when ${bump} then ${at}::timestamptz else updated_at end,
        broker_order_id = coalesce(${fields.brokerOrderId ?? null}, broker_order_id),
        broker_status = coalesce(${brokerStatus}, broker_status),
        filled_units = ${filledUnits},
        limit_price_cents = coalesce(${fields.limitPriceCents ?? null}, limit_price_cents),
        price_steps = coalesce(${fields.priceSteps ?? null}, price_steps),
        reject_reason = coalesce(${fields.rejectReason ?? null}, reject_reason),
        submitted_at = case when ${event.type} = 'SubmitStarted' then ${at}::timestamptz else submitted_at end
      where id = ${orderId} returning ${COLUMNS(tx)}`;
    if (fields.brokerOrderId !== undefined) {
      await tx`insert into order_broker_ids (broker_order_id, order_id) values (${fields.brokerOrderId}, ${orderId}) on conflict do nothing`;
    }
    const changed =
      result.changed ||
      filledUnits !== order.filledUnits ||
      (fields.brokerOrderId !== undefined && fields.brokerOrderId !== order.brokerOrderId);
    if (changed || event.type !== 'BrokerUpdate') {
      await tx`insert into order_events (at, order_id, group_id, type, from_status, to_status, source, dedupe_key, data)
        values (${at}, ${orderId}, ${order.groupId}, ${event.type}, ${order.status}, ${result.status}, ${source}, ${dedupeKey ?? null},
                ${tx.json({ ...event, ...recorded } as never)})`;
    }
    return { ok: true, order: updated!, changed };
  }) as Promise<TransitionOutcome>;
}

/** Records a fill once (the broker's fill id is the key); true when it is new. */
export async function recordFill(sql: Queryable, f: FillRecord): Promise<boolean> {
  const rows = await sql`
    insert into fills (broker_fill_id, order_id, group_id, trade_id, broker_order_id, symbol, action, quantity, price_cents, filled_at)
    values (${f.brokerFillId}, ${f.orderId}, ${f.groupId}, ${f.tradeId}, ${f.brokerOrderId}, ${f.symbol}, ${f.action}, ${f.quantity},
            ${f.priceCents}, ${f.filledAt})
    on conflict (broker_fill_id) do nothing returning broker_fill_id`;
  return rows.length > 0;
}

export async function tradePositions(sql: Queryable, tradeId: string): Promise<PositionRow[]> {
  return sql<PositionRow[]>`select trade_id as "tradeId", symbol, quantity, cash_cents as "cashCents"
    from trade_positions where trade_id = ${tradeId} order by symbol`;
}

/** Positions of many trades (one query). */
export async function positionsOfTrades(sql: Queryable, tradeIds: readonly string[]): Promise<PositionRow[]> {
  if (tradeIds.length === 0) return [];
  return sql<PositionRow[]>`select trade_id as "tradeId", symbol, quantity, cash_cents as "cashCents"
          from trade_positions where trade_id = any(${tradeIds as string[]}::uuid[])`;
}

/** Every non-zero position of every trade. */
export async function heldPositions(sql: Queryable): Promise<{ tradeId: string; symbol: string; quantity: number }[]> {
  return sql<{ tradeId: string; symbol: string; quantity: number }[]>`
    select trade_id as "tradeId", symbol, quantity from trade_positions where quantity <> 0 order by trade_id, symbol`;
}

/** The other orders of a trade (any group) in one of `statuses`: their ids and legs. */
export async function otherOrdersOfTrade(
  sql: Queryable,
  tradeId: string,
  exceptOrderId: string,
  statuses: readonly string[],
): Promise<Pick<OrderRow, 'id' | 'legs'>[]> {
  return sql<Pick<OrderRow, 'id' | 'legs'>[]>`select o.id, o.legs from orders o join order_groups g on g.id = o.group_id
    where g.trade_id = ${tradeId} and o.id <> ${exceptOrderId} and o.status = any(${statuses as string[]})`;
}

/** How many times reconciliation recorded an order as not found for `reason`, and when first. */
export async function absenceChecksOfOrder(
  sql: Queryable,
  orderId: string,
  reason: string,
): Promise<{ n: number; first: Date | null }> {
  const [row] = await sql<
    { n: number; first: Date | null }[]
  >`select count(*)::int as n, min(at) as first from order_events
    where order_id = ${orderId} and type = 'OutcomeUnknown' and source = 'reconcile' and data->>'reason' = ${reason}`;
  return { n: row?.n ?? 0, first: row?.first ?? null };
}

/** Records that a broker order id belongs to our order (a late order adopted by reconciliation). */
export async function linkBrokerOrderId(sql: Queryable, brokerOrderId: number, orderId: string): Promise<void> {
  await sql`insert into order_broker_ids (broker_order_id, order_id) values (${brokerOrderId}, ${orderId}) on conflict do nothing`;
}
