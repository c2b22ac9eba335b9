// Trade approval end to end against PostgreSQL, Redis, the HTTP API and the venue, on the venue's frozen clock (moved by
// the test): a manual rule set's scan proposes its trades and sends nothing; `legwork approve` opens one (orders and
// positions at the venue); approvers racing (the CLI and the API at once) act once; a rejection records who and why; a
// proposal nobody decides expires at its deadline in broker time; and an approved trade whose credit fell below the
// floor because the market moved is refused when planned, with nothing sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { runApprove } from '../../src/cli/approve.js';
import { createAuth } from '../../src/http/auth.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { executeJobId } from '../../src/queue/exec-jobs.js';
import { auditForTrade } from '../../src/store/audit.repo.js';
import { ordersOfGroup } from '../../src/store/orders.repo.js';
import { getTrade, listTrades, type TradeRow } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type ServedHttpApp, serveHttpApp } from '../support/http-server.js';
import { advanceVenue, whileDriving } from '../support/clock-driver.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import { condorRule } from '../support/rules.js';
import { writeFloorRule } from '../support/floor-rule.js';
import { scanInProcess } from '../support/scan-in-process.js';
import { waitUntil } from '../support/wait-until.js';

const TIMEOUT_S = 300;
const MANUAL = `execution: { mode: combo, partialFill: keep, approval: manual, approvalTimeoutSeconds: ${TIMEOUT_S} }`;
const NATURAL = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }';
const ADMIN = `Basic ${Buffer.from('boss:s3cret-admin').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('watcher:s3cret-view').toString('base64')}`;

let app: TestApp;
let ctx: ExecContext;
let server: ServedHttpApp | undefined;
let base: string;
let account: string;
/** The proposals of the first scan, by underlying. */
const proposed = new Map<string, TradeRow>();

const post = (path: string, body: unknown, auth?: string) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
const capture = () => {
  const lines: string[] = [];
  return { lines, out: (s: string) => lines.push(s), text: () => lines.join('\n') };
};
/** Every order the venue has for `underlying` today, any status. */
const venueOrders = (underlying: string) =>
  app.sim.venue.liveOrders(account).filter((o) => o['underlying-symbol'] === underlying);
const executeJobs = async () =>
  (await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).map((j) => j.id);
const kinds = async (tradeId: string) => (await auditForTrade(app.ctx.sql, tradeId)).map((a) => a.kind);

/** Moves the venue's clock and waits until Legwork's clock model has seen it. */
async function advance(ms: number): Promise<number> {
  const to = await advanceVenue(app.sim, ms);
  await waitUntil(() => app.ctx.clock.now() >= to, { what: `the app clock to reach ${new Date(to).toISOString()}` });
  return to;
}

const scan = (ruleSet: string, slot: string) => scanInProcess(app.ctx, ruleSet, slot);

beforeAll(async () => {
  app = await startTestApp(
    {
      'manual.yaml': condorRule({
        name: 'ic-approval',
        symbols: ['SPY', 'QQQ', 'AAPL', 'MSFT'],
        entry: NATURAL,
        execution: MANUAL,
      }),
    },
    { clock: 'broker' },
  );
  await app.readyToTrade();
  ctx = createExecContext(app.ctx);
  account = app.sim.venue.accountNumbers()[0]!;
  const auth = createAuth({
    admin: { user: 'boss', password: 's3cret-admin' },
    viewer: { user: 'watcher', password: 's3cret-view' },
  });
  server = await serveHttpApp(app.ctx, { auth });
  base = server.base;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('a manual rule set proposes', () => {
  it('its scan leaves every selected trade awaiting approval with a deadline in broker time, audited, and sends nothing', async () => {
    const scannedAt = app.ctx.clock.now();
    const result = await scan('ic-approval', 'slot-1');

    expect(result.trades.map((t) => [t.underlying, t.status, t.created]).sort()).toEqual(
      [
        ['AAPL', 'awaiting_approval', true],
        ['MSFT', 'awaiting_approval', true],
        ['QQQ', 'awaiting_approval', true],
        ['SPY', 'awaiting_approval', true],
      ].sort(),
    );
    for (const t of await listTrades(app.ctx.sql)) {
      expect(t).toMatchObject({ status: 'awaiting_approval', approvalBy: null, approvalAt: null });
      expect(t.approvalDeadline!.getTime()).toBe(scannedAt + TIMEOUT_S * 1000);
      expect(await kinds(t.id)).toEqual(['trade_selected', 'trade_proposed']);
      proposed.set(t.underlying, t);
    }
    // Nothing queued for the executor, nothing at the venue
    expect(await executeJobs()).toEqual([]);
    expect(app.sim.venue.liveOrders(account)).toEqual([]);
    // A second scan proposes nothing on the underlyings the proposals hold
    await advance(60_000);
    const again = await scan('ic-approval', 'slot-2');
    expect(again.trades).toEqual([]);
    expect(again.skipped.map((s) => s.underlying).sort()).toEqual(
      expect.arrayContaining(['AAPL', 'MSFT', 'QQQ', 'SPY']),
    );
    expect(await listTrades(app.ctx.sql)).toHaveLength(4);
  });
});

describe('approve and reject', () => {
  it('legwork approve: pending and queued, then the executor opens it: orders and positions at the venue', async () => {
    const trade = proposed.get('SPY')!;
    const o = capture();
    expect(
      await runApprove([trade.id.slice(0, 8), '--reason', 'looks fine'], 'approve', { app: app.ctx, out: o.out }),
    ).toBe(0);
    expect(o.text()).toContain(`trade ${trade.id}`);
    expect(o.text()).toMatch(/approved by cli:/);

    const approved = (await getTrade(app.ctx.sql, trade.id))!;
    expect(approved.status).toBe('pending');
    expect(approved.approvalBy).toMatch(/^cli:/);
    expect(approved.approvalAt!.getTime()).toBe(app.ctx.clock.now());
    expect(await executeJobs()).toEqual([executeJobId(trade.entryGroupId)]);
    const [row] = (await auditForTrade(app.ctx.sql, trade.id)).filter((a) => a.kind === 'trade_approved');
    expect(row!.data).toMatchObject({ by: approved.approvalBy, reason: 'looks fine', ruleSet: 'ic-approval' });

    const entry = await whileDriving(app.sim, () => executeGroup(ctx, trade.id, trade.entryGroupId), { stepMs: 100 });
    expect(entry.status, JSON.stringify(entry)).toBe('filled');
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');
    const [order] = await ordersOfGroup(app.ctx.sql, trade.entryGroupId);
    expect(venueOrders('SPY').map((v) => [v['external-identifier'], v['status']])).toEqual([[order!.id, 'Filled']]);
    expect(venueSignedPositions(app.sim, account, 'SPY')).toHaveLength(4);
  }, 60_000);

  it('approvers racing (the CLI and the API at once) act once: one approval, one job, the other told who was first', async () => {
    const trade = proposed.get('AAPL')!;
    const o = capture();
    const [cli, http] = await Promise.all([
      runApprove([trade.id], 'approve', { app: app.ctx, out: o.out, by: 'cli:alice' }),
      post(`/api/trades/${trade.id}/approve`, { reason: 'from the dashboard' }, ADMIN),
    ]);

    const body = (await http.json()) as {
      decision?: string;
      trade: { status: string; approvalBy: string };
      error?: { code: string; message: string };
    };
    const after = (await getTrade(app.ctx.sql, trade.id))!;
    expect(after.status).toBe('pending');
    if (cli === 0) {
      expect(http.status).toBe(409);
      expect(body.error).toMatchObject({ code: 'not_awaiting' });
      expect(body.error!.message).toContain('approved by cli:alice');
      expect(after.approvalBy).toBe('cli:alice');
    } else {
      expect(cli).toBe(1);
      expect(http.status).toBe(200);
      expect(body).toMatchObject({ decision: 'approve', trade: { status: 'pending', approvalBy: 'http:boss' } });
      expect(after.approvalBy).toBe('http:boss');
    }
    expect((await kinds(trade.id)).filter((k) => k === 'trade_approved')).toHaveLength(1);
    const events = await app.ctx.sql<{ event: string }[]>`
      select event from state_events where entity_id = ${trade.id} and event = 'Approve'`;
    expect(events).toHaveLength(1);
    expect((await executeJobs()).filter((id) => id === executeJobId(trade.entryGroupId))).toHaveLength(1);
    // Approving again is refused and changes nothing
    const late = await post(`/api/trades/${trade.id}/approve`, {}, ADMIN);
    expect(late.status).toBe(409);
    expect((await getTrade(app.ctx.sql, trade.id))!.approvalBy).toBe(after.approvalBy);
  });

  it('POST /api/trades/:id/reject records who and why; a viewer may not decide; an unknown trade is 404', async () => {
    const trade = proposed.get('MSFT')!;
    expect((await post(`/api/trades/${trade.id}/reject`, {}, VIEWER)).status).toBe(403);
    expect((await post(`/api/trades/${trade.id}/approve`, {}, undefined)).status).toBe(401);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('awaiting_approval');

    const res = await post(`/api/trades/${trade.id}/reject`, { reason: 'earnings next week' }, ADMIN);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      decision: 'reject',
      by: 'http:boss',
      queued: false,
      trade: { status: 'rejected', exitReason: 'rejected by http:boss: earnings next week', approvalBy: 'http:boss' },
    });
    expect(await getTrade(app.ctx.sql, trade.id)).toMatchObject({
      status: 'rejected',
      exitReason: 'rejected by http:boss: earnings next week',
      approvalBy: 'http:boss',
    });
    const [row] = (await auditForTrade(app.ctx.sql, trade.id)).filter((a) => a.kind === 'trade_rejected');
    expect(row!.data).toMatchObject({ by: 'http:boss', reason: 'earnings next week' });
    expect(venueOrders('MSFT')).toEqual([]);
    expect((await post('/api/trades/00000000-0000-4000-8000-000000000000/approve', {}, ADMIN)).status).toBe(404);
    expect((await post('/api/trades/not-a-uuid/approve', {}, ADMIN)).status).toBe(400);
  });
});

describe('expiry', () => {
  it('a proposal nobody decides expires at its deadline in broker time: rejected, audited, approval refused', async () => {
    const trade = proposed.get('QQQ')!;
    const left = trade.approvalDeadline!.getTime() - app.ctx.clock.now();
    expect(left).toBeGreaterThan(1000);
    await advance(left - 1000);
    expect((await evaluateExits(ctx)).approvalsExpired).toEqual([]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('awaiting_approval');

    await advance(1000);
    const report = await evaluateExits(ctx);
    expect(report.approvalsExpired).toEqual([
      { tradeId: trade.id, ruleSet: 'ic-approval', underlying: 'QQQ', deadline: trade.approvalDeadline!.toISOString() },
    ]);
    const expired = (await getTrade(app.ctx.sql, trade.id))!;
    expect(expired).toMatchObject({ status: 'rejected', exitReason: 'approval expired', approvalBy: null });
    // Stamped by the sweep at broker time: at the deadline (or the moment after it the clock shows)
    expect(expired.approvalAt!.getTime()).toBeGreaterThanOrEqual(trade.approvalDeadline!.getTime());
    expect(expired.approvalAt!.getTime()).toBeLessThanOrEqual(app.ctx.clock.now());
    expect(await kinds(trade.id)).toEqual(['trade_selected', 'trade_proposed', 'approval_expired']);
    expect(venueOrders('QQQ')).toEqual([]);

    const o = capture();
    expect(await runApprove([trade.id], 'approve', { app: app.ctx, out: o.out })).toBe(1);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('rejected');
    expect(await executeJobs()).not.toContain(executeJobId(trade.entryGroupId));
  });
});

describe('refused at approval', () => {
  it('an approved trade whose credit fell below the floor after the market moved is rejected with both, nothing sent', async () => {
    // The floor: 90 % of the best natural credit the IWM condor has now, so the scan proposes it and a vol crush does not
    const floor = await writeFloorRule(app, 'ic-refuse', 'IWM', MANUAL);

    const result = await scan('ic-refuse', 'slot-refuse');
    expect(result.trades.map((t) => [t.underlying, t.status])).toEqual([['IWM', 'awaiting_approval']]);
    const trade = (await getTrade(app.ctx.sql, result.trades[0]!.tradeId))!;
    expect(await runApprove([trade.id], 'approve', { app: app.ctx, by: 'cli:alice', out: () => {} })).toBe(0);

    // Implied volatility halves while the approval waited for the executor: the condor's credit collapses
    const iv = app.sim.market.metrics('IWM')!.iv30 / 100;
    expect(app.sim.control.moveMarket('IWM', { vol: iv * 0.5 }).ok).toBe(true);
    const run = await whileDriving(app.sim, () => executeGroup(ctx, trade.id, trade.entryGroupId), { stepMs: 100 });

    expect(run).toMatchObject({ status: 'denied', orders: 0 });
    const refused = (await getTrade(app.ctx.sql, trade.id))!;
    expect(refused).toMatchObject({ status: 'rejected', approvalBy: 'cli:alice' });
    const m =
      /^refused at approval: the market moved and its natural credit \$(-?\d+\.\d\d) fell below the floor \$(\d+\.\d\d) \(entry\.minCredit; \$\d+\.\d\d mid when proposed\)$/.exec(
        refused.exitReason ?? '',
      );
    expect(m, refused.exitReason ?? 'no exit reason').not.toBeNull();
    expect(Math.round(Number(m![2]) * 100)).toBe(floor);
    expect(Math.round(Number(m![1]) * 100)).toBeLessThan(floor);
    expect(await kinds(trade.id)).toEqual([
      'trade_selected',
      'trade_proposed',
      'trade_approved',
      'order_planned',
      'trade_skipped',
    ]);
    expect(await ordersOfGroup(app.ctx.sql, trade.entryGroupId)).toEqual([]);
    expect(venueOrders('IWM')).toEqual([]);
    expect(venueSignedPositions(app.sim, account, 'IWM')).toEqual([]);
  }, 60_000);
});
