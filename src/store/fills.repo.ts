// Owns the reads of the fills table (recorded by orders.repo's recordFill): what an order, a group or a trade filled,
// per symbol, in units, in cash.
import type { OrderRow } from '../domain/records.js';
import type { Queryable } from './db.js';

/** Units filled across an order's whole replace chain: fills are recorded per order, whichever broker id carried them. */
export async function filledUnitsOfOrder(
  sql: Queryable,
  order: Pick<OrderRow, 'id' | 'legs' | 'size'>,
): Promise<number> {
  const [{ units } = { units: 0 }] = await sql<{ units: number }[]>`
    select coalesce(min(filled / ratio), 0)::int as units from (
      select l.symbol, (l.quantity / ${order.size})::int as ratio, coalesce(sum(f.quantity), 0)::int as filled
      from jsonb_to_recordset(${sql.json(order.legs as never)}) as l(symbol text, quantity int)
      left join fills f on f.order_id = ${order.id} and f.symbol = l.symbol
      group by l.symbol, l.quantity) per_leg`;
  return units;
}

/** Contracts filled per symbol under one broker order id. */
export async function filledOfBrokerOrder(sql: Queryable, brokerOrderId: number): Promise<Map<string, number>> {
  const rows = await sql<{ symbol: string; qty: number }[]>`
    select symbol, sum(quantity)::int as qty from fills where broker_order_id = ${brokerOrderId} group by symbol`;
  return new Map(rows.map((r) => [r.symbol, r.qty]));
}

/** How many fills are recorded under one broker order id. */
export async function fillCountOfBrokerOrder(sql: Queryable, brokerOrderId: number): Promise<number> {
  const [{ n } = { n: 0 }] = await sql<
    { n: number }[]
  >`select count(*)::int as n from fills where broker_order_id = ${brokerOrderId}`;
  return n;
}

/** Contracts filled per symbol of one of our orders. */
export async function filledOfOrder(sql: Queryable, orderId: string): Promise<Map<string, number>> {
  const rows = await sql<
    { symbol: string; qty: number }[]
  >`select symbol, sum(quantity)::int as qty from fills where order_id = ${orderId} group by symbol`;
  return new Map(rows.map((r) => [r.symbol, r.qty]));
}

/** Contracts filled per symbol of a group (unsigned). */
export async function filledOfGroup(sql: Queryable, groupId: string): Promise<Map<string, number>> {
  const rows = await sql<
    { symbol: string; qty: number }[]
  >`select symbol, sum(quantity)::int as qty from fills where group_id = ${groupId} group by symbol`;
  return new Map(rows.map((r) => [r.symbol, r.qty]));
}

/** Net contracts per symbol a group's fills left open (buys +, sells −), zeros included. */
export async function netOfGroup(sql: Queryable, groupId: string): Promise<Map<string, number>> {
  const rows = await sql<{ symbol: string; qty: number }[]>`
    select symbol, sum(case when action like 'Buy%' then quantity else -quantity end)::int as qty
    from fills where group_id = ${groupId} group by symbol`;
  return new Map(rows.map((r) => [r.symbol, r.qty]));
}

export async function groupHasFills(sql: Queryable, groupId: string): Promise<boolean> {
  return (await sql`select 1 from fills where group_id = ${groupId} limit 1`).length > 0;
}

/** Signed cash of a group's fills, cents per share × contracts (credit +, debit −). */
export async function cashOfGroup(sql: Queryable, groupId: string): Promise<number> {
  const [cash] = await sql<
    { net: number }[]
  >`select coalesce(sum(case when action like 'Buy%' then -price_cents else price_cents end * quantity), 0)::bigint as net
    from fills where group_id = ${groupId}`;
  return Number(cash?.net ?? 0);
}

/** Signed cash of the fills of a group's orders of one role (credit +, debit −). */
export async function cashOfGroupRole(
  sql: Queryable,
  groupId: string,
  role: 'package' | 'compensation',
): Promise<number> {
  const [row] = await sql<{ net: number }[]>`
    select coalesce(sum(case when f.action like 'Sell%' then f.price_cents * f.quantity else -f.price_cents * f.quantity end), 0)::bigint as net
    from fills f join orders o on o.id = f.order_id where o.group_id = ${groupId} and o.role = ${role}`;
  return Number(row?.net ?? 0);
}

/** A group's first fill time, or null. */
export async function firstFillOfGroup(sql: Queryable, groupId: string): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`select min(filled_at) as at from fills where group_id = ${groupId}`;
  return row?.at ?? null;
}

/** Last fill price per symbol of a trade (cents per share). */
export async function lastFillPrices(sql: Queryable, tradeId: string): Promise<Map<string, number>> {
  const rows = await sql<{ symbol: string; price: number }[]>`
    select distinct on (symbol) symbol, price_cents as price from fills where trade_id = ${tradeId} order by symbol, filled_at desc, recorded_at desc`;
  return new Map(rows.map((r) => [r.symbol, Number(r.price)]));
}
