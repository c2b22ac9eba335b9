// Owns the unit tests of the scan's pure parts on the venue's market model: option selection bounded to the DTE window
// and the strike band (without losing a candidate the full chain would give), buildStrategyInput, the price and date
// helpers, and scanUnderlying's handling of one underlying over an in-memory MarketData.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../src/domain/broker-error.js';
import type { MarketData } from '../../../src/pipeline/ports.js';
import type { MarketSnapshot, OptionChain } from '../../../src/domain/market.js';
import { parseStreamerSymbol } from '../../../src/domain/instrument.js';
import {
  buildStrategyInput,
  chainMiddleStrike,
  evaluateInput,
  FALLBACK_IV,
  optionSymbolsToSnapshot,
  quoteMid,
  scanUnderlying,
  selectionFor,
  todayFromChain,
} from '../../../src/pipeline/scan/scan-underlying.js';
import { compileConditions } from '../../../src/rules/compile.js';
import { parseRuleSet } from '../../../src/rules/loader.js';
import type { RuleSet } from '../../../src/rules/schema.js';
import type { StrategyInput } from '../../../src/strategies/types.js';
import { sharedMarket, strategyInput, testMarket } from '../../support/market-input.js';

const market = sharedMarket(); // Friday 2026-11-20, 10:00 New York
const full: Record<string, StrategyInput> = Object.fromEntries(
  market.underlyings().map((u) => [u, strategyInput(market, u, 400)]),
);
const spy = full['SPY']!;
const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const dteOf = (date: string, today: string) => day(date) - day(today);

function ruleSet(file: string, patch: (text: string) => string = (t) => t): RuleSet {
  const r = parseRuleSet(patch(readFileSync(file, 'utf8')), file);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.ruleSet;
}
const RULE_FILES = ['iron-condor', 'put-credit-spread', 'call-credit-spread', 'iron-butterfly', 'short-strangle'].map(
  (n) => `rules/${n}.yaml`,
);

/** The input restricted to the symbols a scan would snapshot. */
function selected(input: StrategyInput, rs: RuleSet): { input: StrategyInput; symbols: string[] } {
  const sel = selectionFor(rs);
  const ivs = new Map(input.metrics!.expirationIvs.map((e) => [e.expiration, e.iv]));
  const symbols = optionSymbolsToSnapshot(
    input.chain,
    input.underlyingPrice,
    (e) => ivs.get(e),
    sel.dte,
    input.today,
    sel,
  );
  const keep = new Set(symbols);
  const snapshot: MarketSnapshot = {
    quotes: new Map([...input.snapshot.quotes].filter(([k]) => keep.has(k))),
    greeks: new Map([...input.snapshot.greeks].filter(([k]) => keep.has(k))),
    missing: [],
  };
  return { input: buildStrategyInput({ ...input, snapshot }), symbols };
}

describe('optionSymbolsToSnapshot', () => {
  const window = { min: 30, max: 50 };

  it('takes only expirations inside the DTE window (± 1 day margin), both rights of every chosen strike', () => {
    const symbols = optionSymbolsToSnapshot(spy.chain, spy.underlyingPrice, 0.15, window, spy.today);
    const parsed = symbols.map(parseStreamerSymbol);
    const inWindow = spy.chain.expirations.filter(
      (e) => dteOf(e.expiration, spy.today) >= 29 && dteOf(e.expiration, spy.today) <= 51,
    );
    expect(inWindow.length).toBeGreaterThan(0);
    expect(new Set(parsed.map((c) => c.expiration))).toEqual(new Set(inWindow.map((e) => e.expiration)));
    const calls = parsed.filter((c) => c.right === 'C').map((c) => `${c.expiration} ${c.strike}`);
    const puts = parsed.filter((c) => c.right === 'P').map((c) => `${c.expiration} ${c.strike}`);
    expect(calls).toEqual(puts);
    expect(new Set(symbols).size).toBe(symbols.length);
    // Far fewer than every option of those expirations
    expect(symbols.length).toBeLessThan(0.8 * inWindow.reduce((n, e) => n + 2 * e.strikes.length, 0));
  });

  it('keeps strikes within spot·exp(±3.5·σ·√T) plus the nearest few on each side, and nothing else', () => {
    const iv = 0.15;
    const symbols = optionSymbolsToSnapshot(spy.chain, spy.underlyingPrice, iv, window, spy.today);
    for (const e of spy.chain.expirations) {
      const dte = dteOf(e.expiration, spy.today);
      if (dte < 29 || dte > 51) continue;
      const sd = iv * Math.sqrt(dte / 365);
      const [lo, hi] = [spy.underlyingPrice * Math.exp(-3.5 * sd), spy.underlyingPrice * Math.exp(3.5 * sd)];
      const chosen = symbols
        .map(parseStreamerSymbol)
        .filter((c) => c.expiration === e.expiration && c.right === 'P')
        .map((c) => c.strike);
      const expected = e.strikes.map((s) => s.strike).filter((k) => k >= lo && k <= hi);
      expect(chosen).toEqual(expected);
      expect(Math.min(...chosen)).toBeLessThan(spy.underlyingPrice * 0.9);
      expect(Math.max(...chosen)).toBeGreaterThan(spy.underlyingPrice * 1.1);
    }
  });

  it('sizes the band from the IV guess per expiration, widens it by extra points, and keeps a few strikes at a tiny IV', () => {
    const n = (iv: number | ((e: string) => number | null), o = {}) =>
      optionSymbolsToSnapshot(spy.chain, spy.underlyingPrice, iv, window, spy.today, o).length;
    expect(n(0.3)).toBeGreaterThan(n(0.15));
    expect(n(0.15, { extraPoints: 10 })).toBeGreaterThan(n(0.15));
    expect(n(() => null)).toBe(n(FALLBACK_IV)); // unknown IV: the wide fallback
    const expirations = spy.chain.expirations.filter(
      (e) => dteOf(e.expiration, spy.today) >= 29 && dteOf(e.expiration, spy.today) <= 51,
    ).length;
    expect(n(1e-6)).toBe(expirations * 2 * 2 * 4); // 4 strikes each side of spot, call and put
    expect(n(1e-6, { minStrikesEachSide: 2, rights: ['P'] })).toBe(expirations * 2 * 2);
  });

  it('returns nothing when no expiration is in the window', () => {
    expect(optionSymbolsToSnapshot(spy.chain, spy.underlyingPrice, 0.15, { min: 400, max: 500 }, spy.today)).toEqual(
      [],
    );
  });

  it.each(RULE_FILES)(
    'never loses a candidate the full chain gives (%s, every venue underlying, two dates)',
    (file) => {
      const rs = ruleSet(file);
      let built = 0;
      for (const m of [market, testMarket(3, Date.parse('2027-02-03T15:00:00Z'))]) {
        for (const u of m.underlyings()) {
          const whole = m === market ? full[u]! : strategyInput(m, u, 400);
          const strategyBuild = (input: StrategyInput) =>
            evaluateInput({ ...rs }, compileConditions({ all: [] }), input);
          const a = strategyBuild(whole).passed.map((p) => p.candidate.id);
          built += a.length;
          const { input, symbols } = selected(whole, rs);
          expect(
            strategyBuild(input).passed.map((p) => p.candidate.id),
            `${rs.name} ${u}`,
          ).toEqual(a);
          expect(symbols.length).toBeLessThan(whole.snapshot.quotes.size / 2);
        }
      }
      expect(built).toBeGreaterThan(0);
    },
  );

  it('reaches far wings by delta on a skewed ETF (iron condor, 0.05-delta wings)', () => {
    const rs = ruleSet('rules/iron-condor.yaml', (t) => t.replace('wings: { points: 5 }', 'wings: { delta: 0.08 }'));
    expect(selectionFor(rs).stdDevs).toBeGreaterThan(3.5);
    for (const u of ['SPY', 'IWM', 'TSLA']) {
      const all = evaluateInput(rs, compileConditions({ all: [] }), full[u]!).passed.map((p) => p.candidate.id);
      expect(all.length, u).toBeGreaterThan(0);
      expect(
        evaluateInput(rs, compileConditions({ all: [] }), selected(full[u]!, rs).input).passed.map(
          (p) => p.candidate.id,
        ),
        u,
      ).toEqual(all);
    }
  });
});

describe('selectionFor', () => {
  it('reads the DTE window and wing points from the params; verticals snapshot one right', () => {
    const ic = selectionFor(ruleSet('rules/iron-condor.yaml'));
    expect(ic).toMatchObject({ dte: { min: 30, max: 50 }, extraPoints: 5, rights: ['C', 'P'], stdDevs: 3.5 });
    expect(selectionFor(ruleSet('rules/put-credit-spread.yaml'))).toMatchObject({
      dte: { min: 25, max: 45 },
      rights: ['P'],
    });
    expect(selectionFor(ruleSet('rules/call-credit-spread.yaml'))).toMatchObject({
      dte: { min: 20, max: 40 },
      rights: ['C'],
      extraPoints: 0,
    });
    expect(selectionFor(ruleSet('rules/iron-butterfly.yaml')).extraPoints).toBe(10);
  });
});

describe('buildStrategyInput and helpers', () => {
  it('builds the input strategies take, and evaluateInput counts every built candidate and traces the passing ones', () => {
    const input = buildStrategyInput({
      underlying: 'SPY',
      underlyingPrice: spy.underlyingPrice,
      chain: spy.chain,
      snapshot: spy.snapshot,
      metrics: spy.metrics,
      today: spy.today,
    });
    expect(input).toEqual(spy);
    const rs = ruleSet('rules/iron-condor.yaml');
    const compiled = compileConditions({ all: [{ fact: 'pop', operator: 'greaterThan', value: 68.9 }] });
    const r = evaluateInput(rs, compiled, input);
    expect(r.evaluated).toBeGreaterThan(r.passed.length);
    expect(r.passed.length).toBeGreaterThan(0);
    for (const p of r.passed) {
      expect(p.candidate.facts.pop).toBeGreaterThan(68.9);
      expect(p.trace.result).toBe(true);
    }
  });

  it('quoteMid, chainMiddleStrike and todayFromChain', () => {
    const q = { streamerSymbol: 'X', bidSize: 1, askSize: 1, receivedAt: 0 };
    expect(quoteMid({ ...q, bid: 1, ask: 2 })).toBe(1.5);
    expect(quoteMid({ ...q, bid: null, ask: 2 })).toBe(2);
    expect(quoteMid({ ...q, bid: 0, ask: 0 })).toBeNull();
    expect(quoteMid(undefined)).toBeNull();
    const mid = chainMiddleStrike(spy.chain, { min: 30, max: 50 }, spy.today)!;
    expect(Math.abs(mid - spy.underlyingPrice) / spy.underlyingPrice).toBeLessThan(0.05); // the venue's grid is centred
    expect(todayFromChain(spy.chain)).toBe(spy.today);
    expect(todayFromChain({ ...spy.chain, expirations: [] })).toBeNull();
  });
});

/** MarketData over the in-memory input; records every snapshot request. */
function memoryMarketData(
  inputs: Record<string, StrategyInput>,
  opts: { noUnderlyingQuote?: boolean; noOptions?: boolean } = {},
) {
  const requests: string[][] = [];
  const md: MarketData = {
    metrics: async () => new Map(),
    chain: async (u): Promise<OptionChain> => {
      const input = inputs[u];
      if (!input) throw new Error(`no option chain for ${u}: unknown symbol or no listed options`);
      return input.chain;
    },
    snapshot: async (symbols) => {
      requests.push(symbols);
      const snap: MarketSnapshot = { quotes: new Map(), greeks: new Map(), missing: [] };
      for (const s of symbols) {
        const input = Object.values(inputs).find((i) => s === i.underlying || s.startsWith(`.${i.chain.root}`));
        const isUnderlying = input?.underlying === s;
        const q = isUnderlying
          ? opts.noUnderlyingQuote
            ? undefined
            : {
                streamerSymbol: s,
                bid: input.underlyingPrice - 0.01,
                ask: input.underlyingPrice + 0.01,
                bidSize: 1,
                askSize: 1,
                receivedAt: 0,
              }
          : opts.noOptions
            ? undefined
            : input?.snapshot.quotes.get(s);
        const g = isUnderlying || opts.noOptions ? undefined : input?.snapshot.greeks.get(s);
        if (q) snap.quotes.set(s, q);
        if (g) snap.greeks.set(s, g);
        if (!q || (!isUnderlying && !g)) snap.missing.push(s);
      }
      return snap;
    },
    dailyCloses: async () => new Map(), // the scan reads no history
    close: async () => {},
  };
  return { md, requests };
}

describe('scanUnderlying over an in-memory MarketData', () => {
  const rs = ruleSet('rules/iron-condor.yaml');
  const anything = compileConditions({ all: [] });

  it('asks for the underlying, then the selected options with it, and returns every built candidate as passing', async () => {
    const { md, requests } = memoryMarketData(full);
    const r = await scanUnderlying({ marketData: md, today: spy.today }, rs, anything, 'SPY', spy.metrics);
    expect(r.skipped).toBeUndefined();
    expect(r.priceSource).toBe('quote');
    expect(r.underlyingPrice).toBeCloseTo(spy.underlyingPrice, 6);
    expect(requests[0]).toEqual(['SPY']);
    expect(requests[1]![0]).toBe('SPY');
    expect(requests[1]!.length - 1).toBe(r.optionsRequested);
    expect(r.evaluated).toBe(r.passed.length);
    expect(r.passed.map((p) => p.candidate.id)).toEqual(
      evaluateInput(rs, anything, spy).passed.map((p) => p.candidate.id),
    );
  });

  it('skips an unknown underlying with the reason, and one whose options have no data', async () => {
    const unknown = await scanUnderlying(
      { marketData: memoryMarketData(full).md, today: spy.today },
      rs,
      anything,
      'XYZZ',
      null,
    );
    expect(unknown).toMatchObject({
      underlying: 'XYZZ',
      evaluated: 0,
      passed: [],
      skipped: expect.stringMatching(/no option chain for XYZZ/),
    });
    const silent = await scanUnderlying(
      { marketData: memoryMarketData(full, { noOptions: true }).md, today: spy.today, snapshotTimeoutMs: 50 },
      rs,
      anything,
      'SPY',
      null,
    );
    expect(silent.skipped).toMatch(/no quotes or greeks for its \d+ options within 50 ms/);
  });

  it('lets a fatal broker error (authentication) stop the scan instead of skipping', async () => {
    const { md } = memoryMarketData(full);
    const refused: MarketData = {
      ...md,
      chain: async () => Promise.reject(new BrokerError('fatal', 'access token refused', { httpStatus: 401 })),
    };
    await expect(scanUnderlying({ marketData: refused, today: spy.today }, rs, anything, 'SPY', null)).rejects.toThrow(
      /access token refused/,
    );
  });

  it('falls back to the chain middle strike when the underlying has no quote', async () => {
    const r = await scanUnderlying(
      { marketData: memoryMarketData(full, { noUnderlyingQuote: true }).md, today: spy.today },
      rs,
      anything,
      'SPY',
      spy.metrics,
    );
    expect(r.priceSource).toBe('chain-middle');
    expect(r.underlyingPrice).toBe(chainMiddleStrike(spy.chain, { min: 30, max: 50 }, spy.today));
    expect(r.evaluated).toBeGreaterThan(0);
  });

  it('skips when no expiration lies in the window', async () => {
    const far = ruleSet('rules/iron-condor.yaml', (t) =>
      t.replace('dte: { min: 30, max: 50 }', 'dte: { min: 400, max: 500 }').replace('dte: { between: [20, 40] }', ''),
    );
    const r = await scanUnderlying(
      { marketData: memoryMarketData(full).md, today: spy.today },
      far,
      anything,
      'SPY',
      null,
    );
    expect(r.skipped).toBe('no expiration 400-500 days out');
  });
});
