// Owns reconciliation (startup and periodic, one code path): settle orders in the crash window or with an unknown
// outcome by our external identifier, catch up missed fills, re-enqueue open groups, adopt or flag unknown broker
// orders, and report position mismatches (never fixed silently).
import type { BrokerOrder } from '../domain/broker-order.js';
import { openGroups } from '../store/groups.repo.js';
import { getOrder, openOrders, orderByBrokerId, transitionOrder, type OrderRow } from '../store/orders.repo.js';
import { applyBrokerOrder } from './broker-sync.js';
import type { ExecContext } from './exec-context.js';

export interface ReconcileOptions {
  /** A `submitting` order older than this is treated as unknown (its POST died with its process). */
  submittingStaleMs: number;
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

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = { submittingStaleMs: 10_000, absentChecks: 3, absentWindowMs: 30_000, groupIdleMs: 20_000 };

export interface ReconcileReport {
  reason: 'startup' | 'periodic';
  checked: number;
  found: number;
  provenAbsent: number;
  stillUnknown: number;
  caughtUp: number;
  groupsResumed: number;
  adopted: number;
  unknownBrokerOrders: number;
  positionMismatches: number;
  durationMs: number;
}

const ABSENT_REASON = 'reconcile: not found at the broker';

/** How many earlier searches missed this order, and when the first one was. */
async function absenceChecks(ctx: ExecContext, orderId: string): Promise<{ n: number; first: number | null }> {
  const [row] = await ctx.sql<{ n: number; first: Date | null }[]>`select count(*)::int as n, min(at) as first from order_events
    where order_id = ${orderId} and type = 'OutcomeUnknown' and source = 'reconcile' and data->>'reason' = ${ABSENT_REASON}`;
  return { n: row?.n ?? 0, first: row?.first?.getTime() ?? null };
}

/** One unsettled order: found → applied; missing → one more absence check, proven absent after N over the window. */
async function settleUnknown(ctx: ExecContext, order: OrderRow, opts: ReconcileOptions, report: ReconcileReport, mayMarkAbsent: boolean): Promise<boolean> {
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
    await transitionOrder(ctx.sql, order.id, { type: 'ProvenAbsent' }, 'reconcile', { rejectReason: `not at the broker after ${before.n} searches` });
    report.provenAbsent += 1;
    return true;
  }
  await transitionOrder(ctx.sql, order.id, { type: 'OutcomeUnknown', reason: ABSENT_REASON }, 'reconcile');
  report.stillUnknown += 1;
  return false;
}

/** Broker orders today that are not ours by broker id: adopt the ones carrying an id of ours, flag the rest once. */
const flagged = new Set<number>();
async function sweepBrokerOrders(ctx: ExecContext, live: BrokerOrder[], report: ReconcileReport): Promise<void> {
  for (const bo of live) {
    if (await orderByBrokerId(ctx.sql, bo.brokerOrderId)) continue;
    const ours = bo.externalId ? await getOrder(ctx.sql, bo.externalId) : undefined;
    if (ours) {
      await applyBrokerOrder(ctx, bo, 'reconcile');
      report.adopted += 1;
      continue;
    }
    report.unknownBrokerOrders += 1;
    if (flagged.has(bo.brokerOrderId)) continue;
    flagged.add(bo.brokerOrderId);
    await ctx.alert('reconcile_mismatch', `broker order ${bo.brokerOrderId} is not one of ours`, {
      brokerOrderId: bo.brokerOrderId, externalId: bo.externalId ?? null, status: bo.status, legs: bo.legs.map((l) => `${l.action} ${l.quantity} ${l.symbol}`),
    });
  }
}

/** Broker positions vs the sum of what our fills say we hold; differences are alerted, never corrected. */
async function comparePositions(ctx: ExecContext, report: ReconcileReport): Promise<void> {
  const ours = await ctx.sql<{ symbol: string; qty: number }[]>`select symbol, sum(quantity)::int as qty from trade_positions group by symbol`;
  const mine = new Map(ours.filter((r) => r.qty !== 0).map((r) => [r.symbol, r.qty]));
  const theirs = new Map((await ctx.broker.positions()).filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]));
  const diffs: { symbol: string; ours: number; broker: number }[] = [];
  for (const symbol of new Set([...mine.keys(), ...theirs.keys()])) {
    const a = mine.get(symbol) ?? 0;
    const b = theirs.get(symbol) ?? 0;
    if (a !== b) diffs.push({ symbol, ours: a, broker: b });
  }
  report.positionMismatches = diffs.length;
  const key = JSON.stringify(diffs);
  if (diffs.length > 0 && key !== lastPositionDiff) {
    await ctx.alert('reconcile_mismatch', `${diffs.length} position(s) differ between the broker and our fills`, { diffs });
  }
  lastPositionDiff = key;
}
let lastPositionDiff = '[]';

export async function reconcile(ctx: ExecContext, reason: 'startup' | 'periodic', options: Partial<ReconcileOptions> = {}): Promise<ReconcileReport> {
  const opts = { ...DEFAULT_RECONCILE_OPTIONS, ...options };
  const started = ctx.now();
  const report: ReconcileReport = {
    reason, checked: 0, found: 0, provenAbsent: 0, stillUnknown: 0, caughtUp: 0, groupsResumed: 0, adopted: 0, unknownBrokerOrders: 0, positionMismatches: 0, durationMs: 0,
  };
  const settled = new Set<string>();
  // 1. Every non-terminal order against the broker's truth
  for (const order of await openOrders(ctx.sql)) {
    if (order.status === 'planned') continue;
    report.checked += 1;
    try {
      if (order.status === 'unknown' || order.status === 'submitting') {
        // Finding it is always safe; counting it absent only once a POST in flight can no longer be the reason
        const age = ctx.now() - (order.submittedAt?.getTime() ?? order.updatedAt.getTime());
        if (await settleUnknown(ctx, order, opts, report, order.status === 'unknown' || age >= opts.submittingStaleMs)) settled.add(order.groupId);
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
  for (const group of await openGroups(ctx.sql)) {
    const [row] = await ctx.sql<{ unsettled: number; events: number; last: Date | null }[]>`
      select count(*) filter (where o.status in ('submitting', 'unknown'))::int as unsettled,
             (select count(*)::int from order_events e where e.group_id = ${group.id}) as events,
             greatest(max(o.updated_at), ${group.updatedAt}) as last
      from orders o where o.group_id = ${group.id}`;
    if ((row?.unsettled ?? 0) > 0) continue;
    const idle = ctx.now() - (row?.last?.getTime() ?? group.updatedAt.getTime());
    const blocked = group.status === 'submitting' || settled.has(group.id);
    if (reason === 'periodic' && !blocked && idle < opts.groupIdleMs) continue;
    // A new job id per resume: startup always runs; periodic resumes once per state of the group and minute
    const attempt = reason === 'startup' ? started : (row?.events ?? 0) * 100_000 + (Math.floor(started / 60_000) % 100_000);
    await ctx.jobs.enqueueExecute(group.tradeId, group.id, { attempt });
    report.groupsResumed += 1;
  }
  report.durationMs = ctx.now() - started;
  ctx.log.info({ ...report }, `reconcile (${reason}) done`);
  return report;
}

/** Runs before any worker takes jobs: the same path as the periodic job (crash-only design). */
export function reconcileOnStartup(ctx: ExecContext, options: Partial<ReconcileOptions> = {}): Promise<ReconcileReport> {
  return reconcile(ctx, 'startup', options);
}

