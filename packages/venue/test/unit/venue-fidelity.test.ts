// The venue's wire objects against recorded Tastytrade payloads: the same keys and the same JSON value type per key.
// Every deliberate difference is listed where it is compared (extra = only ours, missing = only the recording).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject, VenueResult } from '../../src/types.js';
import { ACCOUNT, dollars, ironCondor, leg, limit, naturalCents, placeOk, setup, statusesOf } from './venue-support.js';

const fixture = (name: string): JsonObject =>
  JSON.parse(
    readFileSync(new URL(`../../../../test/fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8'),
  ) as JsonObject;
const dataOf = (name: string) => fixture(name)['data'] as JsonObject;

type Shape = Map<string, string>;
function shapeOf(value: unknown, path = '', out: Shape = new Map()): Shape {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (path) out.set(path, type);
  if (type === 'object')
    for (const [k, v] of Object.entries(value as JsonObject)) shapeOf(v, path ? `${path}.${k}` : k, out);
  if (type === 'array' && (value as unknown[]).length > 0) shapeOf((value as unknown[])[0], `${path}[]`, out);
  return out;
}

/**
 * Same key set and JSON type per key, recursively (arrays through their first element). Paths inside an array that is
 * empty on either side are not compared; a difference is reported at its top-most path only.
 */
function expectSameShape(ours: unknown, recorded: unknown, deliberate: { extra?: string[]; missing?: string[] } = {}) {
  const a = shapeOf(ours);
  const b = shapeOf(recorded);
  const emptyArrays = [...a, ...b]
    .filter(
      ([p, t]) =>
        t === 'array' && (a.get(p) !== 'array' || b.get(p) !== 'array' || isEmpty(ours, p) || isEmpty(recorded, p)),
    )
    .map(([p]) => `${p}[]`);
  const compared = (p: string) => !emptyArrays.some((e) => p.startsWith(e));
  const parent = (p: string) => p.replace(/(\.[^.]+|\[\])$/, '');
  const onlyIn = (x: Shape, y: Shape) =>
    [...x.keys()].filter((p) => compared(p) && !y.has(p) && (parent(p) === p || y.has(parent(p)))).sort();
  expect(onlyIn(a, b), 'keys only in the venue').toEqual([...(deliberate.extra ?? [])].sort());
  expect(onlyIn(b, a), 'keys only in the recording').toEqual([...(deliberate.missing ?? [])].sort());
  const mismatched = [...a]
    .filter(([p, t]) => compared(p) && b.has(p) && b.get(p) !== t)
    .map(([p, t]) => `${p}: ${t} vs ${b.get(p)}`);
  expect(mismatched, 'JSON types that differ').toEqual([]);
}
function isEmpty(root: unknown, path: string): boolean {
  let v: unknown = root;
  for (const part of path.split('.')) {
    const key = part.replace(/\[\]$/, '');
    v = (v as JsonObject | undefined)?.[key];
    if (part.endsWith('[]')) v = (v as unknown[] | undefined)?.[0];
  }
  return Array.isArray(v) && v.length === 0;
}
const okValue = (r: VenueResult<JsonObject>) => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
const errorOf = (r: VenueResult<JsonObject>) => {
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

/** A single-leg AAPL limit order, placed with a source like every recorded 2026 order. */
function equityOrderScenario() {
  const s = setup();
  const ask = Math.round(s.market.quote('AAPL')!.ask * 100);
  const body = limit([leg('AAPL', 'Buy to Open', 1, 'Equity')], dollars(ask), 'Debit', { source: 'legwork' });
  return { ...s, body };
}
const orderEvent = (events: ReturnType<typeof setup>['events'], id: unknown, status: string) =>
  events.find((e) => e.event.type === 'Order' && e.event.data['id'] === id && e.event.data['status'] === status)!.event
    .data;

describe('venue wire fidelity', () => {
  it('the comparator notices missing keys, extra keys and changed types, also inside legs and fills', () => {
    const recorded = fixture('ws_account_order__filled_market_sandbox')['data'] as JsonObject;
    const copy = JSON.parse(JSON.stringify(recorded)) as JsonObject;
    expectSameShape(copy, recorded);
    const legs = copy['legs'] as JsonObject[];
    const fill = (legs[0]!['fills'] as JsonObject[])[0]!;
    fill['quantity'] = '1';
    delete fill['fill-id'];
    copy['size'] = '1';
    copy['extra'] = 1;
    expect(() => expectSameShape(copy, recorded)).toThrow(/only in the venue/);
    expect(() => expectSameShape(copy, recorded, { extra: ['extra'] })).toThrow(/only in the recording/);
    expect(() => expectSameShape(copy, recorded, { extra: ['extra'], missing: ['legs[].fills[].fill-id'] })).toThrow(
      /types that differ/,
    );
  });

  it('place response (Market, Routed) = recorded placement response', () => {
    const { venue } = setup();
    const placed = okValue(
      venue.placeOrder(
        ACCOUNT,
        { 'time-in-force': 'Day', 'order-type': 'Market', legs: [leg('AAPL', 'Buy to Open', 1, 'Equity')] },
        { dryRun: false },
      ),
    );
    // leg-count: on every 2026 recording of an order, absent from this 2025 one
    expectSameShape(placed, dataOf('http_post_accounts_orders__market_routed_response'), {
      extra: ['order.leg-count'],
    });
  });

  it('dry-run: no id, updated-at 0', () => {
    const { venue, body } = equityOrderScenario();
    const dry = okValue(venue.placeOrder(ACCOUNT, { ...body, 'time-in-force': 'GTC' }, { dryRun: true }));
    const order = dry['order'] as JsonObject;
    expect(order['id']).toBeUndefined();
    expect(order['updated-at']).toBe(0);
    // The recording is a conditional order (rules, contingent-status); its 2023 fee block predates the breakdowns
    expectSameShape(order, dataOf('http_post_accounts_orders_dry-run__gtc_limit_credit')['order'], {
      extra: ['leg-count', 'source'],
      missing: ['contingent-status', 'rules'],
    });
    expectSameShape(
      dry['fee-calculation'],
      dataOf('http_post_accounts_orders__market_routed_response')['fee-calculation'],
    );
    expectSameShape(
      dry['buying-power-effect'],
      dataOf('http_post_accounts_orders_dry-run__gtc_limit_credit')['buying-power-effect'],
    );
  });

  it('streamed Routed, Live (with fill) and Filled orders = recorded 2026 production messages', () => {
    const { venue, events, body } = equityOrderScenario();
    const order = placeOk(venue, body);
    venue.tick();
    expect(statusesOf(events, order['id'])).toEqual(['Routed', 'In Flight', 'Live', 'Filled']);
    expectSameShape(orderEvent(events, order['id'], 'Routed'), fixture('ws_account_order__routed_production')['data']);
    expectSameShape(orderEvent(events, order['id'], 'Live'), fixture('ws_account_order__live_replacement')['data'], {
      missing: ['replaces-order-id'],
    });
    const filled = orderEvent(events, order['id'], 'Filled');
    // 2026 production fills omit ext-exec-id / ext-group-fill-id; the sandbox and 2023 recordings have them
    expectSameShape(filled, fixture('ws_account_order__filled_production')['data'], {
      extra: ['legs[].fills[].ext-exec-id', 'legs[].fills[].ext-group-fill-id'],
    });
    const fill = ((filled['legs'] as JsonObject[])[0]!['fills'] as JsonObject[])[0];
    expectSameShape(
      fill,
      (
        ((fixture('ws_account_order__filled_market_sandbox')['data'] as JsonObject)['legs'] as JsonObject[])[0]![
          'fills'
        ] as JsonObject[]
      )[0],
    );
    const recorded = (
      (dataOf('http_get_customers_me_orders_live__filled_with_fill')['items'] as JsonObject[])[0]![
        'legs'
      ] as JsonObject[]
    )[0]!;
    expectSameShape((filled['legs'] as JsonObject[])[0], recorded);
  });

  it('cancel: Cancel Requested response, then Cancelled', () => {
    const { venue, events, body } = equityOrderScenario();
    venue.setDefaultFillBehavior({ behavior: 'never' });
    const order = placeOk(venue, body);
    const requested = okValue(venue.cancelOrder(ACCOUNT, Number(order['id'])));
    expect(requested['status']).toBe('Cancel Requested');
    venue.tick();
    const cancelled = orderEvent(events, order['id'], 'Cancelled');
    expectSameShape(cancelled, fixture('ws_account_order__cancelled_multi_leg_data_only'), { extra: ['leg-count'] });
    // 2023 sandbox DELETE: a conditional order (rules), before global-request-id and leg-count existed
    expectSameShape(cancelled, dataOf('http_delete_accounts_orders_id__cancelled'), {
      extra: ['global-request-id', 'leg-count', 'source'],
      missing: ['rules'],
    });
    const terminal = errorOf(venue.cancelOrder(ACCOUNT, Number(order['id'])));
    expectSameShape({ error: terminal }, fixture('error_cannot_reconfirm_order__reconfirm'));
  });

  it('replace: the new order and the replaced original = recorded replace pair', () => {
    const { venue, events, body } = equityOrderScenario();
    venue.addFillRule({ next: true, behavior: 'never' });
    const original = placeOk(venue, body);
    venue.tick();
    const next = okValue(
      venue.replaceOrder(ACCOUNT, Number(original['id']), { price: '1.00', 'price-effect': 'Debit' }),
    );
    expectSameShape(next, dataOf('http_patch_accounts_orders_id__replace_contingent_response'));
    venue.tick();
    expectSameShape(
      orderEvent(events, original['id'], 'Cancelled'),
      fixture('ws_account_order__cancelled_replaced')['data'],
    );
    expectSameShape(orderEvent(events, next['id'], 'Routed'), fixture('ws_account_order__routed_replacement')['data']);
    expectSameShape(orderEvent(events, next['id'], 'Live'), fixture('ws_account_order__live_replacement')['data']);
  });

  it('positions, balances and accounts = recorded REST items', () => {
    const { venue, market, events } = setup();
    const ic = ironCondor(market);
    placeOk(venue, limit(ic.legs, dollars(naturalCents(market, ic.legs)), 'Credit'));
    venue.tick();
    const short = venue.positionsWire(ACCOUNT).find((p) => p['quantity-direction'] === 'Short');
    expectSameShape(short, (dataOf('http_get_accounts_positions__short_equity_option')['items'] as JsonObject[])[0]);
    const balances = venue.balancesWire(ACCOUNT);
    expectSameShape(balances, fixture('http_get_accounts_balances__production_data_only'));
    // apex-starting-day-margin-equity: only in the streamed 2026 message (an Apex clearing figure the venue has no use for)
    expectSameShape(events.at(-1)!.event.data, fixture('ws_account_balance__production')['data'], {
      missing: ['apex-starting-day-margin-equity'],
    });
    expectSameShape(balances, dataOf('http_get_accounts_balances__sandbox_zero'), {
      extra: [
        'intraday-equities-cash-amount',
        'intraday-equities-cash-effect',
        'intraday-equities-cash-effective-date',
        'intraday-futures-cash-amount',
        'intraday-futures-cash-effect',
        'intraday-futures-cash-effective-date',
        'previous-day-cryptocurrency-fiat-amount',
        'previous-day-cryptocurrency-fiat-effect',
        'long-index-derivative-value',
        'short-index-derivative-value',
      ],
    });
    expectSameShape(
      venue.accountsWire()[0],
      (dataOf('http_get_customers_me_accounts__three_accounts')['items'] as JsonObject[])[0],
    );
  });

  it('order lists carry the recorded pagination object', () => {
    const { venue, body } = equityOrderScenario();
    placeOk(venue, body);
    const { items, pagination } = venue.searchOrders(ACCOUNT, { perPage: 100 });
    const recorded = fixture('http_get_accounts_orders__live_stop_limit_paginated');
    expectSameShape(pagination, recorded['pagination']);
    expectSameShape(items[0], ((recorded['data'] as JsonObject)['items'] as JsonObject[])[0], {
      extra: ['leg-count'],
      missing: ['ext-exchange-order-number', 'ext-global-order-number', 'ext-client-order-id', 'stop-trigger'],
    });
  });

  it('errors = recorded error bodies', () => {
    const { venue, market } = setup();
    const gtcMarket = errorOf(
      venue.placeOrder(
        ACCOUNT,
        { 'time-in-force': 'GTC', 'order-type': 'Market', legs: [leg('AAPL', 'Buy to Open', 1, 'Equity')] },
        { dryRun: true },
      ),
    );
    expect({ error: gtcMarket }).toEqual(fixture('error_preflight_check_failure__gtc_market_order'));
    const invalid = errorOf(venue.placeOrder(ACCOUNT, { 'order-type': 'Market' }, { dryRun: true }));
    expectSameShape({ error: invalid }, fixture('error_validation_error__missing_account_numbers'));
    const poor = setup({ accounts: [{ accountNumber: '5WT00002', cashCents: 10_000 }] });
    const ic = ironCondor(market);
    const margin = errorOf(poor.venue.placeOrder('5WT00002', limit(ic.legs, '0.50', 'Credit'), { dryRun: true }));
    // The recorded dry-run failure also carries data.buying-power-effect; a VenueResult error has no data member
    expectSameShape({ error: margin }, fixture('error_preflight_check_failure__margin_check_failed_with_data'), {
      missing: ['data'],
    });
    expect(margin.errors).toEqual(
      (fixture('error_preflight_check_failure__margin_check_failed_with_data')['error'] as JsonObject)['errors'],
    );
  });
});
