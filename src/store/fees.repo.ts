// Owns the fees table: the broker's fees per leg fill (one row per broker transaction) and their sum per trade.
import type { BrokerTransaction } from '../domain/account.js';
import type { Queryable } from './db.js';
import { storeNow } from './store-clock.js';

/** Records transactions of our orders (broker order id → our order and trade); a known transaction is left as it is. */
export async function recordFees(
  sql: Queryable,
  owners: ReadonlyMap<number, { orderId: string; tradeId: string }>,
  transactions: readonly BrokerTransaction[],
): Promise<number> {
  let added = 0;
  for (const t of transactions) {
    const owner = owners.get(t.brokerOrderId);
    if (!owner) continue;
    const rows =
      await sql`insert into fees (broker_transaction_id, trade_id, order_id, broker_order_id, symbol, quantity,
        commission_cents, clearing_cents, regulatory_cents, proprietary_cents, total_cents, executed_at)
      values (${t.id}, ${owner.tradeId}, ${owner.orderId}, ${t.brokerOrderId}, ${t.symbol}, ${t.quantity},
        ${t.commissionCents}, ${t.clearingFeesCents}, ${t.regulatoryFeesCents}, ${t.proprietaryFeesCents}, ${t.feeCents}, ${t.executedAt})
      on conflict (broker_transaction_id) do nothing returning 1`;
    added += rows.length;
  }
  return added;
}

/** Fees recorded per trade, in cents (absent = 0). */
export async function feesOfTrades(sql: Queryable, tradeIds: readonly string[]): Promise<Map<string, number>> {
  if (tradeIds.length === 0) return new Map();
  const rows = await sql<{ tradeId: string; feeCents: number }[]>`select trade_id as "tradeId", fee_cents as "feeCents"
    from trade_fees where trade_id = any(${tradeIds as string[]}::uuid[])`;
  return new Map(rows.map((r) => [r.tradeId, Number(r.feeCents)]));
}

/** The broker order ids of a trade's fills with our order ids: which transactions belong to it. */
export async function fillOwners(
  sql: Queryable,
  tradeId: string,
): Promise<Map<number, { orderId: string; tradeId: string }>> {
  const rows = await sql<
    { brokerOrderId: number; orderId: string }[]
  >`select distinct broker_order_id as "brokerOrderId", order_id as "orderId"
    from fills where trade_id = ${tradeId}`;
  return new Map(rows.map((r) => [Number(r.brokerOrderId), { orderId: r.orderId, tradeId }]));
}

/** Quantity filled per broker order of a trade, and the quantity the recorded transactions cover. */
export async function feeCoverage(sql: Queryable, tradeId: string): Promise<{ filled: number; covered: number }> {
  const [row] = await sql<{ filled: number; covered: number }[]>`select
      (select coalesce(sum(quantity), 0)::int from fills where trade_id = ${tradeId}) as filled,
      (select coalesce(sum(quantity), 0)::int from fees where trade_id = ${tradeId}) as covered`;
  return { filled: row?.filled ?? 0, covered: row?.covered ?? 0 };
}

/** Settled trades (closed or rolled back within `days`) whose recorded fees cover less than their fills. */
export async function tradesMissingFees(sql: Queryable, days = 7): Promise<{ id: string; underlying: string }[]> {
  return sql<{ id: string; underlying: string }[]>`select t.id, t.underlying from trades t
    where t.status in ('closed', 'rolled_back') and t.closed_at > ${storeNow()}::timestamptz - make_interval(days => ${days})
      and (select coalesce(sum(quantity), 0) from fills f where f.trade_id = t.id)
        > (select coalesce(sum(quantity), 0) from fees e where e.trade_id = t.id)
    order by t.closed_at limit 100`;
}
