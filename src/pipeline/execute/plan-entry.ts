// Owns turning a pending trade into its entry GroupIntent (legs, quantity, mode, partial-fill policy, the price ladder
// from a fresh quote), refusing an approved trade whose credit fell below the rule's floor meanwhile, package pricing
// from leg quotes, loading a rule set by hash, and the executor's result type.
import type { TradeRow } from '../../domain/records.js';
import { loadRuleSet } from '../rule-versions.js';
import type { LegAction } from '../../domain/broker-order.js';
import { occToStreamer } from '../../domain/instrument.js';
import type { QuoteSnapshot } from '../../domain/market.js';
import { centsToDecimal, type Cents } from '../../domain/money.js';
import { fitsOneOrder, type GroupIntent, type GroupStatus, type IntentLeg } from '../../domain/order-group.js';
import { roundToTick, tickCentsAt } from '../../strategies/build-candidate.js';
import type { ExecContext } from '../execution-context.js';

export interface ExecuteResult {
  groupId: string;
  /** `not_planned`: the trade was settled before its entry group was planned (nothing exists, nothing was sent). */
  status: GroupStatus | 'not_planned';
  filledUnits: number;
  /** Orders of the group (package, legs, compensation). */
  orders: number;
  reason?: string;
  /** Set when the group may not start yet (working-groups limit): run the same job again after this long. */
  retryAfterMs?: number;
}

export { loadRuleSet };

const isBuy = (a: LegAction): boolean => a.startsWith('Buy');

export interface PackageQuote {
  /** Signed per-unit package prices in cents (credit +, debit −); unrounded mid. */
  midCents: number;
  naturalCents: Cents;
  /** Natural price of the opposite (closing) package: what flattening would cost now, signed. */
  closingNaturalCents: Cents;
  tickCents: number;
  quotes: Map<string, QuoteSnapshot>;
  /** Legs without a two-sided quote. */
  missing: string[];
  /** Oldest quote's receipt time (epoch ms); 0 when a quote is missing. */
  oldestAt: number;
}

/** One fresh snapshot of the legs' quotes and the package's mid / natural on the underlying's tick. */
export async function quotePackage(
  ctx: Pick<ExecContext, 'marketData'>,
  legs: readonly IntentLeg[],
  underlying?: string,
): Promise<PackageQuote> {
  // Shares (delivered by an assignment or exercise, closed by an exit) are quoted under their own symbol
  const streamers = legs.map((l) => (l.instrumentType === 'Equity' ? l.symbol : occToStreamer(l.symbol)));
  const snap = await ctx.marketData.snapshot(streamers, { greeks: false, timeoutMs: 3000 });
  const ticks = (await ctx.marketData.chain(underlying ?? underlyingOf(legs))).tickSizes;
  let mid = 0;
  let natural = 0;
  let closing = 0;
  let tick = Infinity;
  let oldestAt = Infinity;
  const missing: string[] = [];
  legs.forEach((leg, i) => {
    const q = snap.quotes.get(streamers[i]!);
    if (!q || q.bid === null || q.ask === null || q.ask <= 0 || q.bid > q.ask) {
      missing.push(leg.symbol);
      return;
    }
    const sign = isBuy(leg.action) ? -1 : 1;
    mid += sign * ((q.bid + q.ask) / 2) * 100 * leg.ratio;
    natural += (sign > 0 ? q.bid : -q.ask) * 100 * leg.ratio;
    closing += (sign > 0 ? -q.ask : q.bid) * 100 * leg.ratio;
    tick = Math.min(tick, tickCentsAt((q.bid + q.ask) / 2, ticks));
    oldestAt = Math.min(oldestAt, q.receivedAt);
  });
  return {
    midCents: mid,
    naturalCents: Math.round(natural),
    closingNaturalCents: Math.round(closing),
    tickCents: Number.isFinite(tick) && tick > 0 ? tick : 1,
    quotes: snap.quotes,
    missing,
    oldestAt: missing.length > 0 || !Number.isFinite(oldestAt) ? 0 : oldestAt,
  };
}

/** OCC root of the first leg ("SPY   261218P00550000" → "SPY"). */
export const underlyingOf = (legs: readonly { symbol: string }[]): string => legs[0]?.symbol.slice(0, 6).trim() ?? '';

/** Signed cents rounded to the tick (roundToTick works on magnitudes: a debit rounds like its credit mirror). */
export const signedRound = (cents: number, tick: number): Cents =>
  cents < 0 ? -roundToTick(-cents, tick) : roundToTick(cents, tick);

/** The entry intent of a pending trade, priced from a fresh snapshot and the rule set it was chosen with. */
export async function planEntry(
  ctx: Pick<ExecContext, 'rules' | 'store' | 'marketData'>,
  trade: TradeRow,
): Promise<GroupIntent> {
  return (await entryPlan(ctx, trade)).intent;
}

export interface EntryPlan {
  intent: GroupIntent;
  /**
   * Set when the trade must not be sent: it was approved by a human (manual approval) and, on the fresh quote, the
   * credit its rule would start at (mid, or natural under `entry.price: natural`) is below the rule's floor
   * (`entry.minCredit`): the market moved while it waited. A scan would not select it now, so it is not sent.
   */
  refusal: string | null;
}

const dollars = (cents: number): string => `$${centsToDecimal(Math.round(cents))}`;

/** `planEntry`, and whether an approved trade is refused at approval (its credit fell below the floor). */
export async function entryPlan(
  ctx: Pick<ExecContext, 'rules' | 'store' | 'marketData'>,
  trade: TradeRow,
): Promise<EntryPlan> {
  const ruleSet = await loadRuleSet(ctx, trade.ruleSet, trade.rulesHash);
  const legs: IntentLeg[] = trade.legs.map((l) => ({
    symbol: l.symbol,
    instrumentType: 'Equity Option',
    action: l.action,
    ratio: l.quantity,
  }));
  const quote = await quotePackage(ctx, legs, trade.underlying);
  if (quote.missing.length > 0) throw new Error(`no two-sided quote for ${quote.missing.join(', ')}`);
  const tick = quote.tickCents;
  const natural = quote.naturalCents;
  const e = ruleSet.entry;
  const priced = e.price === 'natural' ? natural : signedRound(quote.midCents, tick);
  let start = priced;
  let floor = natural;
  const minCreditCents = e.minCredit === undefined ? undefined : Math.round(e.minCredit * 100);
  // A credit structure: never sell for less than minCredit (per share, dollars)
  if (start > 0 && minCreditCents !== undefined) floor = Math.max(floor, minCreditCents);
  // Never start worse than the floor (a debit starts at mid and may pay up to natural)
  start = Math.max(start, floor);
  // An approved trade waited for a human: the rule's own credit test again, on the fresh quote (as selection did)
  const approved = trade.approvalBy !== null && trade.approvalDeadline !== null;
  const refusal =
    approved && minCreditCents !== undefined && priced < minCreditCents
      ? `refused at approval: the market moved and its ${e.price} credit ${dollars(priced)} fell below the floor ` +
        `${dollars(minCreditCents)} (entry.minCredit; ${dollars(trade.expectedCreditCents)} mid when proposed)`
      : null;
  const intent: GroupIntent = {
    tradeId: trade.id,
    kind: 'entry',
    // `legwork trade --mode` records an override on the trade; a structure that fits no single order is always legged
    mode: fitsOneOrder(legs)
      ? ((trade.facts['executionMode'] as 'combo' | 'legged' | undefined) ?? ruleSet.execution.mode)
      : 'legged',
    quantity: trade.quantity,
    legs,
    pricing: {
      startCents: start,
      floorCents: floor,
      stepCents: e.stepTicks * tick,
      stepEverySeconds: e.stepEverySeconds,
      maxSteps: e.maxSteps,
      fillTimeoutSeconds: e.fillTimeoutSeconds,
    },
    partialFill: ruleSet.execution.partialFill,
    ruleSet: ruleSet.name,
    rulesHash: ruleSet.hash,
  };
  return { intent, refusal };
}
