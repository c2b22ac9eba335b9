// Trades against the venue through the unmodified @tastytrade/api SDK: dry-run, a 4-leg package fill, rejects, cancel, replace, streamer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import type { VenueHandle } from '@legwork/venue';
import { connectQuotes, latestEvent, sdkClient, startTestVenue, statusOf } from '../support/venue.js';
import { condorOrder, naturalCredit, pickCondor, type CondorLegs } from '../support/iron-condor.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let sim: VenueHandle;
let client: TastytradeClient;
let account: string;
let legs: CondorLegs;
let natural: number;

async function condorQuotes(): Promise<Map<string, { bid: number; ask: number }>> {
  const quotes = await connectQuotes(client);
  try {
    const symbols = [legs.longPut, legs.shortPut, legs.shortCall, legs.longCall].map((l) => l.streamer);
    client.quoteStreamer.subscribe(symbols, ['Quote'] as never);
    const map = new Map<string, { bid: number; ask: number }>();
    for (const s of symbols) {
      const q = await latestEvent(quotes.events, 'Quote', s);
      map.set(s, { bid: q.bidPrice as number, ask: q.askPrice as number });
    }
    return map;
  } finally {
    quotes.close();
  }
}

const positions = async () => (await client.balancesAndPositionsService.getPositionsList(account)) as Json[];
const order = async (id: number) => (await client.orderService.getOrder(account, id)) as Json;
const money = (s: string) => Math.round(Number(s) * 100);

beforeAll(async () => {
  sim = await startTestVenue();
  client = sdkClient(sim);
  const [first] = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
  account = first!.account['account-number'];
  const chain = (await client.instrumentsService.getNestedOptionChain('SPY')) as Json[];
  legs = pickCondor(chain, sim.market.spot('SPY'));
  natural = naturalCredit(legs, await condorQuotes());
});
afterEach(async () => {
  await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST' });
});
afterAll(async () => {
  await sim.close();
});

describe('dry-run', () => {
  it('previews an iron condor: no id, updated-at 0, margin of the width, buying power of width minus credit plus fees', async () => {
    const preview = (await client.orderService.postOrderDryRun(account, condorOrder(legs, '1.00'))) as Json;
    expect(preview.order.id).toBeUndefined();
    expect(preview.order['updated-at']).toBe(0);
    expect(preview.order.legs).toHaveLength(4);
    const width = legs.shortPut.strike - legs.longPut.strike;
    const bp = preview['buying-power-effect'];
    expect(money(bp['change-in-margin-requirement'])).toBe(width * 100 * 100);
    // The credit received offsets the requirement; as recorded from Tastytrade, fees come on top
    const fees = money(preview['fee-calculation']['total-fees']);
    expect(fees).toBeGreaterThan(0);
    expect(money(bp['change-in-buying-power'])).toBe((width - 1) * 100 * 100 + fees);
    expect(bp['change-in-buying-power-effect']).toBe('Debit');
    expect(await positions()).toEqual([]);
  });

  it('rejects camelCase keys inside legs[] (the SDK does not convert them)', async () => {
    const bad = condorOrder(legs, '1.00');
    bad.legs[0] = { instrumentType: 'Equity Option', symbol: legs.longPut.symbol, quantity: 1, action: 'Buy to Open' };
    const failure = await statusOf(client.orderService.postOrderDryRun(account, bad));
    expect([400, 422]).toContain(failure.status);
    expect(JSON.stringify(failure.body)).toMatch(/instrument-type|instrumentType/);
  });

  it('refuses a fifth leg and a buy-for-credit with preflight_check_failure', async () => {
    const five = condorOrder(legs, '1.00');
    five.legs.push({
      'instrument-type': 'Equity Option',
      symbol: legs.shortPut.symbol.replace('P', 'C'),
      quantity: 1,
      action: 'Buy to Open',
    });
    const tooMany = await statusOf(client.orderService.postOrderDryRun(account, five));
    expect(tooMany.status).toBe(422);
    expect((tooMany.body as Json).error.code).toBe('preflight_check_failure');

    const buyForCredit = { ...condorOrder(legs, '1.00'), legs: [condorOrder(legs, '1.00').legs[0]] };
    const failure = await statusOf(client.orderService.postOrderDryRun(account, buyForCredit));
    expect(failure.status).toBe(422);
    expect((failure.body as Json).error.errors.map((e: Json) => e.code)).toContain('cant_buy_for_credit');
  });
});

describe('placing orders', () => {
  it('fills a marketable 4-leg iron condor as one package and opens four positions', async () => {
    const cashBefore = money(
      ((await client.balancesAndPositionsService.getAccountBalanceValues(account)) as Json)['cash-balance'],
    );
    const price = (Math.floor(natural * 100) / 100).toFixed(2);
    const placed = (await client.orderService.createOrder(
      account,
      condorOrder(legs, price, { 'external-identifier': 'lw-ic-1' }),
    )) as Json;
    expect(placed.order['external-identifier']).toBe('lw-ic-1');
    const filled = await waitUntil(
      async () => {
        const o = await order(placed.order.id);
        return o.status === 'Filled' ? o : undefined;
      },
      { what: 'the condor to fill' },
    );
    for (const leg of filled.legs as Json[]) {
      expect(leg['remaining-quantity']).toBe(0);
      expect(leg.fills).toHaveLength(1);
      expect(leg.fills[0]['fill-id']).toBeTypeOf('string');
    }
    const held = await positions();
    expect(held.map((p) => `${p['quantity-direction']} ${p.symbol}`).sort()).toEqual(
      [
        `Long ${legs.longPut.symbol}`,
        `Short ${legs.shortPut.symbol}`,
        `Short ${legs.shortCall.symbol}`,
        `Long ${legs.longCall.symbol}`,
      ].sort(),
    );
    const cashAfter = money(
      ((await client.balancesAndPositionsService.getAccountBalanceValues(account)) as Json)['cash-balance'],
    );
    expect(cashAfter - cashBefore).toBeGreaterThan(money(price) * 100 - 2000); // credit received, minus at most $20 of fees
    expect(cashAfter - cashBefore).toBeLessThanOrEqual(money(price) * 100);
  });

  it('keeps a non-marketable condor working with no leg filled, then cancels it', async () => {
    const placed = (await client.orderService.createOrder(
      account,
      condorOrder(legs, (natural + 2).toFixed(2)),
    )) as Json;
    await waitUntil(async () => (await order(placed.order.id)).status === 'Live', { what: 'Live' });
    expect(await positions()).toEqual([]);
    const cancelled = (await client.orderService.cancelOrder(account, placed.order.id)) as Json;
    expect(['Cancel Requested', 'Cancelled']).toContain(cancelled.status);
    await waitUntil(async () => (await order(placed.order.id)).status === 'Cancelled', { what: 'Cancelled' });
    const again = await statusOf(client.orderService.cancelOrder(account, placed.order.id));
    expect(again.status).toBe(422);
    expect((again.body as Json).error.code).toBe('cannot_update_order');
  });

  it('rejects the whole package when one leg is rejected, leaving no position', async () => {
    await fetch(`${sim.baseUrl}/__sim/fill-behavior`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: legs.shortCall.symbol, behavior: 'reject', code: 'exchange_rejected' }),
    });
    const price = (Math.floor(natural * 100) / 100).toFixed(2);
    const placed = (await client.orderService.createOrder(account, condorOrder(legs, price))) as Json;
    const rejected = await waitUntil(
      async () => {
        const o = await order(placed.order.id);
        return o.status === 'Rejected' ? o : undefined;
      },
      { what: 'the reject' },
    );
    expect(String(rejected['reject-reason'])).not.toBe('');
    expect((rejected.legs as Json[]).every((l) => l.fills.length === 0)).toBe(true);
    expect(await positions()).toEqual([]);
  });

  it('replaces a working order: new id linked to the old, which ends Cancelled', async () => {
    const placed = (await client.orderService.createOrder(
      account,
      condorOrder(legs, (natural + 2).toFixed(2)),
    )) as Json;
    await waitUntil(async () => (await order(placed.order.id)).status === 'Live', { what: 'Live' });
    const replacement = (await client.orderService.replaceOrder(account, placed.order.id, {
      'order-type': 'Limit',
      price: (natural + 1.5).toFixed(2),
      'price-effect': 'Credit',
      'time-in-force': 'Day',
    })) as Json;
    expect(replacement.id).not.toBe(placed.order.id);
    expect(replacement['replaces-order-id']).toBe(placed.order.id);
    const old = await waitUntil(
      async () => {
        const o = await order(placed.order.id);
        return o.status === 'Cancelled' ? o : undefined;
      },
      { what: 'the original to be cancelled' },
    );
    expect(old.edited).toBe(true);
    expect(old['replacing-order-id']).toBe(replacement.id);
    await waitUntil(async () => (await order(replacement.id)).status === 'Live', { what: 'the replacement to work' });
  });
});

describe('account streamer', () => {
  it('pushes Order, CurrentPosition and AccountBalance notifications to the SDK AccountStreamer', async () => {
    const messages: Json[] = [];
    client.accountStreamer.addMessageObserver((m) => messages.push(m as Json));
    await client.accountStreamer.start();
    try {
      await client.accountStreamer.subscribeToAccounts([account]);
      const price = (Math.floor(natural * 100) / 100).toFixed(2);
      const placed = (await client.orderService.createOrder(account, condorOrder(legs, price))) as Json;
      await waitUntil(
        () => messages.find((m) => m.type === 'Order' && m.data.id === placed.order.id && m.data.status === 'Filled'),
        { what: 'a Filled Order push' },
      );
      await waitUntil(() => messages.filter((m) => m.type === 'CurrentPosition').length >= 4, {
        what: 'four CurrentPosition pushes',
      });
      await waitUntil(() => messages.find((m) => m.type === 'AccountBalance'), { what: 'an AccountBalance push' });
      const statuses = messages
        .filter((m) => m.type === 'Order' && m.data.id === placed.order.id)
        .map((m) => m.data.status);
      expect(statuses.indexOf('Routed')).toBeLessThan(statuses.indexOf('Filled'));
      for (const m of messages.filter((x) => x.type)) expect(m.timestamp).toBeTypeOf('number');
    } finally {
      client.accountStreamer.stop();
    }
  });
});
