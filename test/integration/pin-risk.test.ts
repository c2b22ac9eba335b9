// Owns the pin-risk exit against the venue on a frozen replayed clock: a trade holding short options is closed on
// their expiration day before the session's last hour (an early close moves it earlier), unless the rule set holds
// through expiration.
import { describe, expect, it } from 'vitest';
import { nyTime } from '@legwork/venue/calendar';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { auditForTrade } from '../../src/store/audit.repo.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import type { TestApp } from '../support/app.js';
import { condorRule } from '../support/rules.js';
import { useTradingApp } from '../support/trading-app.js';

let app: TestApp;
let ctx: ExecContext;
let account: string;

const QUIET = 'takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 40';
const rule = (name: string, exits: string) =>
  condorRule({
    name,
    symbols: ['SPY', 'QQQ', 'IWM'],
    entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
    execution: 'execution: { mode: combo, partialFill: keep }',
  }).replace('exits: { takeProfitPct: 50 }', `exits: { ${exits} }`);

// The venue's clock is frozen (Tuesday 2026-11-17 10:00 New York) and moves only when a test advances it
useTradingApp(
  {
    // Only a time stop that cannot fire within these days: whatever fires is pin risk
    'pin.yaml': rule('pin', `${QUIET}`),
    'hold.yaml': rule('pin-hold', `${QUIET}, holdThroughExpiration: true`),
  },
  (t) => {
    ({ app, ctx, account } = t);
  },
);

const openTrade = (ruleName: string, underlying: string, dte: number): Promise<TradeRow> =>
  openCondorTrade(app, ctx, ruleName, underlying, { dte });

const advanceTo = (at: number) => {
  const now = app.sim.clock.now();
  expect(at).toBeGreaterThanOrEqual(now);
  app.sim.control.advanceClock(at - now);
};

const firedFor = async (tradeId: string) => (await evaluateExits(ctx)).triggered.find((t) => t.tradeId === tradeId);

describe('pin risk', () => {
  it('closes short options on their expiration day from the last hour less the exit timeout, not before; holdThroughExpiration keeps them', async () => {
    // Friday 2026-11-20, the monthly expiration, closes at 16:00: pin risk from 14:59:55 (the rule's fill timeout is 5 s)
    const pinned = await openTrade('pin', 'SPY', 3);
    const held = await openTrade('pin-hold', 'QQQ', 3);
    expect(pinned.expiration).toBe('2026-11-20');
    expect(held.expiration).toBe('2026-11-20');

    advanceTo(nyTime('2026-11-20', '14:59') + 54_000);
    expect(app.sim.clock.session().state).toBe('Open');
    expect(await firedFor(pinned.id)).toBeUndefined();
    expect((await getTrade(app.ctx.sql, pinned.id))!.status).toBe('open');

    advanceTo(nyTime('2026-11-20', '14:59') + 55_000);
    const report = await evaluateExits(ctx);
    const fired = report.triggered.find((t) => t.tradeId === pinned.id);
    expect(fired?.reason).toBe('pin_risk');
    expect(fired?.detail).toMatch(/expires today \(2026-11-20\)/);
    expect(report.triggered.find((t) => t.tradeId === held.id)).toBeUndefined();
    expect(report.held.map((h) => h.tradeId)).toContain(held.id);
    expect((await auditForTrade(app.ctx.sql, pinned.id)).find((a) => a.kind === 'exit_triggered')?.data['reason']).toBe(
      'pin_risk',
    );

    expect((await executeGroup(ctx, pinned.id, fired!.groupId)).status).toBe('filled');
    const closed = (await getTrade(app.ctx.sql, pinned.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.exitReason).toBe('pin_risk');
    expect(venueSignedPositions(app.sim, account, 'SPY')).toEqual([]);

    // The rule set that holds through expiration is still open in the last hour, its legs at the venue
    advanceTo(nyTime('2026-11-20', '15:45'));
    expect(await firedFor(held.id)).toBeUndefined();
    expect((await getTrade(app.ctx.sql, held.id))!.status).toBe('open');
    expect(venueSignedPositions(app.sim, account, 'QQQ')).toHaveLength(4);
  }, 60_000);

  it('an early close (13:00 the day after Thanksgiving) moves it to 11:59:55', async () => {
    const trade = await openTrade('pin', 'IWM', 6);
    expect(trade.expiration).toBe('2026-11-27');
    advanceTo(nyTime('2026-11-27', '11:59'));
    expect(app.sim.clock.session().closeAt).toBe(nyTime('2026-11-27', '13:00'));
    expect(await firedFor(trade.id)).toBeUndefined();
    advanceTo(nyTime('2026-11-27', '11:59') + 55_000);
    const fired = await firedFor(trade.id);
    expect(fired?.reason).toBe('pin_risk');
    expect((await executeGroup(ctx, trade.id, fired!.groupId)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
    expect(venueSignedPositions(app.sim, account, 'IWM')).toEqual([]);
  }, 60_000);
});
