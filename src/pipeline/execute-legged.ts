// Owns the legged executor: one single-leg order per leg, placed in sequence (protective legs first), each waiting
// for its fill; any rejection or timeout rolls the group back through compensation.ts. Every step is read back from
// Postgres (orders and their statuses are the saga state), so a run after a crash resumes where the last one stopped.
import type { OrderRequest } from '../domain/broker-order.js';
import { loadRuleSet, type ExecuteResult } from './plan-entry.js';
import { claimWorkingSlot, preTradeGate } from './pre-trade-gate.js';
import { deterministicId } from '../domain/ids.js';
import { fitsOneOrder, isTerminalGroup, type GroupIntent, type GroupStatus, type IntentLeg } from '../domain/order-group.js';
import { isTerminalOrder } from '../domain/order.js';
import { appendAudit } from '../store/audit.repo.js';
import { getGroup, moveGroup, type GroupRow } from '../store/groups.repo.js';
import { getOrder, insertPlannedOrder, ordersOfGroup, type OrderRow } from '../store/orders.repo.js';
import { setTradingState } from '../store/settings.repo.js';
import { moveTrade, type TradeRow, type TradeStatus } from '../store/trades.repo.js';
import { realizedNetOfFees, syncTradeFees } from './fees.js';
import { cancelOrder, compensate, isUnsettled, refreshOrder, type CompensationOptions } from './compensation.js';
import type { ExecContext } from './exec-context.js';
import { submitOnce } from './order-submission.js';

export type { ExecuteResult };

export interface LeggedOptions extends CompensationOptions {
  /** How long one leg may work before the group is rolled back (default: the intent's fillTimeoutSeconds). */
  legTimeoutMs: number;
}

const defaults = (intent: GroupIntent): LeggedOptions => ({
  legTimeoutMs: Math.max(1, intent.pricing.fillTimeoutSeconds) * 1000,
  closeTimeoutMs: Math.max(1, intent.pricing.fillTimeoutSeconds) * 1000,
  maxCloseAttempts: 5,
  closeBackoffMs: 500,
  pollMs: 150,
});

const isBuy = (l: IntentLeg) => l.action.startsWith('Buy');

/** Placement order: buys first (wings before shorts on entry; shorts bought back first on exit), stable otherwise. */
export function placementOrder(legs: readonly IntentLeg[]): IntentLeg[] {
  return [...legs].map((l, i) => ({ l, i })).sort((a, b) => Number(isBuy(b.l)) - Number(isBuy(a.l)) || a.i - b.i).map((x) => x.l);
}

/** A limit at the natural price of one contract from a fresh snapshot: buy at the ask (debit −), sell at the bid (credit +). */
async function naturalLimit(ctx: ExecContext, streamerSymbol: string | undefined, buy: boolean): Promise<number> {
  const snap = streamerSymbol ? await ctx.marketData.snapshot([streamerSymbol], { timeoutMs: 3000 }).catch(() => undefined) : undefined;
  const q = streamerSymbol ? snap?.quotes.get(streamerSymbol) : undefined;
  const cents = Math.round(((buy ? q?.ask : q?.bid) ?? 0) * 100);
  const tick = cents >= 300 ? 5 : 1;
  if (buy) return -(cents > 0 ? Math.ceil(cents / tick) * tick : 5);
  return Math.max(1, Math.floor(cents / tick) * tick);
}

async function result(ctx: ExecContext, groupId: string, reason?: string, retryAfterMs?: number): Promise<ExecuteResult> {
  const g = (await getGroup(ctx.sql, groupId))!;
  const orders = await ordersOfGroup(ctx.sql, groupId);
  const why = reason ?? g.reason ?? undefined;
  return { groupId, status: g.status, filledUnits: g.filledUnits, orders: orders.length, ...(why ? { reason: why } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Waits for one leg to fill; past its deadline (from the persisted submit time) it is cancelled. */
async function awaitLeg(ctx: ExecContext, start: OrderRow, opts: LeggedOptions): Promise<OrderRow> {
  let order = start;
  for (;;) {
    order = await refreshOrder(ctx, (await getOrder(ctx.sql, order.id))!);
    if (isTerminalOrder(order.status) || isUnsettled(order)) return order;
    const deadline = (order.submittedAt?.getTime() ?? ctx.now()) + opts.legTimeoutMs;
    if (ctx.now() >= deadline) {
      // Sends the cancel, and sends it again while the broker has not confirmed it (cancelOrder throttles)
      order = await cancelOrder(ctx, order);
      if (isTerminalOrder(order.status)) return order;
    }
    await ctx.sleep(opts.pollMs);
  }
}

export async function executeLegged(ctx: ExecContext, group: GroupRow, trade: TradeRow, options: Partial<LeggedOptions> = {}): Promise<ExecuteResult> {
  const intent = group.intent;
  const opts = { ...defaults(intent), ...options };
  const streamerOf = new Map(trade.legs.map((l) => [l.symbol, l.streamerSymbol]));
  const current = (await getGroup(ctx.sql, group.id))!;
  if (isTerminalGroup(current.status)) return result(ctx, group.id);
  if (current.status === 'compensating') return rollBack(ctx, current, trade, current.reason ?? 'resumed rollback', streamerOf, opts);

  const legs = placementOrder(intent.legs);
  const existing = await ordersOfGroup(ctx.sql, group.id);
  if (existing.some(isUnsettled)) return waitForReconcile(ctx, group.id);
  if (existing.length === 0 && current.status === 'planned') {
    const stop = await gateAndClaim(ctx, current, trade);
    if (stop) return stop;
  }

  for (let seq = 0; seq < legs.length; seq++) {
    const leg = legs[seq]!;
    const quantity = leg.ratio * intent.quantity;
    let order =
      existing.find((o) => o.role === 'leg' && o.seq === seq) ??
      (
        await insertPlannedOrder(ctx.sql, {
          id: deterministicId('leg', group.id, String(seq)),
          groupId: group.id,
          role: 'leg',
          seq,
          legs: [{ symbol: leg.symbol, instrumentType: 'Equity Option', action: leg.action, quantity }],
          size: quantity,
          limitPriceCents: await naturalLimit(ctx, streamerOf.get(leg.symbol), isBuy(leg)),
        })
      ).order;
    if (order.status === 'planned') {
      await moveGroup(ctx.sql, group.id, 'SlotClaimed'); // no-op once the slot was claimed
      if (intent.kind === 'entry') await moveTrade(ctx.sql, trade.id, 'EntrySent');
      order = (await submitOnce(ctx, order.id, trade.id)).order;
    }
    if (isUnsettled(order)) return waitForReconcile(ctx, group.id);
    await moveGroup(ctx.sql, group.id, 'Working');
    order = order.status === 'filled' ? order : await awaitLeg(ctx, order, opts);
    if (isUnsettled(order)) return waitForReconcile(ctx, group.id);
    if (order.status !== 'filled') {
      const why = `leg ${seq} (${leg.action} ${leg.symbol}) ${order.status}${order.rejectReason ? `: ${order.rejectReason}` : ''}`;
      return rollBack(ctx, (await getGroup(ctx.sql, group.id))!, trade, why, streamerOf, opts);
    }
  }

  const [cash] = await ctx.sql<{ net: number }[]>`select coalesce(sum(case when action like 'Buy%' then -price_cents else price_cents end * quantity), 0)::bigint as net
    from fills where group_id = ${group.id}`;
  const perUnit = Math.round((cash?.net ?? 0) / Math.max(1, intent.quantity));
  if (await moveGroup(ctx.sql, group.id, 'Filled', { filledUnits: intent.quantity })) {
    if (intent.kind === 'entry') {
      await moveTrade(ctx.sql, trade.id, 'Opened', { entryCreditCents: perUnit });
      await syncTradeFees(ctx, trade.id, trade.underlying);
    } else {
      const { realizedCents } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
      await moveTrade(ctx.sql, trade.id, 'Closed', { exitDebitCents: -perUnit, realizedPnlCents: realizedCents });
    }
  }
  return result(ctx, group.id);
}

/**
 * The same last check as a combo entry, before the first leg: trading state, session, fresh quotes, the limits, and
 * buying power by a dry-run of the whole structure as one package (≤ 4 legs; Tastytrade takes no larger order), then
 * a working-group slot. Returns a result when the group must stop (denied) or come back later (slot, limit).
 */
async function gateAndClaim(ctx: ExecContext, group: GroupRow, trade: TradeRow): Promise<ExecuteResult | undefined> {
  const intent = group.intent;
  const packageRequest: OrderRequest = {
    orderType: 'Limit',
    timeInForce: 'Day',
    limitPriceCents: intent.pricing.startCents,
    legs: intent.legs.map((l) => ({ symbol: l.symbol, instrumentType: l.instrumentType, quantity: l.ratio * intent.quantity, action: l.action })),
  };
  const decision = await preTradeGate(ctx, group, packageRequest, { dryRun: fitsOneOrder(intent.legs) });
  if (decision.kind === 'wait') return result(ctx, group.id, decision.reason, decision.ms);
  if (decision.kind === 'denied') {
    if (await moveGroup(ctx.sql, group.id, 'Denied', { reason: decision.reason })) {
      if (intent.kind === 'entry') await moveTrade(ctx.sql, trade.id, 'EntryRejected', { exitReason: `denied: ${decision.reason}` });
      await appendAudit(ctx.sql, { kind: 'trade_skipped', tradeId: trade.id, groupId: group.id, dedupeKey: `group_denied:${group.id}`, data: { reason: decision.reason, kind: intent.kind } });
      ctx.log.info({ groupId: group.id, tradeId: trade.id, reason: decision.reason }, 'legged group denied by the pre-trade gate');
    }
    return result(ctx, group.id);
  }
  const ruleSet = await loadRuleSet(ctx, intent.ruleSet, intent.rulesHash);
  const claim = await claimWorkingSlot(ctx.sql, group, ruleSet.risk.maxWorkingGroups);
  if (claim === 'full') return result(ctx, group.id, 'working-groups limit reached', 5000);
  if (claim === 'lost') return result(ctx, group.id, 'another run moved the group');
  return undefined;
}

/** A child's outcome is unknown: the group waits in `submitting` until reconciliation settles it and re-enqueues us. */
async function waitForReconcile(ctx: ExecContext, groupId: string): Promise<ExecuteResult> {
  await moveGroup(ctx.sql, groupId, 'AwaitingReconcile');
  return result(ctx, groupId, 'waiting for reconciliation of an order with an unknown outcome');
}

async function rollBack(ctx: ExecContext, group: GroupRow, trade: TradeRow, reason: string, streamerOf: Map<string, string>, opts: LeggedOptions): Promise<ExecuteResult> {
  await moveGroup(ctx.sql, group.id, 'CompensationStarted', { reason });
  await appendAudit(ctx.sql, { kind: 'rollback', tradeId: trade.id, groupId: group.id, dedupeKey: `rollback_started:${group.id}`, data: { phase: 'started', reason } });
  const step = await compensate(ctx, group.id, group.intent, streamerOf, opts);
  if (step.kind === 'waiting_unknown') return result(ctx, group.id, 'compensation waits for reconciliation');
  const entry = group.intent.kind === 'entry';
  if (step.kind === 'flat') {
    const to = step.hadFills ? 'rolled_back' : 'cancelled';
    // The rollback's cost (spread paid + fees) is the trade's realised P&L
    const cost = entry && step.hadFills ? await realizedNetOfFees(ctx, trade.id, trade.underlying) : undefined;
    if (await moveGroup(ctx.sql, group.id, step.hadFills ? 'RolledBack' : 'Cancelled')) {
      await moveTrade(ctx.sql, trade.id, entry ? (step.hadFills ? 'EntryRolledBack' : 'EntryRejected') : 'ExitEnded', cost ? { realizedPnlCents: cost.realizedCents } : {});
      await appendAudit(ctx.sql, { kind: 'rollback', tradeId: trade.id, groupId: group.id, dedupeKey: `rollback_done:${group.id}`, data: { phase: 'flat', status: to, ...(cost ? { realizedPnlCents: cost.realizedCents, spreadCents: cost.cashCents, feeCents: cost.feeCents } : {}) } });
    }
    return result(ctx, group.id);
  }
  if (await moveGroup(ctx.sql, group.id, 'Broken', { reason: step.reason })) {
    await moveTrade(ctx.sql, trade.id, 'Broken');
    await setTradingState(ctx.sql, 'reducing', 'executor', `group ${group.id} broken: ${step.reason}`);
    await ctx.alert('broken_group', `group ${group.id} could not be flattened: ${step.reason}`, { groupId: group.id, tradeId: trade.id });
  }
  return result(ctx, group.id);
}

