// The venue settles options: after the expiration day's close on a replayed clock (early closes too), on request in
// `open` mode, and by early assignment (named or by probability); ledger, Receive Deliver rows, pushes and orders.
import { describe, expect, it } from 'vitest';
import { nyTime } from '../../src/calendar.js';
import type { JsonObject, MarketModel, Venue } from '../../src/types.js';
import {
  ACCOUNT,
  cents,
  dollars,
  leg,
  limit,
  naturalCents,
  orderOf,
  placeOk,
  setup,
  type Action,
} from './venue-support.js';

type Setup = ReturnType<typeof setup>;

/** The strike of an expiration nearest to `target`. */
function strikeNear(market: MarketModel, expirationDate: string, target: number) {
  const exp = market.chain('SPY')!.expirations.find((e) => e.expirationDate === expirationDate);
  if (!exp) throw new Error(`no SPY expiration ${expirationDate}`);
  return exp.strikes.reduce((a, b) => (Math.abs(b.strike - target) < Math.abs(a.strike - target) ? b : a));
}

/** Opens one option position at its natural price and fills it. */
function open(s: Setup, symbol: string, action: Action, quantity = 1): void {
  const legs = [leg(symbol, action, quantity)];
  const natural = naturalCents(s.market, legs);
  const o = placeOk(s.venue, limit(legs, dollars(Math.abs(natural)), natural >= 0 ? 'Credit' : 'Debit'));
  s.venue.tick();
  expect(orderOf(s.venue, o['id'])['status']).toBe('Filled');
}

/** Moves the frozen clock to a New York time (forward only). */
function at(s: Setup, date: string, time: string): void {
  s.clock.advance(nyTime(date, time) - s.clock.now());
}

const positionsBySymbol = (venue: Venue) =>
  new Map(venue.positionsWire(ACCOUNT).map((p) => [p['symbol'] as string, p]));
const receiveDelivers = (venue: Venue) =>
  (venue.transactions(ACCOUNT, { perPage: 100, sort: 'Asc' }).items as JsonObject[]).filter(
    (t) => t['transaction-type'] === 'Receive Deliver',
  );

describe('expiration after the close (replayed clock)', () => {
  it('assigns a short put in the money into 100 shares at the strike and expires a long call out of the money', () => {
    const s = setup(); // Tuesday 2026-11-17 10:00 New York
    const spot = s.market.spot('SPY');
    const put = strikeNear(s.market, '2026-11-20', spot + 5);
    const call = strikeNear(s.market, '2026-11-20', spot + 10);
    open(s, put.putSymbol, 'Sell to Open');
    open(s, call.callSymbol, 'Buy to Open');
    at(s, '2026-11-19', '16:30');
    s.venue.tick();
    expect(positionsBySymbol(s.venue).size).toBe(2); // Thursday's close settles nothing expiring Friday

    // Just after Friday's close: market time stands still, so a move now sets the closing price
    at(s, '2026-11-20', '16:00:30');
    const closePrice = put.strike - 2.37;
    s.market.setMarket('SPY', { spot: closePrice });
    const cashBefore = cents(s.venue.balancesWire(ACCOUNT)!['cash-balance']);
    s.events.length = 0;
    s.venue.tick();

    const positions = positionsBySymbol(s.venue);
    expect([...positions.keys()]).toEqual(['SPY']);
    expect(positions.get('SPY')).toMatchObject({
      quantity: 100,
      'quantity-direction': 'Long',
      'instrument-type': 'Equity',
    });
    // Cash moves at the strike, plus the $5/contract assignment fee (as recorded)
    expect(cents(s.venue.balancesWire(ACCOUNT)!['cash-balance'])).toBe(
      cashBefore - Math.round(put.strike * 100) * 100 - 500,
    );

    const rows = receiveDelivers(s.venue);
    expect(rows.map((t) => [t['symbol'], t['transaction-sub-type'], t['quantity']])).toEqual([
      [put.putSymbol, 'Assignment', '1.0'],
      ['SPY', 'Buy to Open', '100.0'],
      [call.callSymbol, 'Expiration', '1.0'],
    ]);
    expect(rows[0]).toMatchObject({
      description: 'Removal of option due to assignment',
      value: '0.0',
      'value-effect': 'None',
      'executed-at': '2026-11-20T21:00:00.000+00:00',
      'transaction-date': '2026-11-20',
      'underlying-symbol': 'SPY',
      'instrument-type': 'Equity Option',
    });
    expect(rows[0]).not.toHaveProperty('action');
    expect(rows[1]).toMatchObject({
      action: 'Buy to Open',
      'value-effect': 'Debit',
      'clearing-fees': '5.0',
      'net-value-effect': 'Debit',
      description: `Buy to Open 100 SPY @ ${put.strike.toFixed(2)}`,
      'instrument-type': 'Equity',
    });
    expect(cents(rows[1]!['price'])).toBe(Math.round(put.strike * 100));
    expect(cents(rows[1]!['value'])).toBe(Math.round(put.strike * 100) * 100);
    expect(cents(rows[1]!['net-value'])).toBe(Math.round(put.strike * 100) * 100 + 500);
    expect(rows[2]).toMatchObject({
      description: 'Removal of option due to expiration',
      'transaction-type': 'Receive Deliver',
    });

    // The account streamer's view: both options to zero, the new shares, then the balance
    const pushed = s.events.map((e) => [
      e.event.type,
      e.event.data['symbol'] ?? null,
      e.event.data['quantity'] ?? null,
    ]);
    expect(pushed).toEqual([
      ['CurrentPosition', put.putSymbol, 0],
      ['CurrentPosition', 'SPY', 100],
      ['CurrentPosition', call.callSymbol, 0],
      ['AccountBalance', null, null],
    ]);

    s.venue.tick();
    expect(receiveDelivers(s.venue)).toHaveLength(3); // settled once
  });

  it('exercises a long call and assigns a short call in the money (shares bought, then delivered)', () => {
    const s = setup();
    const spot = s.market.spot('SPY');
    const low = strikeNear(s.market, '2026-11-20', spot - 10);
    const high = strikeNear(s.market, '2026-11-20', spot - 5);
    open(s, low.callSymbol, 'Buy to Open', 2);
    open(s, high.callSymbol, 'Sell to Open', 2);
    at(s, '2026-11-20', '17:00');
    s.market.setMarket('SPY', { spot: high.strike + 1 });
    s.venue.tick();
    // Bought 200 at the low strike, sold 200 at the high one: flat, the spread's width in cash
    expect(positionsBySymbol(s.venue).size).toBe(0);
    expect(receiveDelivers(s.venue).map((t) => [t['transaction-sub-type'], t['symbol'], t['quantity']])).toEqual([
      ['Exercise', low.callSymbol, '2.0'],
      ['Buy to Open', 'SPY', '200.0'],
      ['Assignment', high.callSymbol, '2.0'],
      ['Sell to Close', 'SPY', '200.0'],
    ]);
  });

  it('expires working orders on the expired options at the settlement (a GTC order too)', () => {
    const s = setup();
    const spot = s.market.spot('SPY');
    const far = strikeNear(s.market, '2026-11-20', spot - 30);
    const gtc = placeOk(
      s.venue,
      limit([leg(far.putSymbol, 'Buy to Open')], '0.01', 'Debit', { 'time-in-force': 'GTC' }),
    );
    s.venue.tick();
    expect(orderOf(s.venue, gtc['id'])['status']).toBe('Live');
    at(s, '2026-11-19', '16:30');
    s.venue.tick();
    expect(orderOf(s.venue, gtc['id'])['status']).toBe('Live');
    at(s, '2026-11-20', '16:00:01');
    s.venue.tick();
    expect(orderOf(s.venue, gtc['id'])['status']).toBe('Expired');
  });

  it('settles at 13:00 on an early-close expiration day (the Friday after Thanksgiving)', () => {
    const s = setup({ startAt: nyTime('2026-11-23', '10:00') }); // Monday
    const spot = s.market.spot('SPY');
    const put = strikeNear(s.market, '2026-11-27', spot - 20);
    open(s, put.putSymbol, 'Sell to Open');
    at(s, '2026-11-27', '12:59');
    s.venue.tick();
    expect(positionsBySymbol(s.venue).has(put.putSymbol)).toBe(true);
    at(s, '2026-11-27', '13:00:10');
    s.market.setMarket('SPY', { spot: put.strike + 15 }); // far out of the money at the close
    s.venue.tick();
    expect(positionsBySymbol(s.venue).size).toBe(0);
    expect(receiveDelivers(s.venue)).toMatchObject([
      { symbol: put.putSymbol, 'transaction-sub-type': 'Expiration', 'executed-at': '2026-11-27T18:00:00.000+00:00' },
    ]);
  });
});

describe('expiration in open mode', () => {
  it('never settles by itself; expireOptions settles today’s expirations at the current spot', () => {
    const wallOpen = setup({ open: true });
    const spot = wallOpen.market.spot('SPY');
    const exp = wallOpen.market.chain('SPY')!.expirations[0]!;
    const put = exp.strikes.reduce((a, b) =>
      Math.abs(b.strike - (spot + 5)) < Math.abs(a.strike - (spot + 5)) ? b : a,
    );
    open(wallOpen, put.putSymbol, 'Sell to Open');
    wallOpen.clock.advance(nyTime(exp.expirationDate, '17:00') - wallOpen.clock.now() + 3_600_000);
    wallOpen.venue.tick();
    expect(positionsBySymbol(wallOpen.venue).has(put.putSymbol)).toBe(true);
    wallOpen.market.setMarket('SPY', { spot: put.strike - 1 });
    const settled = wallOpen.venue.expireOptions();
    expect(settled).toEqual([
      expect.objectContaining({
        symbol: put.putSymbol,
        quantity: -1,
        outcome: 'Assignment',
        shares: 100,
        strike: put.strike,
      }),
    ]);
    expect(positionsBySymbol(wallOpen.venue).get('SPY')).toMatchObject({ quantity: 100 });
    expect(wallOpen.venue.expireOptions()).toEqual([]);
  });
});

describe('early assignment', () => {
  it('assigns part of a named short position at once, whatever the clock; refuses unknown positions and excess quantities', () => {
    const s = setup();
    const spot = s.market.spot('SPY');
    const put = strikeNear(s.market, '2026-12-18', spot + 5);
    open(s, put.putSymbol, 'Sell to Open', 3);
    const assigned = s.venue.assignOption({ symbol: put.putSymbol, quantity: 2 });
    expect(assigned).toMatchObject({ ok: true, value: { quantity: -2, outcome: 'Assignment', shares: 200 } });
    const positions = positionsBySymbol(s.venue);
    expect(positions.get(put.putSymbol)).toMatchObject({ quantity: 1, 'quantity-direction': 'Short' });
    expect(positions.get('SPY')).toMatchObject({ quantity: 200 });
    expect(s.venue.assignOption({ symbol: put.putSymbol, quantity: 2 })).toMatchObject({ ok: false, httpStatus: 422 });
    expect(s.venue.assignOption({ symbol: put.callSymbol })).toMatchObject({ ok: false, httpStatus: 404 });
    expect(s.venue.assignOption({ symbol: put.putSymbol, accountNumber: 'NOPE' })).toMatchObject({
      ok: false,
      httpStatus: 404,
    });
  });

  it('with probability 1 assigns every short in-the-money option at the next close, and no other position', () => {
    const s = setup();
    const spot = s.market.spot('SPY');
    const itm = strikeNear(s.market, '2026-12-18', spot + 15);
    const otm = strikeNear(s.market, '2026-12-18', spot - 30);
    open(s, itm.putSymbol, 'Sell to Open');
    open(s, otm.putSymbol, 'Sell to Open');
    open(s, itm.callSymbol, 'Buy to Open');
    s.venue.setAssignmentProbability(1);
    s.venue.tick();
    expect(positionsBySymbol(s.venue).size).toBe(3); // checked at a close, not during the session
    at(s, '2026-11-17', '16:00:05');
    s.market.setMarket('SPY', { spot: itm.strike - 5 });
    s.venue.tick();
    const positions = positionsBySymbol(s.venue);
    expect([...positions.keys()].sort()).toEqual([itm.callSymbol, otm.putSymbol, 'SPY'].sort());
    expect(receiveDelivers(s.venue).map((t) => t['transaction-sub-type'])).toEqual(['Assignment', 'Buy to Open']);
  });

  it('with probability 0 (the default) assigns nothing', () => {
    const s = setup();
    const put = strikeNear(s.market, '2026-12-18', s.market.spot('SPY') + 15);
    open(s, put.putSymbol, 'Sell to Open');
    at(s, '2026-11-18', '16:00:05');
    s.venue.tick();
    expect(positionsBySymbol(s.venue).has(put.putSymbol)).toBe(true);
  });
});
