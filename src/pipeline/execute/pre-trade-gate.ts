// Owns the last check before an order group sends anything: trading state, market session, quote freshness, buying
// power (dry-run of the exact order), legs and working-group limits, the account limits (entries, with the trade added) (the slot itself is claimed by Store.groups.claimWorkingSlot).
import type { GroupRow } from '../../domain/records.js';
import { BrokerError } from '../../domain/broker-error.js';
import type { OrderRequest } from '../../domain/broker-order.js';
import type { ExecContext } from '../execution-context.js';
import { checkAccountLimits } from '../account-gate.js';
import { loadRuleSet, quotePackage } from './plan-entry.js';

/**
 * `wait`: come back after `ms`. `replan` (exits only): the wait is long (the market is closed), so an exit that has sent
 * nothing is better deferred and planned again with fresh prices when it can go.
 */
export type GateDecision =
  | { kind: 'allowed' }
  | { kind: 'denied'; reason: string }
  | { kind: 'wait'; ms: number; reason: string; replan?: boolean };

/**
 * Exits built from what a trade actually holds (the kill switch; what the broker's settlements left, shares included)
 * were priced when planned and go as soon as the market is open, without waiting for quotes of every leg.
 */
const PRICED_FROM_POSITIONS: ReadonlySet<string> = new Set(['flatten', 'assignment', 'expiration']);

/** An exit waiting for a fresh quote tries again after this long. */
export const EXIT_QUOTE_WAIT_MS = 5000;
/** An exit waiting for the open re-checks at least this often (a clock or calendar surprise cannot park it for days). */
export const EXIT_CLOSED_MAX_WAIT_MS = 15 * 60_000;

/** From now until the next regular open, bounded to [1 s, EXIT_CLOSED_MAX_WAIT_MS]; a minute when the broker gives none. */
export function untilOpenMs(session: { nextOpenAt: number | null; openAt?: number | null }, nowMs: number): number {
  const next = session.nextOpenAt;
  if (next === null || !Number.isFinite(next)) return 60_000;
  return Math.min(EXIT_CLOSED_MAX_WAIT_MS, Math.max(1000, next - nowMs));
}

export interface GateOptions {
  /** A quote older than this is stale (default 15 s). */
  quoteMaxAgeMs?: number;
  /** How long to wait before retrying when the working-groups limit is reached (default 5 s). */
  waitMs?: number;
  /** Check buying power by a dry-run of `order` (default true; a legged group of more than 4 legs has no one order). */
  dryRun?: boolean;
}

/**
 * Entries need `active`; exits (and compensation, which only reduces) are allowed when `halted` and `reducing`.
 * The dry-run runs for entries only: a closing order frees buying power, and Tastytrade's preflight can refuse a
 * close right after the opening fill while its ledger catches up.
 *
 * An exit is never denied and never subject to entry limits (legs per group, working groups, buying power): whatever
 * stops it now (market closed, a stale or missing quote) makes it `wait`, so the trade stays managed. A flatten exit
 * does not wait for quotes (nor does one closing what the broker's settlements left): it was priced from the chain's
 * last marks and must go out as soon as the market is open.
 */
export async function preTradeGate(
  ctx: ExecContext,
  group: GroupRow,
  order: OrderRequest,
  options: GateOptions = {},
): Promise<GateDecision> {
  const intent = group.intent;
  const entry = intent.kind === 'entry';
  const state = await ctx.store.tradingState.get();
  if (entry && state.state !== 'active')
    return { kind: 'denied', reason: `trading is ${state.state}${state.reason ? ` (${state.reason})` : ''}` };

  const session = await ctx.broker.marketSession();
  if (session.state !== 'Open') {
    const reason = `market is ${session.state}`;
    return entry
      ? { kind: 'denied', reason }
      : { kind: 'wait', ms: untilOpenMs(session, ctx.now()), reason, replan: true };
  }

  const ruleSet = entry ? await loadRuleSet(ctx, intent.ruleSet, intent.rulesHash) : undefined;
  if (ruleSet && intent.legs.length > ruleSet.risk.maxLegsPerGroup) {
    return {
      kind: 'denied',
      reason: `${intent.legs.length} legs exceed maxLegsPerGroup ${ruleSet.risk.maxLegsPerGroup}`,
    };
  }

  if (entry || !PRICED_FROM_POSITIONS.has(intent.reason ?? '')) {
    let quote: Awaited<ReturnType<typeof quotePackage>>;
    try {
      quote = await quotePackage(ctx, intent.legs);
    } catch (error) {
      if (entry) throw error;
      return {
        kind: 'wait',
        ms: EXIT_QUOTE_WAIT_MS,
        reason: `no quotes: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const maxAge = options.quoteMaxAgeMs ?? 15_000;
    const age = ctx.now() - quote.oldestAt;
    const problem =
      quote.missing.length > 0
        ? `no two-sided quote for ${quote.missing.join(', ')}`
        : age > maxAge
          ? `quotes are stale (${Math.round(age / 1000)} s old)`
          : undefined;
    if (problem)
      return entry ? { kind: 'denied', reason: problem } : { kind: 'wait', ms: EXIT_QUOTE_WAIT_MS, reason: problem };
  }

  if (ruleSet) {
    const working = await ctx.store.groups.workingEntryCount(group.id);
    if (working >= ruleSet.risk.maxWorkingGroups) {
      return {
        kind: 'wait',
        ms: options.waitMs ?? 5000,
        reason: `${working} groups working (maxWorkingGroups ${ruleSet.risk.maxWorkingGroups})`,
      };
    }
    const account = await checkAccountLimits(ctx, (await ctx.store.trades.get(intent.tradeId))!);
    if (account) {
      const hash = account.accountRulesHash;
      await ctx.store.audit.append({
        kind: 'account_limits_checked',
        tradeId: intent.tradeId,
        groupId: group.id,
        dedupeKey: `account_limits_checked:${group.id}:${account.ok ? 'ok' : 'denied'}`,
        data: {
          ok: account.ok,
          accountRulesHash: hash,
          usage: account.usage,
          ...(account.ok ? {} : { limit: account.limit }),
        },
      });
      if (!account.ok)
        return { kind: 'denied', reason: `${account.reason} [account.yaml ${hash?.slice(0, 12) ?? '-'}]` };
    }
    if (options.dryRun !== false) {
      try {
        const dry = await ctx.broker.dryRun(order);
        if (dry.newBuyingPowerCents < 0)
          return { kind: 'denied', reason: `not enough buying power (${dry.buyingPowerChangeCents} cents needed)` };
      } catch (error) {
        if (error instanceof BrokerError && error.kind === 'rejected')
          return { kind: 'denied', reason: `dry-run refused: ${error.message}` };
        throw error;
      }
    }
  }
  return { kind: 'allowed' };
}

/** The working-groups limit a group is held to when it claims a slot: entries their rule set's, exits none. */
export async function slotLimitFor(ctx: ExecContext, group: GroupRow): Promise<number> {
  if (group.kind !== 'entry') return Number.POSITIVE_INFINITY;
  return (await loadRuleSet(ctx, group.intent.ruleSet, group.intent.rulesHash)).risk.maxWorkingGroups;
}
