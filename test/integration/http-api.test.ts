// The HTTP server end to end: every API route against a real database, Redis and the venue; Basic auth with admin and
// viewer; halt/resume persisted and audited; Bull Board behind auth; /metrics values matching Postgres and the risk report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/http/auth.js';
import { appendAudit, recentAudit } from '../../src/store/audit.repo.js';
import { insertGroup } from '../../src/store/groups.repo.js';
import { insertPlannedOrder } from '../../src/store/orders.repo.js';
import {
  finishScanRun,
  insertCandidates,
  recordRuleVersion,
  setRanks,
  startScanRun,
} from '../../src/store/scans.repo.js';
import { waitUntil } from '../support/wait-until.js';
import { getTradingState, setTradingState } from '../../src/store/settings.repo.js';
import { insertPendingTrade, moveTrade } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type ServedHttpApp, serveHttpApp } from '../support/http-server.js';

const RULE = `version: 1
name: ic-http
strategy: iron-condor
universe: { symbols: [SPY] }
params:
  dte: { min: 20, max: 50 }
  shortDelta: { target: 0.16, tolerance: 0.06 }
  wings: { points: 5 }
sizing: { quantity: 1 }
execution: { mode: combo }
risk: { maxOpenTrades: 50, maxTotalRisk: 500000, maxRiskPerUnderlying: 500000 }
`;

let app: TestApp;
let server: ServedHttpApp | undefined;
let base: string;
const ADMIN = `Basic ${Buffer.from('boss:s3cret-admin').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('watcher:s3cret-view').toString('base64')}`;
const tradeId = randomUUID();
const closedId = randomUUID();
const groupId = randomUUID();

const get = (path: string, auth?: string) => fetch(base + path, { headers: auth ? { authorization: auth } : {} });
const post = (path: string, body: unknown, auth?: string) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
const json = async (res: Response) => (await res.json()) as any;

const leg = (symbol: string, action: 'Buy to Open' | 'Sell to Open', strike: number, right: 'C' | 'P') => ({
  symbol,
  streamerSymbol: `.${symbol}`,
  action,
  quantity: 1,
  strike,
  right,
  expiration: '2030-01-18',
});

beforeAll(async () => {
  app = await startTestApp({ 'ic.yaml': RULE });
  const { sql } = app.ctx;
  const common = {
    ruleSet: 'ic-http',
    rulesHash: 'h1',
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: '2030-01-18',
    riskCents: 40000,
    expectedCreditCents: 100,
    facts: {},
  };
  await insertPendingTrade(sql, {
    ...common,
    id: tradeId,
    quantity: 2,
    legs: [
      leg('SPY   300118P00400000', 'Sell to Open', 400, 'P'),
      leg('SPY   300118P00395000', 'Buy to Open', 395, 'P'),
    ],
    entryGroupId: groupId,
  });
  await insertPendingTrade(sql, { ...common, id: closedId, quantity: 1, legs: [], entryGroupId: randomUUID() });
  await moveTrade(sql, closedId, 'Opened');
  await moveTrade(sql, closedId, 'Closed', { realizedPnlCents: 1234, exitReason: 'take_profit' });
  await insertGroup(sql, groupId, {
    tradeId,
    kind: 'entry',
    mode: 'combo',
    quantity: 2,
    legs: [],
    pricing: {},
    partialFill: 'keep',
    ruleSet: 'ic-http',
    rulesHash: 'h1',
  } as never);
  await insertPlannedOrder(sql, {
    id: randomUUID(),
    groupId,
    role: 'package',
    seq: 0,
    legs: [],
    size: 2,
    limitPriceCents: 150,
  });
  await appendAudit(sql, { kind: 'trade_selected', tradeId, data: { note: 'chosen' } });
  // a completed scan with one ranked candidate
  await recordRuleVersion(sql, { hash: 'h1', name: 'ic-http', file: 'ic.yaml', content: RULE });
  const runId = randomUUID();
  await startScanRun(sql, { id: runId, ruleSet: 'ic-http', rulesHash: 'h1', slot: 'manual-1' });
  await insertCandidates(sql, runId, [
    {
      id: randomUUID(),
      candidateKey: 'k1',
      ruleSet: 'ic-http',
      rulesHash: 'h1',
      strategy: 'iron-condor',
      underlying: 'SPY',
      expiration: '2030-01-18',
      dte: 30,
      creditMidCents: 120,
      creditNaturalCents: 90,
      facts: { pop: 0.7 },
      legs: [{ symbol: 'X' }],
      trace: null,
    },
  ]);
  await setRanks(sql, runId, [{ candidateKey: 'k1', rank: 1, score: 0.9, selected: true }]);
  await finishScanRun(sql, runId, { status: 'completed', underlyings: 1, candidatesEvaluated: 7, accepted: 3 });

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

describe('public routes', () => {
  it('health and readiness need no credentials', async () => {
    const h = await json(await get('/api/health'));
    expect(h).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect(typeof h.uptimeSeconds).toBe('number');
    const res = await get('/api/ready');
    const r = await json(res);
    expect(res.status).toBe(200);
    expect(r.ready).toBe(true);
    for (const k of ['redis', 'postgres', 'broker'])
      expect(r.checks[k]).toMatchObject({ ok: true, ms: expect.any(Number) });
    expect(r.checks.rules).toEqual({ ok: true, loaded: 1, refused: 0 });
    // No DISCORD_TOKEN, no chat process reporting: the bot is reported off (never a reason to be unready)
    expect(r.checks.chat).toEqual({ configured: false, connected: false, since: null, lastError: null });
  });

  it('unknown routes are a JSON 404', async () => {
    const res = await get('/api/nope', VIEWER);
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toContain('not found');
  });
});

describe('auth', () => {
  it('401 with a Basic challenge without or with wrong credentials', async () => {
    for (const auth of [undefined, `Basic ${Buffer.from('boss:wrong').toString('base64')}`]) {
      const res = await get('/api/state', auth);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic realm="legwork"');
      expect(await json(res)).toEqual({ error: { message: 'authentication required' } });
    }
  });

  it('viewer reads but may not halt (403)', async () => {
    expect((await get('/api/state', VIEWER)).status).toBe(200);
    const res = await post('/api/halt', {}, VIEWER);
    expect(res.status).toBe(403);
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
  });
});

describe('read API', () => {
  it('GET /api/trades lists trades with legs and P&L fields; status filter', async () => {
    const { trades } = await json(await get('/api/trades', VIEWER));
    expect(trades).toHaveLength(2);
    const t = trades.find((x: any) => x.id === tradeId);
    expect(t).toMatchObject({
      ruleSet: 'ic-http',
      strategy: 'iron-condor',
      underlying: 'SPY',
      expiration: '2030-01-18',
      quantity: 2,
      status: 'pending',
      entryCreditCents: null,
      unrealizedPnlCents: null,
      exitReason: null,
      openedAt: null,
    });
    expect(t.legs[0]).toEqual({
      symbol: 'SPY   300118P00400000',
      action: 'Sell to Open',
      quantity: 1,
      strike: 400,
      right: 'P',
    });
    const closed = await json(await get('/api/trades?status=closed&limit=5', ADMIN));
    expect(closed.trades.map((x: any) => x.id)).toEqual([closedId]);
    expect(closed.trades[0]).toMatchObject({ realizedPnlCents: 1234, exitReason: 'take_profit' });
    const bad = await get('/api/trades?status=bogus', VIEWER);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain('query.status');
  });

  it('GET /api/trades/:id with groups, orders, positions, events; 404 and 400', async () => {
    const d = await json(await get(`/api/trades/${tradeId}`, VIEWER));
    expect(d.trade.id).toBe(tradeId);
    expect(d.groups).toHaveLength(1);
    expect(d.groups[0]).toMatchObject({ id: groupId, kind: 'entry', mode: 'combo', status: 'planned', reason: null });
    expect(d.groups[0].orders[0]).toMatchObject({
      role: 'package',
      status: 'planned',
      brokerOrderId: null,
      limitPriceCents: 150,
      filledUnits: 0,
      priceSteps: 0,
    });
    expect(d.positions).toEqual([]);
    expect(d.events.map((e: any) => e.kind)).toContain('trade_selected');
    expect((await get(`/api/trades/${randomUUID()}`, VIEWER)).status).toBe(404);
    const bad = await get('/api/trades/not-a-uuid', VIEWER);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain('id: must be a uuid');
  });

  it('GET /api/candidates/latest, /api/positions, /api/rules, /api/events', async () => {
    const c = await json(await get('/api/candidates/latest', VIEWER));
    expect(c.candidates).toEqual([
      {
        rank: 1,
        score: 0.9,
        ruleSet: 'ic-http',
        strategy: 'iron-condor',
        underlying: 'SPY',
        expiration: '2030-01-18',
        dte: 30,
        selected: true,
        facts: { pop: 0.7 },
        legs: [{ symbol: 'X' }],
      },
    ]);
    const p = await json(await get('/api/positions', VIEWER));
    expect(Array.isArray(p.broker)).toBe(true);
    expect(p.trades).toEqual([]);
    const r = await json(await get('/api/rules', VIEWER));
    expect(r.ruleSets).toEqual([
      expect.objectContaining({
        name: 'ic-http',
        file: expect.stringContaining('ic.yaml'),
        enabled: true,
        strategy: 'iron-condor',
        hash: expect.any(String),
      }),
    ]);
    expect(r.errors).toEqual([]);
    const e = await json(await get('/api/events?limit=2', VIEWER));
    expect(e.events.length).toBeLessThanOrEqual(2);
    expect(e.events[0]).toEqual(
      expect.objectContaining({ id: expect.any(Number), at: expect.any(String), kind: expect.any(String) }),
    );
  });
});

describe('halt / resume', () => {
  it('400 naming the field on a bad body', async () => {
    const res = await post('/api/halt', { reason: 42 }, ADMIN);
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(/^body\.reason: /);
    const bad = await post('/api/halt', { flatten: 'yes' }, ADMIN);
    expect((await json(bad)).error.message).toContain('body.flatten');
  });

  it('halt (with flatten) then resume: persisted in settings and audited', async () => {
    const h = await json(await post('/api/halt', { reason: 'vol spike', flatten: true }, ADMIN));
    expect(h.tradingState).toMatchObject({ state: 'halted', reason: 'vol spike', by: 'http:boss' });
    expect(h.flattened).toBe(0);
    expect(await getTradingState(app.ctx.sql)).toMatchObject({ state: 'halted', reason: 'vol spike', by: 'http:boss' });
    expect((await json(await get('/api/state', VIEWER))).tradingState.state).toBe('halted');
    const r = await json(await post('/api/resume', { reason: 'calm' }, ADMIN));
    expect(r.tradingState).toMatchObject({ state: 'active', by: 'http:boss' });
    const audit = await recentAudit(app.ctx.sql, 10);
    expect(audit.find((a) => a.kind === 'halt')?.data).toMatchObject({
      state: 'halted',
      reason: 'vol spike',
      by: 'http:boss',
    });
    expect(audit.find((a) => a.kind === 'resume')?.data).toMatchObject({ state: 'active', reason: 'calm' });
    expect(audit.find((a) => a.kind === 'alert')?.data).toMatchObject({ kind: 'halt' });
  });
});

describe('Bull Board', () => {
  it('admin board: 200 for admin, 401 without credentials, 403 for the viewer', async () => {
    const page = await get('/admin/queues', ADMIN);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const queues = await json(await get('/admin/queues/api/queues', ADMIN));
    expect(queues.queues.map((q: any) => q.name).sort()).toEqual([
      'account',
      'execute',
      'exit',
      'monitor',
      'reconcile',
      'scan',
      'scan-underlying',
    ]);
    expect(queues.queues.every((q: any) => q.readOnlyMode === false)).toBe(true);
    expect((await get('/admin/queues')).status).toBe(401);
    expect((await get('/admin/queues', VIEWER)).status).toBe(403);
  });

  it('read-only board for the viewer', async () => {
    expect((await get('/admin/queues-view', VIEWER)).status).toBe(200);
    expect((await get('/admin/queues-view')).status).toBe(401);
    const queues = await json(await get('/admin/queues-view/api/queues', VIEWER));
    expect(queues.queues.length).toBe(7);
    expect(queues.queues.every((q: any) => q.readOnlyMode === true)).toBe(true);
  });
});

describe('/metrics', () => {
  it('exposes legwork_ metrics whose values match Postgres', async () => {
    await setTradingState(app.ctx.sql, 'halted', 'test');
    const res = await get('/metrics', VIEWER);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    const [row] = await app.ctx.sql<{ n: number }[]>`select count(*)::int as n from trades where status = 'pending'`;
    expect(text).toContain(`legwork_trades{status="pending"} ${row!.n}`);
    expect(text).toContain('legwork_trades{status="closed"} 1');
    expect(text).toContain('legwork_exits{reason="take_profit"} 1');
    expect(text).toContain('legwork_scan_runs{status="completed"} 1');
    expect(text).toContain('legwork_candidates_evaluated 7');
    expect(text).toContain('legwork_candidates_accepted 3');
    expect(text).toContain('legwork_orders{status="planned"} 1');
    expect(text).toContain('legwork_fills 0');
    expect(text).toContain('legwork_trading_state 1');
    expect(text).toMatch(/legwork_queue_jobs\{queue="execute",state="waiting"\} \d+/);
    expect(text).toMatch(/legwork_queue_oldest_waiting_seconds\{queue="scan"\} [\d.]+/);
    expect(text).toContain('legwork_rule_reload_failures{source="registry"} 0');
    // loopback scrapes need no credentials; a wrong password is still refused
    await setTradingState(app.ctx.sql, 'active', 'test');
  });

  it('counts broker calls by operation and outcome, with latency buckets, across processes (through Redis)', async () => {
    const before = await app.ctx.brokerStats.read();
    const okBefore = before.calls.find((c) => c.operation === 'read' && c.outcome === 'ok')?.count ?? 0;
    await app.ctx.broker.balances();
    // A burst of 429s longer than the read retries: the read ends retryable
    app.sim.control.injectFault({ kind: 'rateLimit', count: 10 });
    await expect(app.ctx.broker.positions()).rejects.toMatchObject({ kind: 'retryable' });
    await waitUntil(
      async () => ((await app.ctx.brokerStats.read()).calls.find((c) => c.outcome === 'retryable')?.count ?? 0) >= 1,
      { what: 'the failed call to be counted' },
    );
    const text = await (await get('/metrics', VIEWER)).text();
    // a Prometheus counter and histogram (seconds), not gauges named like them
    expect(text).toContain('# TYPE legwork_broker_requests_total counter');
    expect(text).toContain('# TYPE legwork_broker_request_duration_seconds histogram');
    expect(text).not.toMatch(/legwork_broker_latency_ms|legwork_broker_requests\{/);
    const ok = Number(/legwork_broker_requests_total\{operation="read",outcome="ok"\} (\d+)/.exec(text)?.[1]);
    expect(ok).toBeGreaterThan(okBefore);
    expect(text).toMatch(/legwork_broker_requests_total\{operation="read",outcome="retryable"\} [1-9]/);
    const bucket = (le: string) =>
      Number(
        new RegExp(`legwork_broker_request_duration_seconds_bucket\\{le="${le}",operation="read"\\} (\\d+)`).exec(
          text,
        )?.[1],
      );
    const inf = bucket('\\+Inf');
    expect(inf).toBeGreaterThanOrEqual(ok);
    expect(bucket('0.025')).toBeLessThanOrEqual(bucket('10'));
    expect(bucket('10')).toBeLessThanOrEqual(inf);
    expect(text).toContain(`legwork_broker_request_duration_seconds_count{operation="read"} ${inf}`);
    const sum = Number(/legwork_broker_request_duration_seconds_sum\{operation="read"\} ([\d.e-]+)/.exec(text)?.[1]);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(inf * 30); // seconds, not milliseconds: no read takes 30 s
  });

  it('the account gauges are those of the risk report GET /api/risk serves (one report, cached)', async () => {
    const report = await json(await get('/api/risk', VIEWER));
    const text = await (await get('/metrics', VIEWER)).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(report.netLiq).toBeGreaterThan(0);
    expect(value('legwork_account_net_liq_dollars')).toBe(report.netLiq);
    expect(value('legwork_account_greek{greek="beta_delta"}')).toBe(report.greeks.betaDelta);
    expect(value('legwork_account_var_dollars{method="historical",confidence="95"}')).toBe(report.var.hist95);
    expect(value('legwork_account_report_timestamp_seconds')).toBe(report.at / 1000);
    for (const f of report.failsafes as { name: string; state: string }[])
      expect(value(`legwork_account_failsafe_tripped{failsafe="${f.name}"}`), f.name).toBe(
        f.state === 'tripped' ? 1 : 0,
      );
  });

  it('keeps refusing a wrong password on /metrics', async () => {
    expect((await get('/metrics')).status).toBe(200);
    expect((await get('/metrics', `Basic ${Buffer.from('x:y').toString('base64')}`)).status).toBe(401);
  });
});

describe('resume while something is broken (issue 11, defect 4)', () => {
  it('answers 409 with the blocking ids unless {force: true, reason}, and audits the override', async () => {
    const brokenId = randomUUID();
    await insertPendingTrade(app.ctx.sql, {
      id: brokenId,
      ruleSet: 'ic-http',
      rulesHash: 'h1',
      candidateId: null,
      strategy: 'iron-condor',
      underlying: 'IWM',
      expiration: '2030-01-18',
      quantity: 1,
      legs: [],
      entryGroupId: randomUUID(),
      riskCents: 40000,
      expectedCreditCents: 100,
      facts: {},
    });
    expect(await moveTrade(app.ctx.sql, brokenId, 'Broken', { exitReason: 'test' })).toBe(true);
    await setTradingState(app.ctx.sql, 'reducing', 'executor', 'group broken');

    const refused = await post('/api/resume', { reason: 'looks fine' }, ADMIN);
    expect(refused.status).toBe(409);
    const body = await json(refused);
    expect(body.error.blocking).toEqual({ trades: [brokenId], groups: [] });
    expect(body.error.message).toMatch(/^refused: 1 broken trade/);
    expect((await post('/api/resume', { force: true }, ADMIN)).status).toBe(409);
    expect((await getTradingState(app.ctx.sql)).state).toBe('reducing');

    const forced = await post('/api/resume', { force: true, reason: 'closing IWM by hand' }, ADMIN);
    expect(forced.status).toBe(200);
    expect((await json(forced)).overridden).toEqual({ trades: [brokenId], groups: [] });
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
    const audit = (await recentAudit(app.ctx.sql, 10)).find((a) => a.kind === 'resume');
    expect(audit?.data).toMatchObject({
      state: 'active',
      reason: 'closing IWM by hand',
      by: 'http:boss',
      forced: true,
      overriddenTrades: [brokenId],
      from: 'reducing',
    });
  });
});
