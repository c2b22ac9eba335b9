// Owns deferring an exit that cannot be sent now and has sent nothing: its planned order is marked denied (never
// sent), the group ends `cancelled` ("deferred: …") and the trade is `open` again, so the next exit cycle in which the
// exit can go (market open, fresh quotes) plans it anew with fresh prices. Never used once an order reached the broker.
import type { GroupRow, TradeRow } from '../../domain/records.js';
import type { ExecContext } from '../execution-context.js';
import { groupResult } from './group-result.js';
import type { GateDecision } from './pre-trade-gate.js';
import type { ExecuteResult } from './plan-entry.js';

/** An exit still waiting (planned, nothing sent) after this long is deferred and re-planned rather than kept waiting. */
export const EXIT_MAX_WAIT_MS = 5 * 60_000;

/** Whether a `wait` from the gate should defer this exit group (long wait, or waited too long already). */
export function shouldDefer(
  group: GroupRow,
  decision: Extract<GateDecision, { kind: 'wait' }>,
  nowMs: number,
): boolean {
  // Group timestamps are written from the same clock (src/store/store-clock.ts): broker time on both sides
  return group.kind === 'exit' && (decision.replan === true || nowMs - group.createdAt.getTime() > EXIT_MAX_WAIT_MS);
}

export async function deferExit(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  why: string,
): Promise<ExecuteResult> {
  const orders = await ctx.store.orders.ofGroup(group.id);
  if (orders.some((o) => o.status !== 'planned'))
    throw new Error(`exit group ${group.id} has sent orders; it cannot be deferred`);
  const reason = `deferred: ${why}`;
  for (const o of orders)
    await ctx.store.orders.transition(o.id, { type: 'Denied', reason }, 'local', {
      rejectReason: reason.slice(0, 500),
    });
  if (await ctx.store.groups.move(group.id, 'Cancelled', { filledUnits: 0, reason })) {
    await ctx.store.trades.move(trade.id, 'ExitEnded');
    await ctx.store.audit.append({
      kind: 'exit_deferred',
      tradeId: trade.id,
      groupId: group.id,
      dedupeKey: `exit_deferred:${group.id}`,
      data: { reason: why, exitReason: group.intent.reason ?? null },
    });
    ctx.log.info({ groupId: group.id, tradeId: trade.id, why }, 'exit deferred; it is planned again when it can go');
  }
  return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
}
