// Expiration and assignment at the venue through the unmodified @tastytrade/api SDK: a short put in the money and a
// long call out of the money held over an expiration on a frozen replayed clock, then an early assignment forced
// with POST /__sim/assignment. Positions, transactions and account-streamer pushes as a client sees them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import { nyTime } from '@legwork/venue/calendar';
import type { VenueHandle } from '@legwork/venue';
import { sdkClient, startTestVenue } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let sim: VenueHandle;
let client: TastytradeClient;
let account: string;

const control = async (path: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${sim.baseUrl}/__sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
};
/** Moves the venue's frozen clock forward to a New York time through POST /__sim/clock. */
const advanceTo = async (date: string, time: string) => {
  const { status } = await control('clock', { advanceMs: nyTime(date, time) - sim.clock.now() });
  expect(status).toBe(200);
};
/** After the expiration test the clock is past Friday's close: on to the next regular open. */
const toOpenMarket = async () => {
  const session = sim.clock.session();
  if (session.state !== 'Open') await control('clock', { advanceMs: session.nextOpenAt - sim.clock.now() + 60_000 });
  expect(sim.clock.isMarketOpen()).toBe(true);
};
const positions = async () => (await client.balancesAndPositionsService.getPositionsList(account)) as Json[];
const transactions = async () =>
  (await client.transactionsService.getAccountTransactions(account, { sort: 'Asc' })) as Json[];
const receiveDelivers = async () => (await transactions()).filter((t) => t['transaction-type'] === 'Receive Deliver');
const money = (s: string) => Math.round(Number(s) * 100);

/** SPY strike of an expiration (from the SDK's nested chain) nearest to `target`. */
async function strikeNear(
  expirationDate: string,
  target: number,
): Promise<{ strike: number; call: string; put: string }> {
  const [chain] = (await client.instrumentsService.getNestedOptionChain('SPY')) as Json[];
  const exp = (chain!.expirations as Json[]).find((e) => e['expiration-date'] === expirationDate)!;
  const strikes = (exp.strikes as Json[]).map((s) => ({
    strike: Number(s['strike-price']),
    call: s.call as string,
    put: s.put as string,
  }));
  return strikes.reduce((a, b) => (Math.abs(b.strike - target) < Math.abs(a.strike - target) ? b : a));
}

/** Opens one option position through the SDK at the natural price and waits for the fill. */
async function open(symbol: string, action: 'Sell to Open' | 'Buy to Open', quantity = 1): Promise<void> {
  const quote = sim.market.quote(symbol)!;
  const selling = action === 'Sell to Open';
  const placed = (await client.orderService.createOrder(account, {
    'time-in-force': 'Day',
    'order-type': 'Limit',
    price: (selling ? quote.bid : quote.ask).toFixed(2),
    'price-effect': selling ? 'Credit' : 'Debit',
    legs: [{ 'instrument-type': 'Equity Option', symbol, quantity, action }],
  })) as Json;
  await waitUntil(
    async () => ((await client.orderService.getOrder(account, placed.order.id)) as Json).status === 'Filled',
    { what: `${action} ${symbol} to fill` },
  );
}

beforeAll(async () => {
  sim = await startTestVenue(); // frozen at Tuesday 2026-11-17 10:00 New York
  client = sdkClient(sim);
  const [first] = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
  account = first!.account['account-number'];
});
afterEach(async () => {
  client.accountStreamer.stop();
  await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST' });
});
afterAll(async () => {
  await sim.close();
});

describe('expiration Friday', () => {
  it('a short put in the money becomes 100 shares at the strike, a long call out of the money is removed; all pushed and listed', async () => {
    const spot = sim.market.spot('SPY');
    const put = await strikeNear('2026-11-20', spot + 5);
    const call = await strikeNear('2026-11-20', spot + 15);
    await open(put.put, 'Sell to Open');
    await open(call.call, 'Buy to Open');
    expect((await positions()).map((p) => p.symbol).sort()).toEqual([put.put, call.call].sort());

    const messages: Json[] = [];
    client.accountStreamer.addMessageObserver((m) => messages.push(m as Json));
    await client.accountStreamer.start();
    await client.accountStreamer.subscribeToAccounts([account]);

    // One second before Friday's close the underlying is pinned $3 below the put's strike (far below the call's)
    await advanceTo('2026-11-20', '15:59:59');
    expect((await control('market', { symbol: 'SPY', spot: put.strike - 3 })).status).toBe(200);
    const cashBefore = money(
      ((await client.balancesAndPositionsService.getAccountBalanceValues(account)) as Json)['cash-balance'],
    );
    expect(await positions()).toHaveLength(2); // not settled before the close
    await advanceTo('2026-11-20', '16:00:30');

    const held = await positions();
    expect(held.map((p) => [p.symbol, p['instrument-type'], p.quantity, p['quantity-direction']])).toEqual([
      ['SPY', 'Equity', 100, 'Long'],
    ]);
    const strikeCents = Math.round(put.strike * 100);
    const balances = (await client.balancesAndPositionsService.getAccountBalanceValues(account)) as Json;
    expect(money(balances['cash-balance'])).toBe(cashBefore - strikeCents * 100 - 500);

    const rows = await receiveDelivers();
    expect(rows.map((t) => [t.symbol, t['transaction-sub-type'], t.quantity, t['executed-at']])).toEqual([
      [put.put, 'Assignment', '1.0', '2026-11-20T21:00:00.000+00:00'],
      ['SPY', 'Buy to Open', '100.0', '2026-11-20T21:00:00.000+00:00'],
      [call.call, 'Expiration', '1.0', '2026-11-20T21:00:00.000+00:00'],
    ]);
    expect(rows[1]).toMatchObject({
      action: 'Buy to Open',
      'value-effect': 'Debit',
      'clearing-fees': '5.0',
      'transaction-date': '2026-11-20',
      'underlying-symbol': 'SPY',
    });
    expect(money(rows[1]!.price)).toBe(strikeCents);
    expect(money(rows[1]!['net-value'])).toBe(strikeCents * 100 + 500);
    // Receive Deliver rows filter like the other transaction types
    const list = async (query: Json) =>
      ((await client.transactionsService.getAccountTransactions(account, query)) as Json[])
        .map((t) => t['transaction-sub-type'])
        .sort();
    expect(await list({ type: 'Receive Deliver' })).toEqual(['Assignment', 'Buy to Open', 'Expiration']);
    expect(
      await list({
        types: ['Receive Deliver'],
        'sub-type': ['Assignment', 'Expiration'],
        'start-date': '2026-11-20',
        'end-date': '2026-11-20',
      }),
    ).toEqual(['Assignment', 'Expiration']);
    expect(await list({ 'start-date': '2026-11-21' })).toEqual([]);
    expect(await list({ 'end-date': '2026-11-19' })).toEqual(['Buy to Open', 'Sell to Open']); // the opening Trades

    await waitUntil(
      () =>
        messages.find(
          (m) => m.type === 'AccountBalance' && money(m.data['cash-balance']) === cashBefore - strikeCents * 100 - 500,
        ),
      { what: 'the AccountBalance push after the assignment' },
    );
    const pushedPositions = messages
      .filter((m) => m.type === 'CurrentPosition')
      .map((m) => [m.data.symbol, m.data.quantity]);
    expect(pushedPositions).toEqual([
      [put.put, 0],
      ['SPY', 100],
      [call.call, 0],
    ]);

    // Nothing is left working or held in the expired options
    const live = (await client.orderService.getLiveOrders(account)) as Json[];
    expect(live.filter((o) => o.status !== 'Filled' && o.status !== 'Expired' && o.status !== 'Cancelled')).toEqual([]);
  });
});

describe('early assignment', () => {
  it('POST /__sim/assignment assigns a named short put at once; a bad body is refused naming the field', async () => {
    await toOpenMarket();
    const spot = sim.market.spot('SPY');
    const put = await strikeNear('2026-12-18', spot + 10);
    await open(put.put, 'Sell to Open', 2);
    const before = (await positions()).find((p) => p.symbol === 'SPY')?.quantity ?? 0;

    const bad = await control('assignment', { symbol: put.put, quantity: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/quantity/);
    expect((await control('assignment', { probability: 2 })).body.error.message).toMatch(/probability/);
    expect((await control('assignment', {})).body.error.message).toMatch(/either probability .* or symbol/);
    expect((await control('assignment', { symbol: put.call })).status).toBe(404);

    const assigned = await control('assignment', { symbol: put.put, quantity: 1 });
    expect(assigned).toMatchObject({
      status: 200,
      body: { ok: true, assigned: { symbol: put.put, quantity: -1, outcome: 'Assignment', shares: 100 } },
    });
    const held = new Map((await positions()).map((p) => [p.symbol, p]));
    expect(held.get(put.put)).toMatchObject({ quantity: 1, 'quantity-direction': 'Short' });
    expect(held.get('SPY')!.quantity).toBe(before + 100);
    const rows = (await receiveDelivers()).filter((t) => t.symbol === put.put);
    expect(rows).toMatchObject([
      { 'transaction-sub-type': 'Assignment', quantity: '1.0', description: 'Removal of option due to assignment' },
    ]);
  });

  it('POST /__sim/assignment with probability 1 assigns short in-the-money options at the next close', async () => {
    await toOpenMarket();
    const spot = sim.market.spot('SPY');
    const put = await strikeNear('2026-12-18', spot + 20);
    const sharesBefore = (await positions()).find((p) => p.symbol === 'SPY')?.quantity ?? 0;
    await open(put.put, 'Sell to Open');
    expect(await control('assignment', { probability: 1 })).toMatchObject({
      status: 200,
      body: { ok: true, probability: 1 },
    });
    expect((await positions()).some((p) => p.symbol === put.put)).toBe(true); // during the session: no check
    await advanceTo(sim.clock.session().tradingDate, '16:00:05');
    expect((await positions()).some((p) => p.symbol === put.put)).toBe(false);
    expect((await positions()).find((p) => p.symbol === 'SPY')?.quantity).toBe(sharesBefore + 100);
    expect((await control('assignment', { probability: 0 })).status).toBe(200);
  });
});

describe('POST /__sim/expire', () => {
  it('settles now, at the current spot, the positions expiring through a date; validates its body', async () => {
    await toOpenMarket();
    const put = await strikeNear('2026-12-18', sim.market.spot('SPY') + 10);
    await open(put.put, 'Sell to Open');
    expect((await control('expire', { through: '2026-12-17' })).body).toEqual({ ok: true, settled: [] });
    const { status, body } = await control('expire', { through: '2026-12-18' });
    expect(status).toBe(200);
    expect(body.settled).toMatchObject([
      {
        'account-number': account,
        symbol: put.put,
        quantity: -1,
        outcome: 'Assignment',
        shares: 100,
        strike: put.strike,
      },
    ]);
    expect((await positions()).map((p) => [p.symbol, p.quantity])).toEqual([['SPY', 100]]);

    const bad = await control('expire', { through: 'friday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/through/);
  });
});
