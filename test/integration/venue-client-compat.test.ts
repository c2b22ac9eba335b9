// Checks that clients other than Legwork can paper-trade on the venue: order bodies as a community client sends them
// (an unknown kebab-case "behavior" on every order) and the customer, account and market routes such clients call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import type { VenueHandle } from '@legwork/venue';
import { sdkClient, startTestVenue, statusOf } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let sim: VenueHandle;
let client: TastytradeClient;
let account: string;
let token: string;
let put: string;

/** A plain HTTP call with the session (access) token, for routes the SDK has no method for and bodies it would rewrite. */
async function call(
  method: string,
  path: string,
  body?: unknown,
  auth = true,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Buys one at-the-money put far below its ask: it stays working. */
const restingBuy = (extra: Json = {}): Json => ({
  'time-in-force': 'Day',
  'order-type': 'Limit',
  price: '0.05',
  'price-effect': 'Debit',
  legs: [{ 'instrument-type': 'Equity Option', symbol: put, quantity: 1, action: 'Buy to Open' }],
  ...extra,
});

beforeAll(async () => {
  sim = await startTestVenue();
  client = sdkClient(sim);
  account = sim.venue.accountNumbers()[0]!;
  const res = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'r', client_secret: 's' }),
  });
  token = ((await res.json()) as Json).access_token;
  const expiration = sim.market.chain('SPY')!.expirations.find((e) => e.daysToExpiration >= 30)!;
  const spot = sim.market.spot('SPY');
  put = [...expiration.strikes].sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))[0]!.putSymbol;
});
afterAll(async () => {
  await sim.close();
});

describe('order bodies as a community client sends them', () => {
  it('accepts a top-level "behavior": "immediate" on dry-run, place and replace, as Tastytrade ignores it (through the SDK)', async () => {
    const preview = (await client.orderService.postOrderDryRun(account, restingBuy({ behavior: 'immediate' }))) as Json;
    expect(preview.order.id).toBeUndefined();
    expect(preview.order.legs[0].symbol).toBe(put);

    const placed = (await client.orderService.createOrder(
      account,
      restingBuy({ behavior: 'immediate', source: 'tastyware/tastytrade:v12' }),
    )) as Json;
    expect(placed.order.id).toBeTypeOf('number');
    expect(placed.order.source).toBe('tastyware/tastytrade:v12');
    await waitUntil(
      async () => ((await client.orderService.getOrder(account, placed.order.id)) as Json).status === 'Live',
      { what: 'Live' },
    );

    // tastyware replaces with the new order minus its legs, "behavior" included
    const replacement = (await client.orderService.replaceOrder(account, placed.order.id, {
      'time-in-force': 'Day',
      'order-type': 'Limit',
      price: '0.06',
      'price-effect': 'Debit',
      behavior: 'immediate',
    })) as Json;
    expect(replacement['replaces-order-id']).toBe(placed.order.id);
    expect(replacement.price).toBe('0.06');
    await client.orderService.cancelOrder(account, replacement.id);
  });

  it('ignores unknown kebab-case keys inside a leg too (a leg copied from a placed order has "remaining-quantity" and "fills")', async () => {
    const order = restingBuy();
    order.legs[0] = { ...order.legs[0], 'remaining-quantity': 1, fills: [] };
    const preview = (await client.orderService.postOrderDryRun(account, order)) as Json;
    expect(preview.order.legs).toHaveLength(1);
    expect(preview.order.legs[0].quantity).toBe(1);
  });

  it('still refuses a camelCase spelling of a known key, on place and replace, naming the key', async () => {
    const { 'time-in-force': _tif, ...rest } = restingBuy();
    const before = sim.venue.liveOrders(account).length;
    const placed = await call('POST', `/accounts/${account}/orders`, {
      ...rest,
      timeInForce: 'Day',
      behavior: 'immediate',
    });
    expect(placed.status).toBe(400);
    expect(placed.body.error.code).toBe('validation_error');
    expect(placed.body.error.errors).toEqual([
      { domain: 'timeInForce', reason: 'is not a known order parameter (did you mean "time-in-force"?)' },
    ]);
    expect(sim.venue.liveOrders(account)).toHaveLength(before);

    const working = await call('POST', `/accounts/${account}/orders`, restingBuy());
    expect(working.status).toBe(201);
    const replaced = await call('PUT', `/accounts/${account}/orders/${working.body.data.order.id}`, {
      orderType: 'Limit',
      price: '0.06',
      'price-effect': 'Debit',
    });
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.errors).toEqual([
      { domain: 'orderType', reason: 'is not a known order parameter (did you mean "order-type"?)' },
    ]);
    await call('DELETE', `/accounts/${account}/orders/${working.body.data.order.id}`);
  });
});

describe('customer and account routes', () => {
  it('GET /customers/me: the one simulated customer (SDK getCustomerResource)', async () => {
    const customer = (await client.accountsAndCustomersService.getCustomerResource()) as Json;
    expect(customer.id).toBe('me');
    expect(customer['external-id']).toMatch(/^C\d{10}$/);
    expect(customer.email).toMatch(/\.invalid$/); // fictitious, never a real person's details
    expect(customer.address).toMatchObject({ 'is-domestic': true, 'is-foreign': false });
    expect(customer['permitted-account-types'][0]['margin-types'].map((m: Json) => m.name)).toContain('Reg T');
    expect(Date.parse(customer['created-at'])).toBeGreaterThan(0);
  });

  it('GET /customers/me/accounts/:n: the account object of the list, unwrapped (SDK getFullCustomerAccountResource)', async () => {
    const detail = (await client.accountsAndCustomersService.getFullCustomerAccountResource(account)) as Json;
    const [item] = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
    expect(detail).toEqual(item!.account);
    expect(detail['account-number']).toBe(account);
    const foreign = await statusOf(client.accountsAndCustomersService.getFullCustomerAccountResource('5WX99999'));
    expect(foreign.status).toBe(403);
  });

  it('GET /accounts/:n/trading-status (SDK getAccountStatus)', async () => {
    const status = (await client.accountStatusService.getAccountStatus(account)) as Json;
    expect(status).toMatchObject({
      'account-number': account,
      'options-level': 'No Restrictions',
      'equities-margin-calculation-type': 'Reg T',
      'is-closing-only': false,
      'is-frozen': false,
      'short-calls-enabled': true,
      'day-trade-count': 0,
    });
    expect(status.id).toBeTypeOf('number');
  });

  it('GET /accounts/:n/balances/USD is the account balance; another currency is not found', async () => {
    const usd = await call('GET', `/accounts/${account}/balances/USD`);
    const all = await call('GET', `/accounts/${account}/balances`);
    expect(usd.status).toBe(200);
    expect(usd.body.context).toBe(`/accounts/${account}/balances/USD`);
    expect(usd.body.data).toEqual(all.body.data);
    expect(usd.body.data.currency).toBe('USD');
    const eur = await call('GET', `/accounts/${account}/balances/EUR`);
    expect(eur.status).toBe(404);
    expect(eur.body.error.code).toBe('not_found');
    expect((await call('GET', `/accounts/5WX99999/balances/USD`)).status).toBe(403);
  });

  it('POST /sessions/validate answers the user for a valid token', async () => {
    const valid = await call('POST', '/sessions/validate');
    expect(valid.status).toBe(201);
    expect(valid.body).toEqual({
      data: {
        email: expect.stringMatching(/\.invalid$/),
        username: 'legwork-sim',
        'external-id': expect.stringMatching(/^U\d{10}$/),
        id: expect.any(Number),
      },
      context: '/sessions/validate',
    });
  });

  it('every new route answers 401 unauthorized without a session token', async () => {
    const routes: [string, string][] = [
      ['GET', '/customers/me'],
      ['GET', `/customers/me/accounts/${account}`],
      ['GET', `/accounts/${account}/trading-status`],
      ['GET', `/accounts/${account}/balances/USD`],
      ['GET', '/market-time/equities/holidays'],
      ['GET', '/instruments/equities?symbol[]=SPY'],
      ['POST', '/sessions/validate'],
    ];
    for (const [method, path] of routes) {
      const res = await call(method, path, undefined, false);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });
});

describe('market routes', () => {
  it('GET /instruments/equities?symbol[]=…: one item per known symbol, in the order asked (SDK getEquityDefinitions)', async () => {
    const items = (await client.instrumentsService.getEquityDefinitions({
      symbol: ['QQQ', 'SPY', 'NOPE', 'SPY'],
    })) as Json[];
    expect(items.map((i) => i.symbol)).toEqual(['QQQ', 'SPY']);
    expect(items[1]).toEqual(await client.instrumentsService.getSingleEquity('SPY'));
    const etfs = await call('GET', '/instruments/equities?symbol[]=SPY&symbol[]=AAPL&is-etf=true');
    expect(etfs.body.data.items.map((i: Json) => i.symbol)).toEqual(['SPY']);
  });

  it('GET /market-time/equities/holidays: the NYSE holidays and 13:00 closes of this year and the next', async () => {
    const { status, body } = await call('GET', '/market-time/equities/holidays'); // the test clock reads 2026-11-17
    expect(status).toBe(200);
    expect(body.context).toBe('/market-time/equities/holidays');
    expect(body.data['market-holidays']).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ]);
    expect(body.data['market-half-days']).toEqual(['2026-11-27', '2026-12-24', '2027-11-26']);
  });

  it('has no holidays in `open` mode, whose market trades every day', async () => {
    const open = await startTestVenue({ clock: { mode: 'open' } });
    try {
      const tokenRes = await fetch(`${open.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'r', client_secret: 's' }),
      });
      const bearer = ((await tokenRes.json()) as Json).access_token;
      const res = await fetch(`${open.baseUrl}/market-time/equities/holidays`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(((await res.json()) as Json).data).toEqual({ 'market-half-days': [], 'market-holidays': [] });
    } finally {
      await open.close();
    }
  });
});
