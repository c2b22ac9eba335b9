// Owns trades: one structure Legwork decided to hold, from selection through entry, exit and P&L.
import { atomically } from './tx.js';
import {
  ACTIVE_TRADE_STATUSES,
  TRADE_TRANSITIONS,
  tradeEventSources,
  type TradeEventType,
  type TradeStatus,
} from '../domain/trade-transitions.js';
import { storeNow } from './store-clock.js';
import type { Queryable } from './db.js';
import type { LimitedInsert, NewTrade, RiskSummary, TradeFields, TradeRow } from '../domain/records.js';
import type { Environment } from '../domain/portfolio.js';
export type { LimitedInsert, NewTrade, RiskSummary, TradeFields, TradeLeg, TradeRow } from '../domain/records.js';

export { ACTIVE_TRADE_STATUSES, type TradeStatus };

const COLUMNS = (
  sql: Queryable,
) => sql`id, rule_set as "ruleSet", rules_hash as "rulesHash", candidate_id as "candidateId", strategy,
  underlying, to_char(expiration, 'YYYY-MM-DD') as expiration, quantity, legs, status, entry_group_id as "entryGroupId",
  risk_cents as "riskCents", expected_credit_cents as "expectedCreditCents", facts,
  entry_credit_cents as "entryCreditCents", exit_debit_cents as "exitDebitCents", realized_pnl_cents as "realizedPnlCents",
  exit_reason as "exitReason", created_at as "createdAt", updated_at as "updatedAt", opened_at as "openedAt", closed_at as "closedAt",
  approval_deadline as "approvalDeadline", approval_by as "approvalBy", approval_at as "approvalAt"`;

/**
 * Inserts a pending trade (or, with an `approvalDeadline`, one awaiting approval); a candidate becomes at most one trade
 * (a retried scan gets the existing one back). The trade records the environment it runs in (the process's TT_ENV: the
 * Store and `legwork trade` pass it; promotion evidence counts only sim and sandbox). The default, paper, is for tests
 * and tools that insert rows by hand.
 */
export async function insertPendingTrade(
  sql: Queryable,
  t: NewTrade,
  environment: Environment = 'sim',
): Promise<{ trade: TradeRow; created: boolean }> {
  const deadline = t.approvalDeadline ?? null;
  const status: TradeStatus = deadline ? 'awaiting_approval' : 'pending';
  const inserted = await sql<TradeRow[]>`
    insert into trades (id, rule_set, rules_hash, candidate_id, strategy, underlying, expiration, quantity, legs, status,
                        entry_group_id, risk_cents, expected_credit_cents, facts, approval_deadline, environment, created_at, updated_at)
    values (${t.id}, ${t.ruleSet}, ${t.rulesHash}, ${t.candidateId}, ${t.strategy}, ${t.underlying}, ${t.expiration}, ${t.quantity},
            ${sql.json(t.legs as never)}, ${status}, ${t.entryGroupId}, ${t.riskCents}, ${t.expectedCreditCents}, ${sql.json(t.facts as never)},
            ${deadline}, ${environment}, ${storeNow()}, ${storeNow()})
    on conflict (candidate_id) do nothing
    returning ${COLUMNS(sql)}`;
  if (inserted[0]) return { trade: inserted[0], created: true };
  const [existing] = await sql<TradeRow[]>`select ${COLUMNS(sql)} from trades where candidate_id = ${t.candidateId}`;
  if (!existing) throw new Error(`trade for candidate ${t.candidateId} vanished`);
  return { trade: existing, created: false };
}

/**
 * Inserts a pending (or awaiting-approval) trade only while no other active trade (ACTIVE_TRADE_STATUSES, broken and
 * awaiting_approval included) holds its underlying: one proposed, working or open structure per underlying, across
 * rule sets and processes. The check and the insert run in one transaction under
 * `pg_advisory_xact_lock(hashtext('underlying:'||underlying))`, so two scans that both read "SPY is free" cannot both
 * insert. A retried scan gets its own existing trade back (`created: false`).
 */
export async function insertPendingTradeWithinLimit(
  sql: Queryable,
  t: NewTrade,
  environment: Environment,
): Promise<LimitedInsert> {
  return (await atomically(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`underlying:${t.underlying}`}))`;
    if (t.candidateId !== null) {
      const [mine] = await tx<TradeRow[]>`select ${COLUMNS(tx)} from trades where candidate_id = ${t.candidateId}`;
      if (mine) return { trade: mine, created: false };
    }
    const [other] = await tx<{ id: string; status: TradeStatus; ruleSet: string }[]>`
      select id, status, rule_set as "ruleSet" from trades
      where underlying = ${t.underlying} and status = any(${ACTIVE_TRADE_STATUSES as TradeStatus[]}) and id <> ${t.id}
      order by created_at limit 1`;
    if (other) return { blockedBy: other };
    return insertPendingTrade(tx, t, environment);
  })) as LimitedInsert;
}

export async function getTrade(sql: Queryable, id: string): Promise<TradeRow | undefined> {
  const [row] = await sql<TradeRow[]>`select ${COLUMNS(sql)} from trades where id = ${id}`;
  return row;
}

export async function listTrades(
  sql: Queryable,
  options: { statuses?: TradeStatus[]; limit?: number } = {},
): Promise<TradeRow[]> {
  const limit = options.limit ?? 200;
  return options.statuses
    ? sql<
        TradeRow[]
      >`select ${COLUMNS(sql)} from trades where status = any(${options.statuses}) order by created_at desc limit ${limit}`
    : sql<TradeRow[]>`select ${COLUMNS(sql)} from trades order by created_at desc limit ${limit}`;
}

/** What is at risk now: trades from selection until closed (pending and proposed ones count, they may fill). */
export async function riskSummary(sql: Queryable, ruleSet?: string): Promise<RiskSummary> {
  const rows = await sql<{ underlying: string; trades: number; risk: number }[]>`
    select underlying, count(*)::int as trades, coalesce(sum(risk_cents), 0)::bigint as risk
    from trades where status = any(${ACTIVE_TRADE_STATUSES as TradeStatus[]}) ${ruleSet ? sql`and rule_set = ${ruleSet}` : sql``}
    group by underlying`;
  const riskByUnderlying = new Map(rows.map((r) => [r.underlying, Number(r.risk)]));
  return {
    openTrades: rows.reduce((n, r) => n + r.trades, 0),
    totalRiskCents: [...riskByUnderlying.values()].reduce((a, b) => a + b, 0),
    riskByUnderlying,
    underlyings: new Set(rows.map((r) => r.underlying)),
  };
}

/** The events that settle a proposal: they stamp `approval_at`. */
const APPROVAL_EVENTS: ReadonlySet<TradeEventType> = new Set(['Approve', 'Reject', 'ApprovalExpired']);

/**
 * Applies one event of the trade state machine (src/domain/trade-transitions.ts) as a compare-and-set from the
 * statuses the table allows, and records it in `state_events` in the same statement. False when the trade was in none
 * of them: nothing changes then.
 */
export async function moveTrade(
  sql: Queryable,
  id: string,
  event: TradeEventType,
  fields: TradeFields = {},
): Promise<boolean> {
  const to = TRADE_TRANSITIONS[event].to;
  const at = storeNow();
  const decided = APPROVAL_EVENTS.has(event);
  const rows = await sql`
    with old as (select id, status from trades where id = ${id} and status = any(${tradeEventSources(event) as TradeStatus[]}) for update),
    moved as (
      update trades t set status = ${to}, updated_at = ${at},
        entry_credit_cents = coalesce(${fields.entryCreditCents ?? null}, t.entry_credit_cents),
        exit_debit_cents = coalesce(${fields.exitDebitCents ?? null}, t.exit_debit_cents),
        realized_pnl_cents = coalesce(${fields.realizedPnlCents ?? null}, t.realized_pnl_cents),
        exit_reason = coalesce(${fields.exitReason ?? null}, t.exit_reason),
        approval_by = coalesce(${fields.approvalBy ?? null}, t.approval_by),
        approval_at = case when ${decided}::boolean then ${at}::timestamptz else t.approval_at end,
        opened_at = case when ${to} = 'open' and t.opened_at is null then ${at}::timestamptz else t.opened_at end,
        closed_at = case when ${to} in ('closed', 'rejected', 'rolled_back') and t.closed_at is null then ${at}::timestamptz else t.closed_at end
      from old where t.id = old.id returning t.id, old.status as "from"),
    logged as (
      insert into state_events (at, entity, entity_id, event, from_status, to_status, data)
      select ${at}, 'trade', id, ${event}, "from", ${to}, ${sql.json({ ...fields } as never)} from moved where "from" <> ${to})
    select id from moved`;
  return rows.length > 0;
}

/** A partially filled entry that is kept becomes a smaller trade: only while it is still being opened. */
export async function setTradeQuantity(sql: Queryable, id: string, quantity: number): Promise<boolean> {
  const rows = await sql`update trades set quantity = ${quantity}, updated_at = ${storeNow()}
    where id = ${id} and status in ('pending', 'opening') returning id`;
  return rows.length > 0;
}

/** Corrects the realised P&L of a settled trade (its fees arrived after it settled); nothing else changes. */
export async function correctRealizedPnl(sql: Queryable, id: string, realizedPnlCents: number): Promise<boolean> {
  const rows = await sql`update trades set realized_pnl_cents = ${realizedPnlCents}, updated_at = ${storeNow()}
    where id = ${id} and status in ('closed', 'rolled_back') and realized_pnl_cents is distinct from ${realizedPnlCents} returning id`;
  return rows.length > 0;
}

/** Broken trades, oldest first. */
export async function brokenTradeIds(sql: Queryable): Promise<string[]> {
  const trades = await sql<{ id: string }[]>`select id from trades where status = 'broken' order by created_at`;
  return trades.map((r) => r.id);
}

/**
 * Open or broken trades the broker settled something of (settlements), or a trader closed something of by hand
 * (outside_closes), that hold nothing any more.
 */
export async function settledFlatTradeIds(sql: Queryable): Promise<string[]> {
  const flat = await sql<{ id: string }[]>`select t.id from trades t
    where t.status in ('open', 'broken')
      and (exists (select 1 from settlements s where s.trade_id = t.id)
        or exists (select 1 from outside_closes c where c.trade_id = t.id))
      and not exists (select 1 from trade_positions p where p.trade_id = t.id and p.quantity <> 0)`;
  return flat.map((r) => r.id);
}
