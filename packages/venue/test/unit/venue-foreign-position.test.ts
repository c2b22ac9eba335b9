// Owns the unit tests of positions booked straight into an account (a trade made outside the API): the ledger, the
// netting with what is held, the pushes a fill would make, and the refusals.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, cents, setup, strikesNear } from './venue-support.js';

const positionOf = (venue: ReturnType<typeof setup>['venue'], symbol: string) =>
  venue.positionsWire(ACCOUNT).find((p) => p['symbol'] === symbol);
const cashOf = (venue: ReturnType<typeof setup>['venue']) => cents(venue.balancesWire(ACCOUNT)!['cash-balance']);

describe('a foreign position', () => {
  it('books shares at the mark: cash pays for them, net liq stays, and CurrentPosition then AccountBalance are pushed', () => {
    const { venue, market, events } = setup();
    const cash = cashOf(venue);
    const netLiq = cents(venue.balancesWire(ACCOUNT)!['net-liquidating-value']);
    const mark = Math.round(market.quote('AAPL')!.mid * 100);
    const r = venue.openPosition({ symbol: 'AAPL', quantity: 50 });
    expect(r.ok && r.value).toMatchObject({
      symbol: 'AAPL',
      'instrument-type': 'Equity',
      quantity: 50,
      'quantity-direction': 'Long',
    });
    expect(cents(r.ok && r.value['average-open-price'])).toBe(mark);
    expect(cashOf(venue)).toBe(cash - 50 * mark);
    expect(cents(venue.balancesWire(ACCOUNT)!['net-liquidating-value'])).toBe(netLiq);
    expect(positionOf(venue, 'AAPL')).toMatchObject({ quantity: 50, 'quantity-direction': 'Long' });
    expect(events.map((e) => e.event.type)).toEqual(['CurrentPosition', 'AccountBalance']);
    expect(events[0]!.event.data).toMatchObject({ symbol: 'AAPL', quantity: 50 });
    expect(cents(events[1]!.event.data['cash-balance'])).toBe(cash - 50 * mark);
    // nothing else: no order, no transaction
    expect(venue.liveOrders(ACCOUNT)).toEqual([]);
    expect(venue.transactions(ACCOUNT, {}).items).toEqual([]);
  });

  it('books a short option at a given price: the credit lands in cash, the position is short with its expiry', () => {
    const { venue, market } = setup();
    const [strike] = strikesNear(market, 'SPY', [market.spot('SPY') * 0.95]);
    const put = strike!.putSymbol;
    const cash = cashOf(venue);
    const r = venue.openPosition({ symbol: put, quantity: -2, priceCents: 325 });
    expect(r.ok).toBe(true);
    expect(cashOf(venue)).toBe(cash + 2 * 325 * 100);
    expect(positionOf(venue, put)).toMatchObject({
      'instrument-type': 'Equity Option',
      'underlying-symbol': 'SPY',
      quantity: 2,
      'quantity-direction': 'Short',
      multiplier: 100,
    });
    expect(cents(positionOf(venue, put)?.['average-open-price'])).toBe(325);
    expect(positionOf(venue, put)?.['expires-at']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('nets with what the account holds: adds, flips through zero, and closes', () => {
    const { venue, events } = setup();
    venue.openPosition({ symbol: 'SPY', quantity: 10, priceCents: 69_000 });
    venue.openPosition({ symbol: 'SPY', quantity: -25, priceCents: 69_100 });
    expect(positionOf(venue, 'SPY')).toMatchObject({ quantity: 15, 'quantity-direction': 'Short' });
    const r = venue.openPosition({ symbol: 'SPY', quantity: 15, priceCents: 69_050 });
    expect(r.ok && r.value).toMatchObject({ quantity: 0, 'quantity-direction': 'Zero' });
    expect(positionOf(venue, 'SPY')).toBeUndefined();
    const pushed = events.filter((e) => e.event.type === 'CurrentPosition').map((e) => e.event.data['quantity']);
    expect(pushed).toEqual([10, 15, 0]);
  });

  it('refuses an unknown symbol, an expired option, a zero quantity, an unknown account', () => {
    const { venue } = setup();
    expect(venue.openPosition({ symbol: 'NOPE', quantity: 1 })).toMatchObject({
      ok: false,
      httpStatus: 422,
      error: { code: 'instrument_not_found' },
    });
    expect(venue.openPosition({ symbol: 'SPY   261106P00600000', quantity: 1, priceCents: 100 })).toMatchObject({
      ok: false,
      httpStatus: 422,
      error: { code: 'option_expired' },
    });
    expect(venue.openPosition({ symbol: 'SPY', quantity: 0 })).toMatchObject({ ok: false, httpStatus: 400 });
    expect(venue.openPosition({ symbol: 'SPY', quantity: 1, accountNumber: '5WT99999' })).toMatchObject({
      ok: false,
      httpStatus: 404,
    });
    expect(venue.positionsWire(ACCOUNT)).toEqual([]);
  });
});
