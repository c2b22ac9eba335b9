// Owns the outside_closes table: fills of broker orders that are not ours (a position closed by hand outside Legwork)
// recorded against the trade whose position they closed, once per broker transaction.
import type { OutsideFill } from '../domain/outside-close.js';
import type { Queryable } from './db.js';

/** Records one closing fill by hand for a trade; a known transaction is left as it is. */
export async function recordOutsideClose(sql: Queryable, tradeId: string, f: OutsideFill): Promise<boolean> {
  if (f.action !== 'Buy to Close' && f.action !== 'Sell to Close')
    throw new Error(`broker transaction ${f.transactionId} (${f.action}) opens a position: never a trade's close`);
  const rows =
    await sql`insert into outside_closes (broker_transaction_id, trade_id, broker_order_id, symbol, action, quantity, price_cents, fee_cents, executed_at)
    values (${f.transactionId}, ${tradeId}, ${f.brokerOrderId}, ${f.symbol}, ${f.action}, ${f.quantity}, ${f.priceCents}, ${f.feeCents}, ${f.executedAt})
    on conflict (broker_transaction_id) do nothing returning 1`;
  return rows.length > 0;
}

/** Which of these broker transactions are already recorded as closes by hand. */
export async function recordedOutsideCloseIds(sql: Queryable, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<
    { id: string }[]
  >`select broker_transaction_id::text as id from outside_closes where broker_transaction_id = any(${ids.map(String)}::bigint[])`;
  return new Set(rows.map((r) => Number(r.id)));
}

/** The broker orders whose fills closed part of a trade by hand, oldest first (empty for most trades). */
export async function outsideCloseOrdersOf(sql: Queryable, tradeId: string): Promise<number[]> {
  const rows = await sql<{ id: string }[]>`select broker_order_id::text as id from outside_closes
    where trade_id = ${tradeId} group by broker_order_id order by min(executed_at), broker_order_id`;
  return rows.map((r) => Number(r.id));
}
