// Owns the unit tests of default underlyings, the vol surface, IV history/rank math and the seeded RNG/Brownian path.
import { describe, it, expect } from 'vitest';
import { historicalVol, ivHistory, ivRankPercentile } from '../../src/market/metrics.js';
import { defaultUnderlyings } from '../../src/market/underlyings.js';
import { atmVolAt, surfaceIv } from '../../src/market/vol-surface.js';
import { BrownianPath, createRng, hashNormal } from '../../src/rng.js';

const specs = defaultUnderlyings();
const by = (s: string) => specs.find((x) => x.symbol === s)!;

describe('default underlyings', () => {
  it('cover the required symbols with sane fields', () => {
    for (const s of ['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN']) {
      const u = by(s);
      expect(u.spot).toBeGreaterThan(0);
      expect(u.vol).toBeGreaterThan(0.1);
      expect(u.liquidityRating).toBeGreaterThanOrEqual(1);
      expect(['SPY', 'QQQ', 'IWM'].includes(s) ? u.earningsInDays === null : (u.earningsInDays ?? -1) > 0).toBe(true);
    }
    expect(by('SPY').vol).toBeCloseTo(0.15);
    expect(by('TSLA').vol).toBeCloseTo(0.55);
  });
});

describe('vol surface', () => {
  const T = 30 / 365;
  it('has put skew, a smaller call wing and term structure', () => {
    for (const s of [by('SPY'), by('AAPL')]) {
      const atm = surfaceIv(s, s.vol, 1, T);
      expect(atm).toBeCloseTo(s.vol, 6);
      expect(surfaceIv(s, s.vol, 0.9, T)).toBeGreaterThan(atm);
      expect(surfaceIv(s, s.vol, 0.8, T)).toBeGreaterThan(surfaceIv(s, s.vol, 0.9, T));
      const up = surfaceIv(s, s.vol, 1.25, T) - atm;
      const down = surfaceIv(s, s.vol, 0.75, T) - atm;
      expect(down).toBeGreaterThan(up);
    }
    const spy = by('SPY');
    expect(atmVolAt(spy, 0.15, 7 / 365)).not.toBeCloseTo(atmVolAt(spy, 0.15, T), 4);
  });

  it('adds an earnings bump only after the report', () => {
    const nvda = by('NVDA');
    const before = surfaceIv(nvda, nvda.vol, 1, 10 / 365, { earningsT: 12 / 365 });
    const after = surfaceIv(nvda, nvda.vol, 1, 14 / 365, { earningsT: 12 / 365 });
    const none = surfaceIv(nvda, nvda.vol, 1, 14 / 365);
    expect(after).toBeGreaterThan(none + 0.05);
    expect(before).toBeLessThan(after);
    expect(surfaceIv(by('SPY'), 0.15, 1, 14 / 365, { earningsT: 1 / 365 })).toBeCloseTo(
      surfaceIv(by('SPY'), 0.15, 1, 14 / 365),
      10,
    );
  });
});

describe('IV history and metrics math', () => {
  it('is seeded, ends at the current IV and gives rank/percentile in [0,1]', () => {
    const h1 = ivHistory(7, 'SPY', 0.15, 0.18);
    const h2 = ivHistory(7, 'SPY', 0.15, 0.18);
    expect(h1).toEqual(h2);
    expect(h1).toHaveLength(252);
    expect(h1[251]).toBe(0.18);
    expect(ivHistory(8, 'SPY', 0.15, 0.18)).not.toEqual(h1);
    for (const cur of [0.01, 0.12, 0.18, 0.5]) {
      const { rank, percentile } = ivRankPercentile(h1.slice(0, -1), cur);
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThanOrEqual(1);
      expect(percentile).toBeGreaterThanOrEqual(0);
      expect(percentile).toBeLessThanOrEqual(1);
    }
    expect(ivRankPercentile([0.1, 0.2, 0.3], 0.3)).toEqual({ rank: 1, percentile: 2 / 3 });
    expect(ivRankPercentile([0.1, 0.2, 0.3], 0.05)).toEqual({ rank: 0, percentile: 0 });
  });

  it('computes historical vol from closes', () => {
    const rng = createRng(1);
    const closes = [100];
    for (let i = 0; i < 2000; i++) closes.push(closes[closes.length - 1]! * Math.exp(0.02 * rng.normal()));
    expect(historicalVol(closes, 1999, 252)).toBeCloseTo(0.02 * Math.sqrt(252) * 100, -0.5);
    expect(historicalVol([100, 100, 100], 30, 252)).toBe(0);
  });
});

describe('rng', () => {
  it('is deterministic, has independent keyed streams and a standard normal', () => {
    const a = createRng(42);
    const b = createRng(42);
    expect([a.next(), a.next(), a.normal()]).toEqual([b.next(), b.next(), b.normal()]);
    expect(a.fork('SPY').next()).toBe(createRng(42).fork('SPY').next());
    expect(a.fork('SPY').next()).not.toBe(a.fork('QQQ').next());
    const r = createRng(3);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 20000; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / 20000)).toBeLessThan(0.03);
    expect(s2 / 20000).toBeCloseTo(1, 1);
    expect(hashNormal(1, 'x', 5)).toBe(hashNormal(1, 'x', 5));
  });

  it('Brownian path has the right increment variance at every scale, for negative steps too', () => {
    const w = new BrownianPath(9, 10);
    expect(w.at(0)).toBe(0);
    for (const lag of [1, 37, 1024, 5000]) {
      let s2 = 0;
      const N = 400;
      for (let i = 0; i < N; i++) {
        const n = (i - 200) * 7919;
        s2 += (w.at(n + lag) - w.at(n)) ** 2;
      }
      expect(s2 / N / lag).toBeGreaterThan(0.75);
      expect(s2 / N / lag).toBeLessThan(1.3);
    }
    const fresh = new BrownianPath(9, 10);
    expect(fresh.at(123_456)).toBe(w.at(123_456)); // order of reads does not matter
    expect(fresh.at(-77)).toBe(w.at(-77));
  });
});
