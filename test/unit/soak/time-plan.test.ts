// The soak's clock steps: inside a session, at the close, over a weekend and a holiday, and the default start date.
import { describe, expect, it } from 'vitest';
import { addDays, nyTime, sessionAt, weekday } from '@legwork/venue/calendar';
import {
  AFTER_CLOSE_MS,
  AFTER_OPEN_MS,
  BUSY_STEP_MS,
  IDLE_STEP_MS,
  mondayOfExpirationWeek,
  nextStep,
} from '../../../soak/time-plan.js';

const step = (at: number, busy = false) => nextStep(at, sessionAt(at), busy);

describe('soak time plan', () => {
  it('steps small while busy and larger while idle inside a session', () => {
    const at = nyTime('2027-01-12', '11:00');
    expect(step(at, true)).toEqual({ kind: 'trade', ms: BUSY_STEP_MS });
    expect(step(at, false)).toEqual({ kind: 'trade', ms: IDLE_STEP_MS });
  });

  it('stops one minute after the close, also on an early-close day (13:00 the day after Thanksgiving)', () => {
    const at = nyTime('2027-01-12', '15:59:30');
    expect(step(at)).toEqual({
      kind: 'close',
      ms: nyTime('2027-01-12', '16:00') + AFTER_CLOSE_MS - at,
      tradingDate: '2027-01-12',
    });
    const early = nyTime('2026-11-27', '12:59:30');
    expect(step(early)).toEqual({
      kind: 'close',
      ms: nyTime('2026-11-27', '13:00') + AFTER_CLOSE_MS - early,
      tradingDate: '2026-11-27',
    });
  });

  it("jumps from Friday's close over the weekend and a Monday holiday (MLK day 2027-01-18) to Tuesday's open", () => {
    const at = nyTime('2027-01-15', '16:01');
    const s = step(at);
    expect(s).toEqual({ kind: 'open', ms: nyTime('2027-01-19', '09:30') + AFTER_OPEN_MS - at });
  });

  it("a start before the open goes to that morning's open", () => {
    const at = nyTime('2027-01-11', '08:00');
    expect(step(at)).toEqual({ kind: 'open', ms: nyTime('2027-01-11', '09:30') + AFTER_OPEN_MS - at });
  });

  it('the default start is the Monday of a monthly-expiration week', () => {
    expect(mondayOfExpirationWeek('2027-01-01', weekday, addDays)).toBe('2027-01-11');
    expect(mondayOfExpirationWeek('2027-01-12', weekday, addDays)).toBe('2027-02-15');
  });
});
