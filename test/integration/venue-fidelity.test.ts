// Fidelity: each kind of venue response and account-streamer message has the keys and value types of a real Tastytrade recording.
// Order, position and balance objects are compared in packages/venue/test/unit/venue-fidelity.test.ts; DXLink messages in dxlink-fidelity.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { VenueHandle } from '@legwork/venue';
import { startTestVenue } from '../support/venue.js';
import { diffShape, type ShapeOptions } from '../support/wire-shape.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

const recording = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8')) as Json;

let sim: VenueHandle;
let token: string;
let account: string;

async function get(path: string, auth = true): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.baseUrl}${path}`, { headers: auth ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Json };
}

function expectSameShape(actual: unknown, recorded: unknown, options: ShapeOptions = {}): void {
  expect(diffShape(actual, recorded, options)).toEqual([]);
}

beforeAll(async () => {
  sim = await startTestVenue();
  const res = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'r', client_secret: 's', scope: 'read trade' }),
  });
  token = ((await res.json()) as Json).access_token;
  account = sim.venue.accountNumbers()[0]!;
});
afterAll(async () => {
  await sim.close();
});

describe('REST responses match the recordings', () => {
  it('GET /option-chains/:sym/nested', async () => {
    const { body } = await get('/option-chains/AAPL/nested');
    expectSameShape(body, recording('http_get_option-chains_nested__aapl_2023'));
  });

  it('GET /option-chains/:sym (flat)', async () => {
    const { body } = await get('/option-chains/AAPL');
    expectSameShape(body.data, recording('http_get_option-chains__aapl_flat_mcp'));
    expectSameShape(body, recording('http_get_option-chains__aapl_flat_2023'));
  });

  it('GET /instruments/equities/:sym', async () => {
    const { body } = await get('/instruments/equities/AAPL');
    expectSameShape(body, recording('http_get_instruments_equities__aapl'));
  });

  it('GET /instruments/equity-options/:occ', async () => {
    const [chain] = (await get('/option-chains/AAPL/nested')).body.data.items;
    const occ = chain.expirations[0].strikes[0].call as string;
    const { body } = await get(`/instruments/equity-options/${encodeURIComponent(occ)}`);
    expect(body.data.symbol).toBe(occ);
    expectSameShape(body, recording('http_get_instruments_equity-options__aapl_call'), {
      omitted: ['$.data.halted-at', '$.data.listed-market', '$.data.old-security-number'],
    });
  });

  it('GET /market-metrics', async () => {
    const { body } = await get('/market-metrics?symbols=AAPL');
    // Dividend, EPS, P/E and liquidity-running-state details are not modelled by the venue
    const omitted = [
      'liquidity-running-state',
      'dividend-rate-per-share',
      'annual-dividend-per-share',
      'dividend-ex-date',
      'dividend-next-date',
      'dividend-pay-date',
      'dividend-updated-at',
      'price-earnings-ratio',
      'earnings-per-share',
    ].map((k) => `$.items[].${k}`);
    const earningsOmitted = ['quarter-end-date', 'actual-eps', 'consensus-estimate'].map(
      (k) => `$.items[].earnings.${k}`,
    );
    expectSameShape(body.data, recording('http_get_market-metrics__aapl_mcp'), {
      omitted: [...omitted, ...earningsOmitted],
      added: ['$.items[].earnings.time-of-day'],
    });
  });

  it('GET /accounts/:n/transactions: one Trade transaction per leg fill with its fees (commission to open only)', async () => {
    const chain = sim.market.chain('SPY')!;
    const spot = sim.market.spot('SPY');
    const atm = [...chain.expirations[2]!.strikes].sort(
      (a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot),
    )[0]!;
    const symbol = atm.putSymbol; // at the money: a bid to sell into
    const post = async (action: string, quantity: number, price: string, effect: string) => {
      const res = await fetch(`${sim.baseUrl}/accounts/${account}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          'time-in-force': 'Day',
          'order-type': 'Limit',
          price,
          'price-effect': effect,
          legs: [{ 'instrument-type': 'Equity Option', symbol, quantity, action }],
        }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as Json).data.order.id as number;
    };
    const opened = await post('Buy to Open', 2, '400.0', 'Debit'); // marketable: fills at once, at its limit
    await waitUntil(async () => (await get(`/accounts/${account}/orders/${opened}`)).body.data.status === 'Filled', {
      timeoutMs: 5000,
      what: 'the buy to fill',
    });
    const closed = await post('Sell to Close', 2, '0.01', 'Credit');
    await waitUntil(async () => (await get(`/accounts/${account}/orders/${closed}`)).body.data.status === 'Filled', {
      timeoutMs: 5000,
      what: `the sale to fill: ${JSON.stringify((await get(`/accounts/${account}/orders/${closed}`)).body.data).slice(0, 600)}`,
    });

    const { status, body } = await get(`/accounts/${account}/transactions?per-page=10`);
    expect(status).toBe(200);
    const recorded = recording('http_get_accounts_transactions__trade_and_assignment');
    const fromMcp = recording('http_get_accounts_transactions__trade_and_deposits_mcp');
    // Venue-internal exchange routing numbers are not reproduced
    const omitted = [
      'exchange',
      'exchange-affiliation-identifier',
      'ext-exchange-order-number',
      'ext-global-order-number',
      'ext-group-id',
    ].map((k) => `$.data.items[].${k}`);
    expectSameShape(
      body,
      { ...recorded, data: { ...recorded.data, items: [recorded.data.items[0]] } },
      { omitted, added: ['$.data.items[].created-at', '$.data.items[].currency'] },
    );
    // The 2026 sandbox item lacks the exchange execution keys the 2023 production item has
    expectSameShape(body.data.items, [fromMcp.items[0]], {
      added: ['$[].ext-exec-id', '$[].ext-group-fill-id', '$[].leg-count'],
    });
    const mine = (body.data.items as Json[]).filter((t) => t['order-id'] === opened || t['order-id'] === closed);
    const buy = mine.find((t) => t['order-id'] === opened)!;
    const sell = mine.find((t) => t['order-id'] === closed)!;
    // The schedule (docs/decisions.md): $1.00/contract to open, $0 to close, clearing $0.10, regulatory $0.03 per contract
    expect(buy).toMatchObject({
      'transaction-type': 'Trade',
      action: 'Buy to Open',
      quantity: '2.0',
      symbol,
      commission: '2.0',
      'commission-effect': 'Debit',
      'clearing-fees': '0.2',
      'regulatory-fees': '0.06',
      'value-effect': 'Debit',
      'net-value-effect': 'Debit',
    });
    expect(Number(buy['net-value'])).toBeCloseTo(Number(buy['value']) + 2.26, 6);
    expect(sell).toMatchObject({
      action: 'Sell to Close',
      commission: '0.0',
      'commission-effect': 'None',
      'clearing-fees': '0.2',
      'regulatory-fees': '0.06',
      'value-effect': 'Credit',
    });
  });

  it('GET /api-quote-tokens', async () => {
    const { body } = await get('/api-quote-tokens');
    expectSameShape(body, recording('http_get_api-quote-tokens__api_realtime'));
    expect(body.data['dxlink-url']).toBe(sim.dxlinkUrl);
  });

  it('GET /customers/me/accounts', async () => {
    const { body } = await get('/customers/me/accounts');
    expectSameShape(body, recording('http_get_customers_me_accounts__three_accounts'), {
      omitted: [
        '$.data.items[].account.closed-at',
        '$.data.items[].account.external-fdid',
        '$.data.items[].account.futures-account-purpose',
        '$.data.items[].account.liquidity-needs',
        '$.data.items[].account.risk-tolerance',
        '$.data.items[].account.investment-time-horizon',
      ],
    });
  });

  it('GET /customers/me/accounts/:n: the account object of a recorded list item', async () => {
    const { body } = await get(`/customers/me/accounts/${account}`);
    const recorded = recording('http_get_customers_me_accounts__three_accounts');
    expectSameShape(body, { data: recorded.data.items[0].account, context: recorded.context });
  });

  it('GET /accounts/:n/trading-status', async () => {
    const { body } = await get(`/accounts/${account}/trading-status`);
    expectSameShape(body, recording('http_get_accounts_trading-status__ira'));
  });

  it('GET /accounts/:n/balances/USD', async () => {
    const { body } = await get(`/accounts/${account}/balances/USD`);
    expect(body.context).toBe(`/accounts/${account}/balances/USD`);
    expectSameShape(body.data, recording('http_get_accounts_balances__production_data_only')); // the 2026 production key set
  });

  it('GET /instruments/equities?symbol[]=…: items shaped like the recorded single equity', async () => {
    const { body } = await get('/instruments/equities?symbol[]=AAPL&symbol[]=SPY');
    const single = recording('http_get_instruments_equities__aapl');
    expectSameShape(body, { data: { items: [single.data] }, context: '/instruments/equities' });
  });

  it('error bodies: 401 unauthorized, 403 not_permitted, 422 preflight_check_failure', async () => {
    const unauthorized = await get('/customers/me/accounts', false);
    expect(unauthorized.status).toBe(401);
    expectSameShape(unauthorized.body, recording('error_unauthorized__generic'));

    const forbidden = await get('/accounts/5WX99999/balances');
    expect(forbidden.status).toBe(403);
    expectSameShape(forbidden.body, recording('error_not_permitted__user'));

    const res = await fetch(`${sim.baseUrl}/accounts/${account}/orders/dry-run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        'time-in-force': 'GTC',
        'order-type': 'Market',
        legs: [{ 'instrument-type': 'Equity', symbol: 'SPY', quantity: 1, action: 'Buy to Open' }],
      }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expectSameShape(body, recording('error_preflight_check_failure__gtc_market_order'));
    expect(body.error.errors.map((e: Json) => e.code)).toContain('gtc_market_orders_not_supported');
  });
});

describe('account streamer messages match the recordings', () => {
  it('connect and heartbeat acks, a failed connect, and an Order notification envelope', async () => {
    const socket = new WebSocket(sim.streamerUrl);
    const messages: Json[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as Json));
    await new Promise((resolve) => socket.once('open', resolve));
    try {
      const send = (m: Json) => socket.send(JSON.stringify({ ...m, source: 'test' }));
      send({ action: 'connect', value: 'NOPE0000', 'request-id': 1, 'auth-token': `Bearer ${token}` });
      const failed = await waitUntil(() => messages.find((m) => m.status === 'error'));
      expectSameShape(failed, recording('ws_account_connect__error_failed'));

      send({ action: 'connect', value: [account], 'request-id': 2, 'auth-token': `Bearer ${token}` });
      const connected = await waitUntil(() => messages.find((m) => m.action === 'connect' && m.status === 'ok'));
      expectSameShape(connected, recording('ws_account_connect__ok'));
      expect(connected.value).toEqual([account]);

      send({ action: 'heartbeat', 'request-id': 3, 'auth-token': `Bearer ${token}` });
      const heartbeat = await waitUntil(() => messages.find((m) => m.action === 'heartbeat'));
      expectSameShape(heartbeat, recording('ws_account_heartbeat__ok'));

      const chain = sim.market.chain('SPY')!;
      const strike = chain.expirations[3]!.strikes[0]!;
      await fetch(`${sim.baseUrl}/accounts/${account}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          'time-in-force': 'Day',
          'order-type': 'Limit',
          price: '0.01',
          'price-effect': 'Debit',
          legs: [{ 'instrument-type': 'Equity Option', symbol: strike.putSymbol, quantity: 1, action: 'Buy to Open' }],
        }),
      });
      const order = await waitUntil(() => messages.find((m) => m.type === 'Order'));
      const recorded = recording('ws_account_order__routed_production');
      expect(Object.keys(order).sort()).toEqual(Object.keys(recorded).sort());
      expect(typeof order.timestamp).toBe('number');
      expect(typeof order['ws-sequence']).toBe('number');
    } finally {
      socket.terminate();
    }
  });
});
