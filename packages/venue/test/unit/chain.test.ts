// Owns the unit tests of expirations, strike grids and OCC/streamer symbol formatting and parsing.
import { describe, it, expect } from 'vitest';
import { addDays, daysBetween, isHoliday, isTradingDay, nyDate, nyTime, weekday } from '../../src/calendar.js';
import {
  buildChain,
  formatOcc,
  formatStreamerSymbol,
  listExpirations,
  parseOcc,
  parseOccDetailed,
  parseStreamerSymbol,
  strikeGrid,
  thirdFriday,
} from '../../src/market/chain.js';
import { defaultUnderlyings } from '../../src/market/underlyings.js';

const utc = (s: string) => Date.parse(s);
const spy = defaultUnderlyings().find((s) => s.symbol === 'SPY')!;

describe('OCC and streamer symbols', () => {
  it('formats OCC symbols', () => {
    expect(formatOcc('SPY', '2026-12-18', 'C', 600)).toBe('SPY   261218C00600000');
    expect(formatOcc('SPY', '2026-12-18', 'P', 480.5)).toBe('SPY   261218P00480500');
    expect(formatOcc('AAPL', '2027-01-15', 'P', 2.5)).toBe('AAPL  270115P00002500');
  });

  it('formats streamer symbols', () => {
    expect(formatStreamerSymbol('SPY', '2026-12-18', 'C', 600)).toBe('.SPY261218C600');
    expect(formatStreamerSymbol('SPY', '2026-12-18', 'P', 480.5)).toBe('.SPY261218P480.5');
  });

  it('round-trips OCC and streamer symbols', () => {
    for (const [root, date, right, strike] of [
      ['SPY', '2026-12-18', 'P', 480.5],
      ['QQQ', '2027-03-19', 'C', 620],
      ['AAPL1', '2026-11-27', 'C', 12.125],
    ] as const) {
      const occ = formatOcc(root, date, right, strike);
      expect(occ).toHaveLength(21);
      expect(parseOcc(occ)).toEqual({ root, expirationDate: date, right, strike });
      expect(parseStreamerSymbol(formatStreamerSymbol(root, date, right, strike))).toEqual({
        root,
        expirationDate: date,
        right,
        strike,
      });
    }
  });

  it('explains malformed OCC symbols', () => {
    for (const bad of [
      'SPY 261218C00600000',
      'SPY   261318C00600000',
      'SPY   261218X00600000',
      'spy   261218C00600000',
      'SPY   261218C0060000A',
      'SPY   261231C00000000',
      '  SPY 261218C00600000',
      'SPY',
    ]) {
      const r = parseOccDetailed(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(3);
      expect(parseOcc(bad)).toBeUndefined();
    }
    expect(parseStreamerSymbol('SPY261218C600')).toBeUndefined();
    expect(parseStreamerSymbol('.SPY261318C600')).toBeUndefined();
  });
});

describe('expirations', () => {
  it('lists Fridays (Thursdays before holidays), weeklies for 8 weeks and monthlies beyond 120 days', () => {
    const now = utc('2026-11-20T15:00:00Z');
    const list = listExpirations(now);
    const today = nyDate(now);
    for (const e of list) {
      const wd = weekday(e.expirationDate);
      expect(isTradingDay(e.expirationDate)).toBe(true);
      if (wd === 4) expect(isHoliday(addDays(e.expirationDate, 1))).toBe(true);
      else expect(wd).toBe(5);
      expect(e.expiresAt).toBe(nyTime(e.expirationDate, '16:00'));
    }
    const dates = list.map((e) => e.expirationDate);
    expect(dates).toContain('2026-12-24'); // Christmas Friday -> Thursday
    expect(dates).not.toContain('2026-12-25');
    expect(dates).toContain('2026-12-31'); // New Year's Day 2027 is a Friday
    expect(list.find((e) => e.expirationDate === '2026-12-18')?.expirationType).toBe('Regular');
    expect(list.find((e) => e.expirationDate === '2026-11-27')?.expirationType).toBe('Weekly');
    expect(list.find((e) => e.expirationDate === '2026-11-27')?.stopsTradingAt).toBe(utc('2026-11-27T18:00:00Z'));
    const last = dates[dates.length - 1]!;
    expect(daysBetween(today, last)).toBeGreaterThanOrEqual(120);
    for (const e of list) if (daysBetween(today, e.expirationDate) > 56) expect(e.expirationType).toBe('Regular');
    expect(list.filter((e) => daysBetween(today, e.expirationDate) <= 56).length).toBeGreaterThanOrEqual(8);
    expect([...dates].sort()).toEqual(dates);
  });

  it('moves a Good Friday monthly to Thursday and drops today after 16:00', () => {
    expect(thirdFriday(2025, 4)).toBe('2025-04-18');
    expect(thirdFriday(2026, 12)).toBe('2026-12-18');
    const list = listExpirations(utc('2025-03-20T15:00:00Z'));
    expect(list.find((e) => e.expirationDate === '2025-04-17')?.expirationType).toBe('Regular');
    const before = listExpirations(utc('2026-11-20T20:59:00Z'));
    const after = listExpirations(utc('2026-11-20T21:00:00Z'));
    expect(before[0]?.expirationDate).toBe('2026-11-20');
    expect(after[0]?.expirationDate).toBe('2026-11-27');
  });
});

describe('strike grid and chain', () => {
  it('is fine near the money and coarse far away', () => {
    const grid = strikeGrid(spy, [690]);
    expect(grid).toContain(690);
    expect(grid).toContain(691);
    expect(grid).toContain(650);
    expect(grid).toContain(500);
    expect(grid).not.toContain(501);
    expect(grid[0]).toBeGreaterThanOrEqual(690 * 0.65 - 5);
    expect(grid[grid.length - 1]).toBeLessThanOrEqual(690 * 1.35 + 5);
    expect(new Set(grid).size).toBe(grid.length);
  });

  it('builds a chain with DTE by New York date and matching symbols', () => {
    const now = utc('2026-11-21T03:00:00Z'); // still Nov 20 in New York
    const chain = buildChain(spy, now, [690]);
    expect(chain).toMatchObject({ underlyingSymbol: 'SPY', rootSymbol: 'SPY', sharesPerContract: 100 });
    const dec = chain.expirations.find((e) => e.expirationDate === '2026-12-18')!;
    expect(dec.daysToExpiration).toBe(28);
    const k = dec.strikes.find((s) => s.strike === 600)!;
    expect(k).toEqual({
      strike: 600,
      callSymbol: 'SPY   261218C00600000',
      putSymbol: 'SPY   261218P00600000',
      callStreamerSymbol: '.SPY261218C600',
      putStreamerSymbol: '.SPY261218P600',
    });
    expect(chain.tickSizes).toEqual([{ threshold: 3, value: 0.01 }, { value: 0.05 }]);
  });
});
