// Owns the repair decision for a trade that nothing is moving: a non-terminal trade with no live order group (or only a
// planned one nothing runs) and no job that will move it (a crash between two writes, a lost job, an exit that ended without telling the trade). Pure:
// the exit cycle (src/pipeline/exit/repair-trades.ts) gathers the rows, applies the decision and audits `trade_repaired`.
import { isTerminalGroup, type GroupStatus } from './order-group.js';
import type { TradeStatus } from './trade-transitions.js';

/** Nothing moved in the trade or its groups for this long: only then is it repaired (a run may be between writes). */
export const REPAIR_AFTER_MS = 60_000;
/** A pending trade whose entry was never planned for this long is rejected instead of queued again (prices moved). */
export const STALE_ENTRY_MS = 10 * 60_000;

export interface RepairTrade {
  status: TradeStatus;
  entryGroupId: string;
  createdAt: Date;
  updatedAt: Date;
  /** When a proposed trade was approved: its entry's staleness counts from then, not from the proposal. */
  approvalAt?: Date | null;
}

export interface RepairGroup {
  id: string;
  kind: 'entry' | 'exit';
  status: GroupStatus;
  updatedAt: Date;
}

export type RepairDecision =
  | { kind: 'none'; why: string }
  /** closing without a live exit group: the trade is open again and the exit rules manage it. */
  | { kind: 'exit_ended'; why: string }
  /** pending and never planned: its execute job is enqueued again. */
  | { kind: 'requeue_entry'; why: string }
  /** pending, nothing was ever sent: rejected. */
  | { kind: 'reject_entry'; why: string }
  /** The entry group ended but the trade did not follow: read the entry's orders from the broker, then decide. */
  | { kind: 'reconcile_entry'; why: string }
  /**
   * A group still `planned` long after anything moved: its execute job is gone (never enqueued, or finished for good,
   * e.g. its attempts spent while PostgreSQL restarted, so a re-enqueue under the same job id was a no-op). A new job.
   */
  | { kind: 'requeue_group'; groupId: string; why: string };

export interface RepairOptions {
  repairAfterMs: number;
  staleEntryMs: number;
}

const LIVE: ReadonlySet<GroupStatus> = new Set(['planned', 'submitting', 'working', 'compensating']);

export function repairDecision(
  trade: RepairTrade,
  groups: readonly RepairGroup[],
  nowMs: number,
  options: Partial<RepairOptions> = {},
): RepairDecision {
  const { repairAfterMs, staleEntryMs } = { repairAfterMs: REPAIR_AFTER_MS, staleEntryMs: STALE_ENTRY_MS, ...options };
  if (trade.status === 'awaiting_approval')
    return { kind: 'none', why: 'awaiting approval: decided by a human or expired by the approval sweep' };
  if (trade.status !== 'pending' && trade.status !== 'opening' && trade.status !== 'closing') {
    return { kind: 'none', why: `${trade.status} is settled or managed by the exit cycle` };
  }
  const lastMove = Math.max(trade.updatedAt.getTime(), ...groups.map((g) => g.updatedAt.getTime()));
  const live = groups.find((g) => LIVE.has(g.status));
  if (live?.status === 'planned' && nowMs - lastMove >= repairAfterMs) {
    return { kind: 'requeue_group', groupId: live.id, why: `${live.kind} group planned with nothing moving it` };
  }
  if (live) return { kind: 'none', why: `group ${live.id} is ${live.status}` };
  if (nowMs - lastMove < repairAfterMs) return { kind: 'none', why: 'moved recently' };

  if (trade.status === 'closing') return { kind: 'exit_ended', why: 'closing with no live exit group' };
  const entry = groups.find((g) => g.id === trade.entryGroupId);
  if (trade.status === 'pending') {
    if (!entry) {
      const since = Math.max(trade.createdAt.getTime(), trade.approvalAt?.getTime() ?? 0);
      return nowMs - since >= staleEntryMs
        ? { kind: 'reject_entry', why: `entry never planned in ${Math.round(staleEntryMs / 60_000)} min` }
        : { kind: 'requeue_entry', why: 'pending and never planned' };
    }
    if (entry.status === 'denied') return { kind: 'reject_entry', why: 'entry group denied' };
  }
  if (entry && !isTerminalGroup(entry.status)) return { kind: 'none', why: `entry group is ${entry.status}` };
  return {
    kind: 'reconcile_entry',
    why: entry ? `${trade.status} but its entry group is ${entry.status}` : `${trade.status} with no entry group`,
  };
}

export interface HeldLeg {
  symbol: string;
  action: 'Buy to Open' | 'Sell to Open';
  /** Contracts per structure. */
  quantity: number;
}

export interface HeldPosition {
  symbol: string;
  /** Signed contracts (long +, short −). */
  quantity: number;
  /** Net cash of the fills, cents (credit +). */
  cashCents: number;
}

export type EntryOutcome =
  | { event: 'Opened'; units: number; entryCreditCents: number }
  | { event: 'EntryRejected' }
  | { event: 'EntryRolledBack'; realizedPnlCents: number }
  | { event: 'Broken'; reason: string };

/** What an entry that ended without moving its trade left, from the trade's positions (fills, after the broker re-read). */
export function entryOutcome(legs: readonly HeldLeg[], positions: readonly HeldPosition[]): EntryOutcome {
  const held = positions.filter((p) => p.quantity !== 0);
  if (held.length === 0) {
    const traded = positions.some((p) => p.cashCents !== 0);
    return traded
      ? { event: 'EntryRolledBack', realizedPnlCents: positions.reduce((n, p) => n + p.cashCents, 0) }
      : { event: 'EntryRejected' };
  }
  const qty = new Map(held.map((p) => [p.symbol, p.quantity]));
  const per = legs.map((l) => ((l.action === 'Sell to Open' ? -1 : 1) * (qty.get(l.symbol) ?? 0)) / l.quantity);
  const units = per[0] ?? 0;
  const whole =
    units >= 1 &&
    Number.isInteger(units) &&
    per.every((u) => u === units) &&
    held.every((p) => legs.some((l) => l.symbol === p.symbol));
  if (!whole)
    return {
      event: 'Broken',
      reason: `entry left ${held.map((p) => `${p.symbol} ${p.quantity}`).join(', ')}: not a whole structure`,
    };
  const cash = positions.reduce((n, p) => n + p.cashCents, 0);
  return { event: 'Opened', units, entryCreditCents: Math.round(cash / (units * 100)) };
}
