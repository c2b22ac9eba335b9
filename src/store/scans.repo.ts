// Owns scan runs, the rule-set versions they used, and their candidates (with rank, score, facts and trace).
import { storeNow } from './store-clock.js';
import type { Queryable } from './db.js';
import type { CandidateInsert, CandidateRow, RuleVersion, ScanRunRow } from '../domain/records.js';
export type { CandidateInsert, CandidateRow, RuleVersion, ScanRunRow } from '../domain/records.js';

export async function recordRuleVersion(sql: Queryable, v: RuleVersion): Promise<void> {
  await sql`insert into rule_set_versions (hash, name, file, content) values (${v.hash}, ${v.name}, ${v.file}, ${v.content})
            on conflict (hash) do nothing`;
}

const SCAN_COLUMNS = (
  sql: Queryable,
) => sql`id, rule_set as "ruleSet", rules_hash as "rulesHash", slot, status, underlyings,
  candidates_evaluated as "candidatesEvaluated", accepted, error, started_at as "startedAt", finished_at as "finishedAt"`;

/** One run per rule set and slot: a retried or duplicated scan job gets the existing run back (`created` false). */
export async function startScanRun(
  sql: Queryable,
  run: { id: string; ruleSet: string; rulesHash: string; slot: string },
): Promise<{ run: ScanRunRow; created: boolean }> {
  const inserted = await sql<ScanRunRow[]>`
    insert into scan_runs (id, rule_set, rules_hash, slot, status, started_at)
    values (${run.id}, ${run.ruleSet}, ${run.rulesHash}, ${run.slot}, 'running', ${storeNow()})
    on conflict (rule_set, slot) do nothing
    returning ${SCAN_COLUMNS(sql)}`;
  if (inserted[0]) return { run: inserted[0], created: true };
  const [existing] = await sql<
    ScanRunRow[]
  >`select ${SCAN_COLUMNS(sql)} from scan_runs where rule_set = ${run.ruleSet} and slot = ${run.slot}`;
  if (!existing) throw new Error(`scan run for ${run.ruleSet} slot ${run.slot} vanished`);
  return { run: existing, created: false };
}

export async function finishScanRun(
  sql: Queryable,
  id: string,
  result: {
    status: 'completed' | 'failed';
    underlyings: number;
    candidatesEvaluated: number;
    accepted: number;
    error?: string;
  },
): Promise<void> {
  await sql`update scan_runs set status = ${result.status}, underlyings = ${result.underlyings},
              candidates_evaluated = ${result.candidatesEvaluated}, accepted = ${result.accepted},
              error = ${result.error ?? null}, finished_at = ${storeNow()}
            where id = ${id}`;
}

export async function getScanRun(sql: Queryable, id: string): Promise<ScanRunRow | undefined> {
  const [row] = await sql<ScanRunRow[]>`select ${SCAN_COLUMNS(sql)} from scan_runs where id = ${id}`;
  return row;
}

/** Idempotent: a candidate key is stored once per scan run. */
export async function insertCandidates(sql: Queryable, scanRunId: string, rows: CandidateInsert[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((r) => ({
    id: r.id,
    scan_run_id: scanRunId,
    candidate_key: r.candidateKey,
    rule_set: r.ruleSet,
    rules_hash: r.rulesHash,
    strategy: r.strategy,
    underlying: r.underlying,
    expiration: r.expiration,
    dte: r.dte,
    credit_mid_cents: r.creditMidCents,
    credit_natural_cents: r.creditNaturalCents,
    facts: sql.json(r.facts as never),
    legs: sql.json(r.legs as never),
    trace: sql.json((r.trace ?? null) as never),
  }));
  const inserted =
    await sql`insert into candidates ${sql(values)} on conflict (scan_run_id, candidate_key) do nothing returning id`;
  return inserted.length;
}

const CANDIDATE_COLUMNS = (
  sql: Queryable,
) => sql`id, scan_run_id as "scanRunId", candidate_key as "candidateKey", rule_set as "ruleSet",
  rules_hash as "rulesHash", strategy, underlying, to_char(expiration, 'YYYY-MM-DD') as expiration, dte, credit_mid_cents as "creditMidCents",
  credit_natural_cents as "creditNaturalCents", rank, score, selected,
  facts, legs, trace, created_at as "createdAt"`;

export async function candidatesOfRun(sql: Queryable, scanRunId: string): Promise<CandidateRow[]> {
  return sql<
    CandidateRow[]
  >`select ${CANDIDATE_COLUMNS(sql)} from candidates where scan_run_id = ${scanRunId} order by rank nulls last, candidate_key`;
}

export async function setRanks(
  sql: Queryable,
  scanRunId: string,
  ranks: { candidateKey: string; rank: number; score: number; selected: boolean }[],
): Promise<void> {
  for (const r of ranks) {
    await sql`update candidates set rank = ${r.rank}, score = ${r.score}, selected = ${r.selected}
              where scan_run_id = ${scanRunId} and candidate_key = ${r.candidateKey}`;
  }
}

/** The ranked candidates of the latest completed scan of each rule set. */
export async function latestRankedCandidates(sql: Queryable, limit = 50): Promise<CandidateRow[]> {
  return sql<CandidateRow[]>`
    select ${CANDIDATE_COLUMNS(sql)} from candidates
    where scan_run_id in (
      select distinct on (rule_set) id from scan_runs where status = 'completed' order by rule_set, finished_at desc)
      and rank is not null
    order by score desc nulls last limit ${limit}`;
}

/** A stored rule-set version by its hash. */
export async function getRuleVersion(
  sql: Queryable,
  hash: string,
): Promise<{ file: string; content: string } | undefined> {
  const [row] = await sql<
    { file: string; content: string }[]
  >`select file, content from rule_set_versions where hash = ${hash}`;
  return row;
}
