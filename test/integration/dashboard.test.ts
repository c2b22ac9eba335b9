// The traders' dashboard in a real headless Chromium against the real HTTP app, Postgres, Redis and the venue:
// state, candidates and trades from a real scan, Halt/Resume round trips to Postgres, viewer 403, a screenshot.
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/http/auth.js';
import { enqueueManualScan } from '../../src/queue/scan-jobs.js';
import { getScanRun } from '../../src/store/scans.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { getTrade, insertPendingTrade, listTrades, moveTrade } from '../../src/store/trades.repo.js';
import { deterministicId } from '../../src/domain/ids.js';
import { runWorkers, type RunningWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type ServedHttpApp, serveHttpApp } from '../support/http-server.js';
import { distinctColours } from '../support/png.js';
import { waitUntil } from '../support/wait-until.js';

const RULE = `version: 1
name: ic-dash
strategy: iron-condor
universe: { symbols: [SPY, QQQ, AAPL] }
schedule: { every: 5m }
params:
  dte: { min: 20, max: 50 }
  shortDelta: { target: 0.16, tolerance: 0.06 }
  wings: { points: 5 }
filters:
  pop: { min: 40 }
score:
  weights: { pop: 0.5, credit_to_width: 0.5 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 2000 }
exits: { takeProfitPct: 50 }
risk: { maxOpenTrades: 10, maxTotalRisk: 50000, maxRiskPerUnderlying: 5000 }
`;

const ADMIN = { username: 'trader', password: 'adm1n-secret' };
const VIEWER = { username: 'watcher', password: 'v1ewer-secret' };
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let app: TestApp;
let workers: RunningWorkers | undefined;
let server: ServedHttpApp | undefined;
let baseUrl: string;
let browser: Browser;

async function tradingStateInDb(): Promise<string | undefined> {
  const [row] = await app.ctx.sql<
    { value: { state: string } }[]
  >`select value from settings where key = 'trading_state'`;
  return row?.value.state;
}

async function openAs(creds: { username: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ httpCredentials: creds, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await expect.poll(() => page.locator('#trading-state').textContent(), { timeout: 10_000 }).toBe('active');
  return { context, page };
}

beforeAll(async () => {
  app = await startTestApp({ 'ic.yaml': RULE });
  workers = await runWorkers(app.ctx, ['scan'], { schedulers: false });
  await enqueueManualScan(app.ctx.queues, 'ic-dash', 'dash-1');
  const runId = deterministicId('scan-run', 'ic-dash', 'dash-1');
  await waitUntil(async () => (await getScanRun(app.ctx.sql, runId))?.status === 'completed', {
    timeoutMs: 30_000,
    what: 'the scan to complete',
  });
  await workers.stop(2000);
  workers = undefined;

  const auth = createAuth({
    admin: { user: ADMIN.username, password: ADMIN.password },
    viewer: { user: VIEWER.username, password: VIEWER.password },
  });
  server = await serveHttpApp(app.ctx, { auth });
  baseUrl = server.base;

  // launch() always runs Chromium on a fresh temporary profile (user-data dir) and deletes it on close; no browser download
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await workers?.stop(2000);
  await app?.close();
});

describe('the dashboard in headless Chromium', () => {
  it('serves the page itself without auth and the API behind it', async () => {
    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('dashboard.js');
    for (const f of ['dashboard.js', 'dashboard.css']) expect((await fetch(`${baseUrl}/${f}`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/state`)).status).toBe(401);
  });

  it('shows the trading state, the ranked candidates from the DB and the open trades with their legs', async () => {
    const { context, page } = await openAs(ADMIN);
    try {
      const dbCandidates = await app.ctx.sql<
        { underlying: string }[]
      >`select underlying from candidates where rank is not null`;
      expect(dbCandidates.length).toBeGreaterThan(0);
      const candidateRows = page.locator('#candidates tbody tr');
      await expect.poll(() => candidateRows.count(), { timeout: 10_000 }).toBe(dbCandidates.length);
      const shown = await page.locator('#candidates tbody tr td:nth-child(4)').allTextContents();
      expect(shown.sort()).toEqual(dbCandidates.map((c) => c.underlying).sort());
      expect(await page.locator('#candidates tbody tr td:nth-child(3)').first().textContent()).toBe('iron-condor');
      expect(await page.locator('#candidates tbody tr td:nth-child(7)').first().textContent()).toMatch(
        /^\$\d+\.\d{2}$/,
      );

      const trades = await listTrades(app.ctx.sql);
      expect(trades.length).toBeGreaterThan(0);
      const trade = trades[0]!;
      const row = page.locator(`#trades tbody tr[data-trade-id="${trade.id}"]`);
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      expect(await row.locator('td').first().textContent()).toBe(trade.underlying);
      const legs = await row.locator('ul.legs li').allTextContents();
      expect(legs).toHaveLength(trade.legs.length);
      for (const leg of trade.legs)
        expect(legs.some((l) => l.includes(leg.symbol) && l.includes(`${leg.strike}${leg.right}`))).toBe(true);

      expect(await page.locator('#events tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(await page.locator('a[href="/admin/queues"]').count()).toBe(1);
      expect(await page.locator('a[href="/metrics"]').count()).toBe(1);

      const shot = '.legwork/dashboard.png';
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(distinctColours(readFileSync(shot), { rowStep: 7, pixelStep: 11 })).toBeGreaterThan(5);
    } finally {
      await context.close();
    }
  });

  it('halts (after confirming) and resumes, and Postgres follows', async () => {
    const { context, page } = await openAs(ADMIN);
    try {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
      await page.click('#halt-btn');
      await expect.poll(() => page.locator('#trading-state').textContent(), { timeout: 10_000 }).toBe('halted');
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0]).toMatch(/halt/i);
      expect(await tradingStateInDb()).toBe('halted');
      expect(await page.locator('#state-detail').textContent()).toContain('dashboard');

      await page.click('#resume-btn');
      await expect.poll(() => page.locator('#trading-state').textContent(), { timeout: 10_000 }).toBe('active');
      expect(await tradingStateInDb()).toBe('active');
      expect(dialogs).toHaveLength(1); // resume does not ask
    } finally {
      await context.close();
    }
  });

  it('"halt and flatten" asks a stronger question and posts flatten: true', async () => {
    const { context, page } = await openAs(ADMIN);
    try {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
      await page.check('#flatten');
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().endsWith('/api/halt')),
        page.click('#halt-btn'),
      ]);
      expect(request.postDataJSON()).toMatchObject({ flatten: true });
      expect(dialogs[0]).toMatch(/flatten/i);
      await expect.poll(() => page.locator('#trading-state').textContent(), { timeout: 10_000 }).toBe('halted');
      expect(await tradingStateInDb()).toBe('halted');
      await page.click('#resume-btn');
      await expect.poll(() => tradingStateInDb(), { timeout: 10_000 }).toBe('active');
    } finally {
      await context.close();
    }
  });

  it('a dismissed confirm does not halt', async () => {
    const { context, page } = await openAs(ADMIN);
    try {
      page.once('dialog', (d) => void d.dismiss());
      await page.click('#halt-btn');
      await page.waitForTimeout(300);
      expect(await page.locator('#trading-state').textContent()).toBe('active');
      expect(await tradingStateInDb()).toBe('active');
    } finally {
      await context.close();
    }
  });

  it('a viewer sees the data but Halt shows a permission message', async () => {
    const { context, page } = await openAs(VIEWER);
    try {
      await expect.poll(() => page.locator('#candidates tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      page.on('dialog', (d) => void d.accept());
      await page.click('#halt-btn');
      await expect.poll(() => page.locator('#action-msg').textContent(), { timeout: 10_000 }).toMatch(/403/);
      expect(await page.locator('#action-msg').getAttribute('class')).toContain('error');
      expect(await page.locator('#trading-state').textContent()).toBe('active');
      expect(await tradingStateInDb()).not.toBe('halted');
    } finally {
      await context.close();
    }
  });

  it('Resume while a trade is broken: the refusal names it, a dismissed override keeps the halt, an override with a reason resumes (audited)', async () => {
    const brokenId = randomUUID();
    await insertPendingTrade(app.ctx.sql, {
      id: brokenId,
      ruleSet: 'dash',
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
    const { context, page } = await openAs(ADMIN);
    try {
      await setTradingState(app.ctx.sql, 'reducing', 'executor', 'group broken');
      await expect.poll(() => page.locator('#trading-state').textContent(), { timeout: 10_000 }).toBe('reducing');
      const dialogs: string[] = [];
      page.once('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.click('#resume-btn');
      await expect.poll(() => page.locator('#action-msg').textContent(), { timeout: 10_000 }).toMatch(/Not resumed/);
      expect(dialogs[0]).toMatch(/1 broken trade/);
      expect(await tradingStateInDb()).toBe('reducing');

      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void (d.type() === 'prompt' ? d.accept('closing IWM by hand') : d.accept());
      });
      await page.click('#resume-btn');
      await expect.poll(() => tradingStateInDb(), { timeout: 10_000 }).toBe('active');
      expect(dialogs.slice(1).map((m) => m.split(':')[0])).toEqual(['confirm', 'prompt']); // the override question, then the reason
      const [audit] = await app.ctx.sql<
        { data: Record<string, unknown> }[]
      >`select data from audit_events where kind = 'resume' order by id desc limit 1`;
      expect(audit?.data).toMatchObject({
        state: 'active',
        reason: 'closing IWM by hand',
        forced: true,
        overriddenTrades: [brokenId],
        from: 'reducing',
      });
    } finally {
      await context.close();
    }
  });

  it('a proposed trade shows its deadline with Approve and Reject; each asks first and Postgres records who (and why)', async () => {
    const propose = async (underlying: string) => {
      const id = randomUUID();
      await insertPendingTrade(app.ctx.sql, {
        id,
        ruleSet: 'dash',
        rulesHash: 'h1',
        candidateId: null,
        strategy: 'iron-condor',
        underlying,
        expiration: '2030-01-18',
        quantity: 1,
        legs: [],
        entryGroupId: randomUUID(),
        riskCents: 40000,
        expectedCreditCents: 100,
        facts: {},
        approvalDeadline: new Date(app.ctx.clock.now() + 300_000),
      });
      return id;
    };
    const approveId = await propose('MSFT');
    const rejectId = await propose('NVDA');
    const { context, page } = await openAs(ADMIN);
    try {
      const row = (id: string) => page.locator(`#trades tbody tr[data-trade-id="${id}"]`);
      await expect.poll(() => row(approveId).count(), { timeout: 10_000 }).toBe(1);
      expect(await row(approveId).locator('td.awaiting').textContent()).toMatch(/^awaiting approval until /);
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void (d.type() === 'prompt' ? d.accept('too close to earnings') : d.accept());
      });

      await row(approveId).locator('button.approve-btn').click();
      await expect
        .poll(async () => (await getTrade(app.ctx.sql, approveId))?.status, { timeout: 10_000 })
        .toBe('pending');
      expect((await getTrade(app.ctx.sql, approveId))?.approvalBy).toBe(`http:${ADMIN.username}`);
      await expect.poll(() => page.locator('#action-msg').textContent(), { timeout: 10_000 }).toMatch(/^Approved /);

      await row(rejectId).locator('button.reject-btn').click();
      await expect
        .poll(async () => (await getTrade(app.ctx.sql, rejectId))?.status, { timeout: 10_000 })
        .toBe('rejected');
      expect(await getTrade(app.ctx.sql, rejectId)).toMatchObject({
        approvalBy: `http:${ADMIN.username}`,
        exitReason: `rejected by http:${ADMIN.username}: too close to earnings`,
      });
      expect(dialogs.map((m) => m.split(':')[0])).toEqual(['confirm', 'confirm', 'prompt']);
      // Decided: the approved one shows as pending, without buttons; the rejected one leaves the list
      await expect.poll(() => row(rejectId).count(), { timeout: 10_000 }).toBe(0);
      expect(await row(approveId).locator('button').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('wrong credentials get a clear 401 message', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'nobody', password: 'wrong' } });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/`);
      await expect.poll(() => page.locator('#notice').textContent(), { timeout: 10_000 }).toMatch(/401/);
    } finally {
      await context.close();
    }
  });
});
