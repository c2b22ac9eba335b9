// Owns deferring an exit that cannot be sent now and has sent nothing: its planned order is marked denied (never
// sent), the group ends `cancelled` ("deferred: …") and the trade is `open` again, so the next exit cycle in which the
// exit can go (market open, fresh quotes) plans it anew with fresh prices. Never used once an order reached the broker.
import { appendAudit } from '../../store/audit.repo.js';
import { getGroup, moveGroup, type GroupRow } from '../../store/groups.repo.js';
import { ordersOfGroup, transitionOrder } from '../../store/orders.repo.js';
import { moveTrade, type TradeRow } from '../../store/trades.repo.js';
import type { ExecContext } from '../execution-context.js';
import { groupResult } from './group-result.js';
import type { GateDecision } from './pre-trade-gate.js';
import type { ExecuteResult } from './plan-entry.js';

/** An exit still waiting (planned, nothing sent) after this long is deferred and re-planned rather than kept waiting. */
export const EXIT_MAX_WAIT_MS = 5 * 60_000;

/** Whether a `wait` from the gate should defer this exit group (long wait, or waited too long already). */
export function shouldDefer(group: GroupRow, decision: Extract<GateDecision, { kind: 'wait' }>, nowMs: number): boolean {
  // Group timestamps are written from the same clock (src/store/store-clock.ts): broker time on both sides
  return group.kind === 'exit' && (decision.replan === true || nowMs - group.createdAt.getTime() > EXIT_MAX_WAIT_MS);
}

export async function deferExit(ctx: ExecContext, group: GroupRow, trade: TradeRow, why: string): Promise<ExecuteResult> {
  const orders = await ordersOfGroup(ctx.sql, group.id);
  if (orders.some((o) => o.status !== 'planned')) throw new Error(`exit group ${group.id} has sent orders; it cannot be deferred`);
  const reason = `deferred: ${why}`;
  for (const o of orders) await transitionOrder(ctx.sql, o.id, { type: 'Denied', reason }, 'local', { rejectReason: reason.slice(0, 500) });
  if (await moveGroup(ctx.sql, group.id, 'Cancelled', { filledUnits: 0, reason })) {
    await moveTrade(ctx.sql, trade.id, 'ExitEnded');
    await appendAudit(ctx.sql, { kind: 'exit_deferred', tradeId: trade.id, groupId: group.id, dedupeKey: `exit_deferred:${group.id}`, data: { reason: why, exitReason: group.intent.reason ?? null } });
    ctx.log.info({ groupId: group.id, tradeId: trade.id, why }, 'exit deferred; it is planned again when it can go');
  }
  return groupResult(ctx, (await getGroup(ctx.sql, group.id))!);
}
