// Owns what both legged paths (entry: execute/legged.ts, exit: execute/legged-exit.ts) share: their options and
// defaults (every wait bounded), the result they report, and parking a group whose order has an unknown outcome.
import type { GroupIntent } from '../../domain/order-group.js';
import { COMPENSATION_DEFAULTS, type CompensationOptions } from './compensation.js';
import type { ExecContext } from '../execution-context.js';
import type { LegWaitOptions } from './leg-wait.js';
import type { ExecuteResult } from './plan-entry.js';

export interface LeggedOptions extends CompensationOptions, LegWaitOptions {
  /** How long to wait for a fresh quote of every leg still to be sent before giving up (default 10 s). */
  quoteWaitMs: number;
  /** Orders tried per symbol by a legged exit before it ends with what is left (default 3). */
  maxExitAttempts: number;
}

export const leggedDefaults = (intent: GroupIntent): LeggedOptions => ({
  legTimeoutMs: Math.max(1, intent.pricing.fillTimeoutSeconds) * 1000,
  legWaitMs: 30_000,
  closeTimeoutMs: Math.max(1, intent.pricing.fillTimeoutSeconds) * 1000,
  maxCloseAttempts: 5,
  closeBackoffMs: 500,
  pollMs: 250,
  quoteWaitMs: 10_000,
  maxExitAttempts: 3,
  ...COMPENSATION_DEFAULTS,
});

export async function leggedResult(
  ctx: ExecContext,
  groupId: string,
  reason?: string,
  retryAfterMs?: number,
): Promise<ExecuteResult> {
  const g = (await ctx.store.groups.get(groupId))!;
  const orders = await ctx.store.orders.ofGroup(groupId);
  const why = reason ?? g.reason ?? undefined;
  return {
    groupId,
    status: g.status,
    filledUnits: g.filledUnits,
    orders: orders.length,
    ...(why ? { reason: why } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** A child's outcome is unknown: the group waits in `submitting` until reconciliation settles it and re-enqueues us. */
export async function waitForReconcile(ctx: ExecContext, groupId: string): Promise<ExecuteResult> {
  await ctx.store.groups.move(groupId, 'AwaitingReconcile');
  return leggedResult(ctx, groupId, 'waiting for reconciliation of an order with an unknown outcome');
}

/** Signed net per structure unit of a group's fills so far, per share (credit +, debit −). */
export async function groupNetPerUnit(ctx: ExecContext, groupId: string, units: number): Promise<number> {
  return Math.round((await ctx.store.fills.cashOfGroup(groupId)) / Math.max(1, units));
}
