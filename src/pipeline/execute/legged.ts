// Owns the legged entry executor: one single-leg order per leg, placed in sequence (protective legs first), each priced
// from a fresh quote so the package stays within the intent's floor, each waiting for its fill; a rejection, a timeout,
// a missing quote, the floor or a halt rolls the group back through compensation.ts. Every step is read back from
// Postgres (orders and their statuses are the saga state), so a run after a crash resumes where the last one stopped.
// Legged exits go forward only: execute/legged-exit.ts.
import type { GroupRow, TradeRow } from '../../domain/records.js';
import { deterministicId } from '../../domain/ids.js';
import { compactSymbol, occToStreamer } from '../../domain/instrument.js';
import { LEFT_TO_EXPIRE } from '../../domain/closing-legs.js';
import { priceNextLeg, type LegQuote } from '../../domain/leg-pricing.js';
import {
  fitsOneOrder,
  isTerminalGroup,
  packageRequest,
  type GroupIntent,
  type IntentLeg,
} from '../../domain/order-group.js';
import { compensate } from './compensation.js';
import { realizedNetOfFees, syncTradeFees } from '../fees.js';
import type { ExecContext } from '../execution-context.js';
import { executeLeggedExit } from './legged-exit.js';
import { awaitLeg, isUnsettled, openingStopped, PollThrottle } from './leg-wait.js';
import {
  groupNetPerUnit,
  leggedDefaults,
  leggedResult as result,
  waitForReconcile,
  type LeggedOptions,
} from './legged-group.js';
import { submitOnce } from './order-submission.js';
import { underlyingOf, type ExecuteResult } from './plan-entry.js';
import { preTradeGate, slotLimitFor } from './pre-trade-gate.js';
import { deferExit, shouldDefer } from './exit-defer.js';

export type { ExecuteResult, LeggedOptions };

const isBuy = (l: IntentLeg) => l.action.startsWith('Buy');

/** Placement order: buys first (wings before shorts on entry; shorts bought back first on exit), stable otherwise. */
export function placementOrder(legs: readonly IntentLeg[]): IntentLeg[] {
  return [...legs]
    .map((l, i) => ({ l, i }))
    .sort((a, b) => Number(isBuy(b.l)) - Number(isBuy(a.l)) || a.i - b.i)
    .map((x) => x.l);
}

type Priced = { kind: 'send'; limitCents: number } | { kind: 'stop'; reason: string };

/**
 * The next leg's limit from fresh quotes of every leg still to be sent and the net of the legs filled so far, on the
 * broker's tick schedule (leg-pricing.ts). Waits up to `quoteWaitMs` for fresh quotes; never guesses a price.
 */
async function priceLeg(
  ctx: ExecContext,
  groupId: string,
  intent: GroupIntent,
  remaining: readonly IntentLeg[],
  opts: LeggedOptions,
): Promise<Priced> {
  const until = ctx.now() + opts.quoteWaitMs;
  const streamers = remaining.map((l) => occToStreamer(l.symbol));
  for (;;) {
    const [snap, chain] = await Promise.all([
      ctx.marketData
        .snapshot(streamers, { timeoutMs: Math.min(3000, Math.max(100, opts.quoteWaitMs)) })
        .catch(() => undefined),
      ctx.marketData.chain(underlyingOf(intent.legs)).catch(() => undefined),
    ]);
    if (chain && chain.tickSizes.length > 0) {
      const legs: LegQuote[] = remaining.map((l, i) => {
        const q = snap?.quotes.get(streamers[i]!);
        const cents = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 100));
        return {
          symbol: l.symbol,
          action: l.action,
          ratio: l.ratio,
          bidCents: cents(q?.bid),
          askCents: cents(q?.ask),
          receivedAt: q?.receivedAt ?? null,
        };
      });
      const price = priceNextLeg({
        floorCents: intent.pricing.floorCents,
        filledNetCents: await groupNetPerUnit(ctx, groupId, intent.quantity),
        legs,
        ticks: chain.tickSizes,
        now: ctx.now(),
        maxQuoteAgeMs: opts.quoteMaxAgeMs,
      });
      if (price.kind === 'send') return { kind: 'send', limitCents: price.limitCents };
      if (price.kind === 'below_floor') {
        return {
          kind: 'stop',
          reason: `package net ${price.packageNetCents} ¢ at natural is below the floor ${price.floorCents} ¢`,
        };
      }
      if (ctx.now() >= until)
        return {
          kind: 'stop',
          reason: `no fresh quote for ${price.symbols.map((s) => s.trim()).join(', ')} within ${opts.quoteWaitMs} ms`,
        };
    } else if (ctx.now() >= until) {
      return {
        kind: 'stop',
        reason: `no tick schedule for ${underlyingOf(intent.legs)} within ${opts.quoteWaitMs} ms`,
      };
    }
    await ctx.sleep(opts.pollMs);
  }
}

export async function executeLegged(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  options: Partial<LeggedOptions> = {},
): Promise<ExecuteResult> {
  const intent = group.intent;
  const opts = { ...leggedDefaults(intent), ...options };
  const current = (await ctx.store.groups.get(group.id))!;
  if (isTerminalGroup(current.status)) return result(ctx, group.id);
  if (intent.kind === 'exit') return executeLeggedExit(ctx, current, trade, opts);
  if (current.status === 'compensating')
    return rollBack(ctx, current, trade, current.reason ?? 'resumed rollback', opts);

  const legs = placementOrder(intent.legs);
  const existing = await ctx.store.orders.ofGroup(group.id);
  if (existing.some(isUnsettled)) return waitForReconcile(ctx, group.id);
  if (existing.length === 0 && current.status === 'planned') {
    const stop = await gateAndClaim(ctx, current, trade);
    if (stop) return stop;
  }
  const polls = new PollThrottle(ctx, opts.brokerPollMs);
  const rollBackNow = async (why: string) =>
    rollBack(ctx, (await ctx.store.groups.get(group.id))!, trade, why, opts, polls);

  for (let seq = 0; seq < legs.length; seq++) {
    const leg = legs[seq]!;
    const quantity = leg.ratio * intent.quantity;
    const label = `leg ${seq} (${leg.action} ${leg.symbol.trim()})`;
    let order = existing.find((o) => o.role === 'leg' && o.seq === seq);
    if (!order) {
      // The kill switch is honoured before every leg: no new opening order once trading is not active
      const stopped = await openingStopped(ctx);
      if (stopped) return rollBackNow(`${stopped}: ${label} not sent`);
      const price = await priceLeg(ctx, group.id, intent, legs.slice(seq), opts);
      if (price.kind === 'stop') return rollBackNow(`${label} not sent: ${price.reason}`);
      order = (
        await ctx.store.orders.insertPlanned({
          id: deterministicId('leg', group.id, String(seq)),
          groupId: group.id,
          role: 'leg',
          seq,
          legs: [{ symbol: leg.symbol, instrumentType: 'Equity Option', action: leg.action, quantity }],
          size: quantity,
          limitPriceCents: price.limitCents,
        })
      ).order;
    }
    if (order.status === 'planned') {
      const stopped = await openingStopped(ctx);
      if (stopped) return rollBackNow(`${stopped}: ${label} not sent`);
      await ctx.store.groups.move(group.id, 'SlotClaimed'); // no-op once the slot was claimed
      await ctx.store.trades.move(trade.id, 'EntrySent');
      order = (await submitOnce(ctx, order.id, trade.id)).order;
      polls.touch(order.id);
    }
    if (isUnsettled(order)) return waitForReconcile(ctx, group.id);
    await ctx.store.groups.move(group.id, 'Working');
    if (order.status !== 'filled') {
      const end = await awaitLeg(ctx, order, opts, polls, () => openingStopped(ctx));
      order = end.order;
      if (isUnsettled(order)) return waitForReconcile(ctx, group.id);
      // Halted while it worked: rolled back whether the cancel won or the fill did
      if (end.kind === 'stopped') return rollBackNow(`${end.reason}: ${label} cancelled`);
      if (end.kind === 'deadline') return rollBackNow(`${label} not settled within ${opts.legWaitMs} ms (deadline)`);
    }
    if (order.status !== 'filled')
      return rollBackNow(`${label} ${order.status}${order.rejectReason ? `: ${order.rejectReason}` : ''}`);
  }

  const perUnit = await groupNetPerUnit(ctx, group.id, intent.quantity);
  if (await ctx.store.groups.move(group.id, 'Filled', { filledUnits: intent.quantity })) {
    await ctx.store.trades.move(trade.id, 'Opened', { entryCreditCents: perUnit });
    await syncTradeFees(ctx, trade.id, trade.underlying); // the entry's fees count in the open trade's P&L
  }
  return result(ctx, group.id);
}

/**
 * The same last check as a combo entry, before the first leg: trading state, session, fresh quotes, the limits, and
 * buying power by a dry-run of the whole structure as one package (≤ 4 legs; Tastytrade takes no larger order), then
 * a working-group slot. Returns a result when the group must stop (denied) or come back later (slot, limit).
 */
async function gateAndClaim(ctx: ExecContext, group: GroupRow, trade: TradeRow): Promise<ExecuteResult | undefined> {
  const intent = group.intent;
  const decision = await preTradeGate(ctx, group, packageRequest(intent, intent.pricing.startCents), {
    dryRun: fitsOneOrder(intent.legs),
  });
  if (decision.kind === 'wait') {
    if (shouldDefer(group, decision, ctx.now())) return deferExit(ctx, group, trade, decision.reason);
    return result(ctx, group.id, decision.reason, decision.ms);
  }
  if (decision.kind === 'denied') {
    if (await ctx.store.groups.move(group.id, 'Denied', { reason: decision.reason })) {
      await ctx.store.trades.move(trade.id, 'EntryRejected', { exitReason: `denied: ${decision.reason}` });
      await ctx.store.audit.append({
        kind: 'trade_skipped',
        tradeId: trade.id,
        groupId: group.id,
        dedupeKey: `group_denied:${group.id}`,
        data: { reason: decision.reason, kind: intent.kind },
      });
      ctx.log.info(
        { groupId: group.id, tradeId: trade.id, reason: decision.reason },
        'legged group denied by the pre-trade gate',
      );
    }
    return result(ctx, group.id);
  }
  const claim = await ctx.store.groups.claimWorkingSlot(group, await slotLimitFor(ctx, group));
  if (claim === 'full') return result(ctx, group.id, 'working-groups limit reached', 5000);
  if (claim === 'lost') return result(ctx, group.id, 'another run moved the group');
  return undefined;
}

async function rollBack(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  reason: string,
  opts: LeggedOptions,
  polls?: PollThrottle,
): Promise<ExecuteResult> {
  await ctx.store.groups.move(group.id, 'CompensationStarted', { reason });
  await ctx.store.audit.append({
    kind: 'rollback',
    tradeId: trade.id,
    groupId: group.id,
    dedupeKey: `rollback_started:${group.id}`,
    data: { phase: 'started', reason },
  });
  const step = await compensate(ctx, group.id, group.intent, opts, polls);
  if (step.kind === 'waiting_unknown') return result(ctx, group.id, 'compensation waits for reconciliation');
  if (step.kind === 'flat') {
    const to = step.hadFills ? 'rolled_back' : 'cancelled';
    // The rollback's cost (spread paid + fees) is the trade's realised P&L
    const cost = step.hadFills ? await realizedNetOfFees(ctx, trade.id, trade.underlying) : undefined;
    if (await ctx.store.groups.move(group.id, step.hadFills ? 'RolledBack' : 'Cancelled')) {
      await ctx.store.trades.move(
        trade.id,
        step.hadFills ? 'EntryRolledBack' : 'EntryRejected',
        cost ? { realizedPnlCents: cost.realizedCents } : {},
      );
      await ctx.store.audit.append({
        kind: 'rollback',
        tradeId: trade.id,
        groupId: group.id,
        dedupeKey: `rollback_done:${group.id}`,
        data: {
          phase: 'flat',
          status: to,
          ...(cost
            ? { realizedPnlCents: cost.realizedCents, spreadCents: cost.cashCents, feeCents: cost.feeCents }
            : {}),
        },
      });
    }
    return result(ctx, group.id);
  }
  if (step.kind === 'kept') {
    // Nothing at risk is left: not broken, no human needed. The trade keeps the longs, open, and the exit cycle sells
    // them if a bid appears, else they expire (src/domain/closing-legs.ts `nobodyBids`)
    const what = step.held.map((h) => `${h.quantity} ${compactSymbol(h.symbol)}`).join(', ');
    const why = `rolled back but for ${what} nobody bids for: ${LEFT_TO_EXPIRE}`;
    if (await ctx.store.groups.move(group.id, 'RolledBack', { reason: why })) {
      await ctx.store.trades.move(trade.id, 'RemainderKept');
      await ctx.store.audit.append({
        kind: 'rollback',
        tradeId: trade.id,
        groupId: group.id,
        dedupeKey: `rollback_done:${group.id}`,
        data: { phase: 'kept', status: 'rolled_back', reason: why, held: step.held },
      });
      ctx.log.warn({ groupId: group.id, tradeId: trade.id, held: step.held }, why);
    }
    return result(ctx, group.id);
  }
  if (await ctx.store.groups.move(group.id, 'Broken', { reason: step.reason })) {
    await ctx.store.trades.move(trade.id, 'Broken');
    await ctx.store.tradingState.set('reducing', 'executor', `group ${group.id} broken: ${step.reason}`);
    await ctx.alert('broken_group', `group ${group.id} could not be flattened: ${step.reason}`, {
      groupId: group.id,
      tradeId: trade.id,
    });
  }
  return result(ctx, group.id);
}
