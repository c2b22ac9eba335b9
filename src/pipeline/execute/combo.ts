// Owns combo mode: the whole structure as ONE multi-leg order. Gate → planned package order → submitOnce → price walk
// (poll + replace toward natural every stepEverySeconds) → cancel at the deadline → settle. Resumes from Postgres.
import type { GroupRow, OrderRow, TradeRow } from '../../domain/records.js';
import { newId } from '../../domain/ids.js';
import { priceAtStep } from '../../domain/order-group.js';
import { isTerminalOrder } from '../../domain/order.js';
import type { ExecContext } from '../execution-context.js';
import { groupResult } from './group-result.js';
import { awaitFills, fillsLagging, lookUpUnknown, refreshOrder, requestCancel, waitTerminal } from './group-orders.js';
import { compensate, settleCombo } from './settle.js';
import { orderRequestOf, replaceOnce, submitOnce } from './order-submission.js';
import type { ExecuteResult } from './plan-entry.js';
import { preTradeGate, slotLimitFor } from './pre-trade-gate.js';
import { deferExit, shouldDefer } from './exit-defer.js';

/** How long to wait for the broker to confirm a cancel before leaving the group to reconciliation. */
const CANCEL_CONFIRM_MS = 30_000;

export async function executeCombo(ctx: ExecContext, group: GroupRow, trade: TradeRow): Promise<ExecuteResult> {
  const intent = group.intent;
  const { order: planned } = await ctx.store.orders.insertPlanned({
    id: newId(),
    groupId: group.id,
    role: 'package',
    seq: 0,
    legs: intent.legs.map((l) => ({
      symbol: l.symbol,
      instrumentType: l.instrumentType,
      action: l.action,
      quantity: l.ratio * intent.quantity,
    })),
    size: intent.quantity,
    limitPriceCents: intent.pricing.startCents,
  });
  let order = planned;
  if (group.status === 'compensating') return compensate(ctx, group, trade, order);

  if (order.status === 'planned') {
    const stop = await gateAndSubmit(ctx, group, trade, order);
    if (stop) return stop;
    order = (await ctx.store.orders.get(order.id))!;
  }
  if (order.status === 'submitting' || order.status === 'unknown') {
    const found = await lookUpUnknown(ctx, order);
    if (!found) {
      ctx.log.warn(
        { groupId: group.id, orderId: order.id },
        'submit outcome still unknown; the group waits for reconciliation',
      );
      return groupResult(ctx, (await ctx.store.groups.get(group.id))!, {
        reason: 'submit outcome unknown; left for reconciliation',
      });
    }
    await ctx.store.audit.append({
      kind: 'order_reconciled',
      tradeId: trade.id,
      groupId: group.id,
      orderId: order.id,
      dedupeKey: `order_found:${order.id}`,
      data: { status: found.status, brokerOrderId: found.brokerOrderId },
    });
    order = found;
  }
  await ctx.store.groups.move(group.id, 'Working');
  let haltedBy: string | undefined;
  if (!isTerminalOrder(order.status)) ({ order, haltedBy } = await walk(ctx, group, trade, order));
  if (!isTerminalOrder(order.status)) {
    // Never settled on a guess: the group stays working and reconciliation resumes it once the broker's truth is in
    const lag = fillsLagging(order);
    const what = lag
      ? `the broker says ${order.brokerStatus} but not all its fills have arrived`
      : 'did not end after its cancel';
    await ctx.alert('reconcile_mismatch', `order ${order.id} ${what}`, {
      groupId: group.id,
      tradeId: trade.id,
      orderId: order.id,
      status: order.status,
    });
    return groupResult(ctx, (await ctx.store.groups.get(group.id))!, {
      reason: lag ? 'fills not all reported by the broker yet' : 'cancel not confirmed by the broker',
    });
  }
  return settleCombo(
    ctx,
    (await ctx.store.groups.get(group.id))!,
    trade,
    order,
    haltedBy !== undefined ? { stoppedBy: haltedBy } : {},
  );
}

/** An entry stops when trading is no longer active (halt, or reducing after a broken group): the reason, else undefined. */
async function entryStopped(ctx: ExecContext, group: GroupRow): Promise<string | undefined> {
  if (group.kind !== 'entry') return undefined;
  const state = await ctx.store.tradingState.get();
  return state.state === 'active' ? undefined : `trading ${state.state}${state.reason ? ` (${state.reason})` : ''}`;
}

/** Returns a result when the group must stop here (denied, or wait for a working-group slot). */
async function gateAndSubmit(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  order: OrderRow,
): Promise<ExecuteResult | undefined> {
  const decision = await preTradeGate(ctx, group, orderRequestOf(order));
  if (decision.kind === 'denied') return deny(ctx, group, trade, order, decision.reason);
  if (decision.kind === 'wait') {
    if (shouldDefer(group, decision, ctx.now())) return deferExit(ctx, group, trade, decision.reason);
    return groupResult(ctx, group, { reason: decision.reason, retryAfterMs: decision.ms });
  }
  const claim = await ctx.store.groups.claimWorkingSlot(group, await slotLimitFor(ctx, group));
  if (claim === 'full') return groupResult(ctx, group, { reason: 'working-groups limit reached', retryAfterMs: 5000 });
  if (claim === 'lost')
    return groupResult(ctx, (await ctx.store.groups.get(group.id))!, { reason: 'another run moved the group' });
  if (group.kind === 'entry') await ctx.store.trades.move(trade.id, 'EntrySent');
  const outcome = await submitOnce(ctx, order.id, trade.id);
  if (outcome.kind === 'rejected')
    ctx.log.warn({ groupId: group.id, reason: outcome.error.message }, 'package order rejected by the broker');
  return undefined;
}

async function deny(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  order: OrderRow,
  reason: string,
): Promise<ExecuteResult> {
  await ctx.store.orders.transition(order.id, { type: 'Denied', reason }, 'local', {
    rejectReason: reason.slice(0, 500),
  });
  await ctx.store.groups.move(group.id, 'Denied', { reason });
  if (group.kind === 'entry')
    await ctx.store.trades.move(trade.id, 'EntryRejected', { exitReason: `denied: ${reason}` });
  await ctx.store.audit.append({
    kind: 'trade_skipped',
    tradeId: trade.id,
    groupId: group.id,
    orderId: order.id,
    dedupeKey: `group_denied:${group.id}`,
    data: { reason, kind: group.kind },
  });
  ctx.log.info({ groupId: group.id, tradeId: trade.id, reason }, 'order group denied by the pre-trade gate');
  return groupResult(ctx, (await ctx.store.groups.get(group.id))!);
}

/**
 * Polls the order about every second (the fill monitor may update Postgres too: the row is always re-read) and walks
 * the price one step toward the floor every stepEverySeconds, measured from `submitted_at`, so a resumed run carries
 * on where the last one stopped. At the deadline it cancels and waits until the broker confirms. An entry checks the
 * trading state on every pass (at most a second apart): once trading is not active it takes no further step (a replace
 * is a new order) and cancels at once; `haltedBy` tells the settlement why.
 */
async function walk(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  start: OrderRow,
): Promise<{ order: OrderRow; haltedBy?: string }> {
  const plan = group.intent.pricing;
  const submittedAt = (start.submittedAt ?? start.createdAt).getTime();
  const deadline = submittedAt + plan.fillTimeoutSeconds * 1000;
  let order = start;
  let replaceFailures = 0;
  for (;;) {
    order = await refreshOrder(ctx, order);
    if (isTerminalOrder(order.status)) return { order };
    // Over at the broker, fills still on their way: nothing to step or cancel, only to wait for them
    if (fillsLagging(order)) return { order: await awaitFills(ctx, order) };
    const haltedBy = await entryStopped(ctx, group);
    if (haltedBy !== undefined) {
      ctx.log.warn(
        { groupId: group.id, orderId: order.id, reason: haltedBy },
        'entry stopped walking: cancelling its order',
      );
      await ctx.store.audit.append({
        kind: 'trade_skipped',
        tradeId: trade.id,
        groupId: group.id,
        orderId: order.id,
        dedupeKey: `entry_halted:${group.id}`,
        data: { reason: haltedBy, priceSteps: order.priceSteps },
      });
      await requestCancel(ctx, order);
      return { order: await waitTerminal(ctx, (await ctx.store.orders.get(order.id))!, CANCEL_CONFIRM_MS), haltedBy };
    }
    const now = ctx.now();
    if (now >= deadline || order.status === 'pending_cancel') {
      await requestCancel(ctx, order);
      return { order: await waitTerminal(ctx, (await ctx.store.orders.get(order.id))!, CANCEL_CONFIRM_MS) };
    }
    const nextStepAt = submittedAt + (order.priceSteps + 1) * plan.stepEverySeconds * 1000;
    const nextPrice = priceAtStep(plan, order.priceSteps + 1);
    const canStep =
      order.status === 'working' &&
      order.priceSteps < plan.maxSteps &&
      nextPrice !== order.limitPriceCents &&
      replaceFailures < 3;
    if (canStep && now >= nextStepAt) {
      if (!(await stepPrice(ctx, group, trade, order, nextPrice))) replaceFailures += 1;
      continue;
    }
    const nextEvent = Math.min(deadline, canStep ? nextStepAt : deadline);
    // Never longer than a second: a halt must be seen within one
    await ctx.sleep(Math.max(50, Math.min(1000, nextEvent - now)));
  }
}

/** One cancel/replace at the next price (through the order guard): the broker gives a new id, which carries on as the same order of ours. */
async function stepPrice(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  order: OrderRow,
  price: number,
): Promise<boolean> {
  const step = order.priceSteps + 1;
  const oldId = order.brokerOrderId!;
  const outcome = await replaceOnce(ctx, order, trade.id, price);
  if (outcome.kind === 'refused') {
    ctx.log.warn({ orderId: order.id, step, reason: outcome.reason }, 'price step refused by the order guard');
    return false;
  }
  if (outcome.kind === 'failed') {
    ctx.log.warn(
      { err: outcome.error, orderId: order.id, step },
      `price step refused or failed: ${outcome.error.message}`,
    );
    return false;
  }
  const newBrokerId = outcome.newBrokerOrderId;
  await ctx.store.orders.transition(
    order.id,
    { type: 'Replaced', newBrokerOrderId: newBrokerId },
    'http',
    { brokerOrderId: newBrokerId, priceSteps: step, limitPriceCents: price },
    `replaced:${order.id}:${step}`,
  );
  await ctx.store.audit.append({
    kind: 'price_step',
    tradeId: trade.id,
    groupId: group.id,
    orderId: order.id,
    dedupeKey: `price_step:${order.id}:${step}`,
    data: {
      step,
      fromCents: order.limitPriceCents,
      toCents: price,
      oldBrokerOrderId: oldId,
      newBrokerOrderId: newBrokerId,
    },
  });
  return true;
}
