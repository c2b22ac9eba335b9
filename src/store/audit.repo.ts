// Owns the append-only audit log: every decision (trade chosen, order sent, price step, fill, rollback, exit, halt).
import { storeNow } from './store-clock.js';
import type { Queryable } from './db.js';
import type { AuditEvent, AuditRow } from '../domain/records.js';
export type { AuditEvent, AuditKind, AuditRow } from '../domain/records.js';

/** Appends one event; returns false when the dedupe key was already recorded. */
export async function appendAudit(sql: Queryable, event: AuditEvent): Promise<boolean> {
  const rows = await sql`
    insert into audit_events (at, kind, trade_id, group_id, order_id, dedupe_key, data)
    values (${storeNow()}, ${event.kind}, ${event.tradeId ?? null}, ${event.groupId ?? null}, ${event.orderId ?? null},
            ${event.dedupeKey ?? null}, ${sql.json((event.data ?? {}) as never)})
    on conflict (dedupe_key) do nothing
    returning id`;
  return rows.length > 0;
}

export async function auditForTrade(sql: Queryable, tradeId: string): Promise<AuditRow[]> {
  return sql<AuditRow[]>`
    select id, at, kind, trade_id as "tradeId", group_id as "groupId", order_id as "orderId", data
    from audit_events where trade_id = ${tradeId} order by id`;
}

export async function recentAudit(sql: Queryable, limit = 100): Promise<AuditRow[]> {
  return sql<AuditRow[]>`
    select id, at, kind, trade_id as "tradeId", group_id as "groupId", order_id as "orderId", data
    from audit_events order by id desc limit ${limit}`;
}

/** Events of some kinds after an id, oldest first (the chat feed's tail of the log). */
export async function auditAfter(
  sql: Queryable,
  afterId: number,
  kinds: readonly string[],
  limit: number,
): Promise<AuditRow[]> {
  const rows = await sql<AuditRow[]>`
    select id, at, kind, trade_id as "tradeId", group_id as "groupId", order_id as "orderId", data
    from audit_events where id > ${afterId} and kind = any(${kinds as string[]}) order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The newest event's id (0 for an empty log). */
export async function latestAuditId(sql: Queryable): Promise<number> {
  const [row] = await sql<{ id: string | null }[]>`select max(id)::text as id from audit_events`;
  return Number(row?.id ?? 0);
}
