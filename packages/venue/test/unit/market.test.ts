// Owns the unit tests of the market model end to end: contracts, quotes, greeks, determinism, controls, summaries and metrics.
import { describe, it, expect } from 'vitest';
import { createMarketClock, parseClockSpec } from '../../src/clock.js';
import { impliedVol } from '../../src/market/bsm.js';
import { createMarketModel, RISK_FREE_RATE } from '../../src/market/market.js';
import { tickFor } from '../../src/market/quotes.js';
import type { UnderlyingSpec } from '../../src/types.js';

const START = '2026-11-20T15:00:00Z'; // Friday 10:00 New York
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function setup(seed = 42, spec = `${START}@0x`, underlyings?: UnderlyingSpec[]) {
  const clock = createMarketClock(parseClockSpec(spec));
  const market = createMarketModel({ clock, seed, ...(underlyings ? { underlyings } : {}) });
  return { clock, market };
}

function expirationNear(m: ReturnType<typeof setup>['market'], sym: string, dte: number) {
  const chain = m.chain(sym)!;
  return chain.expirations.reduce((a, b) =>
    Math.abs(b.daysToExpiration - dte) < Math.abs(a.daysToExpiration - dte) ? b : a,
  );
}

function atmStrike(m: ReturnType<typeof setup>['market'], sym: string, dte: number) {
  const e = expirationNear(m, sym, dte);
  const s = m.spot(sym);
  return e.strikes.reduce((a, b) => (Math.abs(b.strike - s) < Math.abs(a.strike - s) ? b : a));
}

describe('market model basics', () => {
  it('lists underlyings, specs and equity quotes', () => {
    const { market } = setup();
    expect(market.underlyings()).toEqual(
      expect.arrayContaining(['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN']),
    );
    expect(market.hasUnderlying('SPY')).toBe(true);
    expect(market.hasUnderlying('NOPE')).toBe(false);
    expect(market.spot('SPY')).toBe(690);
    const q = market.quote('SPY')!;
    expect(q.bid).toBeLessThan(q.ask);
    expect(q.bid).toBeGreaterThan(689);
    expect(market.quote('NOPE')).toBeUndefined();
    expect(market.chain('NOPE')).toBeUndefined();
    expect(market.summary('NOPE')).toBeUndefined();
    expect(market.metrics('NOPE')).toBeUndefined();
  });

  it('validates contracts against the listed chain', () => {
    const { clock, market } = setup();
    const k = atmStrike(market, 'SPY', 7);
    const c = market.contract(k.callSymbol)!;
    expect(c).toMatchObject({
      underlying: 'SPY',
      rootSymbol: 'SPY',
      right: 'C',
      strike: k.strike,
      streamerSymbol: k.callStreamerSymbol,
    });
    expect(market.contract('SPY   261218C00690500')).toBeUndefined(); // not on the strike ladder
    expect(market.contract('SPY   261219C00690000')).toBeUndefined(); // not an expiration (Saturday)
    expect(market.contract('SPY   261218C05000000')).toBeUndefined(); // far outside the grid
    expect(market.contract('ZZZ   261218C00690000')).toBeUndefined();
    expect(market.contract('garbage')).toBeUndefined();
    // The expiration of 2026-11-20 disappears at 16:00 New York.
    const today = market.chain('SPY')!.expirations[0]!;
    expect(today.expirationDate).toBe('2026-11-20');
    const sym = today.strikes[50]!.putSymbol;
    expect(market.quote(sym)).toBeDefined();
    clock.advance(6 * HOUR);
    expect(market.contract(sym)).toBeUndefined();
    expect(market.quote(sym)).toBeUndefined();
    expect(market.greeks(sym)).toBeUndefined();
    expect(market.chain('SPY')!.expirations[0]!.expirationDate).toBe('2026-11-27');
  });

  it('maps streamer symbols for equities and options', () => {
    const { market } = setup();
    const k = atmStrike(market, 'QQQ', 30);
    expect(market.fromStreamerSymbol('QQQ')).toBe('QQQ');
    expect(market.fromStreamerSymbol(k.putStreamerSymbol)).toBe(k.putSymbol);
    expect(market.fromStreamerSymbol('.QQQ261219C600')).toBeUndefined();
    expect(market.fromStreamerSymbol('ZZZ')).toBeUndefined();
  });

  it('keeps the strike grid stable while spot moves during the day', () => {
    const { clock, market } = setup();
    const before = market.chain('TSLA')!.expirations[3]!.strikes.map((s) => s.callSymbol);
    clock.advance(5 * HOUR);
    expect(market.spot('TSLA')).not.toBe(420);
    const after = market.chain('TSLA')!.expirations[3]!.strikes.map((s) => s.callSymbol);
    expect(after).toEqual(before);
    clock.advance(3 * DAY); // next Monday: a new grid, but yesterday's symbols stay valid when still on the ladder
    for (const s of before.slice(0, 5).concat(before.slice(-5))) expect(market.contract(s), s).toBeDefined();
  });
});

describe('quotes and greeks', () => {
  it('produces sane two-sided option quotes over a whole chain', () => {
    const { market } = setup();
    const ticks = market.chain('SPY')!.tickSizes;
    for (const e of market.chain('SPY')!.expirations) {
      for (const s of e.strikes) {
        for (const sym of [s.callSymbol, s.putSymbol]) {
          const q = market.quote(sym)!;
          expect(q.ask).toBeGreaterThan(q.bid);
          expect(q.bid).toBeGreaterThanOrEqual(0);
          const t = Math.round(tickFor(q.ask, ticks) * 100);
          expect(Math.round(q.ask * 100) % t).toBe(0);
        }
      }
    }
  });

  it('quotes wider (relative to value) out of the money and for illiquid names', () => {
    const illiquid: UnderlyingSpec = {
      symbol: 'ILLQ',
      description: 'Illiquid Corp',
      spot: 100,
      vol: 0.35,
      dividendYield: 0,
      liquidityRating: 1,
      pennyProgram: false,
      strikeStep: 1,
      beta: 1,
      sector: 'Industrials',
      industry: 'Machinery',
      earningsInDays: null,
    };
    const twin: UnderlyingSpec = { ...illiquid, symbol: 'LIQD', liquidityRating: 5, pennyProgram: true };
    const { market } = setup(42, `${START}@0x`, [illiquid, twin]);
    const rel = (sym: string) => {
      const q = market.quote(sym)!;
      return (q.ask - q.bid) / ((q.ask + q.bid) / 2);
    };
    const e = expirationNear(market, 'LIQD', 30);
    const at = (root: string, k: number) =>
      `${root.padEnd(6, ' ')}${e.expirationDate.slice(2).replaceAll('-', '')}C${String(k * 1000).padStart(8, '0')}`;
    expect(rel(at('LIQD', 115))).toBeGreaterThan(rel(at('LIQD', 100)));
    expect(rel(at('ILLQ', 100))).toBeGreaterThan(2 * rel(at('LIQD', 100)));
  });

  it('gives greeks from BSM at the surface IV, consistent with the quote', () => {
    const { market } = setup();
    const k = atmStrike(market, 'AAPL', 30);
    const c = market.greeks(k.callSymbol)!;
    const p = market.greeks(k.putSymbol)!;
    expect(c.delta).toBeGreaterThan(0.4);
    expect(c.delta).toBeLessThan(0.65);
    expect(p.delta).toBeLessThan(-0.35);
    expect(c.theta).toBeLessThan(0);
    expect(c.vega).toBeGreaterThan(0);
    expect(c.gamma).toBeCloseTo(p.gamma, 10);
    expect(c.volatility).toBeGreaterThan(0.2);
    expect(c.volatility).toBeLessThan(0.35);
    const q = market.quote(k.callSymbol)!;
    expect(c.price).toBeGreaterThanOrEqual(q.bid);
    expect(c.price).toBeLessThanOrEqual(q.ask);
    const contract = market.contract(k.callSymbol)!;
    const T = (contract.expiresAt - q.time) / (365 * DAY);
    const iv = impliedVol(c.price, {
      right: 'C',
      S: market.spot('AAPL'),
      K: k.strike,
      T,
      r: RISK_FREE_RATE,
      q: market.spec('AAPL')!.dividendYield,
    });
    expect(iv).toBeCloseTo(c.volatility, 6);
  });
});

describe('determinism and dynamics', () => {
  const sample = (m: ReturnType<typeof setup>['market']) => {
    const k = m.chain('NVDA')!.expirations[2]!.strikes[40]!;
    return [
      m.spot('SPY'),
      m.spot('NVDA'),
      m.quote('SPY'),
      m.quote(k.callSymbol),
      m.greeks(k.putSymbol),
      m.summary('SPY'),
    ];
  };

  it('same seed and clock operations give identical prices; other seeds differ', () => {
    const a = setup(7);
    const b = setup(7);
    const c = setup(8);
    for (const step of [1000, 60_000, HOUR, 3 * DAY, 1]) {
      for (const x of [a, b, c]) x.clock.advance(step);
      expect(sample(a.market)).toEqual(sample(b.market));
    }
    expect(a.market.spot('SPY')).not.toBe(c.market.spot('SPY'));
  });

  it('prices do not depend on how time was advanced, and big jumps are cheap', () => {
    const t0 = Date.now();
    const big = setup(3, `${START}@0x`);
    big.clock.advance(400 * DAY);
    expect(big.market.spot('SPY')).toBeGreaterThan(0);
    expect(big.market.chain('SPY')!.expirations.length).toBeGreaterThan(8);
    expect(Date.now() - t0).toBeLessThan(2000);
    const c = setup(3);
    const d = setup(3);
    c.clock.advance(HOUR);
    for (let i = 0; i < 3600; i++) d.clock.advance(1000);
    expect(d.market.spot('QQQ')).toBe(c.market.spot('QQQ'));
  });

  it('each underlying path is independent of the others', () => {
    const a = setup(5);
    const b = setup(
      5,
      `${START}@0x`,
      a.market
        .underlyings()
        .filter((s) => s !== 'SPY')
        .map((s) => a.market.spec(s)!),
    );
    a.clock.advance(HOUR);
    b.clock.advance(HOUR);
    expect(b.market.spot('QQQ')).toBe(a.market.spot('QQQ'));
  });

  it('fires onChange on advance and freezes prices outside regular hours in replay mode', () => {
    const { clock, market } = setup();
    const seen: string[][] = [];
    market.onChange((u) => seen.push(u));
    clock.advance(1000);
    expect(seen.length).toBe(1);
    expect(seen[0]).toContain('SPY');
    clock.advance(7 * HOUR); // 17:00 New York: closed
    const frozen = market.spot('SPY');
    const n = seen.length;
    clock.advance(HOUR);
    expect(market.spot('SPY')).toBe(frozen);
    expect(seen.length).toBe(n);
    clock.advance(2 * DAY + 17 * HOUR); // Monday 11:00
    expect(market.spot('SPY')).not.toBe(frozen);
  });

  it('moves continuously in open mode and step() reports moves', () => {
    let wall = Date.parse('2026-11-21T15:00:00Z'); // a Saturday
    const clock = createMarketClock({ mode: 'open' }, () => wall);
    const market = createMarketModel({ clock, seed: 1 });
    const seen: string[][] = [];
    market.onChange((u) => seen.push(u));
    const s0 = market.spot('IWM');
    wall += 10_000;
    market.step();
    expect(seen).toHaveLength(1);
    expect(market.spot('IWM')).not.toBe(s0);
    market.step();
    expect(seen).toHaveLength(1); // nothing moved
  });

  it('setMarket moves spot, vol and quotes immediately and notifies', () => {
    const { market } = setup();
    const k = atmStrike(market, 'SPY', 30);
    const seen: string[][] = [];
    market.onChange((u) => seen.push(u));
    const put0 = market.quote(k.putSymbol)!;
    market.setMarket('SPY', { spot: 650 });
    expect(market.spot('SPY')).toBe(650);
    expect(seen).toEqual([['SPY']]);
    const put1 = market.quote(k.putSymbol)!;
    expect(put1.bid).toBeGreaterThan(put0.ask + 20); // about half the 40-point drop at delta -0.5, plus gamma
    const call0 = market.greeks(k.callSymbol)!;
    market.setMarket('SPY', { vol: 0.3 });
    const call1 = market.greeks(k.callSymbol)!;
    expect(call1.volatility).toBeGreaterThan(call0.volatility * 1.3);
    expect(call1.price).toBeGreaterThan(call0.price);
    expect(market.spot('SPY')).toBe(650);
    expect(market.metrics('SPY')!.iv30).toBeCloseTo(30, 0);
    expect(() => market.setMarket('SPY', { spot: -1 })).toThrow();
    expect(() => market.setMarket('NOPE', { spot: 1 })).toThrow();
  });

  it('adds underlyings at runtime', () => {
    const { market } = setup();
    market.addUnderlying({ ...market.spec('SPY')!, symbol: 'DIA', spot: 480.5, description: 'SPDR Dow Jones' });
    expect(market.spot('DIA')).toBe(480.5);
    expect(market.chain('DIA')!.expirations[0]!.strikes.length).toBeGreaterThan(50);
  });
});

describe('summary and metrics', () => {
  it('summarises the day for equities and options', () => {
    const { clock, market } = setup();
    clock.advance(3 * HOUR);
    const s = market.summary('SPY')!;
    expect(s.dayHigh).toBeGreaterThanOrEqual(Math.max(s.dayOpen, s.dayLow));
    expect(s.dayLow).toBeLessThanOrEqual(s.dayOpen);
    expect(s.prevDayClose).toBeGreaterThan(600);
    expect(s.dayVolume).toBeGreaterThan(0);
    expect(s.openInterest).toBe(0);
    const e = expirationNear(market, 'SPY', 30);
    const atm = atmStrike(market, 'SPY', 30);
    const far = e.strikes[0]!;
    const so = market.summary(atm.callSymbol)!;
    expect(so.openInterest).toBeGreaterThan(market.summary(far.callSymbol)!.openInterest);
    expect(so.dayHigh).toBeGreaterThanOrEqual(so.dayLow);
    expect(so.symbol).toBe(atm.callSymbol);
  });

  it('reports metrics within range', () => {
    const { clock, market } = setup();
    clock.advance(2 * DAY);
    for (const sym of market.underlyings()) {
      const m = market.metrics(sym)!;
      expect(m.ivRank).toBeGreaterThanOrEqual(0);
      expect(m.ivRank).toBeLessThanOrEqual(1);
      expect(m.ivPercentile).toBeGreaterThanOrEqual(0);
      expect(m.ivPercentile).toBeLessThanOrEqual(1);
      expect(m.iv30).toBeCloseTo(m.ivIndex * 100, 1);
      for (const hv of [m.hv30, m.hv60, m.hv90]) {
        expect(hv).toBeGreaterThan(2);
        expect(hv).toBeLessThan(150);
      }
      expect(m.expirationIvs).toHaveLength(market.chain(sym)!.expirations.length);
      expect(m.marketCap).toBeGreaterThan(0);
    }
    expect(market.metrics('SPY')!.earnings).toBeNull();
    const nvda = market.metrics('NVDA')!;
    expect(nvda.earnings?.expectedReportDate).toBe('2026-12-02');
    expect(nvda.earnings?.timeOfDay).toBe('AMC');
    // The first expiration after earnings carries the bump.
    const ivs = nvda.expirationIvs;
    const i = ivs.findIndex((x) => x.expirationDate > '2026-12-02');
    expect(ivs[i]!.impliedVolatility).toBeGreaterThan(ivs[i - 1]!.impliedVolatility + 0.05);
  });
});
