// Owns the order mapper's contract: every status maps, unknown ones fail loudly, prices keep their sign both ways,
// outgoing bodies are kebab-case down to the legs, and malformed orders name the bad JSON path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BrokerOrder, BrokerOrderStatus, OrderRequest } from '../../../src/domain/broker-order.js';
import {
  mapOrderStatus,
  orderRequestToWire,
  parseDryRun,
  parseOrder,
  parseOrders,
  parsePlaceResponse,
  replaceToWire,
} from '../../../src/broker/tastytrade/mapper.js';
import { TT_ORDER_STATUSES, WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../fixtures/tastytrade/${name}`, import.meta.url)), 'utf8'));
/** A real filled order (one fill) to mutate. */
const base = () =>
  structuredClone(
    (
      fixture('http_get_customers_me_orders_live__filled_with_fill.json') as {
        data: { items: Record<string, unknown>[] };
      }
    ).data.items[0]!,
  );

function wireError(run: () => unknown): WireFormatError {
  try {
    run();
  } catch (e) {
    if (e instanceof WireFormatError) return e;
    throw e;
  }
  throw new Error('expected a WireFormatError');
}

describe('order status', () => {
  const table: [string, BrokerOrderStatus][] = [
    ['Received', 'received'],
    ['Routed', 'routed'],
    ['In Flight', 'in_flight'],
    ['Live', 'live'],
    ['Cancel Requested', 'cancel_requested'],
    ['Replace Requested', 'replace_requested'],
    ['Contingent', 'contingent'],
    ['Filled', 'filled'],
    ['Cancelled', 'cancelled'],
    ['Expired', 'expired'],
    ['Rejected', 'rejected'],
    ['Removed', 'removed'],
    ['Partially Removed', 'partially_removed'],
  ];

  it('the table covers all 13 Tastytrade statuses', () => {
    expect(table.map(([raw]) => raw).sort()).toEqual([...TT_ORDER_STATUSES].sort());
  });

  it.each(table)('%s → %s, raw string kept', (raw, status) => {
    const order = parseOrder({ ...base(), status: raw });
    expect(order.status).toBe(status);
    expect(order.rawStatus).toBe(raw);
    expect(mapOrderStatus(raw as (typeof TT_ORDER_STATUSES)[number])).toBe(status);
  });

  it.each(['Canceled', 'Partially Filled', 'live', ''])(
    'unknown status %j throws a WireFormatError naming it',
    (raw) => {
      const e = wireError(() => parseOrder({ ...base(), status: raw }));
      expect(e.kind).toBe('order');
      expect(e.problems).toEqual([{ path: '$.status', message: `unknown order status ${JSON.stringify(raw)}` }]);
      expect(e.message).toContain(JSON.stringify(raw));
    },
  );
});

describe('parseOrder', () => {
  it('signs the limit price from price-effect and reads numbers given as strings', () => {
    const o = base();
    Object.assign(o, { price: '1.27', 'price-effect': 'Credit', size: '2.0', id: '99' });
    (o['legs'] as Record<string, unknown>[])[0]!['quantity'] = '2.0';
    const order = parseOrder(o);
    expect(order).toMatchObject({ brokerOrderId: 99, limitPriceCents: 127, size: 2 });
    expect(order.legs[0]?.quantity).toBe(2);
    expect(parseOrder({ ...base(), price: '1.27', 'price-effect': 'Debit' }).limitPriceCents).toBe(-127);
  });

  it('accepts a full envelope as well as the SDK-unwrapped object', () => {
    expect(parseOrder({ data: base(), context: '/x' }).brokerOrderId).toBe(274344092);
  });

  it('ISO or epoch-ms updated-at alike', () => {
    expect(parseOrder({ ...base(), 'updated-at': '2023-06-23T14:12:04.255+00:00' }).updatedAt).toBe(1687529524255);
  });

  it('a fill price with sub-cent digits keeps the exact decimal next to the rounded cents', () => {
    const o = base();
    const fill = ((o['legs'] as Record<string, unknown>[])[0]!['fills'] as Record<string, unknown>[])[0]!;
    fill['fill-price'] = '0.015';
    expect(parseOrder(o).legs[0]?.fills[0]).toMatchObject({ priceCents: 2, priceDecimal: '0.015' });
    fill['fill-price'] = '0.10';
    expect(parseOrder(o).legs[0]?.fills[0]).not.toHaveProperty('priceDecimal');
  });

  it('malformed bodies name every bad JSON path', () => {
    const o = base();
    const leg = (o['legs'] as Record<string, unknown>[])[0]!;
    (leg['fills'] as Record<string, unknown>[])[0]!['fill-price'] = 'abc';
    leg['action'] = 'Buy to Hold';
    delete o['account-number'];
    const e = wireError(() => parseOrder(o));
    expect(e.problems.map((p) => p.path).sort()).toEqual([
      '$.account-number',
      '$.legs[0].action',
      '$.legs[0].fills[0].fill-price',
    ]);
    expect(e.message).toContain('$.legs[0].fills[0].fill-price: expected a decimal, got "abc"');
    expect(e.message).toMatch(/^unusable Tastytrade order: /);
  });

  it('a price without price-effect is refused (the sign would be a guess)', () => {
    const o = base();
    delete o['price-effect'];
    expect(wireError(() => parseOrder(o)).problems[0]?.path).toBe('$.price-effect');
  });

  it('an order without id (a dry-run order) is not an order', () => {
    const o = base();
    delete o['id'];
    expect(wireError(() => parseOrder(o)).problems[0]?.path).toBe('$.id');
  });

  it('lists report the item index in the path', () => {
    const bad = { ...base(), 'time-in-force': 'Forever' };
    expect(wireError(() => parseOrders([base(), bad])).problems[0]).toEqual({
      path: '$[1].time-in-force',
      message: 'unknown time-in-force "Forever"',
    });
  });

  it('non-objects are refused', () => {
    expect(wireError(() => parseOrder(null)).problems[0]?.path).toBe('$');
    expect(wireError(() => parseOrders({ nope: true })).kind).toBe('order list');
  });
});

describe('dry-run and place responses', () => {
  const body = () =>
    (fixture('http_post_accounts_orders__equity_option_with_condition_rules.json') as { data: Record<string, unknown> })
      .data;

  it('a missing -effect next to a signed amount is refused', () => {
    const b = body();
    delete (b['buying-power-effect'] as Record<string, unknown>)['change-in-buying-power-effect'];
    expect(wireError(() => parseDryRun(b)).problems[0]?.path).toBe(
      '$.buying-power-effect.change-in-buying-power-effect',
    );
  });

  it('a body carrying error is refused even when it also has data', () => {
    const e = wireError(() => parsePlaceResponse({ data: body(), error: { code: 'x', message: 'y' } }));
    expect(e.problems[0]?.path).toBe('$.error');
  });
});

describe('orderRequestToWire', () => {
  const spread: OrderRequest = {
    orderType: 'Limit',
    timeInForce: 'Day',
    limitPriceCents: 85,
    externalId: 'lw-7f3a',
    legs: [
      { symbol: 'AAPL  221118C00155000', instrumentType: 'Equity Option', quantity: 1, action: 'Sell to Open' },
      { symbol: 'AAPL  221118C00157500', instrumentType: 'Equity Option', quantity: 1, action: 'Buy to Open' },
    ],
  };

  it('builds the documented kebab-case body, legs included, with a credit for a positive price', () => {
    expect(orderRequestToWire(spread)).toEqual({
      'time-in-force': 'Day',
      'order-type': 'Limit',
      price: '0.85',
      'price-effect': 'Credit',
      legs: [
        { 'instrument-type': 'Equity Option', symbol: 'AAPL  221118C00155000', quantity: 1, action: 'Sell to Open' },
        { 'instrument-type': 'Equity Option', symbol: 'AAPL  221118C00157500', quantity: 1, action: 'Buy to Open' },
      ],
      'external-identifier': 'lw-7f3a',
    });
  });

  it('a negative price is a debit; no key anywhere is camelCase', () => {
    const body = orderRequestToWire({ ...spread, limitPriceCents: -1234 });
    expect(body).toMatchObject({ price: '12.34', 'price-effect': 'Debit' });
    const keys = JSON.stringify(body).match(/"[^"]+":/g) ?? [];
    expect(keys.filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it('a market order carries neither price nor price-effect', () => {
    const body = orderRequestToWire({ orderType: 'Market', timeInForce: 'Day', legs: spread.legs.slice(0, 1) });
    expect(body).toEqual({
      'time-in-force': 'Day',
      'order-type': 'Market',
      legs: [
        { 'instrument-type': 'Equity Option', symbol: 'AAPL  221118C00155000', quantity: 1, action: 'Sell to Open' },
      ],
    });
  });

  it.each<[string, OrderRequest, string]>([
    ['a limit without price', { ...spread, limitPriceCents: undefined }, '$.price'],
    ['a zero limit price', { ...spread, limitPriceCents: 0 }, '$.price'],
    ['a market order with a price', { ...spread, orderType: 'Market' }, '$.price'],
    ['fractional cents', { ...spread, limitPriceCents: 12.5 }, '$.price'],
    ['no legs', { ...spread, legs: [] }, '$.legs'],
    ['five legs', { ...spread, legs: [...spread.legs, ...spread.legs, ...spread.legs].slice(0, 5) }, '$.legs'],
    ['a zero quantity', { ...spread, legs: [{ ...spread.legs[0]!, quantity: 0 }] }, '$.legs[0].quantity'],
  ])('refuses %s', (_, request, path) => {
    const e = wireError(() => orderRequestToWire(request));
    expect(e.kind).toBe('order request');
    expect(e.problems.map((p) => p.path)).toContain(path);
  });
});

describe('replaceToWire', () => {
  const original = (): BrokerOrder => ({
    ...parseOrder(base()),
    status: 'live',
    externalId: 'lw-1',
    limitPriceCents: -100,
  });

  it('sends the new signed price, the time in force, the external id, and no legs', () => {
    expect(replaceToWire(original(), { limitPriceCents: -105 })).toEqual({
      'time-in-force': 'Day',
      'order-type': 'Limit',
      price: '1.05',
      'price-effect': 'Debit',
      'external-identifier': 'lw-1',
    });
    expect(replaceToWire(original(), { limitPriceCents: 40, timeInForce: 'GTC' })).toMatchObject({
      'time-in-force': 'GTC',
      price: '0.40',
      'price-effect': 'Credit',
    });
  });

  it('refuses a non-Limit original and a time in force Legwork does not send', () => {
    expect(
      wireError(() => replaceToWire({ ...original(), orderType: 'Market' }, { limitPriceCents: 5 })).problems[0]?.path,
    ).toBe('$.order-type');
    expect(
      wireError(() => replaceToWire({ ...original(), timeInForce: 'GTD' }, { limitPriceCents: 5 })).problems[0]?.path,
    ).toBe('$.time-in-force');
  });
});
