// Reconciliation against the venue: a crash between the POST and the DB write is found by our external id and the
// group resumed; an unknown order that never reached the venue is proven absent; a fill missed while nobody listened
// is caught up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTradingState, setTradingState } from '../../src/store/settings.repo.js';
import { deterministicId } from '../../src/domain/ids.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeLegged, placementOrder } from '../../src/pipeline/execute/legged.js';
import { submitOnce } from '../../src/pipeline/execute/order-submission.js';
import { reconcile, reconcileOnStartup } from '../../src/pipeline/reconcile/reconcile.js';
import { getGroup, type GroupRow } from '../../src/store/groups.repo.js';
import {
  getOrder,
  insertPlannedOrder,
  transitionOrder,
  tradePositions,
  type OrderRow,
} from '../../src/store/orders.repo.js';
import type { TradeRow } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  condorOf,
  leggedCondorTrade,
  recordingJobs,
  testExecContext,
  venueOrdersByExternalId,
  type RecordingJobs,
} from '../support/executor-process.js';
import { waitUntil } from '../support/wait-until.js';

let app: TestApp;
let ctx: ExecContext;
let jobs: RecordingJobs;
let offset = 0.02;

beforeAll(async () => {
  app = await startTestApp({});
  jobs = recordingJobs();
  ctx = testExecContext(app.ctx, jobs);
});
afterAll(async () => {
  await app?.close();
});

/** A fresh legged group and its first leg planned exactly as the executor plans it (same id, seq 0). */
async function firstLegPlanned(
  limitPriceCents: number,
): Promise<{ trade: TradeRow; group: GroupRow; order: OrderRow }> {
  offset += 0.02;
  const { trade, group } = await leggedCondorTrade(app.ctx, condorOf(app.sim, offset));
  const leg = placementOrder(group.intent.legs)[0]!;
  const { order } = await insertPlannedOrder(app.ctx.sql, {
    id: deterministicId('leg', group.id, '0'),
    groupId: group.id,
    role: 'leg',
    seq: 0,
    legs: [{ symbol: leg.symbol, instrumentType: 'Equity Option', action: leg.action, quantity: 1 }],
    size: 1,
    limitPriceCents,
  });
  return { trade, group, order };
}

describe('reconcile', () => {
  it('finds an order left submitting by a crash after the POST, and the group resumes to filled', async () => {
    const { trade, group, order } = await firstLegPlanned(-2000);
    await transitionOrder(app.ctx.sql, order.id, { type: 'SubmitStarted' }, 'local');
    // The POST reaches the venue; the process "dies" before recording the answer
    await app.ctx.broker.submit({
      orderType: 'Limit',
      timeInForce: 'Day',
      limitPriceCents: -2000,
      legs: order.legs,
      externalId: order.id,
    });
    const report = await reconcileOnStartup(ctx);
    expect(report.found).toBe(1);
    const settled = (await getOrder(app.ctx.sql, order.id))!;
    expect(['working', 'filled']).toContain(settled.status);
    expect(settled.brokerOrderId).not.toBeNull();
    expect(jobs.calls.map((c) => c.groupId)).toContain(group.id);
    // What the enqueued job does: resume the saga from Postgres
    const result = await executeLegged(ctx, (await getGroup(app.ctx.sql, group.id))!, trade, { pollMs: 50 });
    expect(result.status).toBe('filled');
    expect(venueOrdersByExternalId(app.sim).get(order.id)).toBe(1);
    expect((await tradePositions(app.ctx.sql, trade.id)).map((p) => p.quantity).sort()).toEqual([-1, -1, 1, 1]);
  });

  it('proves an unknown order that never reached the venue absent after N checks over the window', async () => {
    const { trade, group, order } = await firstLegPlanned(-2000);
    await transitionOrder(app.ctx.sql, order.id, { type: 'SubmitStarted' }, 'local');
    await transitionOrder(app.ctx.sql, order.id, { type: 'OutcomeUnknown', reason: 'timeout' }, 'http');
    // Sent a minute ago: past the submit timeout and its margin, so misses may count
    await app.ctx.sql`update orders set submitted_at = now() - interval '60 seconds' where id = ${order.id}`;
    const options = { absentChecks: 2, absentWindowMs: 300 };
    const first = await reconcile(ctx, 'periodic', options);
    expect(first.stillUnknown).toBe(1);
    expect((await getOrder(app.ctx.sql, order.id))?.status).toBe('unknown');
    // The group must not be resumed (nor compensated) while its order is unknown
    expect(jobs.calls.filter((c) => c.groupId === group.id)).toHaveLength(0);
    await waitUntil(
      async () => {
        await reconcile(ctx, 'periodic', options);
        return (await getOrder(app.ctx.sql, order.id))?.status === 'rejected';
      },
      { timeoutMs: 5000, intervalMs: 100, what: 'the unknown order proven absent' },
    );
    expect(venueOrdersByExternalId(app.sim).get(order.id)).toBeUndefined();
    expect(jobs.calls.map((c) => c.groupId)).toContain(group.id);
    // Resumed: its only sent leg was rejected with no fills anywhere → the group ends cancelled, nothing at the venue
    const result = await executeLegged(ctx, (await getGroup(app.ctx.sql, group.id))!, trade, { pollMs: 50 });
    expect(result.status).toBe('cancelled');
  });

  it('catches up a fill that happened while nobody was listening', async () => {
    const { trade, order } = await firstLegPlanned(-2000);
    app.sim.control.setFillBehavior({ symbol: order.legs[0]!.symbol, next: true, behavior: 'delayed', delayMs: 1000 });
    const sent = await submitOnce(app.ctx, order.id, trade.id);
    expect(sent.kind).toBe('accepted');
    await waitUntil(
      async () =>
        (await app.ctx.broker.getOrder(sent.kind === 'accepted' ? sent.brokerOrder.brokerOrderId : 0)).status ===
        'live',
      { what: 'live at the venue' },
    );
    expect((await getOrder(app.ctx.sql, order.id))?.status).toBe('working');
    // The fill happens at the venue; no stream or poll tells us
    app.sim.control.advanceClock(2000);
    await waitUntil(async () => (await app.ctx.broker.findByExternalId(order.id))[0]?.status === 'filled', {
      what: 'filled at the venue',
    });
    expect((await getOrder(app.ctx.sql, order.id))?.status).toBe('working');
    const report = await reconcile(ctx, 'periodic');
    expect(report.caughtUp).toBeGreaterThanOrEqual(1);
    expect((await getOrder(app.ctx.sql, order.id))?.status).toBe('filled');
    expect((await tradePositions(app.ctx.sql, trade.id)).map((p) => p.quantity)).toEqual([1]);
  });

  it('never counts a submit still in flight absent before the submit timeout plus margin: the late order is found, not lost', async () => {
    const { order } = await firstLegPlanned(-2000);
    await transitionOrder(app.ctx.sql, order.id, { type: 'SubmitStarted' }, 'local');
    // Sent 12 s ago (its POST is slow at the venue): older than any "stale submitting" guess, within the submit timeout + margin
    await app.ctx.sql`update orders set submitted_at = now() - interval '12 seconds' where id = ${order.id}`;
    app.sim.control.injectFault({ kind: 'delayedSubmit', ms: 1500 });
    const landing = app.ctx.broker
      .submit({
        orderType: 'Limit',
        timeInForce: 'Day',
        limitPriceCents: -2000,
        legs: order.legs,
        externalId: order.id,
      })
      .catch(() => undefined);
    const options = { absentChecks: 2, absentWindowMs: 300 };
    for (let i = 0; i < 6; i++) {
      await reconcile(ctx, 'periodic', options);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await getOrder(app.ctx.sql, order.id))?.status).not.toBe('rejected');
    await landing;
    const report = await reconcile(ctx, 'periodic', options);
    expect(report.found).toBe(1);
    const settled = (await getOrder(app.ctx.sql, order.id))!;
    expect(['working', 'filled']).toContain(settled.status);
    expect(
      await app.ctx.sql`select 1 from order_events where order_id = ${order.id} and type = 'ProvenAbsent'`,
    ).toHaveLength(0);
    expect(venueOrdersByExternalId(app.sim).get(order.id)).toBe(1);
  });

  it('a submit that lands after its order was proven absent: cancelled or its fills attributed, alerted, the trade broken', async () => {
    const { trade, group, order } = await firstLegPlanned(-2000); // marketable: fills as soon as it lands
    await transitionOrder(app.ctx.sql, order.id, { type: 'SubmitStarted' }, 'local');
    await app.ctx.sql`update orders set submitted_at = now() - interval '60 seconds' where id = ${order.id}`;
    app.sim.control.injectFault({ kind: 'delayedSubmit', ms: 2500 });
    const landing = app.ctx.broker
      .submit({
        orderType: 'Limit',
        timeInForce: 'Day',
        limitPriceCents: -2000,
        legs: order.legs,
        externalId: order.id,
      })
      .catch(() => undefined);
    const options = { absentChecks: 2, absentWindowMs: 300 };
    await waitUntil(
      async () => {
        await reconcile(ctx, 'periodic', options);
        return (await getOrder(app.ctx.sql, order.id))?.status === 'rejected';
      },
      { timeoutMs: 2000, intervalMs: 100, what: 'the order proven absent (its POST still held)' },
    );
    expect((await executeLegged(ctx, (await getGroup(app.ctx.sql, group.id))!, trade, { pollMs: 50 })).status).toBe(
      'cancelled',
    );
    const [rejected] = await app.ctx.sql<{ status: string }[]>`select status from trades where id = ${trade.id}`;
    expect(rejected!.status).toBe('rejected');

    await landing; // the held POST is processed now: the order exists and fills
    await waitUntil(async () => (await app.ctx.broker.findByExternalId(order.id))[0]?.status === 'filled', {
      what: 'the late order filled at the venue',
    });
    const report = await reconcile(ctx, 'periodic', options);
    expect(report.lateOrders).toBe(1);
    const fills = await app.ctx.sql<
      { symbol: string; quantity: number }[]
    >`select symbol, quantity from fills where order_id = ${order.id}`;
    expect(fills).toEqual([{ symbol: order.legs[0]!.symbol, quantity: 1 }]);
    const [after] = await app.ctx.sql<{ status: string }[]>`select status from trades where id = ${trade.id}`;
    expect(after!.status).toBe('broken');
    expect((await getTradingState(app.ctx.sql)).state).toBe('reducing'); // as for every broken trade: closing only
    await setTradingState(app.ctx.sql, 'active', 'test');
    expect((await tradePositions(app.ctx.sql, trade.id)).map((p) => [p.symbol, p.quantity])).toEqual([
      [order.legs[0]!.symbol, 1],
    ]);
    const alerts = await app.ctx
      .sql`select 1 from audit_events where kind = 'alert' and order_id = ${order.id} and data->>'kind' = 'late_order_adopted'`;
    expect(alerts).toHaveLength(1);
    // A second sweep changes nothing and alerts nothing more
    expect((await reconcile(ctx, 'periodic', options)).lateOrders).toBe(0);
    expect(
      await app.ctx
        .sql`select 1 from audit_events where kind = 'alert' and order_id = ${order.id} and data->>'kind' = 'late_order_adopted'`,
    ).toHaveLength(1);
  });

  it('a late submit still working at the broker is cancelled there; nothing filled, the trade stays rejected', async () => {
    const { trade, group, order } = await firstLegPlanned(-1); // a $0.01 debit: never marketable, works until cancelled
    await transitionOrder(app.ctx.sql, order.id, { type: 'SubmitStarted' }, 'local');
    await app.ctx.sql`update orders set submitted_at = now() - interval '60 seconds' where id = ${order.id}`;
    app.sim.control.injectFault({ kind: 'delayedSubmit', ms: 2500 });
    const landing = app.ctx.broker
      .submit({ orderType: 'Limit', timeInForce: 'Day', limitPriceCents: -1, legs: order.legs, externalId: order.id })
      .catch(() => undefined);
    const options = { absentChecks: 2, absentWindowMs: 300 };
    await waitUntil(
      async () => {
        await reconcile(ctx, 'periodic', options);
        return (await getOrder(app.ctx.sql, order.id))?.status === 'rejected';
      },
      { timeoutMs: 2000, intervalMs: 100, what: 'the order proven absent (its POST still held)' },
    );
    expect((await executeLegged(ctx, (await getGroup(app.ctx.sql, group.id))!, trade, { pollMs: 50 })).status).toBe(
      'cancelled',
    );
    await landing;
    expect((await reconcile(ctx, 'periodic', options)).lateOrders).toBe(1);
    await waitUntil(async () => (await app.ctx.broker.findByExternalId(order.id))[0]?.status === 'cancelled', {
      what: 'the late order cancelled at the venue',
    });
    const [after] = await app.ctx.sql<{ status: string }[]>`select status from trades where id = ${trade.id}`;
    expect(after!.status).toBe('rejected');
    expect(await app.ctx.sql`select 1 from fills where order_id = ${order.id}`).toHaveLength(0);
    expect(
      await app.ctx
        .sql`select 1 from audit_events where kind = 'alert' and order_id = ${order.id} and data->>'kind' = 'late_order_adopted'`,
    ).toHaveLength(1);
  });
});
