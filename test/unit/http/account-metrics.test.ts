// The account gauges of /metrics from a fake risk source: names, labels and values in the exposition text, nothing
// made up without a report, and the one-minute cache that keeps scrapes from recomputing the report.
import { describe, expect, it } from 'vitest';
import { accountMetrics, cachedRiskSource, limitRatio, usedRatio } from '../../../src/http/account-metrics.js';
import { createMetrics } from '../../../src/http/metrics.js';
import type { RiskReport } from '../../../src/pipeline/account/account-stage.js';
import type { Logger } from '../../../src/log.js';
import { fakeMetricsApp, sampleRiskReport } from '../../support/metrics-app.js';

/** Every sample of the exposition text as `name{labels}` → value (labels sorted by name). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3]));
  }
  return out;
}

function source(reports: (RiskReport | null | Error)[]) {
  let calls = 0;
  const read = async () => {
    const r = reports[Math.min(calls, reports.length - 1)]!;
    calls += 1;
    if (r instanceof Error) throw r;
    return r;
  };
  return { read, calls: () => calls };
}

describe('account gauges in /metrics', () => {
  it('exposes net liq, the five greeks, VaR by method and confidence, limit use and failsafe trips', async () => {
    const report = sampleRiskReport();
    const metrics = createMetrics(fakeMetricsApp(), { riskSource: async () => report });
    const s = samples(await metrics.metrics());
    expect(s.get('legwork_account_net_liq_dollars{}')).toBe(100_250.5);
    expect(s.get('legwork_account_greek{greek="delta"}')).toBe(7.5);
    expect(s.get('legwork_account_greek{greek="beta_delta"}')).toBe(8.25);
    expect(s.get('legwork_account_greek{greek="gamma"}')).toBe(-1.2);
    expect(s.get('legwork_account_greek{greek="theta"}')).toBe(31.4);
    expect(s.get('legwork_account_greek{greek="vega"}')).toBe(-95.5);
    expect(s.get('legwork_account_var_dollars{confidence="95",method="historical"}')).toBe(812.4);
    expect(s.get('legwork_account_var_dollars{confidence="99",method="historical"}')).toBe(1410.9);
    expect(s.get('legwork_account_var_dollars{confidence="95",method="parametric"}')).toBe(790.1);
    expect(s.get('legwork_account_var_dollars{confidence="99",method="parametric"}')).toBe(1120.3);
    expect(s.get('legwork_account_limit_used_ratio{limit="greeks.maxAbsBetaDelta"}')).toBeCloseTo(0.165, 10);
    expect(s.get('legwork_account_limit_used_ratio{limit="greeks.maxAbsVega"}')).toBeCloseTo(0.955, 10);
    expect(s.get('legwork_account_limit_used_ratio{limit="allocation.maxTotalRiskPct"}')).toBeCloseTo(1.2, 10);
    expect(s.get('legwork_account_failsafe_tripped{failsafe="dailyLoss"}')).toBe(0);
    expect(s.get('legwork_account_failsafe_tripped{failsafe="drawdown"}')).toBe(1);
    expect(s.get('legwork_account_failsafe_tripped{failsafe="brokerErrors"}')).toBe(0);
    expect(s.get('legwork_account_report_timestamp_seconds{}')).toBe(report.at / 1000);
    // The metrics that were there before are still there
    expect(s.get('legwork_broker_requests_total{operation="placeOrder",outcome="ok"}')).toBe(2);
    expect(s.get('legwork_trading_state{}')).toBe(0);
  });

  it('without a report (or a source) the gauges are declared but have no sample: no net liq of 0', async () => {
    for (const metrics of [
      createMetrics(fakeMetricsApp()),
      createMetrics(fakeMetricsApp(), { riskSource: async () => null }),
    ]) {
      const text = await metrics.metrics();
      expect(text).toContain('# TYPE legwork_account_net_liq_dollars gauge');
      expect(text).toContain('# TYPE legwork_account_failsafe_tripped gauge');
      const names = [...samples(text).keys()].filter((k) => k.startsWith('legwork_account_'));
      expect(names).toEqual([]);
    }
  });

  it('a failing source leaves the gauges empty and the rest of the scrape intact, and is logged', async () => {
    const warned: unknown[] = [];
    const log = { warn: (o: unknown) => warned.push(o) } as unknown as Logger;
    const metrics = createMetrics(fakeMetricsApp(), {
      riskSource: async () => {
        throw new Error('no marks');
      },
      log,
    });
    const s = samples(await metrics.metrics());
    expect([...s.keys()].filter((k) => k.startsWith('legwork_account_'))).toEqual([]);
    expect(s.get('legwork_fills{}')).toBe(0);
    expect(warned).toHaveLength(1);
  });

  it('reads the report once per minute however often Prometheus scrapes', async () => {
    let now = 1_000_000;
    const first = sampleRiskReport();
    const second = sampleRiskReport({ netLiq: 99_000 });
    const src = source([first, second]);
    const metrics = createMetrics(fakeMetricsApp(), { riskSource: src.read, now: () => now });
    const netLiq = async () => samples(await metrics.metrics()).get('legwork_account_net_liq_dollars{}');
    expect(await netLiq()).toBe(100_250.5);
    now += 30_000;
    expect(await netLiq()).toBe(100_250.5);
    now += 29_999;
    expect(await netLiq()).toBe(100_250.5);
    expect(src.calls()).toBe(1);
    now += 1;
    expect(await netLiq()).toBe(99_000);
    expect(src.calls()).toBe(2);
  });

  it('the cache shares one read between concurrent scrapes, and a failure is held for the minute too', async () => {
    let now = 0;
    const errors: unknown[] = [];
    const src = source([new Error('down'), sampleRiskReport()]);
    const cached = cachedRiskSource(src.read, { now: () => now, onError: (e) => errors.push(e) });
    expect(await Promise.all([cached(), cached(), cached()])).toEqual([null, null, null]);
    expect(src.calls()).toBe(1);
    expect(errors).toHaveLength(1);
    now = 60_000;
    expect((await cached())?.netLiq).toBe(100_250.5);
    expect(src.calls()).toBe(2);
  });
});

describe('accountMetrics', () => {
  it("a limit's use is the report's pct / 100 (a minimum's own measure), else used/limit; a zero limit +Inf once used", () => {
    expect(usedRatio(25, 100)).toBe(0.25);
    expect(usedRatio(0, 0)).toBe(0);
    expect(usedRatio(1, 0)).toBe(Number.POSITIVE_INFINITY);
    const limits = accountMetrics(
      sampleRiskReport({
        limits: [
          { name: 'trades.maxOpen', used: 3, limit: 4, pct: 75 },
          // theta 20 is above a minimum of -50: not in use at all (used/limit would read -0.4)
          { name: 'greeks.minTheta', used: 20, limit: -50, pct: 0 },
          { name: 'greeks.maxAbsVega', used: 2, limit: 0, pct: Number.POSITIVE_INFINITY },
        ],
      }),
    ).find((m) => m.name === 'legwork_account_limit_used_ratio');
    expect(limits?.values).toEqual([
      { labels: { limit: 'trades.maxOpen' }, value: 0.75 },
      { labels: { limit: 'greeks.minTheta' }, value: 0 },
      { labels: { limit: 'greeks.maxAbsVega' }, value: Number.POSITIVE_INFINITY },
    ]);
    // Through JSON an infinite pct is null
    expect(limitRatio({ used: 2, limit: 0, pct: null })).toBe(Number.POSITIVE_INFINITY);
    expect(limitRatio({ used: 0, limit: 0, pct: null })).toBe(0);
  });

  it('a greek or VaR the report lacks (NaN) is left out rather than exported as NaN', () => {
    const report = sampleRiskReport({
      greeks: { delta: 1, betaDelta: Number.NaN, gamma: 0, theta: 2, vega: 3 },
      var: { hist95: Number.NaN, hist99: Number.NaN, param95: 5, param99: 6, days: 0 },
    });
    const byName = new Map(accountMetrics(report).map((m) => [m.name, m.values]));
    expect(byName.get('legwork_account_greek')?.map((v) => v.labels['greek'])).toEqual([
      'delta',
      'gamma',
      'theta',
      'vega',
    ]);
    expect(byName.get('legwork_account_var_dollars')?.map((v) => v.labels['method'])).toEqual([
      'parametric',
      'parametric',
    ]);
  });
});
