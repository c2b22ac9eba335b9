import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/types.js';
import { centsToDecimal } from '../../src/core/money.js';
import {
  ACCOUNT,
  CLOSE,
  START,
  cents,
  dollars,
  fillsOf,
  ironCondor,
  leg,
  legsOf,
  limit,
  naturalCents,
  orderOf,
  placeOk,
  setup,
  statusesOf,
  strikesNear,
} from './venue-support.js';

const netOfFills = (order: JsonObject) =>
  legsOf(order).reduce((sum, l) => {
    const f = fillsOf(l);
    return (
      sum +
      f.reduce(
        (s, x) => s + (String(l['action']).startsWith('Buy') ? -1 : 1) * cents(x['fill-price']) * Number(x['quantity']),
        0,
      )
    );
  }, 0);

describe('fills', () => {
  it('fills a marketable 4-leg iron condor as one package and books four positions', () => {
    const { venue, market, events } = setup();
    const ic = ironCondor(market, 2);
    const natural = naturalCents(market, ic.legs);
    const price = natural - 5;
    const placed = venue.placeOrder(ACCOUNT, limit(ic.legs, dollars(price), 'Credit'), { dryRun: false });
    expect(placed.ok).toBe(true);
    const order = (placed as { value: JsonObject }).value['order'] as JsonObject;
    const fees = cents(((placed as { value: JsonObject }).value['fee-calculation'] as JsonObject)['total-fees']);
    expect(order['status']).toBe('Routed');
    venue.tick();
    const filled = orderOf(venue, order['id']);
    expect(filled['status']).toBe('Filled');
    const fills = legsOf(filled).map((l) => fillsOf(l));
    expect(fills.every((f) => f.length === 1 && f[0]!['quantity'] === 2)).toBe(true);
    expect(new Set(fills.map((f) => f[0]!['ext-group-fill-id'])).size).toBe(1);
    expect(netOfFills(filled)).toBe(price * 2); // per-leg prices add up to the limit
    expect(legsOf(filled).every((l) => l['remaining-quantity'] === 0)).toBe(true);
    const positions = venue.positionsWire(ACCOUNT);
    expect(positions.map((p) => p['symbol']).sort()).toEqual([...ic.symbols].sort());
    expect(positions.every((p) => p['quantity'] === 2)).toBe(true);
    expect(positions.filter((p) => p['quantity-direction'] === 'Short')).toHaveLength(2);
    const balances = venue.balancesWire(ACCOUNT)!;
    expect(cents(balances['cash-balance'])).toBe(10_000_000 + price * 100 * 2 - fees);
    expect(cents(balances['maintenance-requirement'])).toBe(ic.width * 100 * 100 * 2);
    // Event order: every status change, then the fill's positions and balance
    expect(events.map((e) => e.event.type)).toEqual([
      'Order',
      'Order',
      'Order',
      'Order',
      'CurrentPosition',
      'CurrentPosition',
      'CurrentPosition',
      'CurrentPosition',
      'AccountBalance',
    ]);
    expect(statusesOf(events, order['id'])).toEqual(['Routed', 'In Flight', 'Live', 'Filled']);
  });

  it('keeps a non-marketable condor Live until the market makes it marketable', () => {
    const { venue, market } = setup();
    const ic = ironCondor(market);
    const price = naturalCents(market, ic.legs) + 40;
    const order = placeOk(venue, limit(ic.legs, dollars(price), 'Credit'));
    venue.tick();
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Live');
    expect(venue.positionsWire(ACCOUNT)).toEqual([]);
    market.setMarket('SPY', { vol: 0.45 });
    expect(naturalCents(market, ic.legs)).toBeGreaterThanOrEqual(price); // precondition: now marketable
    venue.tick();
    const filled = orderOf(venue, order['id']);
    expect(filled['status']).toBe('Filled');
    expect(netOfFills(filled)).toBe(price);
  });

  it('fills a Market order at the natural price', () => {
    const { venue, market } = setup();
    const sym = strikesNear(market, 'SPY', [market.spot('SPY')])[0]!.callSymbol;
    const ask = market.quote(sym)!.ask;
    const order = placeOk(venue, {
      'time-in-force': 'Day',
      'order-type': 'Market',
      legs: [leg(sym, 'Buy to Open', 3)],
    });
    venue.tick();
    const filled = orderOf(venue, order['id']);
    expect(filled['status']).toBe('Filled');
    expect(cents(fillsOf(legsOf(filled)[0]!)[0]!['fill-price'])).toBe(Math.round(ask * 100));
    expect(filled['price']).toBeUndefined();
  });
});

describe('fill behaviours', () => {
  it('reject naming one leg: Routed, then Rejected with that leg in reject-reason, nothing booked', () => {
    const { venue, market, events } = setup();
    const ic = ironCondor(market);
    venue.addFillRule({ symbol: ic.symbols[2], behavior: 'reject', leg: ic.symbols[2], message: 'Leg not routable' });
    const order = placeOk(venue, limit(ic.legs, dollars(naturalCents(market, ic.legs)), 'Credit'));
    venue.tick();
    const rejected = orderOf(venue, order['id']);
    expect(rejected['status']).toBe('Rejected');
    expect(rejected['reject-reason']).toBe(`Leg not routable: leg ${ic.symbols[2]}`);
    expect(rejected['terminal-at']).toEqual(expect.any(String));
    expect(statusesOf(events, order['id'])).toEqual(['Routed', 'Rejected']);
    expect(venue.positionsWire(ACCOUNT)).toEqual([]);
    expect(venue.balancesWire(ACCOUNT)!['cash-balance']).toBe('100000.0');
  });

  it('partial: fills the given units now, stays Live, never fills the rest; a cancel keeps the filled part', () => {
    const { venue, market } = setup();
    const ic = ironCondor(market, 5);
    venue.addFillRule({ next: true, behavior: 'partial', quantity: 2 });
    const order = placeOk(venue, limit(ic.legs, dollars(naturalCents(market, ic.legs)), 'Credit'));
    venue.tick();
    venue.tick();
    const live = orderOf(venue, order['id']);
    expect(live['status']).toBe('Live');
    expect(legsOf(live).map((l) => l['remaining-quantity'])).toEqual([3, 3, 3, 3]);
    expect(venue.positionsWire(ACCOUNT).map((p) => p['quantity'])).toEqual([2, 2, 2, 2]);
    expect(venue.cancelOrder(ACCOUNT, Number(order['id'])).ok).toBe(true);
    venue.tick();
    const cancelled = orderOf(venue, order['id']);
    expect(cancelled['status']).toBe('Cancelled');
    expect(cancelled['cancelled-size']).toBe('3.0');
    expect(legsOf(cancelled).every((l) => fillsOf(l)[0]!['quantity'] === 2)).toBe(true);
    expect(venue.positionsWire(ACCOUNT)).toHaveLength(4);
  });

  it('the next-order rule is consumed: the following order gets the default again', () => {
    const { venue, market } = setup();
    venue.addFillRule({ next: true, behavior: 'never' });
    const ic = ironCondor(market);
    const price = dollars(naturalCents(market, ic.legs));
    const first = placeOk(venue, limit(ic.legs, price, 'Credit'));
    const second = placeOk(venue, limit(ic.legs, price, 'Credit', { 'external-identifier': 'b' }));
    venue.tick();
    expect(orderOf(venue, first['id'])['status']).toBe('Live');
    expect(orderOf(venue, second['id'])['status']).toBe('Filled');
  });

  it('delayed: does not fill before delayMs of simulated time', () => {
    const { venue, market, clock } = setup();
    venue.addFillRule({ underlying: 'SPY', behavior: 'delayed', delayMs: 5000 });
    const ic = ironCondor(market);
    const order = placeOk(venue, limit(ic.legs, '0.05', 'Credit'));
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Live');
    clock.advance(4999);
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Live');
    clock.advance(1);
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Filled');
  });

  it('never: stays Live whatever the market and time do', () => {
    const { venue, market, clock } = setup();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const ic = ironCondor(market);
    const order = placeOk(venue, limit(ic.legs, '0.05', 'Credit', { 'time-in-force': 'GTC' }));
    for (let i = 0; i < 5; i++) {
      clock.advance(600_000);
      venue.tick();
    }
    expect(orderOf(venue, order['id'])['status']).toBe('Live');
  });
});

describe('cancel', () => {
  it('Cancel Requested now, Cancelled on the next tick, with events for both', () => {
    const { venue, market, events } = setup();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const ic = ironCondor(market);
    const order = placeOk(venue, limit(ic.legs, '1.00', 'Credit'));
    venue.tick();
    const r = venue.cancelOrder(ACCOUNT, Number(order['id']));
    expect(r.ok && r.value['status']).toBe('Cancel Requested');
    venue.tick();
    const cancelled = orderOf(venue, order['id']);
    expect(cancelled['status']).toBe('Cancelled');
    expect(cancelled['cancelled-at']).toEqual(expect.any(String));
    expect(cancelled['terminal-at']).toEqual(expect.any(String));
    expect(cancelled['cancellable']).toBe(false);
    expect(statusesOf(events, order['id'])).toEqual(['Routed', 'In Flight', 'Live', 'Cancel Requested', 'Cancelled']);
  });

  it('cancels a Routed order before it reaches the exchange', () => {
    const { venue, market, events } = setup();
    const order = placeOk(venue, limit(ironCondor(market).legs, '0.05', 'Credit'));
    venue.cancelOrder(ACCOUNT, Number(order['id']));
    venue.tick();
    expect(statusesOf(events, order['id'])).toEqual(['Routed', 'Cancel Requested', 'Cancelled']);
    expect(orderOf(venue, order['id'])['cancelled-size']).toBeUndefined();
  });

  it('refuses to cancel a terminal order (422 cannot_update_order) and answers 404 for an unknown one', () => {
    const { venue, market } = setup();
    const order = placeOk(venue, limit(ironCondor(market).legs, '0.05', 'Credit'));
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Filled');
    const r = venue.cancelOrder(ACCOUNT, Number(order['id']));
    expect(r).toEqual({
      ok: false,
      httpStatus: 422,
      error: { code: 'cannot_update_order', message: 'the order could not be cancelled' },
    });
    expect(venue.cancelOrder(ACCOUNT, 1).ok).toBe(false);
    expect(
      !venue.cancelOrder(ACCOUNT, 1).ok && (venue.cancelOrder(ACCOUNT, 1) as { httpStatus: number }).httpStatus,
    ).toBe(404);
  });
});

describe('replace', () => {
  it('creates a new order that replaces the original after its cancel', () => {
    const { venue, market, events } = setup();
    venue.addFillRule({ next: true, behavior: 'never' });
    const ic = ironCondor(market);
    const original = placeOk(venue, limit(ic.legs, '3.00', 'Credit'));
    venue.tick();
    const natural = dollars(naturalCents(market, ic.legs));
    const r = venue.replaceOrder(ACCOUNT, Number(original['id']), {
      'order-type': 'Limit',
      price: natural,
      'price-effect': 'Credit',
    });
    expect(r.ok).toBe(true);
    const next = (r as { value: JsonObject }).value;
    expect(next['id']).toBe(Number(original['id']) + 1);
    expect(next['replaces-order-id']).toBe(original['id']);
    expect(next['status']).toBe('Contingent');
    expect(next['contingent-status']).toBe('Pending Order');
    expect(next['price']).toBe(centsToDecimal(cents(natural)));
    const old = orderOf(venue, original['id']);
    expect(old).toMatchObject({ status: 'Replace Requested', edited: true, 'replacing-order-id': next['id'] });
    venue.tick();
    expect(orderOf(venue, original['id'])['status']).toBe('Cancelled');
    expect(orderOf(venue, next['id'])['status']).toBe('Filled');
    expect(statusesOf(events, original['id'])).toEqual([
      'Routed',
      'In Flight',
      'Live',
      'Replace Requested',
      'Cancelled',
    ]);
    expect(statusesOf(events, next['id'])).toEqual(['Contingent', 'Routed', 'In Flight', 'Live', 'Filled']);
  });

  it('refuses to replace a terminal order and a change of legs', () => {
    const { venue, market } = setup();
    const ic = ironCondor(market);
    const filled = placeOk(venue, limit(ic.legs, '0.05', 'Credit'));
    venue.tick();
    const r = venue.replaceOrder(ACCOUNT, Number(filled['id']), { price: '1.00', 'price-effect': 'Credit' });
    expect(r).toEqual({
      ok: false,
      httpStatus: 422,
      error: { code: 'cannot_update_order', message: 'the order could not be replaced' },
    });
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const live = placeOk(venue, limit(ironCondor(market).legs, '0.05', 'Credit'));
    const changed = venue.replaceOrder(ACCOUNT, Number(live['id']), { price: '1.00', legs: ic.legs.slice(0, 2) });
    const first = !changed.ok ? changed.error.errors?.[0] : undefined;
    expect(first && 'code' in first ? first.code : undefined).toBe('legs_cannot_change');
    const same = venue.replaceOrder(ACCOUNT, Number(live['id']), { price: '1.00', legs: ic.legs });
    expect(same.ok).toBe(true);
  });

  it('a fill of the original before its cancel aborts the replacement', () => {
    const { venue, market, events } = setup();
    const ic = ironCondor(market);
    const price = naturalCents(market, ic.legs) + 40;
    const original = placeOk(venue, limit(ic.legs, dollars(price), 'Credit'));
    venue.tick();
    const r = venue.replaceOrder(ACCOUNT, Number(original['id']), { price: dollars(price + 50) });
    const next = (r as { value: JsonObject }).value;
    market.setMarket('SPY', { vol: 0.45 });
    venue.tick();
    expect(orderOf(venue, original['id'])['status']).toBe('Filled');
    const aborted = orderOf(venue, next['id']);
    expect(aborted['status']).toBe('Rejected');
    expect(statusesOf(events, next['id'])).toEqual(['Contingent', 'Rejected']);
  });
});

describe('sessions', () => {
  it('Day orders expire at the close; GTC orders keep working', () => {
    const { venue, market, clock, events } = setup();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const ic = ironCondor(market);
    const day = placeOk(venue, limit(ic.legs, '1.00', 'Credit'));
    const gtc = placeOk(venue, limit(ic.legs, '1.00', 'Credit', { 'time-in-force': 'GTC' }));
    venue.tick();
    clock.advance(CLOSE - START - 1);
    venue.tick();
    expect(orderOf(venue, day['id'])['status']).toBe('Live');
    clock.advance(1);
    venue.tick();
    expect(orderOf(venue, day['id'])['status']).toBe('Expired');
    expect(statusesOf(events, day['id']).at(-1)).toBe('Expired');
    expect(orderOf(venue, gtc['id'])['status']).toBe('Live');
    clock.advance(86_400_000);
    venue.tick();
    expect(venue.liveOrders(ACCOUNT).map((o) => o['id'])).toEqual([gtc['id']]);
  });

  it('Day orders expire at 13:00 on an early-close day; one placed after that close works until the next close', () => {
    const friday10 = Date.parse('2026-11-27T15:00:00Z'); // the day after Thanksgiving, 10:00 New York
    const { venue, market, clock } = setup({ startAt: friday10 });
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const ic = ironCondor(market);
    const day = placeOk(venue, limit(ic.legs, '1.00', 'Credit'));
    venue.tick();
    clock.advance(Date.parse('2026-11-27T18:00:00Z') - friday10 - 1); // 12:59:59.999
    venue.tick();
    expect(orderOf(venue, day['id'])['status']).toBe('Live');
    clock.advance(1); // 13:00
    venue.tick();
    expect(orderOf(venue, day['id'])['status']).toBe('Expired');
    clock.advance(30 * 60_000);
    const late = placeOk(venue, limit(ic.legs, '1.00', 'Credit'));
    expect(late['status']).toBe('Received');
    clock.advance(Date.parse('2026-11-30T20:59:59Z') - clock.now()); // Monday 15:59:59
    venue.tick();
    expect(orderOf(venue, late['id'])['status']).toBe('Live');
    clock.advance(1_000);
    venue.tick();
    expect(orderOf(venue, late['id'])['status']).toBe('Expired');
  });

  it('in `open` mode Day orders keep working past 16:00 New York (the market never closes there)', () => {
    const { venue, market, clock } = setup({ open: true });
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const day = placeOk(venue, limit(ironCondor(market).legs, '1.00', 'Credit'));
    venue.tick();
    clock.advance(CLOSE - START + 3_600_000);
    venue.tick();
    expect(orderOf(venue, day['id'])['status']).toBe('Live');
  });

  it('GTD orders work until the close of their gtc-date', () => {
    const { venue, market, clock } = setup();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const order = placeOk(
      venue,
      limit(ironCondor(market).legs, '1.00', 'Credit', { 'time-in-force': 'GTD', 'gtc-date': '2026-11-18' }),
    );
    expect(order['gtc-date']).toBe('2026-11-18');
    venue.tick();
    clock.advance(CLOSE - START);
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Live');
    clock.advance(86_400_000);
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Expired');
  });

  it('an order placed while the market is closed is Received, then routes at the next open', () => {
    const evening = Date.parse('2026-11-17T22:00:00Z');
    const { venue, market, clock, events } = setup({ startAt: evening });
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const r = venue.placeOrder(ACCOUNT, limit(ironCondor(market).legs, '1.00', 'Credit'), { dryRun: false });
    expect(r.ok).toBe(true);
    if (!r.ok) throw new Error('placement failed');
    const order = r.value['order'] as JsonObject;
    const warnings = r.value['warnings'] as JsonObject[];
    expect(order['status']).toBe('Received');
    expect(warnings).toEqual([
      { code: 'tif_next_valid_sesssion', message: 'Your order will begin working during next valid session.' },
    ]);
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Received');
    clock.advance(Date.parse('2026-11-18T14:30:00Z') - evening); // 09:30 New York
    venue.tick();
    expect(statusesOf(events, order['id'])).toEqual(['Received', 'Routed', 'In Flight', 'Live']);
    clock.advance(Date.parse('2026-11-18T21:00:00Z') - clock.now());
    venue.tick();
    expect(orderOf(venue, order['id'])['status']).toBe('Expired');
  });
});
