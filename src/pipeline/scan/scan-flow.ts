// Owns the scheduled scan as three idempotent steps: start (one run per rule set and slot, fan out per underlying),
// scan one underlying (store what passed), finish (rank, validate, create trades, hand them to the executor, or, for a
// rule set with `execution.approval: manual`, propose them for approval).
import { allowsEntries, type TradeRow } from '../../domain/records.js';
import type { Logger } from '../../log.js';
import { deterministicId } from '../../domain/ids.js';
import { promoteCommand, shortHash } from '../../domain/promotion.js';
import type { MarketMetrics } from '../../domain/market.js';
import { isTerminal } from '../../domain/broker-order.js';
import { compileConditions, type CompiledRule } from '../../rules/compile.js';
import type { RuleRegistry } from '../../rules/loader.js';
import { loadRuleSet } from '../rule-versions.js';
import { rankForRuleSet } from '../../rules/rank.js';
import type { RuleSet } from '../../rules/schema.js';
import type { Candidate } from '../../strategies/types.js';
import type { TradeStatus } from '../../domain/trade-transitions.js';
import { notifyApproval } from '../approval.js';
import type { ApprovalNotifier, Broker, MarketData } from '../ports.js';
import type { Store } from '../store-port.js';
import { scanUnderlying } from './scan-underlying.js';
import { pendingTradeOf, selectTrades } from './select-trades.js';

/** How a scan reaches the queue: the fan-out flow and the executor's queue (implemented over BullMQ in src/queue). */
export interface ScanJobs {
  addScanFlow(
    scan: { scanRunId: string; ruleSet: string; rulesHash: string },
    children: { underlying: string; metrics: MarketMetrics | null }[],
  ): Promise<void>;
  enqueueExecute(tradeId: string, groupId: string): Promise<void>;
}

export interface ScanContext {
  store: Store;
  broker: Broker;
  marketData: MarketData;
  rules: RuleRegistry;
  jobs: ScanJobs;
  log: Logger;
  /** Broker time (the app's clock): the fallback date when a chain names none. */
  now(): number;
  /** Today in New York (YYYY-MM-DD) as the broker counts days; default: read off each chain (follows the venue's clock). */
  today?: () => string;
  /** Where proposals of manual-approval rule sets are announced (Discord); absent: only audited. */
  approvals?: ApprovalNotifier;
}

export type StartResult =
  | { status: 'started'; scanRunId: string; underlyings: number }
  | { status: 'skipped'; reason: string }
  | { status: 'duplicate'; scanRunId: string };

/** Step 1: the rule set as it is now (hot reload), the market session, one scan run per slot, one batched metrics call. */
export async function startScan(ctx: ScanContext, ruleSetName: string, slot: string): Promise<StartResult> {
  await reloadRules(ctx);
  const ruleSet = ctx.rules.get(ruleSetName);
  if (!ruleSet) return { status: 'skipped', reason: `rule set ${ruleSetName} is not loaded` };
  if (!ruleSet.enabled) return { status: 'skipped', reason: `rule set ${ruleSetName} is disabled` };
  const unpromoted = await unpromotedInProduction(ctx, ruleSet);
  if (unpromoted) return { status: 'skipped', reason: unpromoted };
  if (ruleSet.schedule.marketHoursOnly) {
    const session = await ctx.broker.marketSession();
    if (session.state !== 'Open') return { status: 'skipped', reason: `market is ${session.state}` };
  }
  if (!ruleSet.universe.symbols)
    return { status: 'skipped', reason: 'watchlist universes are not supported by this broker yet' };
  await ctx.store.scans.recordRuleVersion({
    hash: ruleSet.hash,
    name: ruleSet.name,
    file: ruleSet.file,
    content: ruleSet.content,
  });
  const scanRunId = deterministicId('scan-run', ruleSet.name, slot);
  const { run, created } = await ctx.store.scans.start({
    id: scanRunId,
    ruleSet: ruleSet.name,
    rulesHash: ruleSet.hash,
    slot,
  });
  // A redelivered start re-adds the same flow (same job ids: a no-op) unless the run already finished
  if (!created && run.status !== 'running') return { status: 'duplicate', scanRunId: run.id };
  const symbols = ruleSet.universe.symbols;
  const metrics = await ctx.marketData.metrics(symbols);
  await ctx.jobs.addScanFlow(
    { scanRunId: run.id, ruleSet: ruleSet.name, rulesHash: run.rulesHash },
    symbols.map((underlying) => ({ underlying, metrics: metrics.get(underlying) ?? null })),
  );
  return { status: 'started', scanRunId: run.id, underlyings: symbols.length };
}

export interface UnderlyingResult {
  underlying: string;
  evaluated: number;
  accepted: number;
  skipped?: string;
}

/** Step 2 (many in parallel, on any machine): build, filter and store one underlying's candidates for the run's rules. */
export async function scanOneUnderlying(
  ctx: ScanContext,
  job: { scanRunId: string; ruleSet: string; rulesHash: string; underlying: string; metrics: MarketMetrics | null },
): Promise<UnderlyingResult> {
  const ruleSet = await ruleSetByHash(ctx, job.ruleSet, job.rulesHash);
  const result = await scanUnderlying(
    { marketData: ctx.marketData, now: ctx.now(), ...(ctx.today ? { today: ctx.today() } : {}) },
    ruleSet,
    compiledFor(ruleSet),
    job.underlying,
    job.metrics,
  );
  await ctx.store.scans.insertCandidates(
    job.scanRunId,
    result.passed.map(({ candidate, trace }) => ({
      id: deterministicId('candidate', job.scanRunId, candidate.id),
      candidateKey: candidate.id,
      ruleSet: ruleSet.name,
      rulesHash: ruleSet.hash,
      strategy: candidate.strategy,
      underlying: candidate.underlying,
      expiration: candidate.expiration,
      dte: candidate.dte,
      creditMidCents: candidate.creditMidCents,
      creditNaturalCents: candidate.creditNaturalCents,
      facts: { ...candidate.facts },
      legs: candidate.legs,
      trace: trace.entries,
    })),
  );
  return {
    underlying: job.underlying,
    evaluated: result.evaluated,
    accepted: result.passed.length,
    ...(result.skipped ? { skipped: result.skipped } : {}),
  };
}

export interface FinishResult {
  scanRunId: string;
  candidatesEvaluated: number;
  accepted: number;
  /** `awaiting_approval` for the proposals of a manual-approval rule set (not queued), else `pending` (queued). */
  trades: { tradeId: string; underlying: string; quantity: number; created: boolean; status: TradeStatus }[];
  skipped: { candidateId: string; underlying: string; reason: string }[];
}

/**
 * Step 3: rank what the children stored, validate, create the trades and enqueue them (deterministic ids throughout).
 * A rule set with `execution.approval: manual` creates them `awaiting_approval` instead, with a deadline of
 * `approvalTimeoutSeconds` from now (broker time), queues nothing, audits `trade_proposed` and tells the notifier:
 * `decideApproval` queues the entry once someone approves it.
 */
export async function finishScan(
  ctx: ScanContext,
  job: { scanRunId: string; ruleSet: string; rulesHash: string },
  children: UnderlyingResult[],
): Promise<FinishResult> {
  const ruleSet = await ruleSetByHash(ctx, job.ruleSet, job.rulesHash);
  const rows = await ctx.store.scans.candidatesOf(job.scanRunId);
  const rowIdByKey = new Map(rows.map((r) => [r.candidateKey, r.id]));
  const candidates: Candidate[] = rows.map((r) => ({
    id: r.candidateKey,
    strategy: ruleSet.strategy,
    underlying: r.underlying,
    expiration: r.expiration,
    dte: r.dte,
    legs: r.legs as Candidate['legs'],
    creditMidCents: r.creditMidCents,
    creditNaturalCents: r.creditNaturalCents,
    facts: r.facts as unknown as Candidate['facts'],
  }));
  const { ranked } = rankForRuleSet(ruleSet, candidates);
  const state = await ctx.store.tradingState.get();
  const working = (await ctx.broker.liveOrders()).filter((o) => !isTerminal(o.status)).map((o) => o.underlyingSymbol);
  const all = await ctx.store.trades.riskSummary();
  const mine = await ctx.store.trades.riskSummary(ruleSet.name);
  const selection = await selectTrades(
    {
      ruleSet,
      ranked: ranked.map((r) => ({ candidate: r.candidate, score: r.score })),
      tradingAllowed: allowsEntries(state)
        ? { allowed: true }
        : { allowed: false, reason: `trading is ${state.state}` },
      busyUnderlyings: new Set([...all.underlyings, ...working]),
      openRisk: mine,
    },
    (order) => ctx.broker.dryRun(order),
  );
  const selectedKeys = new Set(selection.selected.map((s) => s.candidate.id));
  await ctx.store.scans.setRanks(
    job.scanRunId,
    ranked.map((r) => ({
      candidateKey: r.candidate.id,
      rank: r.rank,
      score: r.score,
      selected: selectedKeys.has(r.candidate.id),
    })),
  );

  const trades: FinishResult['trades'] = [];
  const manual = ruleSet.execution.approval === 'manual';
  for (const s of selection.selected) {
    const candidateRowId = rowIdByKey.get(s.candidate.id)!;
    const tradeId = deterministicId('trade', candidateRowId);
    const entryGroupId = deterministicId('entry-group', tradeId);
    const inserted = await ctx.store.trades.insertPendingWithinLimit({
      ...pendingTradeOf(s, { id: tradeId, entryGroupId, candidateId: candidateRowId, ruleSet }),
      // A retried finish gets the existing trade back, its first deadline unchanged
      ...(manual ? { approvalDeadline: new Date(ctx.now() + ruleSet.execution.approvalTimeoutSeconds * 1000) } : {}),
    });
    if ('blockedBy' in inserted) {
      // Another rule set (or process) took the underlying after this scan read the busy list
      const b = inserted.blockedBy;
      selection.skipped.push({
        candidateId: s.candidate.id,
        underlying: s.candidate.underlying,
        reason: `underlying ${s.candidate.underlying} busy: trade ${b.id} (${b.ruleSet}, ${b.status})`,
      });
      await ctx.store.scans.setRanks(job.scanRunId, [
        {
          candidateKey: s.candidate.id,
          rank: ranked.find((r) => r.candidate.id === s.candidate.id)?.rank ?? 0,
          score: s.score,
          selected: false,
        },
      ]);
      continue;
    }
    const { trade, created } = inserted;
    if (created) {
      await ctx.store.audit.append({
        kind: 'trade_selected',
        tradeId: trade.id,
        dedupeKey: `trade_selected:${trade.id}`,
        data: {
          ruleSet: ruleSet.name,
          rulesHash: ruleSet.hash,
          candidate: s.candidate.id,
          score: s.score,
          quantity: s.quantity,
          facts: s.candidate.facts,
          dryRun: s.dryRun,
          approval: ruleSet.execution.approval,
        },
      });
    }
    if (manual) {
      await propose(ctx, trade, created, ruleSet.execution.approvalTimeoutSeconds);
    } else {
      // Enqueued even when the trade existed: the job id is deterministic, so a retried finish cannot add a second job
      await ctx.jobs.enqueueExecute(trade.id, trade.entryGroupId);
    }
    trades.push({
      tradeId: trade.id,
      underlying: trade.underlying,
      quantity: trade.quantity,
      created,
      status: trade.status,
    });
  }
  const candidatesEvaluated = children.reduce((n, c) => n + c.evaluated, 0);
  await ctx.store.scans.finish(job.scanRunId, {
    status: 'completed',
    underlyings: children.length,
    candidatesEvaluated,
    accepted: rows.length,
  });
  await ctx.store.audit.append({
    kind: 'scan_completed',
    dedupeKey: `scan_completed:${job.scanRunId}`,
    data: {
      scanRunId: job.scanRunId,
      ruleSet: ruleSet.name,
      rulesHash: ruleSet.hash,
      candidatesEvaluated,
      accepted: rows.length,
      selected: trades.length,
      skipped: selection.skipped,
    },
  });
  return { scanRunId: job.scanRunId, candidatesEvaluated, accepted: rows.length, trades, skipped: selection.skipped };
}

/**
 * In production a rule set trades only at a hash someone promoted (`legwork promote`): start-up refuses unpromoted
 * ones, and this catches an edit hot-reloaded since (a new hash). The reason to skip, or null; audited and logged once
 * per hash.
 */
async function unpromotedInProduction(
  ctx: Pick<ScanContext, 'store' | 'log'>,
  ruleSet: RuleSet,
): Promise<string | null> {
  if (ctx.store.environment !== 'production') return null;
  if (await ctx.store.promotions.get(ruleSet.name, ruleSet.hash)) return null;
  const reason = `rule set ${ruleSet.name} is not promoted at sha256:${shortHash(ruleSet.hash)} (${ruleSet.file}); run ${promoteCommand(ruleSet.name)}`;
  const fresh = await ctx.store.audit.append({
    kind: 'rule_set_unpromoted',
    dedupeKey: `rule_set_unpromoted:${ruleSet.name}:${ruleSet.hash}`,
    data: { ruleSet: ruleSet.name, rulesHash: ruleSet.hash, file: ruleSet.file },
  });
  if (fresh)
    ctx.log.error(
      { ruleSet: ruleSet.name, rulesHash: ruleSet.hash, file: ruleSet.file },
      `${reason}: its scans are skipped until then`,
    );
  return reason;
}

/**
 * A manual rule set's trade waits for a human: audited `trade_proposed` once, announced to the notifier while it still
 * awaits approval (again after a retried finish: the notifier keys its message by trade id). Nothing is queued here; a
 * proposal already decided (approved, rejected, expired) is left alone.
 */
async function propose(ctx: ScanContext, trade: TradeRow, created: boolean, timeoutSeconds: number): Promise<void> {
  if (created) {
    await ctx.store.audit.append({
      kind: 'trade_proposed',
      tradeId: trade.id,
      dedupeKey: `trade_proposed:${trade.id}`,
      data: {
        ruleSet: trade.ruleSet,
        underlying: trade.underlying,
        quantity: trade.quantity,
        expectedCreditCents: trade.expectedCreditCents,
        deadline: trade.approvalDeadline?.toISOString() ?? null,
        timeoutSeconds,
      },
    });
  }
  if (trade.status !== 'awaiting_approval') return;
  ctx.log.info(
    { tradeId: trade.id, underlying: trade.underlying, deadline: trade.approvalDeadline },
    'trade proposed; waiting for approval',
  );
  await notifyApproval(ctx, 'proposed', (n) => n.proposed(trade));
}

/** Re-reads rules/; a refused edit is logged and audited once per refused content, the last good version stays. */
export async function reloadRules(ctx: Pick<ScanContext, 'rules' | 'log' | 'store'>): Promise<void> {
  const report = await ctx.rules.reload();
  if (report.added.length + report.changed.length + report.removed.length > 0) {
    ctx.log.info({ added: report.added, changed: report.changed, removed: report.removed }, 'rule files reloaded');
  }
  for (const error of ctx.rules.errors()) {
    const fresh = await ctx.store.audit.append({
      kind: 'rules_refused',
      dedupeKey: `rules_refused:${error.file}:${error.hash}`,
      data: { file: error.file, hash: error.hash, activeHash: error.activeHash, problems: error.problems },
    });
    if (fresh)
      ctx.log.error(
        { file: error.file, problems: error.problems },
        `rule file ${error.file} refused; the last good version stays active`,
      );
  }
}

const compiledByHash = new Map<string, CompiledRule>();
function compiledFor(ruleSet: RuleSet): CompiledRule {
  let compiled = compiledByHash.get(ruleSet.hash);
  if (!compiled) {
    compiled = compileConditions(ruleSet.conditions);
    compiledByHash.set(ruleSet.hash, compiled);
  }
  return compiled;
}

/** The exact rules a scan started with, even if the file changed since. */
const ruleSetByHash = (ctx: ScanContext, name: string, hash: string): Promise<RuleSet> => loadRuleSet(ctx, name, hash);
