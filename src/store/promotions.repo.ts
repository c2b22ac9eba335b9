// Owns promotions (issue 15): the recorded promotions of rule-set hashes, and the evidence rows they rest on (paper
// trades with their environment and outcome, broken groups of those trades, active trades of each environment).
import type { Queryable } from './db.js';
import {
  PAPER_ENVIRONMENTS,
  type BrokenGroupRef,
  type Environment,
  type EvidenceTrade,
  type Promotion,
} from '../domain/promotion.js';
import { ACTIVE_TRADE_STATUSES, type TradeStatus } from '../domain/trade-transitions.js';

export type { BrokenGroupRef, EvidenceTrade, Promotion } from '../domain/promotion.js';

const PROMOTION_COLUMNS = (sql: Queryable) =>
  sql`rule_set as "ruleSet", rules_hash as "rulesHash", promoted_by as "promotedBy", promoted_at as "promotedAt",
      reason, evidence`;

/** Paper trades (sim, sandbox), of one rule set or all, oldest first. */
export async function paperTrades(sql: Queryable, ruleSet?: string): Promise<EvidenceTrade[]> {
  return sql<EvidenceTrade[]>`
    select id, rule_set as "ruleSet", rules_hash as "rulesHash", environment, status,
           realized_pnl_cents as "realizedPnlCents", closed_at as "closedAt"
    from trades
    where environment = any(${PAPER_ENVIRONMENTS as Environment[]}) ${ruleSet ? sql`and rule_set = ${ruleSet}` : sql``}
    order by created_at, id`;
}

/** Broken groups of paper trades (of one rule set or all), oldest first. */
export async function brokenPaperGroups(sql: Queryable, ruleSet?: string): Promise<BrokenGroupRef[]> {
  return sql<BrokenGroupRef[]>`
    select g.id as "groupId", g.trade_id as "tradeId"
    from order_groups g join trades t on t.id = g.trade_id
    where g.status = 'broken' and t.environment = any(${PAPER_ENVIRONMENTS as Environment[]})
      ${ruleSet ? sql`and t.rule_set = ${ruleSet}` : sql``}
    order by g.created_at, g.id`;
}

export async function listPromotions(sql: Queryable): Promise<Promotion[]> {
  return sql<Promotion[]>`select ${PROMOTION_COLUMNS(sql)} from promotions order by promoted_at, id`;
}

export async function getPromotion(sql: Queryable, ruleSet: string, rulesHash: string): Promise<Promotion | undefined> {
  const [row] = await sql<Promotion[]>`
    select ${PROMOTION_COLUMNS(sql)} from promotions where rule_set = ${ruleSet} and rules_hash = ${rulesHash}`;
  return row;
}

/**
 * Records a promotion once per rule set and hash (the content must already be in rule_set_versions); a second one of
 * the same hash changes nothing and returns the first.
 */
export async function recordPromotion(
  sql: Queryable,
  p: Promotion,
): Promise<{ promotion: Promotion; created: boolean }> {
  const [inserted] = await sql<Promotion[]>`
    insert into promotions (rule_set, rules_hash, promoted_by, promoted_at, reason, evidence)
    values (${p.ruleSet}, ${p.rulesHash}, ${p.promotedBy}, ${p.promotedAt}, ${p.reason}, ${sql.json(p.evidence as never)})
    on conflict (rule_set, rules_hash) do nothing
    returning ${PROMOTION_COLUMNS(sql)}`;
  if (inserted) return { promotion: inserted, created: true };
  const existing = await getPromotion(sql, p.ruleSet, p.rulesHash);
  if (!existing) throw new Error(`promotion of ${p.ruleSet} ${p.rulesHash} vanished`);
  return { promotion: existing, created: false };
}

/** Active trades (pending to closing, broken) per environment: what a process of another environment must not adopt. */
export async function activeTradesByEnvironment(sql: Queryable): Promise<Map<Environment, number>> {
  const rows = await sql<{ environment: Environment; n: number }[]>`
    select environment, count(*)::int as n from trades
    where status = any(${ACTIVE_TRADE_STATUSES as TradeStatus[]}) group by environment`;
  return new Map(rows.map((r) => [r.environment, r.n]));
}
