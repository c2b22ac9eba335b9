// Owns what a finished package order means for its group and trade: filled (trade open / closed with its prices and
// P&L), nothing filled (cancelled), or a partial fill kept (smaller trade) or closed by a compensation order.
import { newId } from '../domain/ids.js';
import { closingAction } from '../domain/order-group.js';
import { isTerminalOrder } from '../domain/order.js';
import { appendAudit } from '../store/audit.repo.js';
import { getGroup, moveGroup, type GroupRow } from '../store/groups.repo.js';
import { getOrder, insertPlannedOrder, tradePositions, type OrderRow } from '../store/orders.repo.js';
import { setTradingState } from '../store/settings.repo.js';
import { moveTrade, type TradeRow, setTradeQuantity } from '../store/trades.repo.js';
import type { ExecContext } from './exec-context.js';
import { groupResult } from './execute.js';
import { lookUpUnknown, refreshOrder, requestCancel, waitTerminal } from './execute-orders.js';
import { realizedNetOfFees, syncTradeFees } from './fees.js';
import { submitOnce } from './order-submission.js';
import { quotePackage, signedRound, type ExecuteResult } from './plan-entry.js';

/** A compensation order that has not filled after this long is cancelled and the group is broken. */
const COMPENSATION_TIMEOUT_MS = 30_000;

export async function settleCombo(ctx: ExecContext, group: GroupRow, trade: TradeRow, order: OrderRow): Promise<ExecuteResult> {
  const units = order.filledUnits;
  if (units >= group.intent.quantity) return finishFilled(ctx, group, trade, units);
  if (units === 0) {
    const reason = order.rejectReason ? `rejected: ${order.rejectReason}` : `${order.status} with nothing filled`;
    await moveGroup(ctx.sql, group.id, 'Cancelled', { filledUnits: 0, reason });
    if (group.kind === 'entry') await moveTrade(ctx.sql, trade.id, 'EntryRejected', { exitReason: reason });
    else await moveTrade(ctx.sql, trade.id, 'ExitEnded');
    await appendAudit(ctx.sql, { kind: 'trade_skipped', tradeId: trade.id, groupId: group.id, orderId: order.id, dedupeKey: `group_cancelled:${group.id}`, data: { reason, kind: group.kind } });
    return groupResult(ctx, (await getGroup(ctx.sql, group.id))!);
  }
  // Partial package fill: whole structure units, never a broken structure
  if (group.intent.partialFill === 'keep' || group.kind === 'exit') return finishFilled(ctx, group, trade, units);
  await moveGroup(ctx.sql, group.id, 'CompensationStarted', { filledUnits: units, reason: `partial fill of ${units}/${group.intent.quantity} closed (partialFill: close)` });
  return compensate(ctx, (await getGroup(ctx.sql, group.id))!, trade, order);
}

/** Net price per structure unit from the package's fills, signed (credit +, debit −), cents per share. */
async function netPerUnit(ctx: ExecContext, groupId: string, role: 'package' | 'compensation', units: number): Promise<number> {
  const [row] = await ctx.sql<{ net: number }[]>`
    select coalesce(sum(case when f.action like 'Sell%' then f.price_cents * f.quantity else -f.price_cents * f.quantity end), 0)::bigint as net
    from fills f join orders o on o.id = f.order_id where o.group_id = ${groupId} and o.role = ${role}`;
  return units > 0 ? Math.round(Number(row?.net ?? 0) / units) : 0;
}

async function finishFilled(ctx: ExecContext, group: GroupRow, trade: TradeRow, units: number): Promise<ExecuteResult> {
  const net = await netPerUnit(ctx, group.id, 'package', units);
  const partial = units < group.intent.quantity;
  await moveGroup(ctx.sql, group.id, 'Filled', {
    filledUnits: units,
    ...(partial ? { reason: `partial fill kept: ${units}/${group.intent.quantity}` } : {}),
  });
  if (group.kind === 'entry') {
    // The trade opens with what filled (a trades.repo helper would be cleaner; the row is still ours: pending/opening)
    if (units !== trade.quantity) await setTradeQuantity(ctx.sql, trade.id, units);
    await moveTrade(ctx.sql, trade.id, 'Opened', { entryCreditCents: net });
    await syncTradeFees(ctx, trade.id, trade.underlying); // the entry's fees count in the open trade's P&L
  } else {
    const positions = await tradePositions(ctx.sql, trade.id);
    const flat = positions.every((p) => p.quantity === 0);
    if (flat) {
      const { realizedCents: realized } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
      await moveTrade(ctx.sql, trade.id, 'Closed', { exitDebitCents: -net, realizedPnlCents: realized, ...(group.intent.reason ? { exitReason: group.intent.reason } : {}) });
    } else {
      // A partial exit: what is left stays open and the exit rules will fire again
      await moveTrade(ctx.sql, trade.id, 'ExitEnded');
    }
  }
  await appendAudit(ctx.sql, {
    kind: 'fill',
    tradeId: trade.id,
    groupId: group.id,
    dedupeKey: `group_filled:${group.id}`,
    data: { kind: group.kind, units, wanted: group.intent.quantity, netCents: net },
  });
  return groupResult(ctx, (await getGroup(ctx.sql, group.id))!);
}

/**
 * Closes exactly the filled units of a partially filled entry package with one closing order at a marketable limit
 * (natural of the closing package, conceding a few more ticks). Flat → rolled_back; not filled in time → broken,
 * trading goes to `reducing`, a human is alerted. Never acts on an unknown outcome: it waits for reconciliation.
 */
export async function compensate(ctx: ExecContext, group: GroupRow, trade: TradeRow, pkg: OrderRow): Promise<ExecuteResult> {
  const units = Math.max(group.filledUnits, (await getOrder(ctx.sql, pkg.id))!.filledUnits);
  const closingLegs = group.intent.legs.map((l) => ({ ...l, action: closingAction(l.action) }));
  const quote = await quotePackage(ctx, closingLegs);
  const pad = Math.max(5 * quote.tickCents, Math.abs(quote.naturalCents) * 0.1);
  let limit = signedRound(quote.naturalCents - pad, quote.tickCents);
  if (limit === 0) limit = -quote.tickCents;
  const { order: planned } = await insertPlannedOrder(ctx.sql, {
    id: newId(),
    groupId: group.id,
    role: 'compensation',
    seq: 0,
    legs: closingLegs.map((l) => ({ symbol: l.symbol, instrumentType: l.instrumentType, action: l.action, quantity: l.ratio * units })),
    size: units,
    limitPriceCents: limit,
  });
  await appendAudit(ctx.sql, { kind: 'rollback', tradeId: trade.id, groupId: group.id, orderId: planned.id, dedupeKey: `rollback_started:${group.id}`, data: { units, limitCents: planned.limitPriceCents } });
  let order = planned;
  if (order.status === 'planned') await submitOnce(ctx, order.id, trade.id);
  order = (await getOrder(ctx.sql, order.id))!;
  if (order.status === 'submitting' || order.status === 'unknown') {
    const found = await lookUpUnknown(ctx, order);
    if (!found) return groupResult(ctx, (await getGroup(ctx.sql, group.id))!, { reason: 'compensation outcome unknown; left for reconciliation' });
    order = found;
  }
  const until = ctx.now() + COMPENSATION_TIMEOUT_MS;
  while (!isTerminalOrder(order.status) && ctx.now() < until) {
    await ctx.sleep(250);
    order = await refreshOrder(ctx, order);
  }
  if (!isTerminalOrder(order.status)) {
    await requestCancel(ctx, order);
    order = await waitTerminal(ctx, order, 10_000);
  }
  const positions = await tradePositions(ctx.sql, trade.id);
  if (order.status === 'filled' && positions.every((p) => p.quantity === 0)) {
    // The rollback's cost: the spread paid (cash of the fills) and every fee of the entry and the closing order
    const { realizedCents: realized, cashCents, feeCents } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
    await moveGroup(ctx.sql, group.id, 'RolledBack', { filledUnits: units });
    await moveTrade(ctx.sql, trade.id, 'EntryRolledBack', { realizedPnlCents: realized, exitReason: 'partial entry closed' });
    await appendAudit(ctx.sql, { kind: 'rollback', tradeId: trade.id, groupId: group.id, orderId: order.id, dedupeKey: `rollback_done:${group.id}`, data: { units, realizedPnlCents: realized, spreadCents: cashCents, feeCents } });
    return groupResult(ctx, (await getGroup(ctx.sql, group.id))!);
  }
  const reason = `compensation ${order.status}: ${positions.filter((p) => p.quantity !== 0).map((p) => `${p.symbol} ${p.quantity}`).join(', ')} still open`;
  await moveGroup(ctx.sql, group.id, 'Broken', { reason });
  await moveTrade(ctx.sql, trade.id, 'Broken', { exitReason: reason });
  await setTradingState(ctx.sql, 'reducing', 'executor', `group ${group.id} broken`);
  await ctx.alert('broken_group', `order group ${group.id} could not be flattened: ${reason}`, { groupId: group.id, tradeId: trade.id, orderId: order.id });
  return groupResult(ctx, (await getGroup(ctx.sql, group.id))!);
}
