// Legwork's one date module: day numbers, calendar days between dates, and New York's date of an instant across
// daylight-saving changes, year ends and leap days.
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateOfDay,
  dayNumber,
  daysBetween,
  isCalendarDate,
  nyDate,
  nyInstant,
} from '../../../src/domain/dates.js';

const at = (iso: string) => Date.parse(iso);

describe('calendar dates', () => {
  it('numbers days from 1970-01-01 and back', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2026-03-09')).toBe(20521);
    expect(dateOfDay(20521)).toBe('2026-03-09');
    expect(dayNumber('2026-3-9')).toBeNaN();
    expect(() => dateOfDay(Number.NaN)).toThrow(RangeError);
  });

  it('counts whole calendar days, across month and year ends, leap days and daylight-saving changes', () => {
    expect(daysBetween('2026-11-17', '2026-12-18')).toBe(31);
    expect(daysBetween('2026-11-17', '2026-11-17')).toBe(0);
    expect(daysBetween('2026-12-18', '2026-11-17')).toBe(-31);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2027-12-17', '2028-03-17')).toBe(91); // 2028 is a leap year
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2); // New York springs forward on 2026-03-08
    expect(daysBetween('2026-10-31', '2026-11-02')).toBe(2); // and falls back on 2026-11-01
    expect(daysBetween('2026-01-01', 'soon')).toBeNaN();
  });

  it('adds days and knows which dates exist', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
  });
});

describe("New York's date of an instant", () => {
  it('turns at New York midnight: 05:00 UTC in winter, 04:00 UTC in summer', () => {
    expect(nyDate(at('2026-01-15T04:59:59.999Z'))).toBe('2026-01-14');
    expect(nyDate(at('2026-01-15T05:00:00Z'))).toBe('2026-01-15');
    expect(nyDate(at('2026-07-15T03:59:59.999Z'))).toBe('2026-07-14');
    expect(nyDate(at('2026-07-15T04:00:00Z'))).toBe('2026-07-15');
  });

  it('is right on both sides of the daylight-saving changes', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT → 01:00 EST (06:00 UTC)
    expect(nyDate(at('2026-03-08T06:59:59Z'))).toBe('2026-03-08');
    expect(nyDate(at('2026-03-08T07:00:00Z'))).toBe('2026-03-08');
    expect(nyDate(at('2026-03-09T03:59:59Z'))).toBe('2026-03-08');
    expect(nyDate(at('2026-03-09T04:00:00Z'))).toBe('2026-03-09');
    expect(nyDate(at('2026-11-01T04:59:59Z'))).toBe('2026-11-01');
    expect(nyDate(at('2026-11-02T04:59:59Z'))).toBe('2026-11-01');
    expect(nyDate(at('2026-11-02T05:00:00Z'))).toBe('2026-11-02');
  });

  it('crosses year ends and leap days in New York, not in UTC', () => {
    expect(nyDate(at('2027-01-01T04:59:59Z'))).toBe('2026-12-31');
    expect(nyDate(at('2027-01-01T05:00:00Z'))).toBe('2027-01-01');
    expect(nyDate(at('2028-03-01T03:00:00Z'))).toBe('2028-02-29');
  });
});

describe('nyInstant', () => {
  it('New York wall time to the instant, in winter (EST) and summer (EDT)', () => {
    expect(new Date(nyInstant('2027-01-15', '16:00')).toISOString()).toBe('2027-01-15T21:00:00.000Z');
    expect(new Date(nyInstant('2027-07-16', '16:00')).toISOString()).toBe('2027-07-16T20:00:00.000Z');
    expect(nyDate(nyInstant('2027-03-14', '09:30'))).toBe('2027-03-14'); // the day DST starts
  });
});
