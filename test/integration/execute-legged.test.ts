// Legged execution against the venue: all legs fill; a rejected short rolls the wings back; a closing order rejected
// right after a fill (ledger lag) is retried; flattening impossible → broken + reducing + alert; reruns add nothing;
// the pre-trade gate (buying power by dry-run, trading state) runs before the first leg.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/domain/broker-error.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeLegged } from '../../src/pipeline/execute/legged.js';
import { getGroup } from '../../src/store/groups.repo.js';
import { ordersOfGroup, tradePositions } from '../../src/store/orders.repo.js';
import { getTradingState, setTradingState } from '../../src/store/settings.repo.js';
import { getTrade } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  condorOf,
  leggedCondorTrade,
  nakedLegs,
  testExecContext,
  venueOrdersByExternalId,
  venuePositions,
} from '../support/executor-process.js';
import type { CondorLegs } from '../support/iron-condor.js';

let app: TestApp;
let ctx: ExecContext;
let c: CondorLegs;
let offset = 0.02;
const fast = { pollMs: 50, closeBackoffMs: 100, brokerPollMs: 200 };

beforeAll(async () => {
  app = await startTestApp({});
  ctx = testExecContext(app.ctx);
});
afterAll(async () => {
  await app?.close();
});
beforeEach(async () => {
  // Each case trades its own strikes (the venue keeps earlier positions) with default fills and trading active
  offset += 0.02;
  c = condorOf(app.sim, offset);
  app.sim.venue.clearFillRules();
  await setTradingState(app.ctx.sql, 'active', 'test');
});

describe('executeLegged', () => {
  it('fills every leg in placement order: group filled, trade open, 4 positions; a rerun sends nothing', async () => {
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    const result = await executeLegged(ctx, group, trade, fast);
    expect(result.status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))?.status).toBe('open');
    const orders = await ordersOfGroup(app.ctx.sql, group.id);
    expect(orders.map((o) => o.status)).toEqual(['filled', 'filled', 'filled', 'filled']);
    // Wings (buys) first, then the shorts
    expect(orders.sort((a, b) => a.seq - b.seq).map((o) => o.legs[0]!.action)).toEqual([
      'Buy to Open',
      'Buy to Open',
      'Sell to Open',
      'Sell to Open',
    ]);
    expect((await tradePositions(app.ctx.sql, trade.id)).map((p) => p.quantity).sort()).toEqual([-1, -1, 1, 1]);
    expect(venuePositions(app.sim, c).size).toBe(4);

    const again = await executeLegged(ctx, (await getGroup(app.ctx.sql, group.id))!, trade, fast);
    const twice = await Promise.all([executeLegged(ctx, group, trade, fast), executeLegged(ctx, group, trade, fast)]);
    expect([again.status, ...twice.map((r) => r.status)]).toEqual(['filled', 'filled', 'filled']);
    expect(await ordersOfGroup(app.ctx.sql, group.id)).toHaveLength(4);
    const perId = venueOrdersByExternalId(app.sim);
    for (const o of orders) expect(perId.get(o.id)).toBe(1);
  });

  it('a short leg rejected after the wings filled: wings flattened, group and trade rolled back', async () => {
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    app.sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'reject', message: 'Exchange rejected' });
    const result = await executeLegged(ctx, group, trade, fast);
    expect(result.status).toBe('rolled_back');
    expect((await getTrade(app.ctx.sql, trade.id))?.status).toBe('rolled_back');
    expect(venuePositions(app.sim, c).size).toBe(0);
    expect((await tradePositions(app.ctx.sql, trade.id)).every((p) => p.quantity === 0)).toBe(true);
    const orders = await ordersOfGroup(app.ctx.sql, group.id);
    expect(
      orders
        .filter((o) => o.role === 'compensation' && o.status === 'filled')
        .map((o) => o.legs[0]!.action)
        .sort(),
    ).toEqual(['Sell to Close', 'Sell to Close']);
    // The short call after the rejected short put was never sent
    expect(
      orders
        .filter((o) => o.role === 'leg' && o.legs[0]!.symbol === c.shortCall.symbol)
        .every((o) => o.status === 'denied'),
    ).toBe(true);
  });

  it('retries a closing order the broker rejects right after the fill (position ledger lag)', async () => {
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    app.sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'reject' });
    // The first order that touches the long put after its opening fill is the closing one: rejected once
    const lagged = leggedWatch(group.id, c.longPut.symbol);
    const result = await executeLegged(ctx, group, trade, fast);
    await lagged;
    expect(result.status).toBe('rolled_back');
    const closes = (await ordersOfGroup(app.ctx.sql, group.id)).filter(
      (o) => o.role === 'compensation' && o.legs[0]!.symbol === c.longPut.symbol,
    );
    expect(closes.map((o) => o.status)).toEqual(['rejected', 'filled']);
    expect(venuePositions(app.sim, c).size).toBe(0);
  });

  it('the pre-trade gate runs before the first leg: too little buying power or trading halted → denied, nothing sent', async () => {
    const big = await leggedCondorTrade(app.ctx, c, { quantity: 5000 });
    const denied = await executeLegged(ctx, big.group, big.trade, fast);
    expect([denied.status, denied.reason]).toEqual(['denied', expect.stringMatching(/buying power/)]);
    expect((await getTrade(app.ctx.sql, big.trade.id))?.status).toBe('rejected');

    await setTradingState(app.ctx.sql, 'halted', 'test');
    const small = await leggedCondorTrade(app.ctx, c);
    const halted = await executeLegged(ctx, small.group, small.trade, fast);
    expect([halted.status, halted.reason]).toEqual(['denied', expect.stringContaining('trading is halted')]);
    expect([
      ...(await ordersOfGroup(app.ctx.sql, big.group.id)),
      ...(await ordersOfGroup(app.ctx.sql, small.group.id)),
    ]).toEqual([]);
    expect(venuePositions(app.sim, c).size).toBe(0);
  });

  it('a cancel the broker never answered is sent again: the timed-out leg does not hang in pending_cancel', async () => {
    const { trade, group } = await leggedCondorTrade(app.ctx, c, { fillTimeoutSeconds: 1 });
    app.sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'never' });
    let cancels = 0;
    const lossy: ExecContext = {
      ...ctx,
      broker: {
        ...ctx.broker,
        cancel: async (id: number) => {
          cancels += 1;
          if (cancels === 1)
            throw new BrokerError('unknown', 'socket hang up (test: the cancel request was lost)', {
              operation: 'cancel',
            });
          return ctx.broker.cancel(id);
        },
      },
    };
    const result = await executeLegged(lossy, group, trade, fast);
    expect(result.status).toBe('rolled_back');
    expect(cancels).toBeGreaterThanOrEqual(2);
    expect(venuePositions(app.sim, c).size).toBe(0);
  }, 30_000);

  it('flattening impossible: group broken, trade broken, trading state reducing, an alert recorded', async () => {
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    app.sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'reject' });
    const blockCloses = leggedWatch(group.id, c.longPut.symbol, 100);
    const result = await executeLegged(ctx, group, trade, { ...fast, maxCloseAttempts: 3, closeBackoffMs: 20 });
    await blockCloses;
    expect(result.status).toBe('broken');
    expect((await getTrade(app.ctx.sql, trade.id))?.status).toBe('broken');
    expect((await getTradingState(app.ctx.sql)).state).toBe('reducing');
    const alerts = await app.ctx.sql<
      { data: { kind: string } }[]
    >`select data from audit_events where kind = 'alert' and group_id = ${group.id}`;
    expect(alerts.map((a) => a.data.kind)).toContain('broken_group');
    // The long call was flattened; the long put is left (covered: no naked short)
    expect([...venuePositions(app.sim, c).keys()]).toEqual([c.longPut.symbol]);
    expect(nakedLegs(app.sim, c)).toEqual([]);
  });
});

/** Once the opening leg on `symbol` is filled, makes the venue reject the next `times` orders on it (closing ones). */
async function leggedWatch(groupId: string, symbol: string, times = 1): Promise<void> {
  for (;;) {
    const orders = await ordersOfGroup(app.ctx.sql, groupId);
    if (orders.some((o) => o.role === 'leg' && o.legs[0]!.symbol === symbol && o.status === 'filled')) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  for (let i = 0; i < times; i++)
    app.sim.control.setFillBehavior({
      symbol,
      next: true,
      behavior: 'reject',
      message: 'No position to close (ledger lag)',
    });
}
