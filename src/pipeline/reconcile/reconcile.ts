// Owns reconciliation (startup and periodic, one code path): settle orders in the crash window or with an unknown
// outcome by our external identifier, catch up missed fills, re-enqueue open groups, adopt or flag unknown broker
// orders, and explain position differences from the broker's settlements (src/pipeline/reconcile/position-check.ts).
import type { OrderRow } from '../../domain/records.js';
import { isTerminal, type BrokerOrder } from '../../domain/broker-order.js';
import { isTerminalOrder } from '../../domain/order.js';
import { absenceCountsFrom, SUBMIT_ABSENCE_MARGIN_MS, SUBMIT_TIMEOUT_MS } from '../../domain/submit-timing.js';
import { isTerminalTrade } from '../../domain/trade-transitions.js';
import { applyBrokerOrder } from '../broker-sync.js';
import { catchUpFees } from '../fees.js';
import type { ExecContext } from '../execution-context.js';
import { checkPositions } from './position-check.js';
import type { PositionDifference } from '../../domain/position-explain.js';

export interface ReconcileOptions {
  /**
   * The broker adapter's submit deadline (SUBMIT_TIMEOUT_MS, shared with the submit path) and a margin after it: a
   * `submitting` or `unknown` order is never counted absent before submitted_at + both, since its POST may still land.
   */
  submitTimeoutMs: number;
  absenceMarginMs: number;
  /** An unknown order is proven absent after this many searches that did not find it ... */
  absentChecks: number;
  /** ... spread over at least this long since the first one. */
  absentWindowMs: number;
  /**
   * Periodic runs re-enqueue a group only when nothing moved in it for this long (startup: always). A resume while its
   * executor is still alive is harmless (the group's advisory lock turns it away), so this only bounds how long a
   * group whose job was lost (failed retries, Redis trouble) waits.
   */
  groupIdleMs: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  submitTimeoutMs: SUBMIT_TIMEOUT_MS,
  absenceMarginMs: SUBMIT_ABSENCE_MARGIN_MS,
  absentChecks: 3,
  absentWindowMs: 30_000,
  groupIdleMs: 20_000,
};

export interface ReconcileReport {
  reason: 'startup' | 'periodic';
  checked: number;
  found: number;
  provenAbsent: number;
  stillUnknown: number;
  caughtUp: number;
  groupsResumed: number;
  adopted: number;
  /** Broker orders carrying one of our ids whose row had already ended (a late submit): cancelled, alerted, fills kept. */
  lateOrders: number;
  /** Settled trades whose late fees were recorded and realised P&L corrected. */
  feesCaughtUp: number;
  unknownBrokerOrders: number;
  positionMismatches: number;
  /** Each position difference and how the broker's settlements explain it (src/domain/position-explain.ts). */
  positionDifferences: Pick<PositionDifference, 'symbol' | 'kind' | 'ours' | 'broker' | 'tradeIds'>[];
  durationMs: number;
}

const ABSENT_REASON = 'reconcile: not found at the broker';

/** How many earlier searches missed this order, and when the first one was. */
async function absenceChecks(ctx: ExecContext, orderId: string): Promise<{ n: number; first: number | null }> {
  const row = await ctx.store.orders.absenceChecks(orderId, ABSENT_REASON);
  return { n: row.n, first: row.first?.getTime() ?? null };
}

/** One unsettled order: found → applied; missing → one more absence check, proven absent after N over the window. */
async function settleUnknown(
  ctx: ExecContext,
  order: OrderRow,
  opts: ReconcileOptions,
  report: ReconcileReport,
  mayMarkAbsent: boolean,
): Promise<boolean> {
  const found = await ctx.broker.findByExternalId(order.id);
  // The newest broker order carrying our id is the current one (a replace keeps the external id)
  const current = found.sort((a, b) => b.brokerOrderId - a.brokerOrderId)[0];
  if (current) {
    for (const older of found.slice(1)) await applyBrokerOrder(ctx, older, 'reconcile');
    await applyBrokerOrder(ctx, current, 'reconcile');
    report.found += 1;
    return true;
  }
  if (!mayMarkAbsent) return false;
  const before = await absenceChecks(ctx, order.id);
  const now = ctx.now();
  if (before.n >= opts.absentChecks && before.first !== null && now - before.first >= opts.absentWindowMs) {
    await ctx.store.orders.transition(order.id, { type: 'ProvenAbsent' }, 'reconcile', {
      rejectReason: `not at the broker after ${before.n} searches`,
    });
    report.provenAbsent += 1;
    return true;
  }
  await ctx.store.orders.transition(order.id, { type: 'OutcomeUnknown', reason: ABSENT_REASON }, 'reconcile');
  report.stillUnknown += 1;
  return false;
}

/**
 * A broker order carrying our id whose row had already ended (declared absent, denied, or settled on another broker id):
 * a submit that landed late. Cancelled at the broker while it can still trade, alerted once, its fills recorded on our
 * order; if it filled anything a settled trade turns `broken` (PositionFound) so exits and flatten manage what it holds.
 * Once the broker order has ended too, its id is linked to our order and later sweeps pass it by.
 */
async function handleLateOrder(
  ctx: ExecContext,
  bo: BrokerOrder,
  ours: OrderRow,
  report: ReconcileReport,
): Promise<void> {
  report.lateOrders += 1;
  let current = bo;
  if (!isTerminal(bo.status)) {
    try {
      current = await ctx.broker.cancel(bo.brokerOrderId);
    } catch (error) {
      ctx.log.warn(
        { err: error, brokerOrderId: bo.brokerOrderId, orderId: ours.id },
        'cancelling a late broker order failed; the next sweep tries again',
      );
    }
  }
  // Its fills are ours whatever our row's status: recorded once by fill id (the row's status stays as it was)
  await applyBrokerOrder(ctx, current, 'reconcile');
  const group = await ctx.store.groups.owner(ours.groupId);
  const n = await ctx.store.fills.countOfBrokerOrder(bo.brokerOrderId);
  const first = await ctx.store.audit.append({
    kind: 'order_reconciled',
    tradeId: group?.tradeId ?? null,
    groupId: ours.groupId,
    orderId: ours.id,
    dedupeKey: `late_order:${bo.brokerOrderId}`,
    data: { brokerOrderId: bo.brokerOrderId, brokerStatus: bo.rawStatus, ourStatus: ours.status, late: true },
  });
  if (first) {
    await ctx.alert(
      'late_order_adopted',
      `broker order ${bo.brokerOrderId} for our order ${ours.id} (${ours.status}) landed after it was settled; cancelled`,
      {
        brokerOrderId: bo.brokerOrderId,
        orderId: ours.id,
        groupId: ours.groupId,
        tradeId: group?.tradeId ?? null,
        status: bo.status,
        ourStatus: ours.status,
      },
    );
  }
  if (n > 0 && group) {
    const trade = await ctx.store.trades.get(group.tradeId);
    if (trade && isTerminalTrade(trade.status)) {
      const reason = `late broker order ${bo.brokerOrderId} filled ${n} fill(s) after the trade was ${trade.status}`;
      if (await ctx.store.trades.move(trade.id, 'PositionFound', { exitReason: reason })) {
        // As every other broken trade: only closing orders until a human has looked (resume refuses while it is broken)
        await ctx.store.tradingState.set('reducing', 'reconcile', `trade ${trade.id} broken: ${reason}`);
        await ctx.alert('broken_group', `trade ${trade.id} holds legs from a late order: now broken and managed`, {
          tradeId: trade.id,
          orderId: ours.id,
          brokerOrderId: bo.brokerOrderId,
        });
      }
    }
  }
  if (isTerminal(current.status)) {
    await ctx.store.orders.linkBrokerId(bo.brokerOrderId, ours.id);
  }
}

/** Broker orders today that are not ours by broker id: adopt the ones carrying an id of ours, flag the rest once. */
const flagged = new Set<number>();
async function sweepBrokerOrders(ctx: ExecContext, live: BrokerOrder[], report: ReconcileReport): Promise<void> {
  for (const bo of live) {
    if (await ctx.store.orders.byBrokerId(bo.brokerOrderId)) continue;
    const ours = bo.externalId ? await ctx.store.orders.get(bo.externalId) : undefined;
    // A replacement of a broker id we know is the same order carrying on (applyBrokerOrder follows it)
    const knownChain =
      bo.replacesOrderId !== undefined && (await ctx.store.orders.byBrokerId(bo.replacesOrderId)) !== undefined;
    if (ours && isTerminalOrder(ours.status) && !knownChain) {
      await handleLateOrder(ctx, bo, ours, report);
      continue;
    }
    if (ours) {
      await applyBrokerOrder(ctx, bo, 'reconcile');
      report.adopted += 1;
      continue;
    }
    report.unknownBrokerOrders += 1;
    if (flagged.has(bo.brokerOrderId)) continue;
    flagged.add(bo.brokerOrderId);
    await ctx.alert('reconcile_mismatch', `broker order ${bo.brokerOrderId} is not one of ours`, {
      brokerOrderId: bo.brokerOrderId,
      externalId: bo.externalId ?? null,
      status: bo.status,
      legs: bo.legs.map((l) => `${l.action} ${l.quantity} ${l.symbol}`),
    });
  }
}

/** Broker positions vs what each trade holds: every difference explained, recorded, and alerted when action is needed. */
async function comparePositions(ctx: ExecContext, report: ReconcileReport): Promise<void> {
  const differences = await checkPositions(ctx);
  report.positionMismatches = differences.length;
  report.positionDifferences = differences.map((d) => ({
    symbol: d.symbol,
    kind: d.kind,
    ours: d.ours,
    broker: d.broker,
    tradeIds: d.tradeIds,
  }));
}

export async function reconcile(
  ctx: ExecContext,
  reason: 'startup' | 'periodic',
  options: Partial<ReconcileOptions> = {},
): Promise<ReconcileReport> {
  const opts = { ...DEFAULT_RECONCILE_OPTIONS, ...options };
  const started = ctx.now();
  const report: ReconcileReport = {
    reason,
    checked: 0,
    found: 0,
    provenAbsent: 0,
    stillUnknown: 0,
    caughtUp: 0,
    groupsResumed: 0,
    adopted: 0,
    lateOrders: 0,
    feesCaughtUp: 0,
    unknownBrokerOrders: 0,
    positionMismatches: 0,
    positionDifferences: [],
    durationMs: 0,
  };
  const settled = new Set<string>();
  // 1. Every non-terminal order against the broker's truth
  for (const order of await ctx.store.orders.open()) {
    if (order.status === 'planned') continue;
    report.checked += 1;
    try {
      if (order.status === 'unknown' || order.status === 'submitting') {
        // Finding it is always safe; counting it absent only once a POST in flight can no longer be the reason
        const sentAt = order.submittedAt?.getTime() ?? order.updatedAt.getTime();
        const mayCount = ctx.now() >= absenceCountsFrom(sentAt, opts.submitTimeoutMs, opts.absenceMarginMs);
        if (await settleUnknown(ctx, order, opts, report, mayCount)) settled.add(order.groupId);
      } else if (order.brokerOrderId !== null) {
        const synced = await applyBrokerOrder(ctx, await ctx.broker.getOrder(order.brokerOrderId), 'reconcile');
        if (synced && (synced.changed || synced.newFills > 0)) report.caughtUp += 1;
      }
    } catch (error) {
      ctx.log.warn({ orderId: order.id, err: error }, 'reconcile could not settle an order');
    }
  }
  // 2. Orders at the broker we do not track
  try {
    await sweepBrokerOrders(ctx, await ctx.broker.liveOrders(), report);
    await comparePositions(ctx, report);
  } catch (error) {
    ctx.log.warn({ err: error }, 'reconcile could not read the account');
  }
  // 3. Open groups whose orders are settled enough go back to the executor (it resumes or rolls back)
  for (const group of await ctx.store.groups.open()) {
    const row = await ctx.store.groups.activity(group);
    if ((row?.unsettled ?? 0) > 0) continue;
    const idle = ctx.now() - (row?.last?.getTime() ?? group.updatedAt.getTime());
    const blocked = group.status === 'submitting' || settled.has(group.id);
    if (reason === 'periodic' && !blocked && idle < opts.groupIdleMs) continue;
    // A new job id per resume: startup always runs; periodic resumes once per state of the group and minute
    const attempt =
      reason === 'startup' ? started : (row?.events ?? 0) * 100_000 + (Math.floor(started / 60_000) % 100_000);
    await ctx.jobs.enqueueExecute(group.tradeId, group.id, { attempt });
    report.groupsResumed += 1;
  }
  // 4. Fees the broker reported after a trade settled
  try {
    report.feesCaughtUp = await catchUpFees(ctx);
  } catch (error) {
    ctx.log.warn({ err: error }, 'reconcile could not catch up fees');
  }
  report.durationMs = ctx.now() - started;
  ctx.log.info({ ...report }, `reconcile (${reason}) done`);
  return report;
}

/** Runs before any worker takes jobs: the same path as the periodic job (crash-only design). */
export function reconcileOnStartup(
  ctx: ExecContext,
  options: Partial<ReconcileOptions> = {},
): Promise<ReconcileReport> {
  return reconcile(ctx, 'startup', options);
}
