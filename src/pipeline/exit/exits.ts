// Owns exits: every open trade against its own rule set's `exits:` (loaded by the trade's rules hash) with ONE market
// snapshot for all of them; a fired rule becomes an exit group (deterministic id), the trade goes to `closing`, an
// `exit_triggered` audit and a high-priority executor job. The kill switch never blocks exits. Also `flattenAll`. Each
// cycle first expires proposals past their approval deadline and repairs trades nothing is moving.
import type { PositionRow, TradeRow } from '../../domain/records.js';
import { loadRuleSet } from '../rule-versions.js';
import { DAY_MS, daysBetween, nyDate } from '../../domain/dates.js';
import { deterministicId } from '../../domain/ids.js';
import type { MarketSnapshot } from '../../domain/market.js';
import {
  closingAction,
  fitsOneOrder,
  isTerminalGroup,
  type GroupIntent,
  type IntentLeg,
} from '../../domain/order-group.js';
import { closingPlan, LEFT_TO_EXPIRE } from '../../domain/closing-legs.js';
import { compactSymbol, isOccSymbol, occToStreamer } from '../../domain/instrument.js';
import type { RuleSet } from '../../rules/schema.js';
import { tickCentsAt } from '../../strategies/build-candidate.js';
import { expireApprovals, type ExpiredApproval } from '../approval.js';
import { checkAccountFailsafes, type FailsafeReport } from '../failsafe-check.js';
import type { ExecContext } from '../execution-context.js';
import { repairTrades, type Repair } from './repair-trades.js';
import { closeCosts, decideExit, exitPricing, type ExitLegMark, type ExitReason } from '../../rules/exit-rules.js';
import { realizedNetOfFees } from '../fees.js';

type FlattenReason = 'flatten' | 'leftovers' | 'assignment' | 'expiration';

/** What closes a trade the broker settled: `assignment` once shares were delivered or an option assigned or exercised. */
const settledReason = (kinds: ReadonlySet<string>): 'assignment' | 'expiration' | undefined =>
  kinds.size === 0
    ? undefined
    : kinds.has('delivery') || kinds.has('assignment') || kinds.has('exercise')
      ? 'assignment'
      : 'expiration';

/** BullMQ: 1 is the highest priority. Exits run before entries (which must be enqueued with a larger number). */
export const EXIT_PRIORITY = 1;

export interface ExitReport {
  evaluated: number;
  triggered: { tradeId: string; groupId: string; reason: ExitReason; detail: string }[];
  /** Open trades where no rule fired. */
  held: { tradeId: string; costToCloseCents: number | null; unavailable: string[] }[];
  /** Trades that could not be evaluated or closed now (no rule set, no marks, nothing held), with why. */
  skipped: { tradeId: string; reason: string }[];
  /** Exit groups of closing trades that were still planned: enqueued again (a crash between insert and enqueue). */
  requeued: number;
  /** Trades the repair pass moved (src/domain/trade-repair.ts). */
  repaired: Repair[];
  /** Proposals whose approval deadline passed (broker time): rejected with "approval expired" by this cycle. */
  approvalsExpired: ExpiredApproval[];
  /** Set when no exit may start now (market not open, or its session unknown): open trades wait for the next cycle. */
  marketClosed?: string;
  /** The account failsafes, checked first in every cycle (a daily loss that flattens is acted on in the same cycle). */
  failsafes?: FailsafeReport;
}

/** The first exit of a trade is `exit-group/<trade>`; after a cancelled attempt (trade back to open) `…/<n>`. */
export const exitGroupId = (tradeId: string, attempt = 0): string =>
  attempt === 0 ? deterministicId('exit-group', tradeId) : deterministicId('exit-group', tradeId, String(attempt));

/** The exact rules a trade was opened with: the registry's when the hash matches, else the stored version. */
export function ruleSetForTrade(
  ctx: Pick<ExecContext, 'rules' | 'store'>,
  trade: Pick<TradeRow, 'ruleSet' | 'rulesHash'>,
): Promise<RuleSet> {
  return loadRuleSet(ctx, trade.ruleSet, trade.rulesHash);
}

interface Held {
  trade: TradeRow;
  positions: PositionRow[];
  /** Whole structures still held. */
  units: number;
}

async function heldOf(ctx: ExecContext, trade: TradeRow): Promise<Held> {
  const positions = await ctx.store.positions.ofTrade(trade.id);
  const qty = new Map(positions.map((p) => [p.symbol, p.quantity]));
  const units = Math.min(
    ...trade.legs.map((l) => {
      const q = qty.get(l.symbol) ?? 0;
      const sign = l.action === 'Sell to Open' ? -1 : 1;
      return Math.max(0, Math.floor((sign * q) / l.quantity));
    }),
  );
  return { trade, positions, units: Number.isFinite(units) ? units : 0 };
}

function legMarks(trade: TradeRow, snap: MarketSnapshot | null): ExitLegMark[] {
  return trade.legs.map((l) => {
    const q = snap?.quotes.get(l.streamerSymbol);
    const g = snap?.greeks.get(l.streamerSymbol);
    return {
      symbol: l.symbol,
      action: l.action,
      ratio: l.quantity,
      strike: l.strike,
      right: l.right,
      expiration: l.expiration,
      bid: q?.bid ?? null,
      ask: q?.ask ?? null,
      delta: g?.delta ?? null,
    };
  });
}

function underlyingPrice(snap: MarketSnapshot | null, underlying: string): number | null {
  const q = snap?.quotes.get(underlying);
  if (!q) return null;
  if (q.bid !== null && q.ask !== null) return (q.bid + q.ask) / 2;
  return q.bid ?? q.ask ?? null;
}

async function snapshotFor(ctx: ExecContext, trades: readonly TradeRow[]): Promise<MarketSnapshot | null> {
  const symbols = [...new Set(trades.flatMap((t) => [t.underlying, ...t.legs.map((l) => l.streamerSymbol)]))];
  if (symbols.length === 0) return null;
  try {
    return await ctx.marketData.snapshot(symbols, { timeoutMs: 5000, greeks: true });
  } catch (error) {
    ctx.log.warn({ err: error }, 'exit marks unavailable: only the DTE and time-stop rules can fire');
    return null;
  }
}

async function tickFor(ctx: ExecContext, trade: TradeRow, marks: ExitLegMark[]): Promise<number> {
  try {
    const chain = await ctx.marketData.chain(trade.underlying);
    return Math.min(
      ...marks.map((m) => tickCentsAt(m.bid !== null && m.ask !== null ? (m.bid + m.ask) / 2 : 0, chain.tickSizes)),
    );
  } catch {
    return 1;
  }
}

/** Entry fills' first time (broker clock) — when the trade began to be held; falls back to opened/created. */
async function heldSince(ctx: ExecContext, trade: TradeRow): Promise<number> {
  return ((await ctx.store.fills.firstOfGroup(trade.entryGroupId)) ?? trade.openedAt ?? trade.createdAt).getTime();
}

/** Entry credit per structure per share (cents): the recorded one, else from the fills. */
function entryCredit(h: Held): number | null {
  if (h.trade.entryCreditCents !== null) return Number(h.trade.entryCreditCents);
  if (h.units === 0) return null;
  const cash = h.positions.reduce((n, p) => n + Number(p.cashCents), 0);
  return Math.round(cash / (h.units * 100));
}

/** Where a trade's next exit group goes (its deterministic id), or null while one of its exits is still working. */
async function nextExitGroupId(ctx: ExecContext, tradeId: string): Promise<string | null> {
  const exits = (await ctx.store.groups.ofTrade(tradeId)).filter((g) => g.kind === 'exit');
  if (exits.some((g) => !isTerminalGroup(g.status))) return null; // one exit at a time
  return exitGroupId(tradeId, exits.length);
}

/** What an exit group closes and at what price; the rest of its intent comes from the trade. */
type ExitOrder = Pick<GroupIntent, 'mode' | 'quantity' | 'legs' | 'pricing'>;

/**
 * Opens an exit group, the one way every exit starts: in one transaction the trade moves to `closing` (from open or
 * broken) and the group is written; then an `exit_triggered` audit (one per group) and its execute job, ahead of
 * entries (the job id is the group's: enqueued again, no duplicate). False when the trade could not move (another
 * evaluation got there first, or it is no longer open or broken): nothing is written.
 */
async function openExitGroup(
  ctx: ExecContext,
  trade: TradeRow,
  groupId: string,
  reason: string,
  order: ExitOrder,
  audit: Record<string, unknown>,
): Promise<boolean> {
  const intent: GroupIntent = {
    tradeId: trade.id,
    kind: 'exit',
    ...order,
    partialFill: 'keep',
    ruleSet: trade.ruleSet,
    rulesHash: trade.rulesHash,
    reason,
  };
  const moved = await ctx.store.tx(async (tx) => {
    if (!(await tx.trades.move(trade.id, 'ExitStarted', { exitReason: reason }))) return false;
    await tx.groups.insert(groupId, intent);
    return true;
  });
  if (!moved) return false;
  await ctx.store.audit.append({
    kind: 'exit_triggered',
    tradeId: trade.id,
    groupId,
    dedupeKey: `exit_triggered:${groupId}`,
    data: audit,
  });
  await ctx.jobs.enqueueExecute(trade.id, groupId, { priority: EXIT_PRIORITY });
  return true;
}

/** A fired exit rule: closes the whole structures held at the rule set's exit pricing. Null when it did not start. */
async function startExit(
  ctx: ExecContext,
  h: Held,
  ruleSet: RuleSet,
  marks: ExitLegMark[],
  reason: ExitReason,
  detail: string,
): Promise<string | null> {
  const { trade } = h;
  const pricing = exitPricing(closeCosts(marks), await tickFor(ctx, trade, marks), ruleSet.entry);
  if (!pricing) return null;
  const groupId = await nextExitGroupId(ctx, trade.id);
  if (!groupId) return null;
  const legs: IntentLeg[] = trade.legs.map((l) => ({
    symbol: l.symbol,
    instrumentType: 'Equity Option',
    action: closingAction(l.action),
    ratio: l.quantity,
  }));
  // More than one Tastytrade order takes (> 4 legs): closed leg by leg, shorts first (execute/legged-exit.ts)
  const order: ExitOrder = { mode: fitsOneOrder(legs) ? 'combo' : 'legged', quantity: h.units, legs, pricing };
  const audit = { reason, detail, quantity: h.units, pricing, ruleSet: trade.ruleSet, rulesHash: trade.rulesHash };
  if (!(await openExitGroup(ctx, trade, groupId, reason, order, audit))) return null;
  ctx.log.info({ tradeId: trade.id, groupId, reason, detail }, `exit triggered: ${reason}`);
  return groupId;
}

/** Re-enqueues exit groups of closing trades that never reached the executor (deterministic job ids: no duplicate). */
async function requeuePlanned(ctx: ExecContext): Promise<number> {
  let n = 0;
  for (const t of await ctx.store.trades.list({ statuses: ['closing'], limit: 10_000 })) {
    for (const group of await ctx.store.groups.ofTrade(t.id)) {
      if (group.kind !== 'exit' || group.status !== 'planned') continue;
      await ctx.jobs.enqueueExecute(t.id, group.id, { priority: EXIT_PRIORITY });
      n += 1;
    }
  }
  return n;
}

/** The market's state when it is not open (no exit may start), undefined when it is. */
export async function closedMarket(ctx: ExecContext): Promise<string | undefined> {
  return (await marketNow(ctx)).closed;
}

/** The broker's session: why no exit may start now (undefined when open), and the current session's close. */
async function marketNow(ctx: ExecContext): Promise<{ closed?: string; closeAt: number | null }> {
  try {
    const session = await ctx.broker.marketSession();
    return session.state === 'Open'
      ? { closeAt: session.closeAt }
      : { closed: `market is ${session.state}`, closeAt: session.closeAt };
  } catch (error) {
    return {
      closed: `market session unknown (${error instanceof Error ? error.message : String(error)})`,
      closeAt: null,
    };
  }
}

/**
 * One exit cycle: repair trades nothing is moving, re-enqueue planned exit groups, then, only while the market is open,
 * evaluate every open trade's exit rules (or flatten everything while a flatten request stands).
 */
export async function evaluateExits(ctx: ExecContext): Promise<ExitReport> {
  const report: ExitReport = {
    evaluated: 0,
    triggered: [],
    held: [],
    skipped: [],
    requeued: 0,
    // Market open or not: a proposal's deadline is a deadline at night too
    approvalsExpired: await expireApprovals(ctx),
    repaired: await repairTrades(ctx),
  };
  // A failsafe that cannot be checked now never stops the exits
  report.failsafes = await checkAccountFailsafes(ctx).catch((error: unknown) => {
    ctx.log.error({ err: error }, 'failsafes: check failed; exits go on, checked again next cycle');
    return {
      checks: [],
      tripped: [],
      skipped: `check failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  });
  report.requeued = await requeuePlanned(ctx);
  const trades = await ctx.store.trades.list({ statuses: ['open'], limit: 10_000 });
  const { closed, closeAt: sessionCloseAt } = await marketNow(ctx);
  if (closed) {
    // An exit started now could not be sent; the trade stays open and managed, and fires again after the open
    report.marketClosed = closed;
    for (const t of trades) report.skipped.push({ tradeId: t.id, reason: `${closed}: no exit starts until the open` });
    return report;
  }
  if ((await ctx.store.tradingState.get()).flatten) {
    const flat = await flattenAll(ctx, 'flatten request', { alert: false });
    for (const f of flat.flattened)
      report.triggered.push({
        tradeId: f.tradeId,
        groupId: f.groupId,
        reason: 'flatten',
        detail: 'flatten request stands',
      });
    for (const s of flat.skipped) report.skipped.push(s);
    return report;
  }
  if (trades.length === 0) return report;
  const settledOf = new Map<string, Set<string>>();
  for (const t of trades) settledOf.set(t.id, await ctx.store.settlements.kindsOf(t.id));
  // Settled trades are closed from their positions (flattenTrade quotes them): their expired legs have no quotes to wait for
  const snap = await snapshotFor(
    ctx,
    trades.filter((t) => settledOf.get(t.id)!.size === 0),
  );
  const now = ctx.now();
  const today = nyDate(now);
  for (const trade of trades) {
    report.evaluated += 1;
    try {
      const ruleSet = await ruleSetForTrade(ctx, trade);
      const settled = settledOf.get(trade.id)!;
      if (settled.size > 0) {
        // The broker settled some of its options (assignment policy `close`, the only one): whatever the trade still
        // holds, delivered shares first, is closed now that the market is open; the trade then ends closed with its P&L
        const why = settledReason(settled)!;
        const r = await flattenTrade(ctx, trade, why);
        if ('groupId' in r)
          report.triggered.push({
            tradeId: trade.id,
            groupId: r.groupId,
            reason: why,
            detail: `settled by the broker (${[...settled].sort().join(', ')}): closing what is left`,
          });
        else report.skipped.push({ tradeId: trade.id, reason: `settled by the broker: ${r.skipped}` });
        continue;
      }
      const h = await heldOf(ctx, trade);
      if (h.units === 0) {
        // Leftovers of an exit that could not close everything (or nothing at all): the exit already decided to
        // leave, so what is still held is closed from the actual positions, every cycle until nothing is
        const r = await flattenTrade(ctx, trade, 'leftovers');
        if ('groupId' in r)
          report.triggered.push({
            tradeId: trade.id,
            groupId: r.groupId,
            reason: 'leftovers',
            detail: 'no whole structure held: closing what is left',
          });
        else report.skipped.push({ tradeId: trade.id, reason: `no whole structure held: ${r.skipped}` });
        continue;
      }
      const marks = legMarks(trade, snap);
      const decision = decideExit({
        exits: ruleSet.exits,
        entryCreditCents: entryCredit(h),
        legs: marks,
        underlyingPrice: underlyingPrice(snap, trade.underlying),
        daysToExpiration: daysBetween(today, trade.expiration),
        daysHeld: Math.floor((now - (await heldSince(ctx, trade))) / DAY_MS),
        now,
        today,
        sessionCloseAt,
        exitLeadMs: ruleSet.entry.fillTimeoutSeconds * 1000,
      });
      if (!decision.exit) {
        report.held.push({
          tradeId: trade.id,
          costToCloseCents: decision.costs.midCents,
          unavailable: decision.unavailable,
        });
        continue;
      }
      const groupId = await startExit(ctx, h, ruleSet, marks, decision.reason, decision.detail);
      if (groupId)
        report.triggered.push({ tradeId: trade.id, groupId, reason: decision.reason, detail: decision.detail });
      else
        report.skipped.push({
          tradeId: trade.id,
          reason: `${decision.reason} fired but ${decision.costs.midCents === null ? 'the legs have no marks to price the close' : 'the trade is no longer open'}`,
        });
    } catch (error) {
      ctx.log.error({ err: error, tradeId: trade.id }, 'exit evaluation failed');
      report.skipped.push({ tradeId: trade.id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}

export interface FlattenReport {
  flattened: { tradeId: string; groupId: string }[];
  /** Trades that could not be flattened now, with why (a later exit cycle tries again while the request stands). */
  skipped: { tradeId: string; reason: string }[];
}

/** Last fill price per symbol of a trade (dollars per share). */
async function lastFills(ctx: ExecContext, tradeId: string): Promise<Map<string, number>> {
  return new Map([...(await ctx.store.fills.lastPrices(tradeId))].map(([symbol, cents]) => [symbol, cents / 100]));
}

/**
 * Closes what one open or broken trade ACTUALLY holds (its positions), for `flatten` (the kill switch), `leftovers`
 * (what an incomplete exit left), `assignment` / `expiration` (what the broker's settlements left: delivered shares
 * first): closingPlan's orders (≤ 4 legs each, shorts first) as one exit group. What is left after it fills is the
 * next cycle's. A trade that holds nothing any more is closed.
 */
async function flattenTrade(
  ctx: ExecContext,
  trade: TradeRow,
  reason: FlattenReason = 'flatten',
): Promise<{ groupId: string } | { skipped: string }> {
  // Leftovers of a trade the broker settled (its settlement recorded after this cycle read the trade) are what the
  // settlement left: named so
  const why =
    reason === 'leftovers' ? (settledReason(await ctx.store.settlements.kindsOf(trade.id)) ?? reason) : reason;
  const groupId = await nextExitGroupId(ctx, trade.id);
  if (!groupId) return { skipped: 'an exit of this trade is still working' };
  const all = (await ctx.store.positions.ofTrade(trade.id)).filter((p) => p.quantity !== 0);
  // Shares (delivered by an assignment or exercise) go first, in an order of their own: they carry the most risk, and
  // a share price has its own tick; the options follow in the next cycles
  const shares = all.filter((p) => !isOccSymbol(p.symbol));
  const positions = shares.length > 0 ? shares : all;
  if (positions.length === 0) {
    const { realizedCents: realized } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
    await ctx.store.trades.move(trade.id, 'Closed', { realizedPnlCents: realized, exitReason: `${why}: nothing held` });
    return { skipped: 'nothing held: closed' };
  }
  const streamerOf = new Map(trade.legs.map((l) => [l.symbol, l.streamerSymbol]));
  const streamers = positions.map(
    (p) => streamerOf.get(p.symbol) ?? (isOccSymbol(p.symbol) ? occToStreamer(p.symbol) : p.symbol),
  );
  let snap: MarketSnapshot | null = null;
  try {
    snap = await ctx.marketData.snapshot(streamers, { timeoutMs: 3000, greeks: true });
  } catch (error) {
    ctx.log.warn({ err: error, tradeId: trade.id }, 'flatten: no quotes; pricing from the last marks');
  }
  const fills = await lastFills(ctx, trade.id);
  for (const [symbol, cents] of await ctx.store.settlements.deliveryPrices(trade.id))
    if (!fills.has(symbol)) fills.set(symbol, cents / 100);
  const held = positions.map((p, i) => {
    const q = snap?.quotes.get(streamers[i]!);
    const g = snap?.greeks.get(streamers[i]!);
    return {
      symbol: p.symbol,
      quantity: p.quantity,
      bid: q?.bid ?? null,
      ask: q?.ask ?? null,
      theo: g?.price ?? null,
      lastFill: fills.get(p.symbol) ?? null,
    };
  });
  let tickCents = 1;
  if (shares.length === 0)
    try {
      const chain = await ctx.marketData.chain(trade.underlying);
      tickCents = Math.min(...held.map((h) => tickCentsAt(h.theo ?? h.lastFill ?? 0, chain.tickSizes)));
    } catch {
      // one cent: the finest tick, accepted for every option below $3 and refused (and retried next cycle) above
    }
  const plan = closingPlan(held, { tickCents: Number.isFinite(tickCents) ? tickCents : 1 });
  if (!plan.ok) return { skipped: plan.reason };
  const first = plan.orders[0];
  // Only longs nobody bids for: nothing to send (it would fail every cycle); kept until a bid appears or expiration
  if (!first)
    return {
      skipped: `holds only longs nobody bids for (${plan.leftToExpire.map(compactSymbol).join(', ')}): ${LEFT_TO_EXPIRE}`,
    };
  // More than one Tastytrade order takes (> 4 legs): one legged exit closes it leg by leg, shorts first, until flat
  const legged = plan.orders.length > 1;
  const legs: IntentLeg[] = (
    legged ? plan.orders.flatMap((o) => o.legs.map((l) => ({ ...l, ratio: l.ratio * o.quantity }))) : first.legs
  ).map((l) => ({
    symbol: l.symbol,
    instrumentType: isOccSymbol(l.symbol) ? 'Equity Option' : 'Equity',
    action: l.action,
    ratio: l.ratio,
  }));
  const order: ExitOrder = {
    mode: legged ? 'legged' : 'combo',
    quantity: legged ? 1 : first.quantity,
    legs,
    pricing: first.pricing,
  };
  const audit = {
    reason: why,
    from: trade.status,
    orders: plan.orders.length,
    pricedFrom: first.pricedFrom,
    legs,
    quantity: first.quantity,
    pricing: { ...first.pricing },
  };
  if (!(await openExitGroup(ctx, trade, groupId, why, order, audit))) return { skipped: 'no longer open or broken' };
  ctx.log.warn(
    { tradeId: trade.id, groupId, pricedFrom: first.pricedFrom, why },
    `${why}: closing what the trade holds`,
  );
  return { groupId };
}

/**
 * `legwork halt --flatten` and every exit cycle while the flatten request stands: a closing exit for every trade that
 * holds something — open, broken, partially filled — built from its actual positions. Trades whose entry or exit is
 * still working are left to it and picked up when it settles (the request stands until nothing is held).
 */
export async function flattenAll(
  ctx: ExecContext,
  by: string,
  options: { alert?: boolean } = {},
): Promise<FlattenReport> {
  const report: FlattenReport = { flattened: [], skipped: [] };
  const trades = await ctx.store.trades.list({
    statuses: ['pending', 'opening', 'open', 'closing', 'broken'],
    limit: 10_000,
  });
  const closed = await closedMarket(ctx);
  for (const trade of trades) {
    try {
      if (trade.status === 'pending' || trade.status === 'opening' || trade.status === 'closing') {
        report.skipped.push({ tradeId: trade.id, reason: `${trade.status}: flattened once its working group settles` });
      } else if (closed) {
        report.skipped.push({ tradeId: trade.id, reason: `${closed}: flattened at the open` });
      } else {
        const r = await flattenTrade(ctx, trade);
        if ('groupId' in r) report.flattened.push({ tradeId: trade.id, groupId: r.groupId });
        else report.skipped.push({ tradeId: trade.id, reason: r.skipped });
      }
    } catch (error) {
      report.skipped.push({ tradeId: trade.id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  // Alerted when something is (or may be) held: a flatten over pending entries only has nothing to close
  if (options.alert !== false && trades.some((t) => t.status !== 'pending')) {
    await ctx.alert(
      'emergency_flatten',
      `flatten by ${by}: ${report.flattened.length} exit groups, ${report.skipped.length} not yet`,
      { ...report },
    );
  }
  return report;
}
