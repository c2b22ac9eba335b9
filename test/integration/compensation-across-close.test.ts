// A rollback that a market close interrupts, on the venue's clock (issue 12): the closing order the close expired is not
// a failed attempt and not the end. The compensation waits out the night, its deadline restarts at the open, and a new
// closing order (a new row: the expired one is never re-sent) flattens the entry. Chaos seed 20261139 index 17 found
// the group broken with its long wing held after the open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeLegged } from '../../src/pipeline/execute/legged.js';
import { ordersOfGroup } from '../../src/store/orders.repo.js';
import { getTrade } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { condorOf, leggedCondorTrade, nakedLegs, recordingJobs, venuePositions } from '../support/executor-process.js';
import { TUESDAY_10_NY } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

let app: TestApp;
let ctx: ExecContext;

beforeAll(async () => {
  // The venue runs at real speed from Tuesday 15:00 New York, an hour before the close; Legwork reads its clock
  app = await startTestApp(
    {},
    { clock: 'broker', sim: { clock: { mode: 'replay', startAt: TUESDAY_10_NY + 5 * 3_600_000, speed: 1 } } },
  );
  ctx = createExecContext(app.ctx, { jobs: recordingJobs() });
});
afterAll(async () => {
  await app?.close();
});

describe('a rollback across a market close', () => {
  it('the closing order expires at the close; at the next open a new one is sent and the entry ends rolled back, flat', async () => {
    const c = condorOf(app.sim, 0.03);
    const { trade, group } = await leggedCondorTrade(app.ctx, c);
    // The long put fills, the long call is refused: roll back the long put. Its first closing order rests unfilled.
    app.sim.control.setFillBehavior({
      symbol: c.longCall.symbol,
      behavior: 'reject',
      message: 'Exchange rejected (test)',
    });
    const running = executeLegged(ctx, group, trade, {
      pollMs: 50,
      brokerPollMs: 200,
      closeBackoffMs: 100,
      compensationDeadlineMs: 8_000,
    });
    await waitUntil(
      async () =>
        (await ordersOfGroup(app.ctx.sql, group.id)).some(
          (o) => o.role === 'leg' && o.legs[0]!.symbol === c.longPut.symbol && o.status === 'filled',
        ),
      { what: 'long put filled' },
    );
    app.sim.control.setFillBehavior({ symbol: c.longPut.symbol, behavior: 'never' });
    const firstClose = await waitUntil(
      async () =>
        (await ordersOfGroup(app.ctx.sql, group.id)).find((o) => o.role === 'compensation' && o.status === 'working'),
      { what: 'the first closing order working' },
    );

    // The close: the venue expires the day order; the night passes in a jump; the next session opens
    const session = app.sim.clock.session();
    app.sim.control.advanceClock(session.closeAt + 5_000 - app.sim.clock.now());
    await new Promise((r) => setTimeout(r, 1_500)); // the compensation sees the closed market
    app.sim.venue.clearFillRules();
    app.sim.control.advanceClock(app.sim.clock.session().nextOpenAt + 5_000 - app.sim.clock.now());

    const result = await running;
    expect(result.status).toBe('rolled_back');
    expect((await getTrade(app.ctx.sql, trade.id))?.status).not.toBe('broken');
    const closes = (await ordersOfGroup(app.ctx.sql, group.id)).filter((o) => o.role === 'compensation');
    expect(
      closes.map((o) => [o.id === firstClose.id ? 'first' : 'later', o.legs[0]!.symbol, o.legs[0]!.action, o.status]),
    ).toEqual([
      ['first', c.longPut.symbol, 'Sell to Close', 'expired'],
      ['later', c.longPut.symbol, 'Sell to Close', 'filled'],
    ]);
    expect(venuePositions(app.sim, c)).toEqual(new Map());
    expect(nakedLegs(app.sim, c)).toEqual([]);
  });
});
