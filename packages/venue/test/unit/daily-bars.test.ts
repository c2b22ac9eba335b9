// Owns the unit tests of the underlyings' daily bars: determinism, the NYSE calendar, correlation with SPY, the join
// with the model's own prices, stability as the clock moves, and the daily Candle snapshot built from them.
import { describe, expect, it } from 'vitest';
import { isTradingDay, nyTime, tradingHours } from '../../src/calendar.js';
import { createMarketClock, parseClockSpec } from '../../src/clock.js';
import { MAX_HISTORY_DAYS, spyCorrelation, tradingDaysBefore } from '../../src/market/daily-history.js';
import { createMarketModel } from '../../src/market/market.js';
import { buildCandles, EVENT_FLAGS } from '../../src/streams/dxlink-candles.js';
import type { DailyBar } from '../../src/types.js';

const TUESDAY_10_NY = '2026-11-17T15:00:00Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function setup(seed = 7, start = TUESDAY_10_NY) {
  const clock = createMarketClock(parseClockSpec(`${start}@0x`));
  const market = createMarketModel({ clock, seed });
  return { clock, market };
}

const logReturns = (bars: DailyBar[]): number[] =>
  bars.slice(1).map((b, i) => Math.log(b.close / (bars[i] as DailyBar).close));

function correlation(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

const stdev = (x: number[]): number => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
};

describe('daily bars of an underlying', () => {
  it('are the same for the same seed and clock, and differ for another seed', () => {
    const a = setup(7).market.dailyBars('NVDA', '2025-06-01');
    const b = setup(7).market.dailyBars('NVDA', '2025-06-01');
    const c = setup(8).market.dailyBars('NVDA', '2025-06-01');
    expect(a).toEqual(b);
    expect(a?.length).toBe(c?.length);
    expect(a?.map((x) => x.close)).not.toEqual(c?.map((x) => x.close));
    expect(setup().market.dailyBars('NOPE', '2026-01-01')).toBeUndefined();
  });

  it('have one bar per NYSE trading day from the date asked through today, oldest first', () => {
    const { market } = setup();
    const bars = market.dailyBars('SPY', '2026-01-01')!;
    const dates = bars.map((b) => b.date);
    const expected: string[] = [];
    for (let t = Date.parse('2026-01-01T12:00:00Z'); t <= Date.parse('2026-11-17T12:00:00Z'); t += DAY) {
      const d = new Date(t).toISOString().slice(0, 10);
      if (isTradingDay(d)) expected.push(d);
    }
    expect(dates).toEqual(expected);
    expect(dates.length).toBe(221); // 2026 through Nov 17: 230 weekdays less 9 holidays
    for (const holiday of ['2026-01-19', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07'])
      expect(dates).not.toContain(holiday);
    expect(dates.at(-1)).toBe('2026-11-17');
    for (const b of bars) {
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.volume).toBeGreaterThan(0);
    }
  });

  it('move with SPY through the beta: NVDA daily log returns correlate with SPY as its beta implies', () => {
    const { market } = setup();
    const from = tradingDaysBefore('2026-11-16', 250);
    const spy = logReturns(market.dailyBars('SPY', from)!.filter((b) => b.final));
    const nvda = logReturns(market.dailyBars('NVDA', from)!.filter((b) => b.final));
    expect(spy).toHaveLength(250);
    expect(nvda).toHaveLength(250);
    const rho = correlation(spy, nvda);
    const implied = spyCorrelation(market.spec('NVDA')!, market.spec('SPY')!.vol); // 1.9 × 0.15 / 0.45
    expect(implied).toBeCloseTo(0.633, 3);
    expect(rho).toBeGreaterThan(0.45);
    expect(rho).toBeLessThan(0.8);
    const beta = (rho * stdev(nvda)) / stdev(spy);
    expect(beta).toBeGreaterThan(1.4);
    expect(beta).toBeLessThan(2.4);
    // each at its own volatility (annualised), and the venue reports the same correlation in its metrics
    expect(stdev(nvda) * Math.sqrt(252)).toBeGreaterThan(0.36);
    expect(stdev(nvda) * Math.sqrt(252)).toBeLessThan(0.54);
    expect(stdev(spy) * Math.sqrt(252)).toBeGreaterThan(0.12);
    expect(stdev(spy) * Math.sqrt(252)).toBeLessThan(0.18);
    expect(market.metrics('NVDA')!.corrSpy3Month).toBe(0.63);
    // an independent name would not correlate: a second seed's SPY against this seed's NVDA
    const other = logReturns(
      setup(8)
        .market.dailyBars('SPY', from)!
        .filter((b) => b.final),
    );
    expect(Math.abs(correlation(other, nvda))).toBeLessThan(0.2);
  });

  it("lead into today's price: yesterday's close is the model's price at that close, today's bar runs to the spot", () => {
    const { clock, market } = setup();
    const bars = market.dailyBars('AAPL', '2026-11-10')!;
    const today = bars.at(-1)!;
    const monday = bars.at(-2)!;
    expect(today).toMatchObject({ date: '2026-11-17', final: false, close: market.quote('AAPL')!.last });
    expect(monday.date).toBe('2026-11-16');
    expect(monday.final).toBe(true);
    expect(monday.close).toBe(market.summary('AAPL')!.prevDayClose);
    expect(monday.close).toBeCloseTo(market.spotAt('AAPL', tradingHours('2026-11-16')!.closeAt), 2);
    expect(today.open).toBe(market.summary('AAPL')!.dayOpen);
    // AAPL's daily σ is 0.25/√252 ≈ 1.6 %: the step from the last close to the spot is an ordinary day's move
    expect(Math.abs(Math.log(market.spot('AAPL') / monday.close))).toBeLessThan(0.08);

    clock.advance(nyTime('2026-11-17', '16:30') - clock.now());
    const after = market.dailyBars('AAPL', '2026-11-10')!;
    expect(after.at(-1)).toMatchObject({ date: '2026-11-17', final: true });
    expect(after.at(-1)!.close).toBeCloseTo(market.spot('AAPL'), 2);
    expect(after.at(-1)!.open).toBe(today.open);
  });

  it('keep earlier days as the clock moves on, history and the model’s own sessions alike', () => {
    const { clock, market } = setup();
    const before = market.dailyBars('TSLA', '2026-10-01')!;
    clock.advance(3 * DAY + 3 * HOUR); // Friday 13:00
    market.setMarket('TSLA', { spot: market.spot('TSLA') * 0.9 }); // a control move today changes no earlier day
    const after = market.dailyBars('TSLA', '2026-10-01')!;
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, -1)); // all but Tuesday's live bar
    expect(after.map((b) => b.date).slice(-4)).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    expect(after.at(-1)!.final).toBe(false);
    expect(after.at(-2)!.close).toBe(market.summary('TSLA')!.prevDayClose);
  });

  it('reach back at most the history limit', () => {
    const { market } = setup();
    const bars = market.dailyBars('SPY', '1990-01-01')!;
    expect(bars.length).toBe(MAX_HISTORY_DAYS + 2); // the limit before the junction (Monday), the junction, today
    expect(bars.every((b) => b.close > 0)).toBe(true);
  });
});

describe('daily Candle snapshot', () => {
  it('is one candle per trading day from fromTime, newest first, framed SNAPSHOT_BEGIN … REMOVE|SNAPSHOT_END', () => {
    const { market } = setup();
    const fromTime = Date.parse('2026-10-01T00:00:00Z');
    const events = buildCandles(market, 'QQQ{=d}', fromTime, true);
    const bars = market.dailyBars('QQQ', '2026-10-01')!;
    expect(events).toHaveLength(bars.length + 1);
    const candles = events.slice(0, -1);
    expect(candles.map((e) => e['eventFlags'])).toEqual([
      EVENT_FLAGS.SNAPSHOT_BEGIN,
      ...Array<number>(bars.length - 1).fill(0),
    ]);
    const newestFirst = [...bars].reverse();
    candles.forEach((e, i) => {
      const b = newestFirst[i]!;
      expect(e).toMatchObject({
        eventType: 'Candle',
        eventSymbol: 'QQQ{=d}',
        time: Date.parse(`${b.date}T00:00:00Z`),
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
      });
      expect(e['index']).toBe(((e['time'] as number) / 1000) * 2 ** 32);
    });
    const marker = events.at(-1)!;
    expect(marker['eventFlags']).toBe(EVENT_FLAGS.REMOVE_EVENT | EVENT_FLAGS.SNAPSHOT_END);
    expect(marker['time']).toBeLessThan(candles.at(-1)!['time'] as number);
    expect(marker['close']).toBe('NaN');
    // an update is today's candle alone; 5-minute candles keep their single current candle
    expect(buildCandles(market, 'QQQ{=d}', fromTime, false)).toEqual([{ ...candles[0], eventFlags: 0 }]);
    expect(buildCandles(market, 'QQQ{=5m}', fromTime, true)).toHaveLength(2);
  });
});
