// Owns the legged exit: closing orders only (Buy to Close / Sell to Close, never an opening action), sent in the
// unwind order of src/domain/unwind-order.ts (shorts bought back first; a long sold only once the shorts it covers are
// flat), each for at most what the trade still holds. Forward only: a refused or unfilled leg is tried again at a fresh
// natural price up to `maxExitAttempts` times; then the exit ends with the trade `open` again holding its real
// leftovers (managed by the exit rules), and an `exit_incomplete` alert. Nothing an exit closed is ever re-opened. A
// long nobody bids for, once no short is held, is not offered: when only such longs are left the exit ends quietly
// and the trade keeps them until a bid appears or they expire (src/domain/closing-legs.ts `nobodyBids`).
import type { GroupRow, TradeRow } from '../../domain/records.js';
import { packageRequest } from '../../domain/order-group.js';
import { deterministicId } from '../../domain/ids.js';
import { compactSymbol } from '../../domain/instrument.js';
import { LEFT_TO_EXPIRE } from '../../domain/closing-legs.js';
import { naturalLegCents } from '../../domain/leg-pricing.js';
import { isTerminalOrder } from '../../domain/order.js';
import { unwindWaves, type CloseStep } from '../../domain/unwind-order.js';
import type { ExecContext } from '../execution-context.js';
import { awaitLeg, isUnsettled, PollThrottle } from './leg-wait.js';
import { groupNetPerUnit, leggedResult as result, waitForReconcile, type LeggedOptions } from './legged-group.js';
import { submitOnce } from './order-submission.js';
import type { ExecuteResult } from './plan-entry.js';
import { preTradeGate } from './pre-trade-gate.js';
import { deferExit, shouldDefer } from './exit-defer.js';
import { freshOptionQuote, nobodyBidsFor, optionTicks } from './closing-quote.js';
import { settleExitedTrade } from './settle.js';

interface Remaining {
  /** Signed contracts still to close per symbol (short −, long +), never more than the trade holds. */
  toClose: Map<string, number>;
  /** Shorts the trade keeps beyond this exit (their longs keep covering them). */
  keptShorts: Map<string, number>;
  held: Map<string, number>;
}

/** What this exit still has to close: its target per leg less what it closed, capped by what the trade holds. */
async function remaining(ctx: ExecContext, group: GroupRow, trade: TradeRow): Promise<Remaining> {
  const held = new Map((await ctx.store.positions.ofTrade(trade.id)).map((p) => [p.symbol, p.quantity]));
  const closed = new Map(await ctx.store.fills.ofGroup(group.id));
  const toClose = new Map<string, number>();
  const keptShorts = new Map<string, number>();
  for (const leg of group.intent.legs) {
    const want = Math.max(0, leg.ratio * group.intent.quantity - (closed.get(leg.symbol) ?? 0));
    const h = held.get(leg.symbol) ?? 0;
    // A Buy to Close reduces a short, a Sell to Close a long: never past flat
    const qty = leg.action.startsWith('Buy') ? Math.min(want, Math.max(0, -h)) : Math.min(want, Math.max(0, h));
    if (qty > 0) toClose.set(leg.symbol, leg.action.startsWith('Buy') ? -qty : qty);
  }
  for (const [symbol, h] of held) {
    const closing = Math.min(0, toClose.get(symbol) ?? 0);
    if (h < 0 && h - closing < 0) keptShorts.set(symbol, -(h - closing));
  }
  return { toClose, keptShorts, held };
}

/** A natural limit for one closing contract from a fresh quote on the broker's ticks; undefined without one. */
async function exitLimit(ctx: ExecContext, step: CloseStep, opts: LeggedOptions): Promise<number | undefined> {
  const until = ctx.now() + opts.quoteWaitMs;
  for (;;) {
    const [q, ticks] = await Promise.all([
      freshOptionQuote(ctx, step.symbol, opts.quoteMaxAgeMs, Math.min(3000, Math.max(100, opts.quoteWaitMs))),
      optionTicks(ctx, step.symbol),
    ]);
    if (q && ticks) {
      const cents = (x: number | null) => (x === null ? null : Math.round(x * 100));
      const action = step.side === 'buy' ? 'Buy to Close' : 'Sell to Close';
      const natural = naturalLegCents(
        {
          symbol: step.symbol,
          action,
          ratio: 1,
          bidCents: cents(q.bid),
          askCents: cents(q.ask),
          receivedAt: q.receivedAt,
        },
        ticks,
      );
      if (natural !== undefined) return natural;
      // A long nobody bids for covers nothing any more once its shorts are flat: offered at the smallest price
      if (step.side === 'sell') return ticks.find((t) => t.threshold !== null)?.valueCents ?? ticks[0]!.valueCents;
    }
    if (ctx.now() >= until) return undefined;
    await ctx.sleep(opts.pollMs);
  }
}

export async function executeLeggedExit(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  opts: LeggedOptions,
): Promise<ExecuteResult> {
  const intent = group.intent;
  const existing = await ctx.store.orders.ofGroup(group.id);
  if (existing.some(isUnsettled)) return waitForReconcile(ctx, group.id);
  if (existing.length === 0 && group.status === 'planned') {
    // Closing orders free buying power and are allowed in every trading state: session and quotes only
    const decision = await preTradeGate(ctx, group, packageRequest(intent), { dryRun: false });
    if (decision.kind === 'wait') {
      if (shouldDefer(group, decision, ctx.now())) return deferExit(ctx, group, trade, decision.reason);
      return result(ctx, group.id, decision.reason, decision.ms);
    }
    if (decision.kind === 'denied') return endExit(ctx, group, trade, `not sent now: ${decision.reason}`, false);
    await ctx.store.groups.move(group.id, 'SlotClaimed');
  }
  const polls = new PollThrottle(ctx, opts.brokerPollMs);
  for (;;) {
    const orders = await ctx.store.orders.ofGroup(group.id);
    if (orders.some(isUnsettled)) return waitForReconcile(ctx, group.id);
    // A sent order still working (the one just sent, or one a crash left behind) is awaited before anything else
    const working = orders.find((o) => !isTerminalOrder(o.status) && o.status !== 'planned');
    if (working) {
      const end = await awaitLeg(ctx, working, opts, polls);
      if (isUnsettled(end.order)) return waitForReconcile(ctx, group.id);
      if (end.kind === 'deadline')
        return endExit(
          ctx,
          group,
          trade,
          `closing order ${working.id} not settled within ${opts.legWaitMs} ms (deadline)`,
          true,
        );
      continue;
    }
    const left = await remaining(ctx, group, trade);
    if (left.toClose.size === 0) return finishExit(ctx, group, trade);
    const tries = (symbol: string) => orders.filter((o) => o.legs[0]?.symbol === symbol).length;
    const plan = unwindWaves(
      [...left.toClose].map(([symbol, quantity]) => ({ symbol, quantity })),
      left.keptShorts,
    );
    const noShortHeld = [...left.held.values()].every((q) => q >= 0);
    const kept: string[] = [];
    let step: CloseStep | undefined;
    for (const s of (plan.waves[0] ?? []).filter((x) => tries(x.symbol) < opts.maxExitAttempts)) {
      if (
        s.side === 'sell' &&
        noShortHeld &&
        nobodyBidsFor(await freshOptionQuote(ctx, s.symbol, opts.quoteMaxAgeMs))
      ) {
        kept.push(s.symbol);
        continue;
      }
      step = s;
      break;
    }
    if (!step && kept.length > 0 && [...left.toClose.keys()].every((s) => kept.includes(s))) {
      const what = kept.map(compactSymbol).join(', ');
      return endExit(ctx, group, trade, `closed but for longs nobody bids for (${what}): ${LEFT_TO_EXPIRE}`, false, {
        alert: false,
      });
    }
    if (!step) {
      const what = [...left.toClose].map(([s, q]) => `${s.trim()} ${q}`).join(', ');
      return endExit(
        ctx,
        group,
        trade,
        `exit incomplete after ${opts.maxExitAttempts} tries per leg; still held: ${what}`,
        false,
      );
    }
    const legIndex = intent.legs.findIndex((l) => l.symbol === step.symbol);
    const attempt = tries(step.symbol);
    const seq = Math.max(0, legIndex) * 100 + attempt;
    const limit = await exitLimit(ctx, step, opts);
    const planned = (
      await ctx.store.orders.insertPlanned({
        id: deterministicId('exit-leg', group.id, String(seq)),
        groupId: group.id,
        role: 'leg',
        seq,
        legs: [
          {
            symbol: step.symbol,
            instrumentType: 'Equity Option',
            action: step.side === 'buy' ? 'Buy to Close' : 'Sell to Close',
            quantity: step.quantity,
          },
        ],
        size: step.quantity,
        limitPriceCents: limit ?? null,
      })
    ).order;
    if (limit === undefined) {
      // Counted as a try: nothing is sent on a guess
      await ctx.store.orders.transition(planned.id, { type: 'Denied', reason: 'no fresh quote' }, 'local', {
        rejectReason: 'no fresh quote',
      });
      continue;
    }
    const outcome = await submitOnce(ctx, planned.id, trade.id);
    polls.touch(planned.id);
    if (outcome.kind === 'unknown') return waitForReconcile(ctx, group.id);
    if (outcome.kind === 'accepted') await ctx.store.groups.move(group.id, 'Working');
    if (outcome.kind === 'rejected') {
      ctx.log.warn(
        { groupId: group.id, symbol: step.symbol, attempt, reason: outcome.error.message },
        'closing order refused; trying again toward natural',
      );
      await ctx.sleep(opts.closeBackoffMs * 2 ** attempt);
    }
  }
}

/** Everything this exit set out to close is closed: the trade is closed when nothing is left, else managed again. */
async function finishExit(ctx: ExecContext, group: GroupRow, trade: TradeRow): Promise<ExecuteResult> {
  const net = await groupNetPerUnit(ctx, group.id, group.intent.quantity);
  if (await ctx.store.groups.move(group.id, 'Filled', { filledUnits: group.intent.quantity })) {
    await settleExitedTrade(ctx, trade, group, net);
    await ctx.store.audit.append({
      kind: 'fill',
      tradeId: trade.id,
      groupId: group.id,
      dedupeKey: `group_filled:${group.id}`,
      data: { kind: 'exit', units: group.intent.quantity, netCents: net },
    });
  }
  return result(ctx, group.id);
}

/**
 * The exit ends before closing everything. `stuck` (an order whose end the broker never confirmed): the group is broken
 * and a human is needed. Otherwise it is cancelled and the trade is `open` again with what it really holds, so the exit
 * rules keep managing it; an `exit_incomplete` alert once any closing order was tried (not with `alert: false`: only
 * longs nobody bids for are left, nothing at risk).
 */
async function endExit(
  ctx: ExecContext,
  group: GroupRow,
  trade: TradeRow,
  reason: string,
  stuck: boolean,
  { alert = true }: { alert?: boolean } = {},
): Promise<ExecuteResult> {
  const held = (await ctx.store.positions.ofTrade(trade.id))
    .filter((p) => p.quantity !== 0)
    .map((p) => ({ symbol: p.symbol, quantity: p.quantity }));
  if (stuck) {
    if (await ctx.store.groups.move(group.id, 'Broken', { reason })) {
      await ctx.store.trades.move(trade.id, 'Broken', { exitReason: reason });
      await ctx.store.tradingState.set('reducing', 'executor', `exit group ${group.id} broken: ${reason}`);
      await ctx.alert('broken_group', `exit group ${group.id}: ${reason}`, {
        groupId: group.id,
        tradeId: trade.id,
        held,
      });
    }
    return result(ctx, group.id);
  }
  const anyFilled = await ctx.store.fills.anyOfGroup(group.id);
  const anySent = (await ctx.store.orders.ofGroup(group.id)).length > 0;
  if (await ctx.store.groups.move(group.id, 'Cancelled', { reason })) {
    await ctx.store.trades.move(trade.id, 'ExitEnded');
    await ctx.store.audit.append({
      kind: 'trade_skipped',
      tradeId: trade.id,
      groupId: group.id,
      dedupeKey: `exit_ended:${group.id}`,
      data: { kind: 'exit', reason, anyFilled, held },
    });
    if (anySent && alert) {
      await ctx.alert('exit_incomplete', `exit group ${group.id} ended: ${reason}`, {
        groupId: group.id,
        tradeId: trade.id,
        held,
      });
    }
  }
  return result(ctx, group.id);
}
