// Owns the executor's broker round-trips for one of our orders: re-read it from the broker and apply it (following
// replaces, and a replace that lost the race to a fill), cancel it, find an unknown one by our id, wait for the end.
import type { OrderRow } from '../../domain/records.js';
import { BrokerError } from '../../domain/broker-error.js';
import { filledUnits, type BrokerOrder } from '../../domain/broker-order.js';
import { isTerminalOrder } from '../../domain/order.js';
import { applyBrokerOrder } from '../broker-sync.js';
import type { ExecContext } from '../execution-context.js';

const transient = (error: unknown): boolean =>
  error instanceof BrokerError && (error.kind === 'retryable' || error.kind === 'unknown');

/** Polls the broker for the order's current broker id and applies what it says; returns the row as Postgres has it. */
export async function refreshOrder(ctx: ExecContext, order: OrderRow): Promise<OrderRow> {
  if (order.brokerOrderId === null) return (await ctx.store.orders.get(order.id))!;
  let bo: BrokerOrder;
  try {
    bo = await ctx.broker.getOrder(order.brokerOrderId);
  } catch (error) {
    if (!transient(error)) throw error;
    ctx.log.warn({ err: error, orderId: order.id }, 'order poll failed; trying again');
    return (await ctx.store.orders.get(order.id))!;
  }
  // A replacement refused because the original filled first: the original is the live record again
  if (bo.status === 'rejected' && bo.replacesOrderId !== undefined) {
    const original = await ctx.broker.getOrder(bo.replacesOrderId);
    if (original.legs.some((l) => l.fills.length > 0)) {
      await applyBrokerOrder(ctx, original, 'poll');
      const now = (await ctx.store.orders.get(order.id))!;
      const units = Math.max(now.filledUnits, filledUnits(original));
      await ctx.store.orders.transition(
        order.id,
        { type: 'BrokerUpdate', brokerStatus: original.status, filledUnits: units, size: order.size },
        'poll',
        {
          brokerOrderId: original.brokerOrderId,
          brokerStatus: original.rawStatus,
          filledUnits: units,
        },
      );
      return (await ctx.store.orders.get(order.id))!;
    }
  }
  await applyBrokerOrder(ctx, bo, 'poll');
  return (await ctx.store.orders.get(order.id))!;
}

/** Asks the broker to cancel; a refusal (already terminal) is fine: the next poll tells what happened. */
export async function requestCancel(ctx: ExecContext, order: OrderRow): Promise<void> {
  if (order.brokerOrderId === null || isTerminalOrder(order.status)) return;
  try {
    const bo = await ctx.broker.cancel(order.brokerOrderId);
    await ctx.store.orders.transition(order.id, { type: 'CancelRequested' }, 'local');
    await applyBrokerOrder(ctx, bo, 'http');
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    ctx.log.warn(
      { err: error, orderId: order.id, brokerOrderId: order.brokerOrderId },
      `cancel refused or failed: ${error.message}`,
    );
  }
}

/**
 * An order whose submit outcome is unknown (or that a crash left in `submitting`): looks it up by our id a few times
 * over a few seconds. Found → applied (every broker id of its replace chain, oldest first). Never re-sends.
 */
export async function lookUpUnknown(ctx: ExecContext, order: OrderRow, tries = 4): Promise<OrderRow | undefined> {
  for (let i = 0; i < tries; i++) {
    if (i > 0) await ctx.sleep(1000 * i);
    let found: BrokerOrder[];
    try {
      found = await ctx.broker.findByExternalId(order.id);
    } catch (error) {
      if (!transient(error)) throw error;
      continue;
    }
    if (found.length === 0) continue;
    for (const bo of [...found].sort((a, b) => a.brokerOrderId - b.brokerOrderId))
      await applyBrokerOrder(ctx, bo, 'reconcile');
    const row = (await ctx.store.orders.get(order.id))!;
    if (row.status !== 'unknown' && row.status !== 'submitting') return row;
  }
  return undefined;
}

/** Tastytrade's raw statuses that end an order. */
const BROKER_ENDED = new Set(['Filled', 'Cancelled', 'Expired', 'Rejected', 'Removed', 'Partially Removed']);

/** How long an order the broker says has ended is re-read for the fills it counts before it is left to reconciliation. */
export const FILLS_SETTLE_MS = 30_000;

/** The broker says the order ended, but not all its fills have reached us (broker-sync keeps it non-terminal then). */
export const fillsLagging = (order: OrderRow): boolean =>
  !isTerminalOrder(order.status) && order.brokerStatus !== null && BROKER_ENDED.has(order.brokerStatus);

/** Re-reads an order whose fills lag until they add up (it turns terminal) or `timeoutMs` passes. Sends nothing. */
export async function awaitFills(ctx: ExecContext, order: OrderRow, timeoutMs = FILLS_SETTLE_MS): Promise<OrderRow> {
  const until = ctx.now() + timeoutMs;
  let row = order;
  while (!isTerminalOrder(row.status) && ctx.now() <= until) {
    await ctx.sleep(250);
    row = await refreshOrder(ctx, row);
  }
  return row;
}

/** Polls until the order is terminal or `timeoutMs` passes (cancel requested again every few seconds). */
export async function waitTerminal(ctx: ExecContext, order: OrderRow, timeoutMs: number): Promise<OrderRow> {
  const until = ctx.now() + timeoutMs;
  let lastCancel = ctx.now();
  let row = order;
  for (;;) {
    row = await refreshOrder(ctx, row);
    if (isTerminalOrder(row.status) || ctx.now() > until) return row;
    if (ctx.now() - lastCancel > 5000 && !fillsLagging(row)) {
      await requestCancel(ctx, row);
      lastCancel = ctx.now();
    }
    await ctx.sleep(250);
  }
}
