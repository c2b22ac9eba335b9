// The dashboard's Account section in a real headless Chromium against the real HTTP app, Postgres, Redis and the venue:
// a condor Legwork opened and AAPL shares opened at the venue (foreign), a day and a half of portfolio syncs on the
// venue's clock (the history), a brokerErrors failsafe tripped by real broker refusals; then the equity and greeks
// charts drawn with every point, VaR, the limits as bars, the failsafes (the tripped one standing out), the positions
// and the what-if grid as GET /api/risk has them; an account with no history and an API error stay in their panels.
import { readFileSync, statSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { createAuth } from '../../src/http/auth.js';
import type { RiskReport } from '../../src/pipeline/account/account-stage.js';
import { syncPortfolio } from '../../src/pipeline/account/account-stage.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { checkAccountFailsafes } from '../../src/pipeline/failsafe-check.js';
import type { TradeRow } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { advanceVenue } from '../support/clock-driver.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { type ServedHttpApp, serveHttpApp } from '../support/http-server.js';
import { distinctColours } from '../support/png.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';

const MINUTE = 60_000;
const VIEWER = { username: 'watcher', password: 'v1ewer-secret' };
const ADMIN = { username: 'trader', password: 'adm1n-secret' };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const ACCOUNT_YAML = `version: 1
allocation: { maxTotalRiskPct: 90, maxUnderlyingRiskPct: 80, maxRuleSetRiskPct: 90 }
greeks: { maxAbsBetaDelta: 200, maxAbsVega: 300, minTheta: -500 }
trades: { maxOpen: 2, maxNewPerDay: 5 }
failsafes:
  dailyLoss: { pct: 50, flatten: false }
  drawdownPct: 50
  brokerErrors: { count: 2, minutes: 15 }
`;

let app: TestApp;
let ctx: ExecContext;
let browser: Browser;
const servers: ServedHttpApp[] = [];

/** A fresh HTTP app (its own risk-report cache) on a free loopback port. */
async function serve(): Promise<string> {
  const auth = createAuth({
    admin: { user: ADMIN.username, password: ADMIN.password },
    viewer: { user: VIEWER.username, password: VIEWER.password },
  });
  const server = await serveHttpApp(app.ctx, { auth });
  servers.push(server);
  return server.base;
}

async function apiJson<T>(base: string, path: string): Promise<T> {
  const basic = Buffer.from(`${VIEWER.username}:${VIEWER.password}`).toString('base64');
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Basic ${basic}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The page as `creds` sees it, with every uncaught exception collected. */
async function open(base: string, creds = VIEWER): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ httpCredentials: creds, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await expect.poll(() => page.locator('#account-updated').textContent(), { timeout: 20_000 }).toMatch(/updated/);
  return { page, errors, close: () => context.close() };
}

/** Pixels of a chart's canvases within ±24 per channel of `hex`: the series was drawn. */
async function pixelsOf(page: Page, holder: string, hex: string): Promise<number> {
  return page.evaluate(
    ([sel, colour]) => {
      const want = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
      let n = 0;
      for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`))) {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4)
          if (data[i + 3]! > 200 && want.every((w, k) => Math.abs(data[i + k]! - w) <= 24)) n += 1;
      }
      return n;
    },
    [holder, hex] as const,
  );
}

const USD0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

beforeAll(async () => {
  // The app reads the venue's (frozen) clock: the syncs' snapshots are stamped with broker time as the test moves it
  app = await startTestApp(
    {
      'ic-dash.yaml': condorRule({ name: 'ic-dash', entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }' }),
    },
    { clock: 'sim-now' },
  );
  app.writeRule('account.yaml', ACCOUNT_YAML);
  await app.ctx.rules.reload();
  await app.ctx.accountRules.reload();
  await app.readyToTrade();
  ctx = createExecContext(app.ctx);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  await app?.close();
});

describe('the Account section in headless Chromium', () => {
  it('before any sync: the charts say there is no history yet, the report shows no positions, nothing throws', async () => {
    const base = await serve();
    // The chart library comes from the server (its npm package), without a login, never from a CDN
    const lib = await fetch(`${base}/vendor/uplot/uPlot.iife.min.js`);
    expect(lib.status, 'uPlot served at /vendor/uplot/ (is the uplot package installed?)').toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/javascript/);
    expect(await lib.text()).toContain('uPlot');
    const { page, errors, close } = await open(base);
    try {
      await expect
        .poll(() => page.locator('#equity-msg').textContent(), { timeout: 10_000 })
        .toMatch(/No account history yet/);
      expect(await page.locator('#greeks-msg').textContent()).toMatch(/No account history yet/);
      expect(await page.locator('#equity-chart canvas').count()).toBe(0);
      await expect.poll(() => page.locator('#account-positions tbody td.empty').textContent()).toBe('No positions.');
      // The limits and failsafes of account.yaml are there even with nothing held
      expect(await page.locator('#failsafes li').count()).toBe(3);
      expect(await page.locator('#account').getAttribute('class')).not.toContain('alarm');
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('a refused API answer is said in the panels, not thrown', async () => {
    const base = await serve();
    const { page, errors, close } = await open(base, { username: VIEWER.username, password: 'wrong' });
    try {
      await expect
        .poll(() => page.locator('#summary-msg').textContent(), { timeout: 10_000 })
        .toMatch(/Risk report unavailable: Not signed in \(401\)/);
      expect(await page.locator('#equity-msg').textContent()).toMatch(/Account history unavailable: Not signed in/);
      expect(await page.locator('#limits li').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  describe('with a condor, foreign shares, a day and a half of history and a tripped failsafe', () => {
    let trade: TradeRow;
    let base: string;
    let report: RiskReport;
    let points: number;

    beforeAll(async () => {
      trade = await openCondorTrade(app, ctx, 'ic-dash', 'SPY', { dte: 45 });
      expect(app.sim.control.openPosition({ symbol: 'AAPL', quantity: 100 }).ok).toBe(true);
      // Tuesday 10:00 to Wednesday's close, a sync every 45 minutes of broker time (the venue's market moves with it)
      for (let i = 0; i < 40; i++) {
        const synced = await syncPortfolio(ctx, 'sim');
        expect(synced.status).toBe('synced');
        await advanceVenue(app.sim, 45 * MINUTE);
      }
      // Two broker refusals in the window trip brokerErrors (count 2) at the next check, and halt trading
      const refuse = () =>
        app.ctx.broker.submit({
          orderType: 'Limit',
          timeInForce: 'Day',
          limitPriceCents: 100,
          legs: [
            { symbol: 'ZZZZ  270115P00010000', instrumentType: 'Equity Option', quantity: 1, action: 'Sell to Open' },
          ],
          externalId: `lw-refused-${Math.random().toString(36).slice(2)}`,
        });
      for (let i = 0; i < 2; i++) await expect(refuse()).rejects.toMatchObject({ kind: 'rejected' });
      await waitUntil(async () => (await app.ctx.brokerStats.errorsSince(0)) >= 2, { what: 'the refusals counted' });
      expect((await checkAccountFailsafes(ctx)).tripped).toEqual(['brokerErrors']);

      base = await serve();
      report = await apiJson<RiskReport>(base, '/api/risk');
      const history = await apiJson<{ snapshots: { at: string }[]; intraday: { at: string }[] }>(
        base,
        '/api/history?days=90',
      );
      points = new Set([...history.snapshots, ...history.intraday].map((r) => r.at)).size;
    }, 120_000);

    it('draws the equity curve with its drawdown and the greeks over time, one point per snapshot', async () => {
      const [row] = await app.ctx.sql<{ n: number }[]>`select count(distinct at)::int as n from account_snapshots`;
      expect(points).toBe(row!.n);
      expect(points).toBeGreaterThan(15);
      const { page, errors, close } = await open(base);
      try {
        // The points drawn, and no message in the panel (it would say why not: no uPlot served, an API error)
        const drawn = async (id: string) => ({
          points: await page.locator(`#${id}-chart`).getAttribute('data-points'),
          message: await page.locator(`#${id}-msg`).textContent(),
        });
        await expect.poll(() => drawn('equity'), { timeout: 10_000 }).toEqual({ points: String(points), message: '' });
        expect(await drawn('greeks')).toEqual({ points: String(points), message: '' });
        // Each series is on the canvas in its colour: net liq blue, drawdown red; β-delta violet, theta green, vega amber
        expect(await pixelsOf(page, '#equity-chart', '#2457c5')).toBeGreaterThan(100);
        expect(await pixelsOf(page, '#greeks-chart', '#7a3db8')).toBeGreaterThan(100);
        expect(await pixelsOf(page, '#greeks-chart', '#1a7f46')).toBeGreaterThan(50);
        // The legend names the series
        expect(await page.locator('#equity-chart .u-legend').textContent()).toMatch(/Net liq.*Drawdown from peak/);
        expect(await page.locator('#greeks-chart .u-legend').textContent()).toMatch(/β-delta.*Theta.*Vega/);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    }, 60_000);

    it('shows VaR, each limit as a bar of its use, the failsafes with the tripped one standing out, and the positions', async () => {
      const { page, errors, close } = await open(base);
      try {
        await expect
          .poll(() => page.locator('#net-liq').textContent(), { timeout: 10_000 })
          .toBe(USD.format(report.netLiq));
        // VaR as the report has it
        const varCells = await page.locator('#var tbody td').allTextContents();
        expect(varCells).toEqual(
          [report.var.hist95, report.var.hist99, report.var.param95, report.var.param99].map((v) => USD.format(v)),
        );
        expect(report.var.hist95).toBeGreaterThan(0);

        // Limits: one bar per limit, its width the use (capped at 100 %), its colour by level
        expect(report.limits.length).toBeGreaterThan(5);
        const bars = page.locator('#limits li');
        expect(await bars.count()).toBe(report.limits.length);
        for (const l of report.limits) {
          const bar = page.locator(`#limits li[data-limit="${l.name}"]`);
          const ratio = l.pct / 100;
          const level = ratio >= 1 ? 'over' : ratio >= 0.75 ? 'near' : 'ok';
          expect(await bar.getAttribute('data-level'), l.name).toBe(level);
          const width = await bar.locator('.fill').evaluate((e) => (e as HTMLElement).style.width);
          expect(Number.parseFloat(width), l.name).toBeCloseTo(Math.min(100, Math.max(0, l.pct)), 5);
        }
        // trades.maxOpen 2 with one trade open: half used
        expect(report.limits.find((l) => l.name === 'trades.maxOpen')).toMatchObject({ used: 1, limit: 2, pct: 50 });
        // The foreign AAPL shares count: their underlying's share of the allocation is there
        expect(await page.locator('#limits li[data-limit="allocation.maxUnderlyingRiskPct[AAPL]"]').count()).toBe(1);

        // Failsafes: three, brokerErrors tripped with its reason; the section and a banner say so
        const failsafes = page.locator('#failsafes li');
        expect(await failsafes.count()).toBe(3);
        const tripped = page.locator('#failsafes li[data-failsafe="brokerErrors"]');
        expect(await tripped.getAttribute('data-state')).toBe('tripped');
        expect(await tripped.getAttribute('class')).toContain('tripped');
        expect(await tripped.locator('.failsafe-reason').textContent()).toMatch(
          /2 broker rejections or errors in 15 min/,
        );
        for (const name of ['dailyLoss', 'drawdown'])
          expect(
            await page.locator(`#failsafes li[data-failsafe="${name}"]`).getAttribute('data-state'),
            name,
          ).not.toBe('tripped');
        expect(await page.locator('#account').getAttribute('class')).toContain('alarm');
        expect(await page.locator('#failsafe-banner').textContent()).toMatch(/^Failsafe tripped.*Broker errors/);
        const [bannerBg, trippedBg, okBg] = await Promise.all([
          page.locator('#failsafe-banner').evaluate((e) => getComputedStyle(e).backgroundColor),
          tripped.evaluate((e) => getComputedStyle(e).backgroundColor),
          page.locator('#failsafes li[data-failsafe="dailyLoss"]').evaluate((e) => getComputedStyle(e).backgroundColor),
        ]);
        expect(bannerBg).toBe('rgb(192, 54, 44)');
        expect(trippedBg).not.toBe(okBg);

        // Positions: the condor's four legs owned by the trade, the AAPL shares foreign
        const rows = page.locator('#account-positions tbody tr');
        expect(await rows.count()).toBe(report.positions.length);
        expect(await page.locator(`#account-positions tr[data-owner="${trade.id}"]`).count()).toBe(4);
        const aapl = page.locator('#account-positions tr[data-owner="foreign"]');
        expect(await aapl.count()).toBe(1);
        expect(await aapl.getAttribute('class')).toContain('foreign');
        expect(await aapl.locator('td').nth(2).textContent()).toBe('foreign');
        expect(await aapl.locator('td').nth(3).textContent()).toBe('100');
        expect(await aapl.locator('td').nth(4).textContent()).toBe('100.0'); // delta of 100 shares
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    }, 60_000);

    it('the what-if grid is a heat map of the report, rows vol and columns spot, and the day selector switches days', async () => {
      const { page, errors, close } = await open(base);
      try {
        const { spot, vol, days, pnlByDay } = report.scenarios;
        await expect.poll(() => page.locator('#whatif tbody tr').count(), { timeout: 10_000 }).toBe(vol.length);
        expect(await page.locator('#whatif thead th').count()).toBe(spot.length + 1);
        expect(await page.locator('#whatif-day option').count()).toBe(days.length);
        const cells = async () =>
          (await page
            .locator('#whatif tbody tr')
            .evaluateAll((trs) =>
              trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)),
            )) as string[][];
        expect(await cells()).toEqual(pnlByDay[0]!.map((row) => row.map((v) => USD0.format(v))));
        // The unmoved cell is exactly 0 and outlined; gains green, losses red
        const origin = page.locator('#whatif td.origin');
        expect(await origin.textContent()).toBe('$0');
        const i = vol.indexOf(0);
        const j = spot.indexOf(0);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(j).toBeGreaterThanOrEqual(0);
        const backgrounds = (await page
          .locator('#whatif tbody tr')
          .evaluateAll((trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as HTMLElement).style.background)),
          )) as string[][];
        const cellsBy = (sign: number) =>
          pnlByDay[0]!.flatMap((row, r) => row.flatMap((v, c) => (Math.sign(v) === sign ? [backgrounds[r]![c]!] : [])));
        expect(cellsBy(1).length).toBeGreaterThan(0);
        expect(cellsBy(-1).length).toBeGreaterThan(0);
        for (const bg of cellsBy(1)) expect(bg).toMatch(/^rgba\(26, 127, 70, /);
        for (const bg of cellsBy(-1)) expect(bg).toMatch(/^rgba\(192, 54, 44, /);
        // Another horizon: the cells become that day's grid
        expect(days.length).toBeGreaterThan(1);
        await page.selectOption('#whatif-day', String(days.length - 1));
        await expect.poll(cells).toEqual(pnlByDay[days.length - 1]!.map((row) => row.map((v) => USD0.format(v))));
        expect(errors).toEqual([]);

        const shot = '.legwork/dashboard-account.png';
        await page.locator('#account').screenshot({ path: shot });
        expect(statSync(shot).size).toBeGreaterThan(20_000);
        expect(distinctColours(readFileSync(shot))).toBeGreaterThan(20);
        await page.screenshot({ path: '.legwork/dashboard-full.png', fullPage: true });
      } finally {
        await close();
      }
    }, 60_000);
  });
});
