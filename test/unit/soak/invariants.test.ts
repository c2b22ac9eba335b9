// Each soak invariant fires on a hand-made damaged state and stays quiet on a healthy one.
import { describe, expect, it } from 'vitest';
import { nyTime } from '@legwork/venue/calendar';
import {
  dayOrdersOvernight,
  exitsOnWrongDates,
  missingCloseSnapshots,
  orphanPositions,
  unattributedPositions,
  unresolvedExpirations,
  type SoakExit,
  type SoakTrade,
} from '../../../soak/invariants.js';

const PUT = 'IWM   270115P00200000';
const trade = (over: Partial<SoakTrade> = {}): SoakTrade => ({
  id: 't1',
  status: 'open',
  ruleSet: 'r',
  expiration: '2027-01-15',
  symbols: [PUT],
  ...over,
});

describe('orphan-position', () => {
  it('a venue position a live trade owns is fine; the same after the trade closed is an orphan; shares too', () => {
    expect(orphanPositions([{ symbol: PUT, quantity: -1 }], [trade()])).toEqual([]);
    expect(
      orphanPositions([{ symbol: PUT, quantity: -1 }], [trade({ status: 'closed' })]).map((v) => v.invariant),
    ).toEqual(['orphan-position']);
    expect(orphanPositions([{ symbol: 'IWM', quantity: 100 }], [trade()])).toHaveLength(1);
    expect(orphanPositions([{ symbol: 'IWM', quantity: 100 }], [trade({ symbols: [PUT, 'IWM'] })])).toEqual([]);
    expect(orphanPositions([{ symbol: 'IWM', quantity: 0 }], [])).toEqual([]);
  });
});

describe('expiration-unresolved', () => {
  it("an open trade after its expiration's close fires; before the close it does not; a closed one never", () => {
    expect(unresolvedExpirations([trade()], nyTime('2027-01-15', '15:59'))).toEqual([]);
    expect(unresolvedExpirations([trade()], nyTime('2027-01-15', '16:01')).map((v) => v.detail)).toEqual([
      'trade t1 (r) is open after its expiration 2027-01-15',
    ]);
    expect(unresolvedExpirations([trade({ status: 'broken' })], nyTime('2027-01-19', '10:00'))).toHaveLength(1);
    expect(unresolvedExpirations([trade({ status: 'closed' })], nyTime('2027-01-19', '10:00'))).toEqual([]);
  });
  it('an early close ends the expiration day at 13:00 (2026-11-27)', () => {
    expect(unresolvedExpirations([trade({ expiration: '2026-11-27' })], nyTime('2026-11-27', '13:01'))).toHaveLength(1);
  });
});

describe('day-order-overnight', () => {
  it('names what still worked after the close, at the venue and in Postgres', () => {
    expect(dayOrdersOvernight([{ tradingDate: '2027-01-12', venueWorking: [], storeWorking: [] }])).toEqual([]);
    expect(
      dayOrdersOvernight([{ tradingDate: '2027-01-12', venueWorking: ['17 Live'], storeWorking: ['abc working'] }]).map(
        (v) => v.detail,
      ),
    ).toEqual([
      '2027-01-12: venue order 17 Live still working after the close',
      '2027-01-12: Legwork order abc working still working after the close',
    ]);
  });
});

describe('exit-wrong-date', () => {
  const exit = (over: Partial<SoakExit>): SoakExit => ({
    groupId: 'g',
    tradeId: 't',
    reason: 'take_profit',
    expiration: '2027-02-19',
    sentAt: nyTime('2027-01-12', '11:00'),
    enteredAt: nyTime('2027-01-11', '10:00'),
    closeAtDte: 21,
    timeStopDays: 3,
    ...over,
  });
  it('a take-profit in session is fine; the same at night is not', () => {
    expect(exitsOnWrongDates([exit({})])).toEqual([]);
    expect(exitsOnWrongDates([exit({ sentAt: nyTime('2027-01-12', '20:00') })]).map((v) => v.invariant)).toEqual([
      'exit-wrong-date',
    ]);
  });
  it('close-at-DTE: 21 days left fires correctly, 38 days left is a wrong date', () => {
    expect(exitsOnWrongDates([exit({ reason: 'close_at_dte', sentAt: nyTime('2027-01-29', '10:00') })])).toEqual([]);
    expect(exitsOnWrongDates([exit({ reason: 'close_at_dte', sentAt: nyTime('2027-01-12', '10:00') })])).toHaveLength(
      1,
    );
  });
  it('time stop: 3 days held is right, 1 day is early', () => {
    expect(exitsOnWrongDates([exit({ reason: 'time_stop', sentAt: nyTime('2027-01-14', '10:30') })])).toEqual([]);
    expect(exitsOnWrongDates([exit({ reason: 'time_stop', sentAt: nyTime('2027-01-12', '10:30') })])).toHaveLength(1);
  });
  it('after the expiration only settled leftovers (assigned shares) may be closed', () => {
    const after = { expiration: '2027-01-15', sentAt: nyTime('2027-01-19', '09:35') };
    expect(exitsOnWrongDates([exit({ ...after, reason: 'assignment' })])).toEqual([]);
    expect(exitsOnWrongDates([exit({ ...after, reason: 'take_profit' })]).map((v) => v.detail)).toEqual([
      'exit g (take_profit) of trade t sent 2027-01-19T14:35:00.000Z: sent after its options expired (2027-01-15)',
    ]);
  });
  it('pin risk: on the expiration day before the last hour only', () => {
    const pin = { reason: 'expiration_day', expiration: '2027-01-15' };
    expect(exitsOnWrongDates([exit({ ...pin, sentAt: nyTime('2027-01-15', '10:00') })])).toEqual([]);
    expect(exitsOnWrongDates([exit({ ...pin, sentAt: nyTime('2027-01-15', '15:10') })])).toHaveLength(1);
    expect(exitsOnWrongDates([exit({ ...pin, sentAt: nyTime('2027-01-14', '10:00') })])).toHaveLength(1);
  });
});

describe('missingCloseSnapshots', () => {
  it('one close snapshot per closed session; none or two is a violation; the last is checked once settled', () => {
    const days = ['2027-01-11', '2027-01-12', '2027-01-13'];
    expect(missingCloseSnapshots(days, days, true)).toEqual([]);
    expect(missingCloseSnapshots(days, ['2027-01-11', '2027-01-12'], false)).toEqual([]);
    expect(missingCloseSnapshots(days, ['2027-01-11', '2027-01-12'], true).map((v) => v.detail)).toEqual([
      '2027-01-13: 0 close snapshots of the account (want 1)',
    ]);
    expect(missingCloseSnapshots(days, ['2027-01-11', '2027-01-11', '2027-01-12'], false)).toHaveLength(1);
  });
});

describe('unattributedPositions', () => {
  it('a foreign position in a soak is one Legwork lost track of', () => {
    expect(unattributedPositions([])).toEqual([]);
    expect(unattributedPositions([{ symbol: PUT, quantity: -1 }])).toEqual([
      {
        invariant: 'position-unattributed',
        detail: `-1 ${PUT} held at the venue but attributed to no trade by the portfolio sync`,
      },
    ]);
  });
});
