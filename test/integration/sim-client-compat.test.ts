// Checks that clients other than Legwork can paper-trade on the venue: order bodies as a community client sends them
// (an unknown kebab-case "behavior" on every order) and the customer, account and market routes such clients call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import type { SimHandle } from '../../src/broker/sim/server.js';
import { sdkClient, startTestSim, statusOf } from '../support/sim.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let sim: SimHandle;
let client: TastytradeClient;
let account: string;
let token: string;
let put: string;

/** A plain HTTP call with the session (access) token, for routes the SDK has no method for and bodies it would rewrite. */
async function call(method: string, path: string, body?: unknown, auth = true): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
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
  sim = await startTestSim();
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

    const placed = (await client.orderService.createOrder(account, restingBuy({ behavior: 'immediate', source: 'tastyware/tastytrade:v12' }))) as Json;
    expect(placed.order.id).toBeTypeOf('number');
    expect(placed.order.source).toBe('tastyware/tastytrade:v12');
    await waitUntil(async () => ((await client.orderService.getOrder(account, placed.order.id)) as Json).status === 'Live', { what: 'Live' });

    // tastyware replaces with the new order minus its legs, "behavior" included
    const replacement = (await client.orderService.replaceOrder(account, placed.order.id, {
      'time-in-force': 'Day', 'order-type': 'Limit', price: '0.06', 'price-effect': 'Debit', behavior: 'immediate',
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
    const placed = await call('POST', `/accounts/${account}/orders`, { ...rest, timeInForce: 'Day', behavior: 'immediate' });
    expect(placed.status).toBe(400);
    expect(placed.body.error.code).toBe('validation_error');
    expect(placed.body.error.errors).toEqual([{ domain: 'timeInForce', reason: 'is not a known order parameter (did you mean "time-in-force"?)' }]);
    expect(sim.venue.liveOrders(account)).toHaveLength(before);

    const working = await call('POST', `/accounts/${account}/orders`, restingBuy());
    expect(working.status).toBe(201);
    const replaced = await call('PUT', `/accounts/${account}/orders/${working.body.data.order.id}`, { orderType: 'Limit', price: '0.06', 'price-effect': 'Debit' });
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.errors).toEqual([{ domain: 'orderType', reason: 'is not a known order parameter (did you mean "order-type"?)' }]);
    await call('DELETE', `/accounts/${account}/orders/${working.body.data.order.id}`);
  });
});
