// Owns what a finished package order means for its group and trade: filled (trade open / closed with its prices and
// P&L), nothing filled (cancelled), or a partial fill kept (smaller trade) or closed by a compensation order.
import type { GroupRow, OrderRow, TradeRow } from '../../domain/records.js';
import { newId } from '../../domain/ids.js';
import { closingAction } from '../../domain/order-group.js';
import { isTerminalOrder } from '../../domain/order.js';
import type { ExecContext } from '../execution-context.js';
import { groupResult } from './group-result.js';
import { awaitFills, fillsLagging, lookUpUnknown, refreshOrder, requestCancel, waitTerminal } from './group-orders.js';
import { realizedNetOfFees, syncTradeFees } from '../fees.js';
import { submitOnce } from './order-submission.js';
import { quotePackage, signedRound, type ExecuteResult } from './plan-entry.js';

/** A compensation order that has not filled after this long is cancelled and the group is broken. */
const COMPENSATION_TIMEOUT_MS = 30_000;

export interface SettleOptions {
  /** The entry was stopped by the trading state (halt): a partial fill is closed whatever partialFill says. */
  stoppedBy?: string;
}

export async function settleCombo(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  order: OrderRow,
  opts: SettleOptions = {},
): Promise<ExecuteResult> {
  const units = order.filledUnits;
  if (units >= group.intent.quantity) return finishFilled(ctx, group, trade, units);
  if (units === 0) {
    const reason = opts.stoppedBy
      ? `cancelled: ${opts.stoppedBy}`
      : order.rejectReason
        ? `rejected: ${order.rejectReason}`
        : `${order.status} with nothing filled`;
    await ctx.store.groups.move(group.id, 'Cancelled', { filledUnits: 0, reason });
    if (group.kind === 'entry') await ctx.store.trades.move(trade.id, 'EntryRejected', { exitReason: reason });
    else await ctx.store.trades.move(trade.id, 'ExitEnded');
    await ctx.store.audit.append({
      kind: 'trade_skipped',
      tradeId: trade.id,
      groupId: group.id,
      orderId: order.id,
      dedupeKey: `group_cancelled:${group.id}`,
      data: { reason, kind: group.kind },
    });
    return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
  }
  // Partial package fill: whole structure units, never a broken structure
  if (group.kind === 'exit' || (group.intent.partialFill === 'keep' && !opts.stoppedBy))
    return finishFilled(ctx, group, trade, units);
  const why = opts.stoppedBy ? opts.stoppedBy : 'partialFill: close';
  await ctx.store.groups.move(group.id, 'CompensationStarted', {
    filledUnits: units,
    reason: `partial fill of ${units}/${group.intent.quantity} closed (${why})`,
  });
  return compensate(ctx, (await ctx.store.groups.get(group.id))!, trade, order);
}

/** Net price per structure unit from the package's fills, signed (credit +, debit −), cents per share. */
async function netPerUnit(
  ctx: ExecContext,
  groupId: string,
  role: 'package' | 'compensation',
  units: number,
): Promise<number> {
  return units > 0 ? Math.round((await ctx.store.fills.cashOfGroupRole(groupId, role)) / units) : 0;
}

async function finishFilled(ctx: ExecContext, group: GroupRow, trade: TradeRow, units: number): Promise<ExecuteResult> {
  const net = await netPerUnit(ctx, group.id, 'package', units);
  const partial = units < group.intent.quantity;
  await ctx.store.groups.move(group.id, 'Filled', {
    filledUnits: units,
    ...(partial ? { reason: `partial fill kept: ${units}/${group.intent.quantity}` } : {}),
  });
  if (group.kind === 'entry') {
    // The trade opens with what filled (a trades.repo helper would be cleaner; the row is still ours: pending/opening)
    if (units !== trade.quantity) await ctx.store.trades.setQuantity(trade.id, units);
    await ctx.store.trades.move(trade.id, 'Opened', { entryCreditCents: net });
    await syncTradeFees(ctx, trade.id, trade.underlying); // the entry's fees count in the open trade's P&L
  } else {
    await settleExitedTrade(ctx, trade, group, net);
  }
  await ctx.store.audit.append({
    kind: 'fill',
    tradeId: trade.id,
    groupId: group.id,
    dedupeKey: `group_filled:${group.id}`,
    data: { kind: group.kind, units, wanted: group.intent.quantity, netCents: net },
  });
  return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
}

/**
 * After an exit group filled: the trade is closed (realised P&L net of fees) when it holds nothing any more; a partial
 * exit leaves what is held open, and the exit rules fire again. Shared by the combo settle and the legged exit.
 */
export async function settleExitedTrade(
  ctx: ExecContext,
  trade: TradeRow,
  group: GroupRow,
  netCents: number,
): Promise<void> {
  const positions = await ctx.store.positions.ofTrade(trade.id);
  if (positions.every((p) => p.quantity === 0)) {
    const { realizedCents } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
    await ctx.store.trades.move(trade.id, 'Closed', {
      exitDebitCents: -netCents,
      realizedPnlCents: realizedCents,
      ...(group.intent.reason ? { exitReason: group.intent.reason } : {}),
    });
  } else {
    await ctx.store.trades.move(trade.id, 'ExitEnded');
  }
}

/** Closing orders tried before the group is declared broken (Tastytrade can refuse a close right after the fill). */
const COMPENSATION_ATTEMPTS = 4;
/** Wait after a refused closing order before the next one; doubles each attempt. */
const COMPENSATION_BACKOFF_MS = 500;

/**
 * Closes exactly the filled units of a partially filled entry package with closing orders at a marketable limit
 * (natural of the closing package, conceding a few more ticks). A refused or unfilled closing order is followed, after a
 * doubling backoff, by a new one for what is still open (fresh quote), up to COMPENSATION_ATTEMPTS (the legged path's
 * "no position yet" retry). Flat → rolled_back; still open after that → broken, trading goes to `reducing`, a human is
 * alerted. Never acts on an unknown outcome: it waits for reconciliation.
 */
export async function compensate(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  pkg: OrderRow,
): Promise<ExecuteResult> {
  const units = Math.max(group.filledUnits, (await ctx.store.orders.get(pkg.id))!.filledUnits);
  const closingLegs = group.intent.legs.map((l) => ({ ...l, action: closingAction(l.action) }));
  let last: OrderRow | undefined;
  for (;;) {
    const mine = (await ctx.store.orders.ofGroup(group.id))
      .filter((o) => o.role === 'compensation')
      .sort((a, b) => a.seq - b.seq);
    const done = mine.filter((o) => isTerminalOrder(o.status));
    let order = mine.find((o) => !isTerminalOrder(o.status));
    if (!order) {
      const left = units - done.reduce((n, o) => n + o.filledUnits, 0);
      if (left <= 0 || done.length >= COMPENSATION_ATTEMPTS) break;
      if ((await ctx.store.positions.ofTrade(trade.id)).every((p) => p.quantity === 0)) break;
      const previous = done[done.length - 1];
      if (previous) {
        const due = previous.updatedAt.getTime() + COMPENSATION_BACKOFF_MS * 2 ** (done.length - 1);
        ctx.log.warn(
          {
            groupId: group.id,
            orderId: previous.id,
            status: previous.status,
            reason: previous.rejectReason,
            attempt: done.length,
          },
          'compensation order did not close; trying again',
        );
        if (ctx.now() < due) await ctx.sleep(due - ctx.now());
      }
      order = await planCompensation(ctx, group, trade, closingLegs, left, done.length);
    }
    const settled = await runCompensation(ctx, order, trade.id);
    if (!settled)
      return groupResult(ctx, (await ctx.store.groups.get(group.id))!, {
        reason: 'compensation outcome unknown; left for reconciliation',
      });
    last = settled;
    if (!isTerminalOrder(settled.status)) break; // its cancel was never confirmed: nothing more may be sent
  }
  const positions = await ctx.store.positions.ofTrade(trade.id);
  if (positions.every((p) => p.quantity === 0)) {
    // The rollback's cost: the spread paid (cash of the fills) and every fee of the entry and the closing orders
    const { realizedCents: realized, cashCents, feeCents } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
    await ctx.store.groups.move(group.id, 'RolledBack', { filledUnits: units });
    await ctx.store.trades.move(trade.id, 'EntryRolledBack', {
      realizedPnlCents: realized,
      exitReason: 'partial entry closed',
    });
    await ctx.store.audit.append({
      kind: 'rollback',
      tradeId: trade.id,
      groupId: group.id,
      orderId: last?.id ?? null,
      dedupeKey: `rollback_done:${group.id}`,
      data: { units, realizedPnlCents: realized, spreadCents: cashCents, feeCents },
    });
    return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
  }
  const reason = `compensation ${last?.status ?? 'not sent'}: ${positions
    .filter((p) => p.quantity !== 0)
    .map((p) => `${p.symbol} ${p.quantity}`)
    .join(', ')} still open`;
  await ctx.store.groups.move(group.id, 'Broken', { reason });
  await ctx.store.trades.move(trade.id, 'Broken', { exitReason: reason });
  await ctx.store.tradingState.set('reducing', 'executor', `group ${group.id} broken`);
  await ctx.alert('broken_group', `order group ${group.id} could not be flattened: ${reason}`, {
    groupId: group.id,
    tradeId: trade.id,
    orderId: last?.id ?? null,
  });
  return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
}

/** The closing package for `units` at a marketable limit from a fresh quote; seq = attempt (idempotent on resume). */
async function planCompensation(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  closingLegs: GroupRow['intent']['legs'],
  units: number,
  attempt: number,
): Promise<OrderRow> {
  const quote = await quotePackage(ctx, closingLegs);
  const pad = Math.max(5 * quote.tickCents, Math.abs(quote.naturalCents) * 0.1) * (1 + attempt);
  let limit = signedRound(quote.naturalCents - pad, quote.tickCents);
  if (limit === 0) limit = -quote.tickCents;
  const { order } = await ctx.store.orders.insertPlanned({
    id: newId(),
    groupId: group.id,
    role: 'compensation',
    seq: attempt,
    legs: closingLegs.map((l) => ({
      symbol: l.symbol,
      instrumentType: l.instrumentType,
      action: l.action,
      quantity: l.ratio * units,
    })),
    size: units,
    limitPriceCents: limit,
  });
  await ctx.store.audit.append({
    kind: 'rollback',
    tradeId: trade.id,
    groupId: group.id,
    orderId: order.id,
    dedupeKey: `rollback_started:${group.id}:${attempt}`,
    data: { units, limitCents: order.limitPriceCents, attempt },
  });
  return order;
}

/** Sends (once), finds, waits for and if need be cancels one compensation order; undefined while its outcome is unknown. */
async function runCompensation(ctx: ExecContext, planned: OrderRow, tradeId: string): Promise<OrderRow | undefined> {
  let order = planned;
  if (order.status === 'planned') await submitOnce(ctx, order.id, tradeId);
  order = (await ctx.store.orders.get(order.id))!;
  if (order.status === 'submitting' || order.status === 'unknown') {
    const found = await lookUpUnknown(ctx, order);
    if (!found) return undefined;
    order = found;
  }
  const until = ctx.now() + COMPENSATION_TIMEOUT_MS;
  while (!isTerminalOrder(order.status) && ctx.now() < until) {
    await ctx.sleep(250);
    order = await refreshOrder(ctx, order);
  }
  if (!isTerminalOrder(order.status) && !fillsLagging(order)) {
    await requestCancel(ctx, order);
    order = await waitTerminal(ctx, order, 10_000);
  }
  if (fillsLagging(order)) order = await awaitFills(ctx, order);
  return order;
}
