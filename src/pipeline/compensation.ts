// Owns the rollback half of the legged saga: cancel working siblings, flatten what the group filled with closing
// orders (role 'compensation', retried with backoff when the broker's ledger lags), and decide flat vs broken.
// Compensation is a plan recomputed from Postgres each time, never an undo; it never acts while any order is unknown.
import { BrokerError } from '../domain/broker-error.js';
import { deterministicId } from '../domain/ids.js';
import { closingAction, type GroupIntent } from '../domain/order-group.js';
import { isTerminalOrder } from '../domain/order.js';
import { getOrder, insertPlannedOrder, ordersOfGroup, transitionOrder, type OrderRow } from '../store/orders.repo.js';
import { applyBrokerOrder } from './broker-sync.js';
import type { ExecContext } from './exec-context.js';
import { submitOnce } from './order-submission.js';

export interface CompensationOptions {
  /** Closing orders tried per symbol before the group is declared broken. */
  maxCloseAttempts: number;
  /** First retry delay after a rejected closing order; doubles each attempt. */
  closeBackoffMs: number;
  /** A closing order still working after this long is cancelled and re-planned at a fresh price. */
  closeTimeoutMs: number;
  pollMs: number;
}

export type CompensationStep = { kind: 'flat'; hadFills: boolean } | { kind: 'waiting_unknown' } | { kind: 'broken'; reason: string };

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
  if (order.brokerOrderId === null || !(order.status === 'working' || order.status === 'partially_filled' || resend)) return order;
  await transitionOrder(ctx.sql, order.id, { type: 'CancelRequested' }, 'local');
  try {
    const response = await ctx.broker.cancel(order.brokerOrderId);
    await applyBrokerOrder(ctx, response, 'http');
  } catch (error) {
    ctx.log.info({ orderId: order.id, err: error instanceof Error ? error.message : error }, 'cancel refused; re-reading the order');
  }
  return refreshOrder(ctx, (await getOrder(ctx.sql, order.id))!);
}

/** Net contracts per symbol this group's fills left open (legs and earlier compensation orders together). */
export async function groupExposure(ctx: ExecContext, groupId: string): Promise<Map<string, number>> {
  const rows = await ctx.sql<{ symbol: string; qty: number }[]>`
    select symbol, sum(case when action like 'Buy%' then quantity else -quantity end)::int as qty
    from fills where group_id = ${groupId} group by symbol`;
  return new Map(rows.filter((r) => r.qty !== 0).map((r) => [r.symbol, r.qty]));
}

/** A marketable limit for one closing contract: through the natural price by a cushion, signed (credit +, debit −). */
async function closingLimit(ctx: ExecContext, streamerSymbol: string | undefined, buy: boolean): Promise<number> {
  let bid = 0;
  let ask = 0;
  if (streamerSymbol) {
    const snap = await ctx.marketData.snapshot([streamerSymbol], { timeoutMs: 3000 }).catch(() => undefined);
    const q = snap?.quotes.get(streamerSymbol);
    bid = Math.round((q?.bid ?? 0) * 100);
    ask = Math.round((q?.ask ?? 0) * 100);
  }
  const tick = (c: number) => (c >= 300 ? 5 : 1);
  if (buy) {
    const price = ask > 0 ? ask + Math.max(5, Math.round(ask * 0.1)) : 500;
    return -(Math.ceil(price / tick(price)) * tick(price));
  }
  const price = Math.max(1, bid - Math.max(5, Math.round(bid * 0.1)));
  return Math.max(tick(price), Math.floor(price / tick(price)) * tick(price));
}

/**
 * One pass of compensation: cancel working legs, wait for unsettled ones, place/await closing orders per open symbol.
 * Loops until flat, broken, or an unknown outcome blocks it (then reconciliation must settle first).
 */
export async function compensate(ctx: ExecContext, groupId: string, intent: GroupIntent, streamerOf: Map<string, string>, opts: CompensationOptions): Promise<CompensationStep> {
  for (;;) {
    let orders = await ordersOfGroup(ctx.sql, groupId);
    if (orders.some(isUnsettled)) return { kind: 'waiting_unknown' };
    // 1. Siblings still working are cancelled (their late fills, if any, are flattened below)
    const open = orders.filter((o) => !isTerminalOrder(o.status) && o.status !== 'planned');
    for (const o of open) {
      const fresh = await refreshOrder(ctx, o);
      const closingTooLong = o.role === 'compensation' && o.submittedAt !== null && ctx.now() - o.submittedAt.getTime() > opts.closeTimeoutMs;
      if (o.role === 'leg' || closingTooLong) await cancelOrder(ctx, fresh);
    }
    // Planned legs that were never sent are dropped from the plan
    for (const o of orders.filter((x) => x.status === 'planned' && x.role === 'leg')) {
      await transitionOrder(ctx.sql, o.id, { type: 'Denied', reason: 'group rolled back before this leg was sent' }, 'local', { rejectReason: 'rolled back' });
    }
    orders = await ordersOfGroup(ctx.sql, groupId);
    if (orders.some(isUnsettled)) return { kind: 'waiting_unknown' };
    const stillOpen = orders.filter((o) => !isTerminalOrder(o.status));
    const exposure = await groupExposure(ctx, groupId);
    if (exposure.size === 0) {
      // Flat: whatever closing order is left (planned after a crash, or still working) is no longer wanted
      for (const o of stillOpen) {
        if (o.status === 'planned') await transitionOrder(ctx.sql, o.id, { type: 'Denied', reason: 'already flat' }, 'local');
        else await cancelOrder(ctx, o);
      }
      if ((await ordersOfGroup(ctx.sql, groupId)).every((o) => isTerminalOrder(o.status))) {
        const hadFills = (await ctx.sql`select 1 from fills where group_id = ${groupId} limit 1`).length > 0;
        return { kind: 'flat', hadFills };
      }
      if ((await groupExposure(ctx, groupId)).size === 0) await ctx.sleep(opts.pollMs);
      continue;
    }
    // 2. One closing order per open symbol at a time; a rejected one is retried after a doubling backoff
    let waiting = stillOpen.some((o) => o.role === 'leg');
    for (const [symbol, net] of exposure) {
      const legIndex = intent.legs.findIndex((l) => l.symbol === symbol);
      const mine = orders.filter((o) => o.role === 'compensation' && o.legs[0]?.symbol === symbol);
      const active = mine.find((o) => !isTerminalOrder(o.status));
      if (active && active.status !== 'planned') {
        waiting = true;
        continue;
      }
      const attempt = mine.filter((o) => isTerminalOrder(o.status)).length;
      if (!active && attempt >= opts.maxCloseAttempts) {
        return { kind: 'broken', reason: `could not flatten ${symbol} (${net}) after ${attempt} closing orders` };
      }
      const last = mine.filter((o) => isTerminalOrder(o.status)).sort((a, b) => b.seq - a.seq)[0];
      if (!active && last && last.status === 'rejected') {
        const due = last.updatedAt.getTime() + opts.closeBackoffMs * 2 ** Math.max(0, attempt - 1);
        if (ctx.now() < due) {
          waiting = true;
          continue;
        }
      }
      const action = closingAction(intent.legs[legIndex]?.action ?? (net > 0 ? 'Buy to Open' : 'Sell to Open'));
      const seq = Math.max(0, legIndex) * 100 + attempt; // deterministic: two runs plan the same order, never two
      const planned =
        active ??
        (
          await insertPlannedOrder(ctx.sql, {
            id: deterministicId('compensation', groupId, String(seq)),
            groupId,
            role: 'compensation',
            seq,
            legs: [{ symbol, instrumentType: 'Equity Option', action, quantity: Math.abs(net) }],
            size: Math.abs(net),
            limitPriceCents: await closingLimit(ctx, streamerOf.get(symbol), net < 0),
          })
        ).order;
      const outcome = await submitOnce(ctx, planned.id, intent.tradeId);
      if (outcome.kind === 'unknown') return { kind: 'waiting_unknown' };
      if (outcome.kind === 'rejected') {
        const brokerSaid = outcome.error instanceof BrokerError ? outcome.error.message : String(outcome.error);
        ctx.log.warn({ groupId, symbol, attempt, reason: brokerSaid }, 'closing order rejected; will retry after backoff');
      }
      waiting = true;
    }
    if (waiting) await ctx.sleep(opts.pollMs);
  }
}
