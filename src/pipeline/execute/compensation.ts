// Owns the rollback half of the legged saga: cancel working siblings, then flatten what the entry filled with closing
// orders (role 'compensation') in the order of src/domain/unwind-order.ts: shorts bought back first, a long sold only
// once the shorts it covers are flat (or can no longer appear). Rejected closes are retried with backoff (the broker's
// ledger lags); the whole compensation has a deadline. A plan recomputed from Postgres each pass, never an undo; it
// never acts while any order is unknown, and it only ever builds Buy to Close / Sell to Close orders. A long nobody
// bids for is never offered: once only such longs are left, they are kept (src/domain/closing-legs.ts `nobodyBids`).
import type { OrderRow } from '../../domain/records.js';
import { BrokerError } from '../../domain/broker-error.js';
import { deterministicId } from '../../domain/ids.js';
import type { GroupIntent } from '../../domain/order-group.js';
import { isTerminalOrder } from '../../domain/order.js';
import { roundPriceToTick, tickAtCents } from '../../domain/ticks.js';
import { unwindWaves } from '../../domain/unwind-order.js';
import type { ExecContext } from '../execution-context.js';
import { isUnsettled, PollThrottle } from './leg-wait.js';
import { freshOptionQuote, nobodyBidsFor, optionTicks, type ClosingQuote } from './closing-quote.js';
import { untilOpenMs } from './pre-trade-gate.js';
import { submitOnce } from './order-submission.js';

export interface CompensationOptions {
  /** Closing orders tried per symbol before the group is declared broken. */
  maxCloseAttempts: number;
  /** First retry delay after a rejected closing order; doubles each attempt. */
  closeBackoffMs: number;
  /** A closing order still working after this long is cancelled and re-planned at a fresh price. */
  closeTimeoutMs: number;
  /** Postgres re-read interval. */
  pollMs: number;
  /** The broker is asked about one order at most this often (default 1 s). */
  brokerPollMs: number;
  /** The whole compensation ends (broken, a human alerted) when not flat after this long (default 120 s). */
  compensationDeadlineMs: number;
  /** A quote older than this does not price a closing order (default 15 s). */
  quoteMaxAgeMs: number;
}

export const COMPENSATION_DEFAULTS = {
  brokerPollMs: 1000,
  compensationDeadlineMs: 120_000,
  quoteMaxAgeMs: 15_000,
} as const;

export type CompensationStep =
  | { kind: 'flat'; hadFills: boolean }
  /** Flat but for longs nobody bids for (no short held or pending): they are kept, worth nothing, covering nothing. */
  | { kind: 'kept'; held: { symbol: string; quantity: number }[] }
  | { kind: 'waiting_unknown' }
  | { kind: 'broken'; reason: string };

/** Net contracts per symbol this group's fills left open (legs and earlier compensation orders together). */
export async function groupExposure(ctx: ExecContext, groupId: string): Promise<Map<string, number>> {
  return new Map([...(await ctx.store.fills.netOfGroup(groupId))].filter(([, qty]) => qty !== 0));
}

/**
 * A marketable limit for one closing contract from a fresh quote, on the broker's tick schedule: through the natural
 * price by a cushion, signed (credit +, debit −). Undefined without a fresh quote: nothing is sent on a guess.
 */
async function closingLimit(
  ctx: ExecContext,
  symbol: string,
  q: ClosingQuote | undefined,
  buy: boolean,
): Promise<number | undefined> {
  if (!q) return undefined;
  const ticks = await optionTicks(ctx, symbol);
  if (!ticks) return undefined;
  if (buy) {
    const ask = Math.round((q.ask ?? 0) * 100);
    if (ask <= 0) return undefined;
    return -roundPriceToTick(ask + Math.max(5, Math.round(ask * 0.1)), ticks, 'up');
  }
  // A long nobody bids for is still sold (it covers nothing by now) at the smallest price the schedule allows
  const bid = Math.round((q.bid ?? 0) * 100);
  const price = roundPriceToTick(Math.max(0, bid - Math.max(5, Math.round(bid * 0.1))), ticks, 'down');
  return price > 0 ? price : tickAtCents(0, ticks);
}

/** Opening short legs not terminal yet: contracts that may still become short (their longs keep covering them). */
function pendingShorts(orders: readonly OrderRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of orders) {
    const leg = o.legs[0];
    if (o.role !== 'leg' || !leg || isTerminalOrder(o.status) || leg.action !== 'Sell to Open') continue;
    out.set(
      leg.symbol,
      (out.get(leg.symbol) ?? 0) + Math.max(0, o.size - o.filledUnits) * (leg.quantity / Math.max(1, o.size)),
    );
  }
  return out;
}

/** How long to wait before looking again when the broker says the market is not open; null when it is (or unknown). */
async function closedMarketWait(ctx: ExecContext): Promise<number | null> {
  try {
    const session = await ctx.broker.marketSession();
    return session.state === 'Open' ? null : Math.min(60_000, untilOpenMs(session, ctx.now()));
  } catch {
    return null; // unknown: carry on as if open (the closing orders themselves will say)
  }
}

/**
 * Whether a deadline set at `since` may still run, asked once it seems passed: 'closed' when the market is not open
 * now (a close fell after the last look: the loop waits for the open), the open of the current session when it opened
 * after `since` (a night passed between two looks: the deadline restarts there); null when it truly passed (or unknown).
 */
async function deadlineReprieve(ctx: ExecContext, since: number): Promise<'closed' | number | null> {
  try {
    const session = await ctx.broker.marketSession();
    if (session.state !== 'Open') return 'closed';
    return session.openAt !== null && session.openAt > since ? session.openAt : null;
  } catch {
    return null;
  }
}

/**
 * Compensation of an entry: cancel working legs, wait for unsettled ones, close the unwind's first wave, recompute.
 * Loops until flat, broken (a symbol out of attempts, or the deadline), or an unknown outcome blocks it.
 */
export async function compensate(
  ctx: ExecContext,
  groupId: string,
  intent: GroupIntent,
  opts: CompensationOptions,
  polls = new PollThrottle(ctx, opts.brokerPollMs),
): Promise<CompensationStep> {
  // Exits go forward only (execute/legged-exit.ts): undoing a close would re-open the risk it shed
  if (intent.kind !== 'entry') throw new Error(`compensation undoes an entry; group ${groupId} is an ${intent.kind}`);
  let startedAt = ctx.now();
  let deadline = startedAt + opts.compensationDeadlineMs;
  for (;;) {
    // A closed market cannot take closing orders: wait for the open, and the deadline counts open-market time only
    // (with one clock, a night jumps broker time past any deadline set before the close)
    const closedFor = await closedMarketWait(ctx);
    if (closedFor !== null) {
      await ctx.sleep(closedFor);
      startedAt = ctx.now();
      deadline = startedAt + opts.compensationDeadlineMs;
      continue;
    }
    let orders = await ctx.store.orders.ofGroup(groupId);
    if (orders.some(isUnsettled)) return { kind: 'waiting_unknown' };
    // 1. Siblings still working are cancelled (their late fills, if any, are flattened below)
    for (const o of orders.filter((x) => !isTerminalOrder(x.status) && x.status !== 'planned')) {
      const fresh = await polls.refresh(o);
      const closingTooLong =
        o.role === 'compensation' &&
        o.submittedAt !== null &&
        ctx.now() - o.submittedAt.getTime() > opts.closeTimeoutMs;
      if (!isTerminalOrder(fresh.status) && (o.role === 'leg' || closingTooLong)) await polls.cancel(fresh);
    }
    // Planned legs that were never sent are dropped from the plan
    for (const o of orders.filter((x) => x.status === 'planned' && x.role === 'leg')) {
      await ctx.store.orders.transition(
        o.id,
        { type: 'Denied', reason: 'group rolled back before this leg was sent' },
        'local',
        { rejectReason: 'rolled back' },
      );
    }
    orders = await ctx.store.orders.ofGroup(groupId);
    if (orders.some(isUnsettled)) return { kind: 'waiting_unknown' };
    const stillOpen = orders.filter((o) => !isTerminalOrder(o.status));
    const exposure = await groupExposure(ctx, groupId);
    if (exposure.size === 0) {
      // Flat: whatever closing order is left (planned after a crash, or still working) is no longer wanted
      for (const o of stillOpen) {
        if (o.status === 'planned')
          await ctx.store.orders.transition(o.id, { type: 'Denied', reason: 'already flat' }, 'local');
        else await polls.cancel(o);
      }
      if ((await ctx.store.orders.ofGroup(groupId)).every((o) => isTerminalOrder(o.status))) {
        const hadFills = await ctx.store.fills.anyOfGroup(groupId);
        return { kind: 'flat', hadFills };
      }
    }
    if (ctx.now() >= deadline) {
      // The clock may have jumped past the close since the look above (then the loop waits for the open), or a close
      // and an open passed since the deadline was set (a night between two looks: it restarts at that open)
      const reprieve = await deadlineReprieve(ctx, startedAt);
      if (reprieve === 'closed') continue;
      if (reprieve !== null) {
        startedAt = reprieve;
        deadline = reprieve + opts.compensationDeadlineMs;
        if (ctx.now() < deadline) continue;
      }
    }
    if (ctx.now() >= deadline) {
      const open = [...exposure].map(([s, q]) => `${s.trim()} ${q}`).join(', ') || 'nothing';
      const working =
        stillOpen
          .filter((o) => o.status !== 'planned')
          .map((o) => `${o.role} ${o.legs[0]?.symbol.trim()} ${o.status}`)
          .join(', ') || 'none';
      return {
        kind: 'broken',
        reason: `compensation deadline (${Math.round(opts.compensationDeadlineMs / 1000)} s) passed; still held: ${open}; orders not settled: ${working}`,
      };
    }
    if (exposure.size === 0) {
      await ctx.sleep(opts.pollMs);
      continue;
    }
    // 2. The unwind's first wave, one closing order per symbol at a time; a rejected one is retried after a backoff
    const plan = unwindWaves(
      [...exposure].map(([symbol, quantity]) => ({ symbol, quantity })),
      pendingShorts(orders),
    );
    const worthless: string[] = [];
    for (const step of plan.waves[0] ?? []) {
      const { symbol } = step;
      const legIndex = intent.legs.findIndex((l) => l.symbol === symbol);
      const mine = orders.filter((o) => o.role === 'compensation' && o.legs[0]?.symbol === symbol);
      const active = mine.find((o) => !isTerminalOrder(o.status));
      if (active && active.status !== 'planned') continue; // working: awaited on the next pass
      // A long nobody bids for is not offered (it would only fail, and count toward "broken"): kept for now
      // (a sell's quote, read once, decides that and then prices the order)
      const sellQuote = step.side === 'sell' ? await freshOptionQuote(ctx, symbol, opts.quoteMaxAgeMs) : undefined;
      if (nobodyBidsFor(sellQuote)) {
        if (active) await ctx.store.orders.transition(active.id, { type: 'Denied', reason: 'nobody bids' }, 'local');
        worthless.push(symbol);
        continue;
      }
      // An order the close expired did not fail to close: it is not an attempt
      const attempt = mine.filter((o) => isTerminalOrder(o.status) && o.status !== 'expired').length;
      if (!active && attempt >= opts.maxCloseAttempts) {
        return {
          kind: 'broken',
          reason: `could not flatten ${symbol} (${exposure.get(symbol)}) after ${attempt} closing orders`,
        };
      }
      // Every closing order of this symbol has its own row (an expired one is never re-sent): its place follows them all
      const seq = Math.max(0, legIndex) * 100 + mine.length;
      if (!active && mine.length >= 100) {
        return {
          kind: 'broken',
          reason: `could not flatten ${symbol} (${exposure.get(symbol)}) after ${mine.length} closing orders`,
        };
      }
      const last = mine.filter((o) => isTerminalOrder(o.status)).sort((a, b) => b.seq - a.seq)[0];
      if (!active && last && last.status === 'rejected') {
        const due = last.updatedAt.getTime() + opts.closeBackoffMs * 2 ** Math.max(0, attempt - 1);
        if (ctx.now() < due) continue;
      }
      let planned = active;
      if (!planned) {
        const quote = sellQuote ?? (await freshOptionQuote(ctx, symbol, opts.quoteMaxAgeMs));
        const limit = await closingLimit(ctx, symbol, quote, step.side === 'buy');
        if (limit === undefined) {
          ctx.log.warn({ groupId, symbol }, 'no fresh quote to price a closing order; waiting for one');
          continue;
        }
        // Deterministic: two runs plan the same order, never two
        const inserted = await ctx.store.orders.insertPlanned({
          id: deterministicId('compensation', groupId, String(seq)),
          groupId,
          role: 'compensation',
          seq,
          legs: [
            {
              symbol,
              instrumentType: 'Equity Option',
              action: step.side === 'buy' ? 'Buy to Close' : 'Sell to Close',
              quantity: step.quantity,
            },
          ],
          size: step.quantity,
          limitPriceCents: limit,
        });
        // Its place was taken by an order that is not this one waiting to be sent: never send something else in its stead
        if (!inserted.created && (inserted.order.status !== 'planned' || inserted.order.legs[0]?.symbol !== symbol)) {
          return {
            kind: 'broken',
            reason: `closing order ${seq} of ${symbol} collides with order ${inserted.order.id} (${inserted.order.status})`,
          };
        }
        planned = inserted.order;
      }
      const outcome = await submitOnce(ctx, planned.id, intent.tradeId);
      polls.touch(planned.id);
      if (outcome.kind === 'unknown') return { kind: 'waiting_unknown' };
      if (outcome.kind === 'rejected') {
        const brokerSaid = outcome.error instanceof BrokerError ? outcome.error.message : String(outcome.error);
        ctx.log.warn(
          { groupId, symbol, attempt, reason: brokerSaid },
          'closing order rejected; will retry after backoff',
        );
      }
    }
    // Only longs nobody bids for are left, no short is held or can still appear, nothing is working: kept
    const shortsLeft = [...exposure.values()].some((q) => q < 0) || pendingShorts(orders).size > 0;
    if (!shortsLeft && worthless.length > 0 && [...exposure.keys()].every((s) => worthless.includes(s))) {
      const after = await ctx.store.orders.ofGroup(groupId);
      if (after.every((o) => isTerminalOrder(o.status)))
        return { kind: 'kept', held: [...exposure].map(([symbol, quantity]) => ({ symbol, quantity })) };
    }
    // Later waves wait for this one: the next pass recomputes the plan from the fills
    await ctx.sleep(opts.pollMs);
  }
}
