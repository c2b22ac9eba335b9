// Owns order groups in Postgres: idempotent insert of the intent, compare-and-set status changes, open-group queries.
import { groupEventSources, GROUP_TRANSITIONS, type GroupEventType } from '../domain/group-transitions.js';
import type { GroupIntent, GroupStatus } from '../domain/order-group.js';
import type { Queryable } from './db.js';
import { storeNow } from './store-clock.js';
import { atomically } from './tx.js';
import type { GroupRow } from '../domain/records.js';
export type { GroupRow } from '../domain/records.js';

const COLUMNS = (
  sql: Queryable,
) => sql`id, trade_id as "tradeId", kind, mode, status, intent, filled_units as "filledUnits", reason,
  created_at as "createdAt", updated_at as "updatedAt"`;

/** Writes the intent before any broker call; a second insert of the same id returns the stored group. */
export async function insertGroup(
  sql: Queryable,
  id: string,
  intent: GroupIntent,
): Promise<{ group: GroupRow; created: boolean }> {
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
export async function moveGroup(
  sql: Queryable,
  id: string,
  event: GroupEventType,
  fields: { filledUnits?: number; reason?: string } = {},
): Promise<boolean> {
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

/** The kind and trade of a group. */
export async function groupOwner(
  sql: Queryable,
  id: string,
): Promise<{ kind: 'entry' | 'exit'; tradeId: string } | undefined> {
  const [group] = await sql<
    { kind: 'entry' | 'exit'; tradeId: string }[]
  >`select kind, trade_id as "tradeId" from order_groups where id = ${id}`;
  return group;
}

/** Entry groups with orders at the broker, but one. */
export async function workingEntryCount(sql: Queryable, exceptGroupId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from order_groups
    where kind = 'entry' and status in ('submitting', 'working', 'compensating') and id <> ${exceptGroupId}`;
  return row?.n ?? 0;
}

const WORKING_LOCK = 'legwork:working-groups';

/**
 * Moves the group planned → submitting only while fewer than `max` entry groups are working, under one advisory lock,
 * so two executors passing the gate at the same moment cannot both take the last slot. Exits always get a slot.
 * Returns 'claimed', 'full', or 'lost' (another run moved the group first).
 */
export async function claimWorkingSlot(
  sql: Queryable,
  group: Pick<GroupRow, 'id' | 'kind'>,
  max: number,
): Promise<'claimed' | 'full' | 'lost'> {
  return (await atomically(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${WORKING_LOCK}))`;
    if (group.kind === 'entry') {
      const [row] = await tx<{ n: number }[]>`select count(*)::int as n from order_groups
        where kind = 'entry' and status in ('submitting', 'working', 'compensating') and id <> ${group.id}`;
      if ((row?.n ?? 0) >= max) return 'full';
    }
    return (await moveGroup(tx, group.id, 'SlotClaimed')) ? 'claimed' : 'lost';
  })) as 'claimed' | 'full' | 'lost';
}

/** Broken groups whose trade is not settled (a later flatten may have closed it), oldest first. */
export async function brokenUnsettledGroupIds(sql: Queryable): Promise<string[]> {
  const groups = await sql<{ id: string }[]>`select g.id from order_groups g join trades t on t.id = g.trade_id
    where g.status = 'broken' and t.status not in ('closed', 'rejected', 'rolled_back') order by g.created_at`;
  return groups.map((r) => r.id);
}

/** How settled a group's orders are: orders whose outcome is open, events so far, the latest change (or `updatedAt`). */
export async function groupActivity(
  sql: Queryable,
  group: Pick<GroupRow, 'id' | 'updatedAt'>,
): Promise<{ unsettled: number; events: number; last: Date | null }> {
  const [row] = await sql<{ unsettled: number; events: number; last: Date | null }[]>`
      select count(*) filter (where o.status in ('submitting', 'unknown'))::int as unsettled,
             (select count(*)::int from order_events e where e.group_id = ${group.id}) as events,
             greatest(max(o.updated_at), ${group.updatedAt}) as last
      from orders o where o.group_id = ${group.id}`;
  return { unsettled: row?.unsettled ?? 0, events: row?.events ?? 0, last: row?.last ?? null };
}
