// Owns one single-leg order of a legged group at the broker (re-read, cancel, cancel resent) and waiting for it:
// Postgres is read every `pollMs` (stream pushes land there), the broker at most once per `brokerPollMs` per order;
// past its leg timeout it is cancelled; a stop condition (a halt) is checked on every pass; a hard deadline bounds it.
import type { OrderRow } from '../../domain/records.js';
import { isTerminalOrder } from '../../domain/order.js';
import { applyBrokerOrder } from '../broker-sync.js';
import type { ExecContext } from '../execution-context.js';

/** An order in the crash window or with an unknown outcome: nothing may be decided on a guess. */
export const isUnsettled = (o: OrderRow): boolean => o.status === 'submitting' || o.status === 'unknown';

/** Re-reads one order at the broker and applies it (catch-up of missed pushes); returns the refreshed row. */
export async function refreshOrder(ctx: ExecContext, order: OrderRow): Promise<OrderRow> {
  if (order.brokerOrderId === null || isTerminalOrder(order.status) || isUnsettled(order)) return order;
  try {
    const synced = await applyBrokerOrder(ctx, await ctx.broker.getOrder(order.brokerOrderId), 'poll');
    return synced?.order ?? order;
  } catch (error) {
    ctx.log.warn({ orderId: order.id, err: error }, 'order refresh failed');
    return order;
  }
}

/** A cancel not confirmed after this long is sent again (its request may have died: 429, timeout, a crash). */
export const CANCEL_RESEND_MS = 3000;

/**
 * Asks the broker to cancel a working order; a refusal (already filled/cancelled) is settled by re-reading it. An order
 * still pending_cancel CANCEL_RESEND_MS after the last request gets the request again (chaos seed 5001: a lost cancel
 * left a legged entry waiting forever).
 */
export async function cancelOrder(ctx: ExecContext, order: OrderRow): Promise<OrderRow> {
  const resend = order.status === 'pending_cancel' && ctx.now() - order.updatedAt.getTime() >= CANCEL_RESEND_MS;
  if (order.brokerOrderId === null || !(order.status === 'working' || order.status === 'partially_filled' || resend))
    return order;
  await ctx.store.orders.transition(order.id, { type: 'CancelRequested' }, 'local');
  try {
    const response = await ctx.broker.cancel(order.brokerOrderId);
    await applyBrokerOrder(ctx, response, 'http');
  } catch (error) {
    ctx.log.info(
      { orderId: order.id, err: error instanceof Error ? error.message : error },
      'cancel refused; re-reading the order',
    );
  }
  return refreshOrder(ctx, (await ctx.store.orders.get(order.id))!);
}

export interface LegWaitOptions {
  /** How long one leg may work before it is cancelled. */
  legTimeoutMs: number;
  /** Hard bound on the whole wait for one leg, cancel confirmation included (default 30 s; at least the leg timeout + 1 s). */
  legWaitMs: number;
  /** Postgres re-read interval. */
  pollMs: number;
  /** The broker is asked about one order at most this often (default 1 s). */
  brokerPollMs: number;
}

export type LegWaitEnd =
  | { kind: 'settled'; order: OrderRow }
  /** The stop condition fired: the leg was asked to cancel (it may have filled, or still fill: compensation sees it). */
  | { kind: 'stopped'; order: OrderRow; reason: string }
  /** The hard deadline passed with the leg still not terminal. */
  | { kind: 'deadline'; order: OrderRow };

/** Broker reads of one order, throttled: at most one per `everyMs` per order id. */
export class PollThrottle {
  private readonly last = new Map<string, number>();
  constructor(
    private readonly ctx: ExecContext,
    private readonly everyMs: number,
  ) {}

  /** The order was just read another way (its submit response): the next broker read is due a full interval later. */
  touch(orderId: string): void {
    this.last.set(orderId, this.ctx.now());
  }

  async refresh(order: OrderRow): Promise<OrderRow> {
    const now = this.ctx.now();
    if (now - (this.last.get(order.id) ?? -Infinity) < this.everyMs) return order;
    this.last.set(order.id, now);
    return refreshOrder(this.ctx, order);
  }

  /** A cancel re-reads the order itself: that read counts. */
  async cancel(order: OrderRow): Promise<OrderRow> {
    const after = await cancelOrder(this.ctx, order);
    if (after !== order) this.last.set(order.id, this.ctx.now()); // cancelOrder returns the same row when it sent nothing
    return after;
  }
}

/** Anything but `active` stops opening legs: halted (kill switch) and reducing (closing only). */
export async function openingStopped(ctx: ExecContext): Promise<string | undefined> {
  const s = await ctx.store.tradingState.get();
  return s.state === 'active' ? undefined : `trading is ${s.state}${s.reason ? ` (${s.reason})` : ''}`;
}

export async function awaitLeg(
  ctx: ExecContext,
  start: OrderRow,
  opts: LegWaitOptions,
  polls: PollThrottle,
  stop?: () => Promise<string | undefined>,
): Promise<LegWaitEnd> {
  const hardDeadline = ctx.now() + Math.max(opts.legWaitMs, opts.legTimeoutMs + 1000);
  let order = start;
  let stopReason: string | undefined;
  for (;;) {
    order = (await ctx.store.orders.get(order.id))!;
    order = await polls.refresh(order);
    if (isTerminalOrder(order.status) || isUnsettled(order)) return { kind: 'settled', order };
    stopReason ??= stop ? await stop() : undefined;
    const timedOut = ctx.now() >= (order.submittedAt?.getTime() ?? ctx.now()) + opts.legTimeoutMs;
    if (stopReason !== undefined || timedOut) {
      // Sends the cancel, and again while the broker has not confirmed it (cancelOrder throttles the resend)
      order = await polls.cancel(order);
      if (stopReason !== undefined) return { kind: 'stopped', order, reason: stopReason };
      if (isTerminalOrder(order.status)) return { kind: 'settled', order };
    }
    if (ctx.now() >= hardDeadline) return { kind: 'deadline', order };
    await ctx.sleep(opts.pollMs);
  }
}
