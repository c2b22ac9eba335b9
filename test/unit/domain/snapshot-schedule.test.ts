// When the account is photographed: intraday points only in the regular session at their cadence, and one close per
// session, after its close (or late, before the next open, when the after-hours window passed unseen).
import { describe, expect, it } from 'vitest';
import type { MarketSessionInfo } from '../../../src/domain/account.js';
import { closeDue, intradayDue } from '../../../src/domain/snapshot-schedule.js';

const ny = (hhmm: string, date = '2026-11-17') => Date.parse(`${date}T${hhmm}:00-05:00`);
const session = (state: MarketSessionInfo['state'], date: string): MarketSessionInfo => ({
  state,
  openAt: ny('09:30', date),
  closeAt: ny('16:00', date),
  nextOpenAt: null,
});
const none = { lastCloseDate: undefined, lastPointDate: undefined };

describe('intradayDue', () => {
  it('is due in the regular session only, once per cadence, and again after the clock went back', () => {
    const open = session('Open', '2026-11-17');
    expect(intradayDue(open, ny('10:00'), undefined)).toBe('2026-11-17');
    expect(intradayDue(open, ny('10:04'), ny('10:00'))).toBeNull();
    expect(intradayDue(open, ny('10:05'), ny('10:00'))).toBe('2026-11-17');
    expect(intradayDue(open, ny('10:01'), ny('10:00'), 60_000)).toBe('2026-11-17');
    expect(intradayDue(open, ny('10:00'), ny('11:00'))).toBe('2026-11-17');
    for (const state of ['Pre-market', 'Extended', 'Closed'] as const)
      expect(intradayDue(session(state, '2026-11-17'), ny('17:00'), undefined)).toBeNull();
  });
});

describe('closeDue', () => {
  it('is due once the current session has closed, for its New York date, unless recorded', () => {
    const after = session('Extended', '2026-11-17');
    expect(closeDue(after, ny('15:59'), none)).toBeNull();
    expect(closeDue(after, ny('16:00'), none)).toEqual({ sessionDate: '2026-11-17', late: false });
    expect(closeDue(after, ny('19:00'), { lastCloseDate: '2026-11-17', lastPointDate: '2026-11-17' })).toBeNull();
    expect(closeDue(after, ny('19:00'), { lastCloseDate: '2026-11-16', lastPointDate: '2026-11-17' })).toEqual({
      sessionDate: '2026-11-17',
      late: false,
    });
  });

  it('takes a missed close late, from the last point’s session, at night or before the next open, not once it opened', () => {
    const recorded = { lastCloseDate: '2026-11-16', lastPointDate: '2026-11-17' };
    const night = session('Closed', '2026-11-18');
    expect(closeDue(night, ny('22:00'), recorded)).toEqual({ sessionDate: '2026-11-17', late: true });
    const premarket = session('Pre-market', '2026-11-18');
    expect(closeDue(premarket, ny('08:00', '2026-11-18'), recorded)).toEqual({ sessionDate: '2026-11-17', late: true });
    // The next session already opened with no close recorded: the close is the session's last intraday point
    expect(closeDue(session('Open', '2026-11-18'), ny('10:00', '2026-11-18'), recorded)).toEqual({
      sessionDate: '2026-11-17',
      late: true,
      fromLastPoint: true,
    });
    expect(
      closeDue(session('Open', '2026-11-18'), ny('10:00', '2026-11-18'), { ...recorded, lastCloseDate: '2026-11-17' }),
    ).toBeNull();
    expect(
      closeDue(session('Open', '2026-11-18'), ny('10:05', '2026-11-18'), {
        lastCloseDate: '2026-11-17',
        lastPointDate: '2026-11-18',
      }),
    ).toBeNull();
    // Nothing seen of any session: no close to take
    expect(closeDue(night, ny('22:00'), none)).toBeNull();
    // The point's session is the coming one (a point taken earlier today, before the open: cannot happen, yet safe)
    expect(closeDue(premarket, ny('08:00', '2026-11-18'), { ...recorded, lastPointDate: '2026-11-18' })).toBeNull();
  });
});
