import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/types.js';
import { centsRatioToDecimal, centsToDecimal, parsePrice } from '../../src/core/money.js';
import {
  ACCOUNT,
  cents,
  dollars,
  ironCondor,
  leg,
  limit,
  naturalCents,
  orderOf,
  placeOk,
  setup,
  strikesNear,
} from './venue-support.js';

describe('money', () => {
  it('writes cents as Tastytrade decimal strings', () => {
    expect([127, 150, 100, 0, 5, -5, 10_000_000, 1].map(centsToDecimal)).toEqual([
      '1.27',
      '1.5',
      '1.0',
      '0.0',
      '0.05',
      '-0.05',
      '100000.0',
      '0.01',
    ]);
    expect(centsRatioToDecimal(383, 3)).toBe('1.2767');
    expect(centsRatioToDecimal(300, 3)).toBe('1.0');
  });

  it('parses prices from strings and numbers, refusing sub-cent precision', () => {
    expect(parsePrice('1.27')).toEqual({ ok: true, cents: 127 });
    expect(parsePrice(1.27)).toEqual({ ok: true, cents: 127 });
    expect(parsePrice('1.2700')).toEqual({ ok: true, cents: 127 });
    expect(parsePrice('.5')).toEqual({ ok: false, reason: 'invalid' });
    expect(parsePrice('1.005')).toEqual({ ok: false, reason: 'precision' });
    expect(parsePrice('1e3')).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('positions and balances', () => {
  it('a closing trade removes the positions (final CurrentPosition with quantity 0) and realizes P&L', () => {
    const { venue, market, events } = setup();
    const open = ironCondor(market);
    const credit = naturalCents(market, open.legs);
    placeOk(venue, limit(open.legs, dollars(credit), 'Credit'));
    venue.tick();
    expect(venue.positionsWire(ACCOUNT)).toHaveLength(4);
    const close = ironCondor(market, 1, true);
    const debit = -naturalCents(market, close.legs);
    events.length = 0;
    const closing = placeOk(venue, limit(close.legs, dollars(debit), 'Debit'));
    venue.tick();
    expect(orderOf(venue, closing['id'])['status']).toBe('Filled');
    expect(venue.positionsWire(ACCOUNT)).toEqual([]);
    const finals = events.filter((e) => e.event.type === 'CurrentPosition').map((e) => e.event.data);
    expect(finals).toHaveLength(4);
    expect(finals.every((p) => p['quantity'] === 0 && p['quantity-direction'] === 'Zero')).toBe(true);
    // realized over the round trip = credit − debit (per leg, summed)
    const realized = finals.reduce(
      (s, p) => s + (p['realized-today-effect'] === 'Debit' ? -1 : 1) * cents(p['realized-today']),
      0,
    );
    expect(realized).toBe((credit - debit) * 100);
    const b = venue.balancesWire(ACCOUNT)!;
    expect(b['maintenance-requirement']).toBe('0.0');
    expect(b['long-derivative-value']).toBe('0.0');
    // fees: $4 commission to open (closing is free), $0.40 + $0.40 clearing, $0.12 + $0.12 regulatory
    expect(cents(b['cash-balance'])).toBe(10_000_000 + (credit - debit) * 100 - (400 + 40 + 12) - (40 + 12));
    expect(b['net-liquidating-value']).toBe(b['cash-balance']);
  });

  it('averages the open price over fills and caps the per-leg commission at $10', () => {
    const { venue, market } = setup();
    const sym = strikesNear(market, 'SPY', [market.spot('SPY') * 0.9])[0]!.putSymbol;
    const ask = Math.round(market.quote(sym)!.ask * 100);
    const r = venue.placeOrder(ACCOUNT, limit([leg(sym, 'Buy to Open', 12)], dollars(ask), 'Debit'), { dryRun: false });
    expect(((r as { value: JsonObject }).value['fee-calculation'] as JsonObject)['commission']).toBe('10.0');
    venue.tick();
    const [p] = venue.positionsWire(ACCOUNT);
    expect(p).toMatchObject({
      symbol: sym,
      quantity: 12,
      'quantity-direction': 'Long',
      multiplier: 100,
      'cost-effect': 'Credit',
    });
    expect(cents(p!['average-open-price'])).toBe(ask);
    expect(p!['expires-at']).toMatch(/^\d{4}-\d{2}-\d{2}T21:00:00\.000\+00:00$/);
    const b = venue.balancesWire(ACCOUNT)!;
    expect(cents(b['cash-balance'])).toBe(10_000_000 - ask * 1200 - 1000 - 120 - 36);
    expect(cents(b['long-derivative-value'])).toBe(Math.round(market.quote(sym)!.mid * 100) * 1200);
  });

  it('equity positions have multiplier 1 and no expires-at', () => {
    const { venue, market } = setup();
    const ask = Math.round(market.quote('AAPL')!.ask * 100);
    placeOk(venue, limit([leg('AAPL', 'Buy to Open', 10, 'Equity')], dollars(ask), 'Debit'));
    venue.tick();
    const [p] = venue.positionsWire(ACCOUNT);
    expect(p).toMatchObject({ symbol: 'AAPL', 'instrument-type': 'Equity', quantity: 10, multiplier: 1 });
    expect(p!['expires-at']).toBeUndefined();
    expect(cents(venue.balancesWire(ACCOUNT)!['long-equity-value'])).toBe(
      Math.round(market.quote('AAPL')!.mid * 100) * 10,
    );
  });
});

describe('order queries', () => {
  it('searchOrders filters by status and underlying and paginates', () => {
    const { venue, market } = setup();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const ic = ironCondor(market);
    const qqq = strikesNear(market, 'QQQ', [market.spot('QQQ') * 0.9])[0]!.putSymbol;
    const ids = [1, 2, 3].map(() => placeOk(venue, limit(ic.legs, '1.00', 'Credit'))['id']);
    placeOk(venue, limit([leg(qqq, 'Buy to Open')], '0.05', 'Debit'));
    venue.tick();
    venue.cancelOrder(ACCOUNT, Number(ids[0]));
    venue.tick();
    const page = venue.searchOrders(ACCOUNT, { underlyingSymbol: 'SPY', perPage: 2, pageOffset: 0 });
    expect(page.items.map((o) => o['id'])).toEqual([ids[2], ids[1]]);
    expect(page.pagination).toEqual({
      'per-page': 2,
      'page-offset': 0,
      'item-offset': 0,
      'total-items': 3,
      'total-pages': 2,
      'current-item-count': 2,
      'previous-link': null,
      'next-link': null,
      'paging-link-template': null,
    });
    expect(
      venue.searchOrders(ACCOUNT, { underlyingSymbol: 'SPY', perPage: 2, pageOffset: 1 }).items.map((o) => o['id']),
    ).toEqual([ids[0]]);
    expect(venue.searchOrders(ACCOUNT, { status: ['Cancelled'] }).items.map((o) => o['id'])).toEqual([ids[0]]);
    expect(venue.searchOrders(ACCOUNT, { sort: 'Asc' }).items[0]!['id']).toBe(ids[0]);
    expect(venue.liveOrders(ACCOUNT)).toHaveLength(4);
  });

  it('stores and echoes external-identifier without deduplicating', () => {
    const { venue, market } = setup();
    const ic = ironCondor(market);
    const a = placeOk(venue, limit(ic.legs, '0.05', 'Credit', { 'external-identifier': 'lw-1', source: 'legwork' }));
    const b = placeOk(venue, limit(ic.legs, '0.05', 'Credit', { 'external-identifier': 'lw-1' }));
    expect(a['id']).not.toBe(b['id']);
    expect(a['external-identifier']).toBe('lw-1');
    expect(orderOf(venue, b['id'])['external-identifier']).toBe('lw-1');
    expect(a['source']).toBe('legwork');
  });

  it('keeps accounts apart: orders, positions and events per account', () => {
    const accounts = [
      { accountNumber: '5WT00001', cashCents: 10_000_000 },
      { accountNumber: '5WT0000A', cashCents: 5_000_000, nickname: 'Cash', marginOrCash: 'Cash' as const },
    ];
    const { venue, market, events } = setup({ accounts });
    expect(venue.accountNumbers()).toEqual(['5WT00001', '5WT0000A']);
    expect(venue.accountsWire().map((a) => (a['account'] as JsonObject)['margin-or-cash'])).toEqual(['Margin', 'Cash']);
    placeOk(venue, limit(ironCondor(market).legs, '0.05', 'Credit'), '5WT0000A');
    venue.tick();
    expect(venue.positionsWire('5WT00001')).toEqual([]);
    expect(venue.positionsWire('5WT0000A')).toHaveLength(4);
    expect(new Set(events.map((e) => e.account))).toEqual(new Set(['5WT0000A']));
    expect(venue.getOrder('5WT00001', Number(events[0]!.event.data['id'])).ok).toBe(false);
  });
});

describe('determinism, snapshot and reset', () => {
  const script = (seed: number) => {
    const { venue, market, clock, events } = setup({ seed });
    venue.addFillRule({ next: true, behavior: 'partial', quantity: 1 });
    const ic = ironCondor(market, 3);
    const o = placeOk(
      venue,
      limit(ic.legs, dollars(naturalCents(market, ic.legs)), 'Credit', { 'external-identifier': 'x' }),
    );
    venue.tick();
    clock.advance(60_000);
    venue.replaceOrder(ACCOUNT, Number(o['id']), { price: '0.05' });
    venue.tick();
    return { snapshot: venue.snapshot(), events: events.map((e) => e.event), venue };
  };

  it('produces identical ids, fills and events for the same seed', () => {
    const a = script(11);
    const b = script(11);
    expect(JSON.stringify(a.snapshot)).toBe(JSON.stringify(b.snapshot));
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    const c = script(12);
    const ids = (s: JsonObject) => ((s['accounts'] as JsonObject[])[0]!['orders'] as JsonObject[]).map((o) => o['id']);
    expect(ids(c.snapshot)).not.toEqual(ids(a.snapshot));
  });

  it('snapshot holds balances, positions, full orders, fill rules and the clock; reset restores the start', () => {
    const { venue, snapshot } = script(11);
    const account = (snapshot['accounts'] as JsonObject[])[0]!;
    expect(account['account-number']).toBe(ACCOUNT);
    expect((account['positions'] as JsonObject[]).length).toBe(4);
    const orders = account['orders'] as JsonObject[];
    expect(orders.map((o) => o['status'])).toEqual(['Cancelled', 'Filled']);
    expect(orders[0]!['external-identifier']).toBe('x');
    expect((orders[0]!['legs'] as JsonObject[])[0]!['fills']).toHaveLength(1);
    expect(snapshot['fillRules']).toEqual([]);
    expect(snapshot['clock']).toMatchObject({ 'market-open': true, 'trading-date': '2026-11-17' });
    venue.addFillRule({ underlying: 'SPY', behavior: 'never' });
    venue.reset();
    const fresh = venue.snapshot();
    const acct = (fresh['accounts'] as JsonObject[])[0]!;
    expect(acct['orders']).toEqual([]);
    expect(acct['positions']).toEqual([]);
    expect((acct['balances'] as JsonObject)['cash-balance']).toBe('100000.0');
    expect(fresh['fillRules']).toEqual([]);
  });
});
