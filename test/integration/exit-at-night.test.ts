// Owns issue 11 defect 1 against the venue: an exit the pre-trade gate meets while the market is closed is never denied
// (the trade stays managed and the exit goes after the open), no exit starts at night, and the exit cycle's repair pass
// moves trades nothing else would move (closing with no live group, pending never queued, opening whose entry ended).
import { describe, expect, it } from 'vitest';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits, exitGroupId } from '../../src/pipeline/exit/exits.js';
import { UnrecoverableError, Worker } from 'bullmq';
import { workerConnectionOptions } from '../../src/queue/connection.js';
import { executeJobId } from '../../src/queue/exec-jobs.js';
import { auditForTrade } from '../../src/store/audit.repo.js';
import { getGroup, groupsOfTrade } from '../../src/store/groups.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import { REDIS_URL, type TestApp } from '../support/app.js';
import { waitUntil } from '../support/wait-until.js';
import { openCondorTrade, pendingCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';
import { useTradingApp } from '../support/trading-app.js';

let app: TestApp;
let ctx: ExecContext;
let account: string;

const HOUR = 3_600_000;

// Decisions read the venue's clock exactly (sim-now); waits run on wall time
useTradingApp(
  {
    // ~35 DTE condors: closing at 40 DTE fires at once
    'dte.yaml': condorRule({
      name: 'night-dte',
      entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
      execution: 'execution: { mode: combo, partialFill: keep }',
    })
      .replace('exits: { takeProfitPct: 50 }', 'exits: { closeAtDte: 40 }')
      .replace('max: 50', 'max: 70'),
    'hold.yaml': condorRule({
      name: 'night-hold',
      entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
      execution: 'execution: { mode: combo, partialFill: keep }',
    }).replace('exits: { takeProfitPct: 50 }', 'exits: { takeProfitPct: 99 }'),
    'slot.yaml': condorRule({
      name: 'night-slot',
      entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
      execution: 'execution: { mode: combo, partialFill: keep }',
      risk: 'maxWorkingGroups: 1',
    })
      .replace('exits: { takeProfitPct: 50 }', 'exits: { closeAtDte: 40 }')
      .replace('max: 50', 'max: 70'),
  },
  (t) => {
    ({ app, ctx, account } = t);
  },
  { clock: 'sim-now' },
);

const venueSigned = (underlying: string) => venueSignedPositions(app.sim, account, underlying);

const pendingTrade = (ruleName: string, underlying: string): Promise<TradeRow> =>
  pendingCondorTrade(app, ruleName, underlying);
const openTrade = (ruleName: string, underlying: string): Promise<TradeRow> =>
  openCondorTrade(app, ctx, ruleName, underlying);

/** Makes a trade and its groups look untouched for two minutes (what the repair pass waits for). */
async function age(tradeId: string): Promise<void> {
  const twoMinutesAgo = new Date(app.ctx.clock.now() - 120_000); // the app's clock: the venue's time
  await app.ctx
    .sql`update trades set updated_at = ${twoMinutesAgo}, created_at = created_at - interval '2 minutes' where id = ${tradeId}`;
  await app.ctx.sql`update order_groups set updated_at = ${twoMinutesAgo} where trade_id = ${tradeId}`;
}

describe('an exit at night', () => {
  it('is deferred, never denied: the trade stays managed, no exit starts until the open, then it closes', async () => {
    expect(app.sim.clock.session().state).toBe('Open');
    const trade = await openTrade('night-dte', 'SPY');
    const day = await evaluateExits(ctx);
    const fired = day.triggered.find((t) => t.tradeId === trade.id);
    expect(fired?.reason).toBe('close_at_dte');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closing');

    // Its job runs after the close: Tuesday 21:00 New York
    app.sim.control.advanceClock(11 * HOUR);
    expect(app.sim.clock.session().state).toBe('Closed');
    const night = await executeGroup(ctx, trade.id, fired!.groupId);
    expect(night.status).not.toBe('denied');
    expect(night.status).toBe('cancelled');
    expect(night.reason).toBe('deferred: market is Closed');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');
    expect((await auditForTrade(app.ctx.sql, trade.id)).filter((a) => a.kind === 'exit_deferred')).toHaveLength(1);
    expect(venueSigned('SPY')).toHaveLength(4);

    // Exit cycles at night start nothing: the trade stays open and is evaluated again next cycle
    const cycle = await evaluateExits(ctx);
    expect(cycle.marketClosed).toBe('market is Closed');
    expect(cycle.triggered).toEqual([]);
    expect(cycle.skipped.map((s) => s.tradeId)).toContain(trade.id);
    expect((await groupsOfTrade(app.ctx.sql, trade.id)).filter((g) => g.kind === 'exit')).toHaveLength(1);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');

    // Wednesday 09:31: the rule fires again with fresh prices and the exit completes
    const session = app.sim.clock.session();
    app.sim.control.advanceClock(session.nextOpenAt - app.sim.clock.now() + 60_000);
    expect(app.sim.clock.session().state).toBe('Open');
    const morning = await evaluateExits(ctx);
    const again = morning.triggered.find((t) => t.tradeId === trade.id);
    expect(again?.groupId).toBe(exitGroupId(trade.id, 1));
    expect((await executeGroup(ctx, trade.id, again!.groupId)).status).toBe('filled');
    const closed = (await getTrade(app.ctx.sql, trade.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.exitReason).toBe('close_at_dte');
    expect(venueSigned('SPY')).toEqual([]);
  }, 60_000);
});

describe('the gate never denies an exit', () => {
  it('missing quotes: the exit waits a few seconds (group planned, trade closing), then goes', async () => {
    const trade = await openTrade('night-dte', 'MSFT');
    const fired = (await evaluateExits(ctx)).triggered.find((t) => t.tradeId === trade.id)!;
    const blind: ExecContext = {
      ...ctx,
      marketData: {
        ...ctx.marketData,
        snapshot: async (symbols) => ({ quotes: new Map(), greeks: new Map(), missing: [...symbols] }),
      },
    };
    const waiting = await executeGroup(blind, trade.id, fired.groupId);
    expect(waiting).toMatchObject({ status: 'planned', retryAfterMs: 5000 });
    expect(waiting.reason).toMatch(/^no two-sided quote for /);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closing');
    expect((await executeGroup(ctx, trade.id, fired.groupId)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
    expect(venueSigned('MSFT')).toEqual([]);
  }, 40_000);

  it('entry limits never hold an exit back: every working-group slot taken, halted, the exit still goes', async () => {
    const trade = await openTrade('night-slot', 'NVDA');
    const fired = (await evaluateExits(ctx)).triggered.find((t) => t.tradeId === trade.id)!;
    // Another entry holds the only working-group slot of the rule set
    const other = await pendingTrade('night-slot', 'AMZN');
    await app.ctx.sql`insert into order_groups (id, trade_id, kind, mode, status, intent)
      values (${other.entryGroupId}, ${other.id}, 'entry', 'combo', 'working', ${app.ctx.sql.json({ tradeId: other.id } as never)})`;
    await setTradingState(app.ctx.sql, 'halted', 'test', 'exits still go');
    expect((await executeGroup(ctx, trade.id, fired.groupId)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
    expect(venueSigned('NVDA')).toEqual([]);
    await app.ctx.sql`update order_groups set status = 'cancelled' where id = ${other.entryGroupId}`;
  }, 40_000);
});

describe('the repair pass of every exit cycle', () => {
  it('closing with no live exit group (the denied exit main used to leave) → open again, audited', async () => {
    const trade = await openTrade('night-hold', 'QQQ');
    // The state a denied exit left: trade closing, its exit group denied
    await app.ctx.sql`update trades set status = 'closing' where id = ${trade.id}`;
    await app.ctx.sql`insert into order_groups (id, trade_id, kind, mode, status, intent)
      select ${exitGroupId(trade.id)}, id, 'exit', 'combo', 'denied', ${app.ctx.sql.json({ tradeId: trade.id } as never)} from trades where id = ${trade.id}`;
    await age(trade.id);
    const report = await evaluateExits(ctx);
    expect(report.repaired).toContainEqual({
      tradeId: trade.id,
      decision: 'exit_ended',
      why: 'closing with no live exit group',
      event: 'ExitEnded',
    });
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');
    expect(report.held.map((h) => h.tradeId)).toContain(trade.id);
    const audit = (await auditForTrade(app.ctx.sql, trade.id)).find((a) => a.kind === 'trade_repaired');
    expect(audit?.data).toMatchObject({ from: 'closing', decision: 'exit_ended' });
  }, 40_000);

  it('pending and never queued → its execute job is enqueued again', async () => {
    const trade = await pendingTrade('night-hold', 'IWM');
    await age(trade.id);
    const report = await evaluateExits(ctx);
    expect(report.repaired).toContainEqual({
      tradeId: trade.id,
      decision: 'requeue_entry',
      why: 'pending and never planned',
      event: 'requeued',
    });
    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    expect(jobs.filter((j) => j.data.tradeId === trade.id).map((j) => j.data.groupId)).toEqual([trade.entryGroupId]);
  }, 40_000);

  it('a group whose job is still queued gets no second job, however often the repair pass looks (a fast replay clock makes every minute look quiet)', async () => {
    const trade = await pendingTrade('night-hold', 'QQQ');
    await age(trade.id);
    // Found by paper mode at 60x: each pass one broker minute later re-queued the same entry under a new job id
    for (let minute = 0; minute < 4; minute++) {
      const later: ExecContext = { ...ctx, now: () => ctx.now() + minute * 60_000 };
      const report = await evaluateExits(later);
      expect(report.repaired.map((r) => r.decision)).toContain('requeue_entry');
    }
    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    expect(jobs.filter((j) => j.data.tradeId === trade.id)).toHaveLength(1);
  }, 40_000);

  it('an exit group left planned whose execute job finished for good (its id taken) → a new job, and the exit closes the trade', async () => {
    const trade = await openTrade('night-dte', 'MSFT');
    const first = await evaluateExits(ctx);
    const groupId = first.triggered.find((t) => t.tradeId === trade.id)?.groupId;
    expect(groupId).toBe(exitGroupId(trade.id));
    // Its job ran out of attempts (e.g. while PostgreSQL restarted): failed for good, so re-adding that id is a no-op
    const job = await app.ctx.queues.execute.getJob(executeJobId(groupId!, 0));
    expect(job?.data.groupId).toBe(groupId);
    const failing = new Worker(
      'execute',
      async () => {
        throw new UnrecoverableError('attempts spent while PostgreSQL restarted');
      },
      { connection: workerConnectionOptions(REDIS_URL), prefix: app.ctx.queues.settings.prefix },
    );
    await waitUntil(
      async () => (await app.ctx.queues.execute.getJob(job!.id!))?.failedReason !== undefined || undefined,
      { what: 'the execute job failed for good' },
    );
    await failing.close();
    expect(await app.ctx.queues.execute.getJobState(job!.id!)).toBe('failed');
    await age(trade.id);
    const report = await evaluateExits(ctx);
    expect(report.repaired).toContainEqual({
      tradeId: trade.id,
      decision: 'requeue_group',
      why: 'exit group planned with nothing moving it',
      event: 'requeued',
    });
    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    const fresh = jobs.filter((j) => j.data.groupId === groupId && j.id !== executeJobId(groupId!, 0));
    expect(fresh).toHaveLength(1);
    expect((await executeGroup(ctx, trade.id, groupId!)).status).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('closed');
    expect(venueSigned('MSFT')).toEqual([]);
  }, 40_000);

  it('opening whose entry group filled (a crash between the two writes) → open, from the broker and the fills', async () => {
    const trade = await openTrade('night-hold', 'AAPL');
    await app.ctx.sql`update trades set status = 'opening', entry_credit_cents = null where id = ${trade.id}`;
    await age(trade.id);
    const report = await evaluateExits(ctx);
    expect(report.repaired).toContainEqual({
      tradeId: trade.id,
      decision: 'reconcile_entry',
      why: 'opening but its entry group is filled',
      event: 'Opened',
    });
    const repaired = (await getTrade(app.ctx.sql, trade.id))!;
    expect(repaired.status).toBe('open');
    expect(repaired.entryCreditCents).toBe(trade.entryCreditCents);
    expect((await getGroup(app.ctx.sql, trade.entryGroupId))!.status).toBe('filled');
  }, 40_000);
});
