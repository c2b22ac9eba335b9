// Rule-set cron schedules: `rules check` accepts exactly what BullMQ will run (cron-parser in New York time), refuses
// the rest with the reason, and the next fire times are New York wall times across daylight-saving changes.
import { getNextMillis } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { nyMinute } from '../../../src/domain/dates.js';
import { cronProblem, nextCronTimes, SCHEDULE_TIME_ZONE } from '../../../src/rules/schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('cron schedules', () => {
  const accepted = [
    '*/15 9-15 * * MON-FRI',
    '*/10 9-15 * * 1-5',
    '0 10 * * 1-5',
    '35 9 * JAN-DEC *',
    '*/30 * * * * *',
    '0 9 * * MON#2',
    '0 16 L * *',
    '0 12 ? * WED',
    '@daily',
    ' 0 10 * * MON ',
  ];
  it.each(accepted)('accepts %j and fires when BullMQ would', (pattern) => {
    expect(cronProblem(pattern)).toBeNull();
    for (const from of [at('2026-03-06T20:00:00Z'), at('2026-10-31T23:59:30Z'), at('2026-12-31T22:00:00Z')]) {
      expect(nextCronTimes(pattern, from, 1)[0]).toBe(getNextMillis(from, { pattern, tz: SCHEDULE_TIME_ZONE }));
    }
  });

  it.each([
    ['61 * * * *', 'cron "61 * * * *" is not valid: Constraint error, got value 61 expected range 0-59'],
    ['0 9 * * 8', 'cron "0 9 * * 8" is not valid: Constraint error, got value 8 expected range 0-7'],
    ['5-1 * * * *', 'cron "5-1 * * * *" is not valid: Invalid range: 5-1, min(5) > max(1)'],
    ['*/0 * * * *', 'cron "*/0 * * * *" is not valid: Constraint error, cannot repeat at every 0 time.'],
    ['0 0 30 2 *', 'cron "0 0 30 2 *" is not valid: Invalid explicit day of month definition'],
    ['@reboot', 'cron "@reboot" is not valid: Validation error, cannot resolve alias "reb"'],
    ['0 9 * *', 'cron needs 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got 4'],
    [
      '0 0 9 * * * 2027',
      'cron needs 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got 7',
    ],
    ['  ', 'cron is empty'],
    ['H 9 * * MON-FRI', 'cron: H (a hashed value) is random at every parse; write the value'],
    ['*/5 * * * * *', 'cron "*/5 * * * * *" fires 5 s apart; at least 10 s between scans'],
    ['0,55 * * * * *', 'cron "0,55 * * * * *" fires 5 s apart; at least 10 s between scans'],
  ])('refuses %j: %s', (pattern, problem) => {
    expect(cronProblem(pattern)).toBe(problem);
  });

  it('gives the next fire times as New York wall times, across the spring and autumn changes', () => {
    const spring = nextCronTimes('30 9 * * *', at('2026-03-06T20:00:00Z'));
    expect(spring.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-07T14:30:00.000Z',
      '2026-03-08T13:30:00.000Z',
      '2026-03-09T13:30:00.000Z',
    ]);
    expect(spring.map(nyMinute)).toEqual([
      'Sat 2026-03-07 09:30 EST',
      'Sun 2026-03-08 09:30 EDT',
      'Mon 2026-03-09 09:30 EDT',
    ]);
    const autumn = nextCronTimes('0 16 * * MON-FRI', at('2026-10-30T12:00:00Z'));
    expect(autumn.map(nyMinute)).toEqual([
      'Fri 2026-10-30 16:00 EDT',
      'Mon 2026-11-02 16:00 EST',
      'Tue 2026-11-03 16:00 EST',
    ]);
    expect(new Date(autumn[1]!).toISOString()).toBe('2026-11-02T21:00:00.000Z');
  });

  it('counts from New York across a year end', () => {
    expect(nextCronTimes('0 0 1 1 *', at('2026-12-31T12:00:00Z'), 2).map(nyMinute)).toEqual([
      'Fri 2027-01-01 00:00 EST',
      'Sat 2028-01-01 00:00 EST',
    ]);
  });
});
