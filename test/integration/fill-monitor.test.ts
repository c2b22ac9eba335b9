// The fill monitor through the real account streamer and REST adapter against the venue: stream pushes (duplicated,
// reordered) record each fill once; a fill during a dropped stream arrives by the catch-up; polling alone records fills;
// the work shows as jobs on the `monitor` queue, and a queue that does not take a job never holds a fill back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyBrokerOrder } from '../../src/pipeline/broker-sync.js';
import { createAccountEvents } from '../../src/broker/tastytrade/account-stream.js';
import { createTastytradeClient } from '../../src/broker/tastytrade/client.js';
import { startFillMonitor, type MonitorHandoff } from '../../src/pipeline/monitor/fill-monitor.js';
import type { AccountEvents } from '../../src/pipeline/ports.js';
import { getOrder, tradePositions, transitionOrder } from '../../src/store/orders.repo.js';
import { runMonitor, type RunningMonitor } from '../../workers/monitor.worker.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { workingCondorOrder } from '../support/working-order.js';
import { waitUntil } from '../support/wait-until.js';

let app: TestApp;
let running: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  app = await startTestApp({});
}, 60_000);
afterEach(async () => {
  await running?.stop();
  running = undefined;
  app.sim.venue.clearFillRules();
  app.sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });
});
afterAll(async () => {
  await app?.close();
});

const workingOrder = () => workingCondorOrder(app);

const fillsOf = async (orderId: string) =>
  (await app.ctx.sql<{ n: number }[]>`select count(*)::int as n from fills where order_id = ${orderId}`)[0]!.n;
const sourcesOf = async (orderId: string) =>
  (
    await app.ctx.sql<
      { source: string }[]
    >`select distinct source from order_events where order_id = ${orderId} and to_status = 'filled'`
  ).map((r) => r.source);
const filledInDb = (orderId: string, timeoutMs = 15_000) =>
  waitUntil(async () => (await getOrder(app.ctx.sql, orderId))?.status === 'filled', {
    timeoutMs,
    what: `order ${orderId} filled in Postgres`,
  });
const resynced = (m: RunningMonitor) => {
  let n = 0;
  m.events.onEvent((e) => {
    if (e.kind === 'connection' && e.state === 'resynced') n += 1;
  });
  return () => n;
};

describe('fill monitor', () => {
  it('stream only: duplicated and reordered pushes record each fill once', async () => {
    const monitor = await runMonitor(app.ctx, { pollEveryMs: 0 });
    running = monitor;
    const { orderId, tradeId } = await workingOrder();
    app.sim.control.injectFault({ kind: 'duplicatePushes', count: 6 });
    app.sim.control.injectFault({ kind: 'reorderPushes', count: 6 });
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    expect(await sourcesOf(orderId)).toEqual(['stream']);
    // Later duplicates change nothing
    await waitUntil(async () => (await fillsOf(orderId)) === 4, { what: 'four fills' });
    expect(await fillsOf(orderId)).toBe(4);
    expect((await tradePositions(app.ctx.sql, tradeId)).map((p) => p.quantity).sort()).toEqual([-1, -1, 1, 1]);
  });

  it('an older snapshot arriving after the fill (reordered push, slow poll) changes neither the status nor the raw broker status', async () => {
    running = await runMonitor(app.ctx, { pollEveryMs: 0 });
    const { orderId } = await workingOrder();
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    const brokerOrderId = (await getOrder(app.ctx.sql, orderId))!.brokerOrderId!;
    const filled = await app.ctx.broker.getOrder(brokerOrderId);
    expect(filled.rawStatus).toBe('Filled');
    // Found by the first chaos campaigns: a late "Routed" overwrote broker_status, so Postgres disagreed with the venue
    const older = {
      ...filled,
      status: 'routed' as const,
      rawStatus: 'Routed',
      legs: filled.legs.map((l) => ({ ...l, fills: [] })),
    };
    await applyBrokerOrder(app.ctx, older, 'stream');
    const row = (await getOrder(app.ctx.sql, orderId))!;
    expect([row.status, row.brokerStatus, row.filledUnits]).toEqual(['filled', 'Filled', 1]);
  });

  it('the broker reports a replace before our PUT returns: the order follows its new broker id and is not cancelled', async () => {
    const { orderId } = await workingOrder();
    const oldId = (await getOrder(app.ctx.sql, orderId))!.brokerOrderId!;
    // The replace happens at the venue, the executor has not recorded it yet (its response is in flight)
    const replacement = await app.ctx.broker.replace(oldId, { limitPriceCents: 4 });
    const old = await app.ctx.broker.getOrder(oldId);
    expect([old.replacingOrderId, replacement.replacesOrderId]).toEqual([replacement.brokerOrderId, oldId]);
    // Found by chaos (seed 104): the old id's terminal status was taken as the order's, while the replacement worked
    await applyBrokerOrder(app.ctx, old, 'poll');
    let row = (await getOrder(app.ctx.sql, orderId))!;
    expect([row.status, row.brokerOrderId]).toEqual(['working', replacement.brokerOrderId]);
    // A report about the old id that raced with the move (read before it) changes nothing under the row lock
    await transitionOrder(
      app.ctx.sql,
      orderId,
      { type: 'BrokerUpdate', brokerStatus: 'cancelled', filledUnits: 0, size: 1 },
      'stream',
      { brokerStatus: 'Cancelled', reportFor: { brokerOrderId: oldId } },
    );
    row = (await getOrder(app.ctx.sql, orderId))!;
    expect([row.status, row.brokerOrderId]).toEqual(['working', replacement.brokerOrderId]);
    expect(row.brokerStatus).not.toBe('Cancelled');
    await applyBrokerOrder(app.ctx, await app.ctx.broker.getOrder(replacement.brokerOrderId), 'poll');
    expect((await getOrder(app.ctx.sql, orderId))!.status).toBe('working');
    await app.ctx.broker.cancel(replacement.brokerOrderId);
  });

  it('a fill while the stream is down is recorded by the catch-up after reconnecting', async () => {
    const monitor = await runMonitor(app.ctx, { pollEveryMs: 0 });
    running = monitor;
    const resyncs = resynced(monitor);
    const { orderId } = await workingOrder();
    app.sim.control.injectFault({ kind: 'dropStreams' });
    app.sim.control.advanceClock(2000); // fills while disconnected
    await filledInDb(orderId);
    expect(resyncs()).toBeGreaterThanOrEqual(1);
    expect(await fillsOf(orderId)).toBe(4);
  });

  it('polling alone (no stream) records fills', async () => {
    const silent: AccountEvents = {
      start: async () => {},
      stop: async () => {},
      onEvent: () => () => {},
      connected: false,
    };
    running = startFillMonitor({
      store: app.ctx.store,
      broker: app.ctx.broker,
      events: silent,
      log: app.ctx.log,
      pollEveryMs: 100,
    });
    const { orderId } = await workingOrder();
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    expect(await sourcesOf(orderId)).toEqual(['poll']);
    expect(await fillsOf(orderId)).toBe(4);
  });

  it('its work shows as monitor jobs: each order event a sync-order job with what it applied (a push sent twice is one job), each polling round a poll-orders job', async () => {
    running = await runMonitor(app.ctx, { pollEveryMs: 200 });
    const { orderId } = await workingOrder();
    app.sim.control.injectFault({ kind: 'duplicatePushes', count: 6 });
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    type Synced = { orderId: string | null; status: string | null; newFills: number };
    const mine = await waitUntil(
      async () => {
        const done = (await app.ctx.queues.monitor.getJobs(['completed'])).filter(
          (j) => j.name === 'sync-order' && (j.returnvalue as Synced | null)?.orderId === orderId,
        );
        return done.some((j) => (j.returnvalue as Synced).status === 'filled') ? done : undefined;
      },
      { what: 'the fill applied by a sync-order job' },
    );
    expect(mine.reduce((n, j) => n + (j.returnvalue as Synced).newFills, 0)).toBe(4);
    expect(mine.every((j) => (j.data as { source: string }).source === 'stream')).toBe(true);
    // Duplicated pushes were delivered (the venue sent each twice) yet no snapshot was applied by two jobs
    const snapshots = mine.map((j) => JSON.stringify((j.data as { order: unknown }).order));
    expect(new Set(snapshots).size).toBe(snapshots.length);
    expect(await fillsOf(orderId)).toBe(4);
    await waitUntil(
      async () => (await app.ctx.queues.monitor.getJobs(['completed'])).some((j) => j.name === 'poll-orders'),
      { what: 'a polling round run as a job' },
    );
  });

  it('a queue that does not take the job (Redis down) never holds a fill back: it is applied in process at once', async () => {
    const stalled: MonitorHandoff = { syncOrder: () => new Promise(() => {}), pollRound: () => new Promise(() => {}) };
    const events = createAccountEvents({
      client: createTastytradeClient(app.ctx.config.broker, app.ctx.log),
      broker: app.ctx.broker,
      accountNumber: app.ctx.broker.accountNumber,
      log: app.ctx.log,
    });
    const monitor = startFillMonitor({
      store: app.ctx.store,
      broker: app.ctx.broker,
      events,
      log: app.ctx.log,
      pollEveryMs: 0,
      handoff: stalled,
      handoffTimeoutMs: 200,
    });
    await events.start();
    running = {
      stop: async () => {
        await events.stop();
        await monitor.stop();
      },
    };
    const { orderId } = await workingOrder();
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    expect(await sourcesOf(orderId)).toEqual(['stream']);
    expect(await fillsOf(orderId)).toBe(4);
  });

  it('stream and polling together still record each fill once', async () => {
    running = await runMonitor(app.ctx, { pollEveryMs: 50 });
    const { orderId } = await workingOrder();
    app.sim.control.injectFault({ kind: 'duplicatePushes', count: 4 });
    app.sim.control.advanceClock(2000);
    await filledInDb(orderId);
    expect(await fillsOf(orderId)).toBe(4);
    const [{ n } = { n: 0 }] = await app.ctx.sql<
      { n: number }[]
    >`select count(*)::int as n from order_events where order_id = ${orderId} and to_status = 'filled' and from_status <> 'filled'`;
    expect(n).toBe(1);
  });
});
