// Owns the settlements table: the broker's Receive Deliver transactions recorded against the trade whose position they
// changed (an option removed at expiration, by assignment or exercise; the shares delivered for it).
import type { Settlement } from '../domain/settlement.js';
import type { Queryable } from './db.js';
import type { SettlementAction } from '../domain/records.js';
export type { SettlementAction } from '../domain/records.js';

/** Records one settlement for a trade with its effect as a fill action; a known transaction is left as it is. */
export async function recordSettlement(
  sql: Queryable,
  tradeId: string,
  s: Settlement,
  action: SettlementAction,
): Promise<boolean> {
  if (s.kind === 'other') throw new Error(`settlement ${s.id} (${s.subType}) changes no position of a trade`);
  const rows =
    await sql`insert into settlements (broker_transaction_id, trade_id, kind, symbol, instrument_type, action, quantity, price_cents, fee_cents, executed_at)
    values (${s.id}, ${tradeId}, ${s.kind}, ${s.symbol}, ${s.instrumentType}, ${action}, ${s.quantity}, ${s.priceCents}, ${s.feeCents}, ${s.executedAt})
    on conflict (broker_transaction_id) do nothing returning 1`;
  return rows.length > 0;
}

/** Which of these broker transactions are already recorded. */
export async function recordedSettlementIds(sql: Queryable, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<
    { id: string }[]
  >`select broker_transaction_id::text as id from settlements where broker_transaction_id = any(${ids.map(String)}::bigint[])`;
  return new Set(rows.map((r) => Number(r.id)));
}

/** Option symbols whose removal (assignment, exercise) a trade has recorded: who owns the shares delivered for them. */
export async function settledOptionOwners(sql: Queryable): Promise<Map<string, string>> {
  const rows = await sql<
    { symbol: string; tradeId: string }[]
  >`select distinct on (symbol) symbol, trade_id as "tradeId" from settlements
    where kind in ('assignment', 'exercise') order by symbol, executed_at desc`;
  return new Map(rows.map((r) => [r.symbol, r.tradeId]));
}

/** The kinds of settlement a trade has recorded (empty for a trade the broker never settled anything of). */
export async function settlementKindsOf(sql: Queryable, tradeId: string): Promise<Set<string>> {
  const rows = await sql<{ kind: string }[]>`select distinct kind from settlements where trade_id = ${tradeId}`;
  return new Set(rows.map((r) => r.kind));
}

/** Price per unit of the latest settlement of each symbol of a trade (cents): delivered shares' strike. */
export async function settlementPrices(sql: Queryable, tradeId: string): Promise<Map<string, number>> {
  const rows = await sql<
    { symbol: string; price: string }[]
  >`select distinct on (symbol) symbol, price_cents::text as price from settlements
    where trade_id = ${tradeId} and kind = 'delivery' order by symbol, executed_at desc`;
  return new Map(rows.map((r) => [r.symbol, Number(r.price)]));
}
