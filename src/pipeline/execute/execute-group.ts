// Owns running one order group: plan it if it is a new entry (idempotent; an approved trade whose credit fell below its
// floor is refused there), hold the group's lock so two deliveries of the same job never act at once, return at once
// when it is settled, and dispatch by mode (combo | legged).
import { isTerminalGroup } from '../../domain/order-group.js';
import { isTerminalTrade } from '../../domain/trade-transitions.js';
import type { ExecContext } from '../execution-context.js';
import { executeCombo } from './combo.js';
import { executeLegged } from './legged.js';
import { groupResult } from './group-result.js';
import type { GroupIntent } from '../../domain/order-group.js';
import type { GroupRow, TradeRow } from '../../domain/records.js';
import type { Store } from '../store-port.js';
import { notifyApproval } from '../approval.js';
import { entryPlan, type ExecuteResult } from './plan-entry.js';

/** The job names a trade Postgres does not have (e.g. a database restored without Redis): retrying cannot help. */
export class MissingTradeError extends Error {
  override name = 'MissingTradeError';
}

export type { ExecuteResult } from './plan-entry.js';

/**
 * Runs (or resumes) a group from what Postgres holds. Safe to call any number of times, concurrently too: the group's
 * advisory lock serialises runs (a second run waits, then sees the first one's result); a run of a killed process
 * loses its lock with its connection, so a redelivered job resumes at once.
 */
export async function executeGroup(ctx: ExecContext, tradeId: string, groupId: string): Promise<ExecuteResult> {
  const before = await ctx.store.groups.get(groupId);
  if (before && isTerminalGroup(before.status)) return groupResult(ctx, before);
  const waitMs = ((before?.intent.pricing.fillTimeoutSeconds ?? 60) + 60) * 1000;
  return withGroupLock(ctx, groupId, waitMs, async () => {
    let group = await ctx.store.groups.get(groupId);
    if (!group) {
      const trade = await ctx.store.trades.get(tradeId);
      if (!trade) throw new MissingTradeError(`trade ${tradeId} not found`);
      if (trade.entryGroupId !== groupId)
        throw new Error(`order group ${groupId} does not exist and is not trade ${tradeId}'s entry`);
      // Checked under the group lock the repair pass also takes before it rejects a stale entry: never both. A trade
      // settled meanwhile (rejected by the repair pass, cancelled by a trader) is a finished job, not a failed one
      if (isTerminalTrade(trade.status)) {
        const reason = `trade ${tradeId} is already ${trade.status}: nothing to plan`;
        ctx.log.info({ groupId, tradeId }, reason);
        return { groupId, status: 'not_planned', filledUnits: 0, orders: 0, reason };
      }
      if (trade.status !== 'pending')
        throw new Error(`trade ${tradeId} is ${trade.status}; only a pending trade gets an entry group`);
      const { intent, refusal } = await entryPlan(ctx, trade);
      // A refused entry is recorded denied in the same transaction it is planned in: a crash cannot leave it planned
      if (refusal) return refuseAtApproval(ctx, groupId, trade, intent, refusal);
      group = await insertPlanned(ctx.store, groupId, intent);
    }
    if (isTerminalGroup(group.status)) return groupResult(ctx, group);
    const trade = await ctx.store.trades.get(group.tradeId);
    if (!trade) throw new MissingTradeError(`trade ${group.tradeId} of group ${groupId} not found`);
    return group.intent.mode === 'legged' ? executeLegged(ctx, group, trade) : executeCombo(ctx, group, trade);
  });
}

/** Writes the entry's intent (the group, `planned`) and its `order_planned` audit event. */
async function insertPlanned(store: Store, groupId: string, intent: GroupIntent): Promise<GroupRow> {
  const { group } = await store.groups.insert(groupId, intent);
  await store.audit.append({
    kind: 'order_planned',
    tradeId: intent.tradeId,
    groupId,
    dedupeKey: `group_planned:${groupId}`,
    data: {
      kind: intent.kind,
      mode: intent.mode,
      quantity: intent.quantity,
      pricing: { ...intent.pricing },
      partialFill: intent.partialFill,
    },
  });
  return group;
}

/**
 * An approved trade whose credit fell below the floor while it waited: its entry group is written planned and denied
 * at once (nothing is sent) and the trade ends `rejected` with the reason, in one transaction, audited like a gate
 * denial (`trade_skipped`, `atApproval`); then the notifier is told. A redelivered job finds the group settled.
 */
async function refuseAtApproval(
  ctx: ExecContext,
  groupId: string,
  trade: TradeRow,
  intent: GroupIntent,
  reason: string,
): Promise<ExecuteResult> {
  await ctx.store.tx(async (tx) => {
    await insertPlanned(tx, groupId, intent);
    await tx.groups.move(groupId, 'Denied', { reason });
    await tx.trades.move(trade.id, 'EntryRejected', { exitReason: reason });
    await tx.audit.append({
      kind: 'trade_skipped',
      tradeId: trade.id,
      groupId,
      dedupeKey: `group_denied:${groupId}`,
      data: { reason, kind: 'entry', atApproval: true, approvedBy: trade.approvalBy },
    });
  });
  ctx.log.info({ groupId, tradeId: trade.id, reason }, 'approved trade refused: its credit fell below the floor');
  const after = await ctx.store.trades.get(trade.id);
  if (after)
    await notifyApproval(ctx, 'refused', (n) =>
      n.resolved(after, { kind: 'refused', by: trade.approvalBy ?? 'unknown', reason }),
    );
  return groupResult(ctx, (await ctx.store.groups.get(groupId))!);
}

/** One run of a group at a time: the Store's group lock (a session lock: released by `release`, or when the process dies). */
async function withGroupLock(
  ctx: ExecContext,
  groupId: string,
  waitMs: number,
  work: () => Promise<ExecuteResult>,
): Promise<ExecuteResult> {
  const lock = await ctx.store.groupLock(groupId);
  try {
    const until = ctx.now() + waitMs;
    for (;;) {
      if (await lock.tryAcquire()) break;
      if (ctx.now() > until) {
        const group = await ctx.store.groups.get(groupId);
        if (!group) throw new Error(`order group ${groupId} is locked by another run and not planned yet`);
        return groupResult(ctx, group, { reason: 'another run of this group is still active' });
      }
      await ctx.sleep(250);
    }
    return await work();
  } finally {
    // Bounded: a hung unlock would hold the job forever (see SessionLock.release)
    await lock.release();
  }
}
