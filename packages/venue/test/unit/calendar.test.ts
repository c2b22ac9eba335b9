// Owns the unit tests of the NYSE calendar: holidays, early closes, DST-correct sessions and regular market time.
import { describe, it, expect } from 'vitest';
import {
  easter,
  isEarlyClose,
  isHoliday,
  isTradingDay,
  nyDate,
  nyOffsetMs,
  nyTime,
  nyseEarlyCloses,
  nyseHolidays,
  sessionAt,
} from '../../src/calendar.js';
import { RegularTime } from '../../src/market/path.js';

const utc = (s: string) => Date.parse(s);

describe('New York time', () => {
  it('converts wall times across DST boundaries', () => {
    expect(nyTime('2026-03-06', '09:30')).toBe(utc('2026-03-06T14:30:00Z')); // EST
    expect(nyTime('2026-03-09', '09:30')).toBe(utc('2026-03-09T13:30:00Z')); // EDT (DST began Sun 2026-03-08)
    expect(nyTime('2026-10-30', '16:00')).toBe(utc('2026-10-30T20:00:00Z')); // EDT
    expect(nyTime('2026-11-02', '16:00')).toBe(utc('2026-11-02T21:00:00Z')); // EST (DST ended Sun 2026-11-01)
    expect(nyOffsetMs(utc('2026-07-01T12:00:00Z'))).toBe(-4 * 3600_000);
    expect(nyOffsetMs(utc('2026-12-01T12:00:00Z'))).toBe(-5 * 3600_000);
  });

  it('gives the New York date', () => {
    expect(nyDate(utc('2026-11-21T03:00:00Z'))).toBe('2026-11-20');
    expect(nyDate(utc('2026-11-21T05:00:00Z'))).toBe('2026-11-21');
  });
});

describe('NYSE holidays', () => {
  it('lists the 2026 holidays', () => {
    expect([...nyseHolidays(2026).keys()].sort()).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('lists the 13:00 closes of a year, skipping candidates that are holidays or weekends', () => {
    expect(nyseEarlyCloses(2026)).toEqual(['2026-11-27', '2026-12-24']); // July 3 is the observed Independence Day
    expect(nyseEarlyCloses(2025)).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
    expect(nyseEarlyCloses(2027)).toEqual(['2027-11-26']); // Dec 24 is the observed Christmas, July 3 a Saturday
  });

  it('computes Easter and Good Friday', () => {
    expect(easter(2026)).toBe('2026-04-05');
    expect(easter(2027)).toBe('2027-03-28');
    expect(easter(2025)).toBe('2025-04-20');
    expect(isTradingDay('2026-04-03')).toBe(false);
    expect(isHoliday('2027-03-26')).toBe(true);
  });

  it('applies observed rules', () => {
    expect(isHoliday('2021-12-31')).toBe(false); // New Year 2022 on a Saturday is not observed
    expect(isHoliday('2023-01-02')).toBe(true); // Sunday -> Monday
    expect(isHoliday('2027-06-18')).toBe(true); // Juneteenth Saturday -> Friday
    expect(isHoliday('2027-07-05')).toBe(true); // July 4th Sunday -> Monday
    expect(isHoliday('2027-12-24')).toBe(true); // Christmas Saturday -> Friday
    expect(isTradingDay('2026-11-28')).toBe(false); // Saturday
  });

  it('knows the 13:00 early closes', () => {
    expect(isEarlyClose('2026-11-27')).toBe(true);
    expect(isEarlyClose('2026-12-24')).toBe(true);
    expect(isEarlyClose('2025-07-03')).toBe(true);
    expect(isEarlyClose('2026-07-02')).toBe(false); // July 3rd 2026 is the observed holiday
    expect(isEarlyClose('2027-12-23')).toBe(false);
    expect(isEarlyClose('2026-11-25')).toBe(false);
  });
});

describe('sessionAt', () => {
  it('is closed on Thanksgiving and points at the early-close Friday', () => {
    const s = sessionAt(utc('2026-11-26T17:00:00Z'));
    expect(s.state).toBe('Closed');
    expect(s.tradingDate).toBe('2026-11-27');
    expect(s.openAt).toBe(utc('2026-11-27T14:30:00Z'));
    expect(s.closeAt).toBe(utc('2026-11-27T18:00:00Z')); // 13:00 ET
    expect(s.nextOpenAt).toBe(s.openAt);
  });

  it('closes at 13:00 ET on the day after Thanksgiving', () => {
    expect(sessionAt(utc('2026-11-27T17:59:00Z')).state).toBe('Open');
    expect(sessionAt(utc('2026-11-27T18:00:00Z')).state).toBe('Extended');
  });

  it('reports pre-market, open, extended and closed on a normal day', () => {
    expect(sessionAt(utc('2026-11-20T08:59:00Z'))).toMatchObject({ state: 'Closed', tradingDate: '2026-11-20' }); // 03:59 ET
    expect(sessionAt(utc('2026-11-20T09:00:00Z')).state).toBe('Pre-market'); // 04:00 ET
    expect(sessionAt(utc('2026-11-20T14:29:59Z')).state).toBe('Pre-market');
    const open = sessionAt(utc('2026-11-20T14:30:00Z'));
    expect(open.state).toBe('Open');
    expect(open.startAt).toBe(utc('2026-11-20T09:00:00Z'));
    expect(open.closeAtExt).toBe(utc('2026-11-21T01:00:00Z'));
    expect(open.nextOpenAt).toBe(utc('2026-11-23T14:30:00Z')); // Monday
    expect(sessionAt(utc('2026-11-20T21:00:00Z')).state).toBe('Extended'); // 16:00 ET
    const night = sessionAt(utc('2026-11-21T01:00:00Z')); // 20:00 ET Friday
    expect(night).toMatchObject({ state: 'Closed', tradingDate: '2026-11-23' });
  });

  it('uses EDT hours right after the spring DST change', () => {
    const s = sessionAt(utc('2026-03-09T13:45:00Z'));
    expect(s.state).toBe('Open');
    expect(s.openAt).toBe(utc('2026-03-09T13:30:00Z'));
    expect(s.closeAt).toBe(utc('2026-03-09T20:00:00Z'));
    expect(sessionAt(utc('2026-03-06T14:00:00Z')).state).toBe('Pre-market'); // 09:00 EST the Friday before
  });

  it('skips Good Friday and the weekend', () => {
    const s = sessionAt(utc('2026-04-03T15:00:00Z'));
    expect(s).toMatchObject({ state: 'Closed', tradingDate: '2026-04-06' });
  });
});

describe('RegularTime', () => {
  it('counts only regular-session time (plus the open gap)', () => {
    const rt = new RegularTime(utc('2026-11-20T12:00:00Z'), 0);
    const fri = rt.at(utc('2026-11-20T21:00:00Z'));
    expect(fri - rt.at(utc('2026-11-20T14:30:00Z'))).toBe(6.5 * 3600_000);
    expect(rt.at(utc('2026-11-23T14:30:00Z'))).toBe(fri); // weekend adds nothing
    expect(rt.at(utc('2026-11-27T20:00:00Z')) - rt.at(utc('2026-11-27T14:30:00Z'))).toBe(3.5 * 3600_000); // early close
    expect(rt.at(utc('2026-11-19T21:00:00Z'))).toBe(0);
    expect(rt.at(utc('2026-11-19T14:30:00Z'))).toBe(-6.5 * 3600_000);
  });
});
