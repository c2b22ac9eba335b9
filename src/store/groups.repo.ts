// Owns order groups in Postgres: idempotent insert of the intent, compare-and-set status changes, open-group queries.
import { groupEventSources, GROUP_TRANSITIONS, type GroupEventType } from '../domain/group-transitions.js';
import type { GroupIntent, GroupStatus } from '../domain/order-group.js';
import type { Queryable } from './db.js';
import { storeNow } from './store-clock.js';

export interface GroupRow {
  id: string;
  tradeId: string;
  kind: 'entry' | 'exit';
  mode: 'combo' | 'legged';
  status: GroupStatus;
  intent: GroupIntent;
  filledUnits: number;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = (sql: Queryable) => sql`id, trade_id as "tradeId", kind, mode, status, intent, filled_units as "filledUnits", reason,
  created_at as "createdAt", updated_at as "updatedAt"`;

/** Writes the intent before any broker call; a second insert of the same id returns the stored group. */
export async function insertGroup(sql: Queryable, id: string, intent: GroupIntent): Promise<{ group: GroupRow; created: boolean }> {
  const at = storeNow();
  const inserted = await sql<GroupRow[]>`
    insert into order_groups (id, trade_id, kind, mode, status, intent, created_at, updated_at)
    values (${id}, ${intent.tradeId}, ${intent.kind}, ${intent.mode}, 'planned', ${sql.json(intent as never)}, ${at}, ${at})
    on conflict (id) do nothing returning ${COLUMNS(sql)}`;
  if (inserted[0]) return { group: inserted[0], created: true };
  const group = await getGroup(sql, id);
  if (!group) throw new Error(`order group ${id} vanished`);
  return { group, created: false };
}

export async function getGroup(sql: Queryable, id: string): Promise<GroupRow | undefined> {
  const [row] = await sql<GroupRow[]>`select ${COLUMNS(sql)} from order_groups where id = ${id}`;
  return row;
}

/**
 * Applies one event of the group state machine (src/domain/group-transitions.ts) as a compare-and-set from the
 * statuses the table allows, and records it in `state_events` in the same statement. False when the group was in none
 * of them (another run got there first, or the event does not apply): nothing changes then.
 */
export async function moveGroup(sql: Queryable, id: string, event: GroupEventType, fields: { filledUnits?: number; reason?: string } = {}): Promise<boolean> {
  const edge = GROUP_TRANSITIONS[event];
  const at = storeNow();
  const rows = await sql`
    with old as (select id, status from order_groups where id = ${id} and status = any(${groupEventSources(event) as GroupStatus[]}) for update),
    moved as (
      update order_groups g set status = ${edge.to}, updated_at = ${at},
        filled_units = coalesce(${fields.filledUnits ?? null}, g.filled_units),
        reason = coalesce(${fields.reason ?? null}, g.reason)
      from old where g.id = old.id returning g.id, old.status as "from"),
    logged as (
      insert into state_events (at, entity, entity_id, event, from_status, to_status, data)
      select ${at}, 'group', id, ${event}, "from", ${edge.to}, ${sql.json({ ...fields } as never)} from moved where "from" <> ${edge.to})
    select id from moved`;
  return rows.length > 0;
}

export async function openGroups(sql: Queryable): Promise<GroupRow[]> {
  return sql<GroupRow[]>`select ${COLUMNS(sql)} from order_groups
    where status in ('planned', 'submitting', 'working', 'compensating') order by created_at`;
}

/** Groups with orders at the broker right now (the "most groups working at once" limit). */
export async function workingGroupCount(sql: Queryable, exceptGroupId?: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from order_groups
    where status in ('submitting', 'working', 'compensating') and id <> ${exceptGroupId ?? '00000000-0000-0000-0000-000000000000'}`;
  return row?.n ?? 0;
}

export async function groupsOfTrade(sql: Queryable, tradeId: string): Promise<GroupRow[]> {
  return sql<GroupRow[]>`select ${COLUMNS(sql)} from order_groups where trade_id = ${tradeId} order by created_at`;
}
