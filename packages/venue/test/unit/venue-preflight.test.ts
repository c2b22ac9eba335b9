import { describe, expect, it } from 'vitest';
import type { VenueResult, JsonObject } from '../../src/types.js';
import {
  ACCOUNT,
  ironCondor,
  leg,
  limit,
  naturalCents,
  placeOk,
  setup,
  strikesNear,
  dollars,
} from './venue-support.js';

function errorOf(r: VenueResult<JsonObject>) {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value).slice(0, 200)}`);
  return r;
}
const codes = (r: VenueResult<JsonObject>) =>
  (errorOf(r).error.errors ?? []).map((e) => ('code' in e ? e.code : e.domain));

describe('venue request validation (400 validation_error)', () => {
  const { venue, market } = setup();
  const put = strikesNear(market, 'SPY', [600])[0]!.putSymbol;
  const dry = (body: unknown) => venue.placeOrder(ACCOUNT, body, { dryRun: true });

  it('reports missing fields with Grape wording', () => {
    const r = errorOf(dry({ 'order-type': 'Limit', price: '1.0', 'price-effect': 'Debit' }));
    expect(r.httpStatus).toBe(400);
    expect(r.error.code).toBe('validation_error');
    expect(r.error.message).toBe('Request validation failed');
    expect(r.error.errors).toEqual([
      { domain: 'time-in-force', reason: 'is missing' },
      { domain: 'legs', reason: 'is missing' },
    ]);
  });

  it('reports wrong types and unknown enum values', () => {
    const r = errorOf(
      dry({ 'time-in-force': 'Sometimes', 'order-type': 7, legs: [{ ...leg(put, 'Buy to Open'), quantity: true }] }),
    );
    expect(r.httpStatus).toBe(400);
    expect(r.error.errors).toEqual([
      { domain: 'time-in-force', reason: 'does not have a valid value' },
      { domain: 'order-type', reason: 'is invalid' },
      { domain: 'legs[0][quantity]', reason: 'is invalid' },
    ]);
  });

  it('treats explicit nulls as missing; ignores an unknown kebab-case leg key and names a misspelled or odd one', () => {
    const r = errorOf(
      dry(
        limit(
          [
            {
              'instrument-type': 'Equity Option',
              symbol: null,
              quantity: 1,
              action: 'Buy to Open',
              side: 'x',
              side_b: 'y',
            },
          ],
          '1.00',
          'Debit',
        ),
      ),
    );
    expect(r.error.errors).toEqual([
      { domain: 'legs[0][side_b]', reason: 'is not a known leg parameter' },
      { domain: 'legs[0][symbol]', reason: 'is missing' },
    ]);
    const snake = errorOf(
      dry(
        limit([{ instrument_type: 'Equity Option', symbol: put, quantity: 1, action: 'Buy to Open' }], '1.00', 'Debit'),
      ),
    );
    expect(snake.error.errors).toEqual([
      { domain: 'legs[0][instrument_type]', reason: 'is not a known leg parameter (did you mean "instrument-type"?)' },
    ]);
  });

  it('ignores unknown kebab-case keys, top-level and per leg, as Tastytrade does (a community client sends "behavior")', () => {
    const body = {
      ...limit([{ ...leg(put, 'Buy to Open'), 'remaining-quantity': 1, fills: [] }], '0.50', 'Debit'),
      behavior: 'immediate',
      'some-future-flag': { nested: true },
    };
    const r = dry(body);
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('rejects camelCase keys inside legs[] (the SDK does not convert arrays)', () => {
    const r = errorOf(
      dry(
        limit([{ instrumentType: 'Equity Option', symbol: put, quantity: 1, action: 'Buy to Open' }], '1.00', 'Debit'),
      ),
    );
    expect(r.httpStatus).toBe(400);
    expect(r.error.errors).toHaveLength(1);
    expect(r.error.errors?.[0]).toMatchObject({ domain: 'legs[0][instrumentType]' });
    expect((r.error.errors![0] as unknown as { reason: string }).reason).toContain('instrument-type');
  });

  it('accepts camelCase leg keys when strictLegKeys is false', () => {
    const lax = setup({ strictLegKeys: false });
    const sym = strikesNear(lax.market, 'SPY', [600])[0]!.putSymbol;
    const r = lax.venue.placeOrder(
      ACCOUNT,
      limit([{ instrumentType: 'Equity Option', symbol: sym, quantity: 1, action: 'Buy to Open' }], '0.50', 'Debit'),
      { dryRun: true },
    );
    expect(r.ok).toBe(true);
  });

  it('rejects other spellings of known top-level keys by name, and unknown keys that are not kebab-case', () => {
    const r = errorOf(
      dry({
        ...limit([leg(put, 'Buy to Open')], '1.00', 'Debit'),
        priceEffect: 'Debit',
        Color: 'blue',
        color: 'ignored',
      }),
    );
    expect(r.httpStatus).toBe(400);
    expect(r.error.errors).toEqual([
      { domain: 'priceEffect', reason: 'is not a known order parameter (did you mean "price-effect"?)' },
      { domain: 'Color', reason: 'is not a known order parameter' },
    ]);
  });

  it('names a camelCase or snake_case time-in-force once, not again as missing', () => {
    const { 'time-in-force': _tif, ...rest } = limit([leg(put, 'Buy to Open')], '1.00', 'Debit');
    expect(errorOf(dry({ ...rest, timeInForce: 'Day' })).error.errors).toEqual([
      { domain: 'timeInForce', reason: 'is not a known order parameter (did you mean "time-in-force"?)' },
    ]);
    expect(errorOf(dry({ ...rest, time_in_force: 'Day' })).error.errors).toEqual([
      { domain: 'time_in_force', reason: 'is not a known order parameter (did you mean "time-in-force"?)' },
    ]);
  });

  it('answers 403 not_permitted for an account the customer does not own', () => {
    const r = errorOf(
      venue.placeOrder('5WZ99999', limit([leg(put, 'Buy to Open')], '1.00', 'Debit'), { dryRun: true }),
    );
    expect(r.httpStatus).toBe(403);
    expect(r.error).toEqual({ code: 'not_permitted', message: 'User not permitted access' });
  });
});

describe('venue preflight (422 preflight_check_failure)', () => {
  const { venue, market } = setup();
  const ic = ironCondor(market);
  const [a, b, c, d, e] = strikesNear(market, 'SPY', [600, 610, 620, 630, 640]).map((s) => s.putSymbol);
  const dry = (body: unknown) => venue.placeOrder(ACCOUNT, body, { dryRun: true });

  const cases: [string, JsonObject, string][] = [
    [
      'more than 4 legs',
      limit(
        [a, b, c, d, e].map((s) => leg(s!, 'Buy to Open')),
        '5.00',
        'Debit',
      ),
      'too_many_legs',
    ],
    [
      'duplicate leg symbols',
      limit([leg(a!, 'Buy to Open'), leg(a!, 'Sell to Open')], '1.00', 'Debit'),
      'duplicate_legs',
    ],
    [
      'two equity legs',
      limit([leg('SPY', 'Buy to Open', 100, 'Equity'), leg('QQQ', 'Buy to Open', 100, 'Equity')], '1.00', 'Debit'),
      'invalid_leg_count',
    ],
    [
      'a Limit without price',
      { 'time-in-force': 'Day', 'order-type': 'Limit', 'price-effect': 'Debit', legs: [leg(a!, 'Buy to Open')] },
      'price_required',
    ],
    [
      'a Limit without price-effect',
      { 'time-in-force': 'Day', 'order-type': 'Limit', price: '1.00', legs: [leg(a!, 'Buy to Open')] },
      'price_effect_required',
    ],
    [
      'a Market order with a price',
      {
        'time-in-force': 'Day',
        'order-type': 'Market',
        price: '1.00',
        'price-effect': 'Debit',
        legs: [leg(a!, 'Buy to Open')],
      },
      'price_not_allowed',
    ],
    [
      'a 2-leg Market order',
      { 'time-in-force': 'Day', 'order-type': 'Market', legs: [leg(a!, 'Buy to Open'), leg(b!, 'Sell to Open')] },
      'market_order_single_leg',
    ],
    [
      'a GTC Market order',
      { 'time-in-force': 'GTC', 'order-type': 'Market', legs: [leg(a!, 'Buy to Open')] },
      'gtc_market_orders_not_supported',
    ],
    ['a zero price', limit([leg(a!, 'Buy to Open')], '0.00', 'Debit'), 'invalid_price'],
    ['a negative price', limit([leg(a!, 'Buy to Open')], '-1.00', 'Debit'), 'invalid_price'],
    ['a sub-penny price', limit([leg(a!, 'Buy to Open')], '1.005', 'Debit'), 'invalid_price'],
    [
      'buying for a credit',
      limit([leg(a!, 'Buy to Open'), leg(b!, 'Buy to Open')], '1.00', 'Credit'),
      'cant_buy_for_credit',
    ],
    ['selling for a debit', limit([leg(a!, 'Sell to Open')], '1.00', 'Debit'), 'cant_sell_for_debit'],
    ['a fractional quantity', limit([leg(a!, 'Buy to Open', 1.5)], '1.00', 'Debit'), 'invalid_quantity'],
    ['a zero quantity', limit([leg(a!, 'Buy to Open', 0)], '1.00', 'Debit'), 'invalid_quantity'],
    [
      'an unsupported time in force',
      limit([leg(a!, 'Buy to Open')], '1.00', 'Debit', { 'time-in-force': 'IOC' }),
      'time_in_force_not_supported',
    ],
    [
      'an unsupported order type',
      { 'time-in-force': 'Day', 'order-type': 'Stop', 'stop-trigger': '1.0', legs: [leg(a!, 'Buy to Open')] },
      'order_type_not_supported',
    ],
    [
      'GTD without gtc-date',
      limit([leg(a!, 'Buy to Open')], '1.00', 'Debit', { 'time-in-force': 'GTD' }),
      'gtc_date_required',
    ],
    ['a close without a position', limit([leg(a!, 'Buy to Close')], '1.00', 'Debit'), 'no_position_to_close'],
    ['a malformed OCC symbol', limit([leg('SPY261218P00600000', 'Buy to Open')], '1.00', 'Debit'), 'invalid_symbol'],
    ['a lowercase OCC symbol', limit([leg('spy   261218P00600000', 'Buy to Open')], '1.00', 'Debit'), 'invalid_symbol'],
    ['an expired option', limit([leg('SPY   251219P00600000', 'Buy to Open')], '1.00', 'Debit'), 'option_expired'],
    [
      'an unlisted expiration',
      limit([leg('SPY   261219P00600000', 'Buy to Open')], '1.00', 'Debit'),
      'instrument_not_found',
    ],
    [
      'an unlisted underlying',
      limit([leg('ZZZZ  261218P00600000', 'Buy to Open')], '1.00', 'Debit'),
      'instrument_not_found',
    ],
    ['an unknown equity', limit([leg('ZZZZ', 'Buy to Open', 1, 'Equity')], '1.00', 'Debit'), 'instrument_not_found'],
    [
      'legs on two underlyings',
      limit(
        [leg(a!, 'Buy to Open'), leg(strikesNear(market, 'QQQ', [500])[0]!.putSymbol, 'Sell to Open')],
        '1.00',
        'Debit',
      ),
      'multiple_underlyings',
    ],
    [
      'a future leg',
      limit([leg('/ESZ6', 'Buy to Open', 1, 'Future')], '1.00', 'Debit'),
      'instrument_type_not_supported',
    ],
  ];

  it.each(cases)('rejects %s', (_name, body, code) => {
    const r = errorOf(dry(body));
    expect(r.httpStatus).toBe(422);
    expect(r.error.code).toBe('preflight_check_failure');
    expect(r.error.message).toBe('One or more preflight checks failed');
    expect(codes(r)).toContain(code);
  });

  it('uses Tastytrade’s own messages where they are known', () => {
    const gtc = errorOf(dry({ 'time-in-force': 'GTC', 'order-type': 'Market', legs: [leg(a!, 'Buy to Open')] }));
    expect(gtc.error.errors).toContainEqual({
      code: 'gtc_market_orders_not_supported',
      message: 'GTC/GTD Market orders are not supported.',
    });
    const credit = errorOf(dry(limit([leg(a!, 'Buy to Open')], '1.00', 'Credit')));
    expect(credit.error.errors).toContainEqual({
      code: 'cant_buy_for_credit',
      message: 'You cannot buy for a credit.',
    });
  });

  it('collects every failing check in one response', () => {
    const r = errorOf(dry(limit([leg(a!, 'Buy to Open', 0), leg(a!, 'Buy to Open')], '0', 'Credit')));
    expect(codes(r)).toEqual(
      expect.arrayContaining(['duplicate_legs', 'invalid_quantity', 'invalid_price', 'cant_buy_for_credit']),
    );
  });

  it('rejects margin beyond buying power with margin_check_failed', () => {
    const small = setup({ accounts: [{ accountNumber: '5WT00002', cashCents: 20_000 }] });
    const condor = ironCondor(small.market);
    const r = errorOf(small.venue.placeOrder('5WT00002', limit(condor.legs, '0.50', 'Credit'), { dryRun: true }));
    expect(r.httpStatus).toBe(422);
    expect(r.error.errors).toEqual([
      {
        code: 'margin_check_failed',
        message: 'Account does not have sufficient buying power available for this order.',
      },
    ]);
  });

  it('checks closing orders against the position (direction and size) and refuses to open against it', () => {
    const { venue: v, market: m } = setup();
    const sym = strikesNear(m, 'SPY', [m.spot('SPY') * 0.95])[0]!.putSymbol;
    const q = m.quote(sym)!;
    placeOk(v, limit([leg(sym, 'Buy to Open', 2)], dollars(Math.round(q.ask * 100)), 'Debit'));
    v.tick();
    expect(v.positionsWire(ACCOUNT)).toHaveLength(1);
    expect(codes(v.placeOrder(ACCOUNT, limit([leg(sym, 'Buy to Close')], '1.00', 'Debit'), { dryRun: true }))).toEqual([
      'no_position_to_close',
    ]);
    expect(
      codes(v.placeOrder(ACCOUNT, limit([leg(sym, 'Sell to Close', 3)], '1.00', 'Credit'), { dryRun: true })),
    ).toEqual(['closing_quantity_exceeds_position']);
    expect(codes(v.placeOrder(ACCOUNT, limit([leg(sym, 'Sell to Open')], '1.00', 'Credit'), { dryRun: true }))).toEqual(
      ['sell_to_open_while_long'],
    );
    expect(v.placeOrder(ACCOUNT, limit([leg(sym, 'Sell to Close', 2)], '0.05', 'Credit'), { dryRun: true }).ok).toBe(
      true,
    );
  });

  it('accepts a well-formed iron condor at its natural price', () => {
    const natural = naturalCents(market, ic.legs);
    expect(dry(limit(ic.legs, dollars(natural), 'Credit')).ok).toBe(true);
  });
});
