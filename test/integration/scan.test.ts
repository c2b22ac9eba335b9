// Owns the end-to-end check of scanRuleSet against the in-process venue through the real adapter (SDK, REST, DXLink):
// ranked finalists whose facts pass the filters (re-checked with the trace), score order, maxPerUnderlying, prices equal
// to the venue's, bounded snapshots, an unknown underlying skipped, metrics in one batched call, nothing passing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nyDate } from '@legwork/venue/calendar';
import type { VenueHandle } from '@legwork/venue';
import { createTastytradeClient, type TastytradeClient } from '../../src/broker/tastytrade/client.js';
import { createTastytradeMarketData, type TastytradeMarketData } from '../../src/broker/tastytrade/market-data.js';
import { loadConfig } from '../../src/config/env.js';
import { parseStreamerSymbol } from '../../src/domain/instrument.js';
import type { MarketData } from '../../src/pipeline/ports.js';
import { scanRuleSet, type ScanOutcome } from '../../src/pipeline/scan/scan-rule-set.js';
import { compileConditions, type Facts } from '../../src/rules/compile.js';
import { traceCandidate } from '../../src/rules/trace.js';
import { parseRuleSet } from '../../src/rules/loader.js';
import type { RuleSet } from '../../src/rules/schema.js';
import { startTestVenue } from '../support/venue.js';

let sim: VenueHandle;
let client: TastytradeClient;
let adapter: TastytradeMarketData;
let today: string;

const SHIPPED = readFileSync('rules/iron-condor.yaml', 'utf8');
/** Replaces text that must be in the file (so a changed shipped file fails loudly instead of testing something else). */
function edit(text: string, pairs: [string, string][]): string {
  return pairs.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`rules/iron-condor.yaml no longer contains ${JSON.stringify(from)}`);
    return t.replace(from, to);
  }, text);
}
function parse(text: string): RuleSet {
  const r = parseRuleSet(text, 'rules/iron-condor.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.ruleSet;
}
/** The shipped iron condor, slightly looser on the package spread, with two finalists per underlying. */
const LOOSE = edit(SHIPPED, [
  ['package_spread_pct: { max: 0.20 }', 'package_spread_pct: { max: 0.25 }'],
  ['maxPerUnderlying: 1 ', 'maxPerUnderlying: 2 '],
]);

/** MarketData that records what the pipeline asks for. */
function recording(md: MarketData) {
  const calls = { metrics: [] as string[][], chain: [] as string[], snapshot: [] as string[][] };
  const wrapped: MarketData = {
    metrics: (s) => {
      calls.metrics.push([...s]);
      return md.metrics(s);
    },
    chain: (u) => {
      calls.chain.push(u);
      return md.chain(u);
    },
    snapshot: (s, o) => {
      calls.snapshot.push([...s]);
      return md.snapshot(s, o);
    },
    dailyCloses: (s, days) => md.dailyCloses(s, days),
    close: () => md.close(),
  };
  return { md: wrapped, calls };
}

beforeAll(async () => {
  sim = await startTestVenue();
  today = nyDate(sim.clock.now());
  client = createTastytradeClient(loadConfig({ LEGWORK_VENUE_URL: sim.baseUrl }).broker);
  adapter = createTastytradeMarketData({ client });
});

afterAll(async () => {
  await adapter?.close();
  await sim?.close();
});

describe('scanRuleSet over the venue', () => {
  let outcome: ScanOutcome;
  let ruleSet: RuleSet;
  let calls: ReturnType<typeof recording>['calls'];

  beforeAll(async () => {
    ruleSet = parse(LOOSE);
    const r = recording(adapter);
    calls = r.calls;
    outcome = await scanRuleSet({ marketData: r.md, today }, ruleSet);
  });

  it('ranks finalists whose every fact passes the filters (re-checked with a fresh trace), best score first', () => {
    expect(outcome).toMatchObject({ ruleSet: 'iron-condor', rulesHash: ruleSet.hash, underlyings: 3, skipped: [] });
    expect(outcome.perUnderlying.map((u) => u.underlying)).toEqual(['SPY', 'QQQ', 'IWM']);
    expect(outcome.candidatesEvaluated).toBe(outcome.perUnderlying.reduce((n, u) => n + u.evaluated, 0));
    expect(outcome.accepted).toBe(outcome.perUnderlying.reduce((n, u) => n + u.passed.length, 0));
    expect(outcome.accepted).toBeGreaterThan(0);
    expect(outcome.candidatesEvaluated).toBeGreaterThan(outcome.accepted);

    const compiled = compileConditions(ruleSet.conditions);
    for (const [i, r] of outcome.ranked.entries()) {
      expect(r.rank).toBe(i + 1);
      if (i > 0) expect(r.score).toBeLessThanOrEqual(outcome.ranked[i - 1]!.score);
      const f = r.candidate.facts;
      const trace = traceCandidate(compiled, f as unknown as Facts);
      expect(trace.result, trace.text.join('\n')).toBe(true);
      expect(r.trace.result).toBe(true);
      expect(f.iv_rank!).toBeGreaterThanOrEqual(20);
      expect(f.credit_to_width!).toBeGreaterThanOrEqual(0.15);
      expect(f.pop).toBeGreaterThanOrEqual(60);
      expect(f.package_spread_pct).toBeLessThanOrEqual(0.25);
      expect(f.earnings_before_expiration).toBe(false);
      expect(Math.abs(f.net_delta)).toBeLessThanOrEqual(0.1);
      expect(f.dte >= 30 && f.dte <= 50).toBe(true);
      expect(r.candidate.legs.map((l) => l.action)).toEqual([
        'Buy to Open',
        'Sell to Open',
        'Sell to Open',
        'Buy to Open',
      ]);
    }
  });

  it('keeps at most maxPerUnderlying per underlying in the ranking', () => {
    const per = new Map<string, number>();
    for (const r of outcome.ranked) per.set(r.candidate.underlying, (per.get(r.candidate.underlying) ?? 0) + 1);
    expect(per.size).toBeGreaterThanOrEqual(2);
    for (const n of per.values()) expect(n).toBeLessThanOrEqual(2);
    expect(outcome.ranked.length).toBeLessThan(outcome.accepted); // some finalists were cut by the cap
  });

  it("prices legs with the venue's quotes and greeks, and the underlying at its quote's mid", () => {
    for (const u of outcome.perUnderlying) {
      const q = sim.market.quote(u.underlying)!;
      expect(u.priceSource).toBe('quote');
      expect(u.underlyingPrice).toBeCloseTo((q.bid + q.ask) / 2, 9);
      expect(u.optionsMissing).toBe(0);
    }
    const best = outcome.ranked[0]!.candidate;
    for (const l of best.legs) {
      const q = sim.market.quote(l.symbol)!;
      expect([l.bid, l.ask]).toEqual([q.bid, q.ask]);
      expect(l.delta).toBe(sim.market.greeks(l.symbol)!.delta);
    }
  });

  it('snapshots only the DTE window and a strike band, not whole chains', () => {
    const options = calls.snapshot.flat().filter((s) => s.startsWith('.'));
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    for (const s of options) {
      const dte = day(parseStreamerSymbol(s).expiration) - day(today);
      expect(dte >= 29 && dte <= 51, s).toBe(true);
    }
    const whole = ['SPY', 'QQQ', 'IWM'].reduce(
      (n, u) => n + sim.market.chain(u)!.expirations.reduce((k, e) => k + 2 * e.strikes.length, 0),
      0,
    );
    expect(options.length).toBeGreaterThan(0);
    expect(options.length).toBeLessThan(whole / 4);
  });

  it('fetches the metrics of the whole universe in one batched call', () => {
    expect(calls.metrics).toEqual([['SPY', 'QQQ', 'IWM']]);
  });

  it('the shipped file evaluates the same candidates (only the filters differ)', async () => {
    const shipped = await scanRuleSet({ marketData: adapter, today }, parse(SHIPPED));
    expect(shipped.candidatesEvaluated).toBe(outcome.candidatesEvaluated);
    expect(shipped.accepted).toBeLessThanOrEqual(outcome.accepted);
  });
});

describe('scanRuleSet edge cases', () => {
  it('skips an unknown underlying with a reason and still scans the rest', async () => {
    const out = await scanRuleSet({ marketData: adapter, today }, parse(LOOSE), {
      underlyings: ['SPY', 'XYZZ', 'IWM'],
    });
    expect(out.underlyings).toBe(3);
    expect(out.skipped).toEqual([{ underlying: 'XYZZ', reason: expect.stringMatching(/no option chain for XYZZ/) }]);
    expect(out.perUnderlying.map((u) => [u.underlying, u.evaluated > 0])).toEqual([
      ['SPY', true],
      ['XYZZ', false],
      ['IWM', true],
    ]);
    expect(out.ranked.every((r) => r.candidate.underlying !== 'XYZZ')).toBe(true);
  });

  it('sends ONE market-metrics request for the universe', async () => {
    const service = client.marketMetricsService as unknown as { getMarketMetrics: (q: unknown) => Promise<unknown> };
    const original = service.getMarketMetrics.bind(service);
    const queries: unknown[] = [];
    service.getMarketMetrics = (q) => {
      queries.push(q);
      return original(q);
    };
    try {
      const out = await scanRuleSet({ marketData: adapter, today }, parse(LOOSE), {
        underlyings: ['SPY', 'QQQ', 'IWM', 'AAPL', 'TSLA'],
      });
      expect(out.skipped).toEqual([]);
      expect(queries).toEqual([{ symbols: 'SPY,QQQ,IWM,AAPL,TSLA' }]);
    } finally {
      service.getMarketMetrics = original;
    }
  });

  it('accepts nothing when no candidate can pass, after evaluating them all', async () => {
    const impossible = parse(edit(SHIPPED, [['pop: { min: 60 }', 'pop: { min: 99.99 }']]));
    const out = await scanRuleSet({ marketData: adapter, today }, impossible);
    expect(out.candidatesEvaluated).toBeGreaterThan(0);
    expect(out).toMatchObject({ accepted: 0, ranked: [], skipped: [] });
  });

  it('refuses a watchlist universe with a clear error', async () => {
    const wl = parse(edit(SHIPPED, [['symbols: [SPY, QQQ, IWM]', 'watchlist: my-list']]));
    await expect(scanRuleSet({ marketData: adapter, today }, wl)).rejects.toThrow(
      /watchlists are not supported by this broker yet/,
    );
  });
});
