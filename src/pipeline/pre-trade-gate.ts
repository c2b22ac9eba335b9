// Owns the last check before an order group sends anything: trading state, market session, quote freshness, buying
// power (dry-run of the exact order), legs and working-group limits; and claiming a working-group slot atomically.
import { BrokerError } from '../domain/broker-error.js';
import type { OrderRequest } from '../domain/broker-order.js';
import type { Sql } from '../store/db.js';
import { moveGroup, type GroupRow } from '../store/groups.repo.js';
import { getTradingState } from '../store/settings.repo.js';
import type { ExecContext } from './exec-context.js';
import { loadRuleSet, quotePackage } from './plan-entry.js';
import { withTx } from '../store/tx.js';

export type GateDecision = { kind: 'allowed' } | { kind: 'denied'; reason: string } | { kind: 'wait'; ms: number; reason: string };

export interface GateOptions {
  /** A quote older than this is stale (default 15 s). */
  quoteMaxAgeMs?: number;
  /** How long to wait before retrying when the working-groups limit is reached (default 5 s). */
  waitMs?: number;
  /** Check buying power by a dry-run of `order` (default true; a legged group of more than 4 legs has no one order). */
  dryRun?: boolean;
}

/** One advisory lock for "how many groups are working": the count and the claim happen under it. */
const WORKING_LOCK = 'legwork:working-groups';

/**
 * Entries need `active`; exits (and compensation, which only reduces) are allowed when `halted` and `reducing`.
 * The dry-run runs for entries only: a closing order frees buying power, and Tastytrade's preflight can refuse a
 * close right after the opening fill while its ledger catches up.
 */
export async function preTradeGate(ctx: ExecContext, group: GroupRow, order: OrderRequest, options: GateOptions = {}): Promise<GateDecision> {
  const intent = group.intent;
  const entry = intent.kind === 'entry';
  const state = await getTradingState(ctx.sql);
  if (entry && state.state !== 'active') return { kind: 'denied', reason: `trading is ${state.state}${state.reason ? ` (${state.reason})` : ''}` };

  const session = await ctx.broker.marketSession();
  if (session.state !== 'Open') return { kind: 'denied', reason: `market is ${session.state}` };

  const ruleSet = await loadRuleSet(ctx, intent.ruleSet, intent.rulesHash);
  if (intent.legs.length > ruleSet.risk.maxLegsPerGroup) {
    return { kind: 'denied', reason: `${intent.legs.length} legs exceed maxLegsPerGroup ${ruleSet.risk.maxLegsPerGroup}` };
  }

  const quote = await quotePackage(ctx, intent.legs);
  if (quote.missing.length > 0) return { kind: 'denied', reason: `no two-sided quote for ${quote.missing.join(', ')}` };
  const maxAge = options.quoteMaxAgeMs ?? 15_000;
  const age = ctx.now() - quote.oldestAt;
  if (age > maxAge) return { kind: 'denied', reason: `quotes are stale (${Math.round(age / 1000)} s old)` };

  if (entry) {
    const working = await workingCount(ctx.sql, group.id);
    if (working >= ruleSet.risk.maxWorkingGroups) {
      return { kind: 'wait', ms: options.waitMs ?? 5000, reason: `${working} groups working (maxWorkingGroups ${ruleSet.risk.maxWorkingGroups})` };
    }
    if (options.dryRun !== false) {
      try {
        const dry = await ctx.broker.dryRun(order);
        if (dry.newBuyingPowerCents < 0) return { kind: 'denied', reason: `not enough buying power (${dry.buyingPowerChangeCents} cents needed)` };
      } catch (error) {
        if (error instanceof BrokerError && error.kind === 'rejected') return { kind: 'denied', reason: `dry-run refused: ${error.message}` };
        throw error;
      }
    }
  }
  return { kind: 'allowed' };
}

async function workingCount(sql: Sql, exceptGroupId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from order_groups
    where kind = 'entry' and status in ('submitting', 'working', 'compensating') and id <> ${exceptGroupId}`;
  return row?.n ?? 0;
}

/**
 * Moves the group planned → submitting only while fewer than `max` entry groups are working, under one advisory lock,
 * so two executors passing the gate at the same moment cannot both take the last slot. Exits always get a slot.
 * Returns 'claimed', 'full', or 'lost' (another run moved the group first).
 */
export async function claimWorkingSlot(sql: Sql, group: GroupRow, max: number): Promise<'claimed' | 'full' | 'lost'> {
  return (await withTx(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${WORKING_LOCK}))`;
    if (group.kind === 'entry') {
      const [row] = await tx<{ n: number }[]>`select count(*)::int as n from order_groups
        where kind = 'entry' and status in ('submitting', 'working', 'compensating') and id <> ${group.id}`;
      if ((row?.n ?? 0) >= max) return 'full';
    }
    return (await moveGroup(tx, group.id, 'SlotClaimed')) ? 'claimed' : 'lost';
  })) as 'claimed' | 'full' | 'lost';
}
