// Owns exit rules firing at the right simulated date on a venue clock replayed at 60× (issue 12, "Prove it across
// days"): close at DTE, the time stop and pin risk are evaluated on the broker's clock, so they fire on the simulated
// day they are due and not the day before. Checks sit hours (simulated) away from each boundary: minutes of wall time.
import { describe, expect, it } from 'vitest';
import { nyTime } from '@legwork/venue/calendar';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import { openCondorTrade } from '../support/condor-trades.js';
import type { TestApp } from '../support/app.js';
import { condorRule } from '../support/rules.js';
import { useTradingApp } from '../support/trading-app.js';
import { TUESDAY_10_NY } from '../support/venue.js';

let app: TestApp;
let ctx: ExecContext;

/** Every exit off except `on` (key: value pairs that replace the defaults). */
const rule = (name: string, on: Record<string, string | number | boolean>) => {
  const exits = { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: null, ...on };
  return condorRule({
    name,
    symbols: ['SPY', 'QQQ', 'IWM'],
    entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
    execution: 'execution: { mode: combo, partialFill: keep }',
  }).replace(
    'exits: { takeProfitPct: 50 }',
    `exits: { ${Object.entries(exits)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }`,
  );
};

// Decisions read the venue's clock, which runs 60 times as fast as the wall clock
useTradingApp(
  {
    'dte.yaml': rule('on-dte', { closeAtDte: 30 }),
    'time.yaml': rule('on-time', { timeStopDays: 2, holdThroughExpiration: true }),
    // A time stop that cannot fire within these days: at least one exit must be on
    'pin.yaml': rule('on-pin', { timeStopDays: 30 }),
  },
  (t) => {
    ({ app, ctx } = t);
  },
  { sim: { clock: { mode: 'replay', startAt: TUESDAY_10_NY, speed: 60 } } },
);

const advanceTo = (at: number) => app.sim.control.advanceClock(Math.max(0, at - app.sim.clock.now()));

/** What the exit cycle decides for the trade now: the reason it fired, or null when it held the trade. */
async function cycle(trade: TradeRow): Promise<string | null> {
  const report = await evaluateExits(ctx);
  const fired = report.triggered.find((t) => t.tradeId === trade.id);
  if (!fired) {
    expect(
      report.held.map((h) => h.tradeId),
      JSON.stringify(report),
    ).toContain(trade.id);
    return null;
  }
  expect((await executeGroup(ctx, trade.id, fired.groupId)).status).toBe('filled');
  expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
  return fired.reason;
}

describe('exit rules on a venue clock replayed at 60x', () => {
  it('close at DTE, the time stop and pin risk each fire on their simulated date, not the day before', async () => {
    const byDte = await openCondorTrade(app, ctx, 'on-dte', 'SPY', { dte: 35 });
    const byTime = await openCondorTrade(app, ctx, 'on-time', 'QQQ', { dte: 35 });
    const byPin = await openCondorTrade(app, ctx, 'on-pin', 'IWM', { dte: 3 });
    expect(byPin.expiration).toBe('2026-11-20');

    // Wednesday: nothing is due
    advanceTo(nyTime('2026-11-18', '12:00'));
    expect(await cycle(byDte)).toBeNull();
    expect(await cycle(byTime)).toBeNull();
    expect(await cycle(byPin)).toBeNull();

    // Thursday noon: held two days (opened Tuesday 10:00) → the time stop
    advanceTo(nyTime('2026-11-19', '12:00'));
    expect(await cycle(byTime)).toBe('time_stop');

    // Friday, the expiration day of the short-dated condor: at 12:00 still held, from 15:00 less the lead pin risk
    advanceTo(nyTime('2026-11-20', '12:00'));
    expect(await cycle(byPin)).toBeNull();
    advanceTo(nyTime('2026-11-20', '15:00'));
    expect(await cycle(byPin)).toBe('pin_risk');

    // 30 days to expiration: the day before at noon held, that day at 10:00 closed
    const due = Date.parse(`${byDte.expiration}T12:00:00Z`) - 30 * 86_400_000;
    const dueDay = new Date(due).toISOString().slice(0, 10);
    const dayBefore = new Date(due - 86_400_000).toISOString().slice(0, 10);
    advanceTo(nyTime(dayBefore, '12:00'));
    expect(app.sim.clock.session(nyTime(dayBefore, '12:00')).state).toBe('Open');
    expect(await cycle(byDte)).toBeNull();
    advanceTo(nyTime(dueDay, '10:00'));
    expect(app.sim.clock.session().state).toBe('Open');
    expect(await cycle(byDte)).toBe('close_at_dte');
    expect(app.sim.clock.now()).toBeGreaterThan(TUESDAY_10_NY);
  }, 120_000);
});
