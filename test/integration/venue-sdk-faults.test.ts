// Every injected venue fault, as the unmodified @tastytrade/api SDK (and its DXLink client) sees it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import { STREAMER_STATE } from '@tastytrade/api';
import type { VenueHandle } from '@legwork/venue';
import { connectQuotes, latestEvent, sdkClient, startTestVenue, statusOf } from '../support/venue.js';
import { condorOrder, pickCondor, type CondorLegs } from '../support/iron-condor.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let sim: VenueHandle;
let client: TastytradeClient;
let account: string;
let legs: CondorLegs;

const control = (path: string, body: unknown) =>
  fetch(`${sim.baseUrl}/__sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const liveOrders = async () => (await client.orderService.getLiveOrders(account)) as Json[];
/** A fresh SDK account streamer subscribed to the account, collecting every message. */
async function subscribedStreamer() {
  const messages: Json[] = [];
  const streamer = sdkClient(sim).accountStreamer;
  streamer.addMessageObserver((m) => messages.push(m as Json));
  await streamer.start();
  await streamer.subscribeToAccounts([account]);
  return { streamer, messages };
}
/** A condor far from marketable, so it stays working. */
const restingOrder = (externalId: string) => condorOrder(legs, '9.00', { 'external-identifier': externalId });

beforeAll(async () => {
  sim = await startTestVenue();
  client = sdkClient(sim);
  const [first] = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
  account = first!.account['account-number'];
  legs = pickCondor((await client.instrumentsService.getNestedOptionChain('SPY')) as Json[], sim.market.spot('SPY'));
});
afterEach(async () => {
  await control('reset', {});
});
afterAll(async () => {
  await sim.close();
});

describe('HTTP faults', () => {
  it('http500AfterCreate: the client sees a 500 but the order exists, findable by external-identifier', async () => {
    expect((await control('faults', { kind: 'http500AfterCreate' })).status).toBe(200);
    const failure = await statusOf(client.orderService.createOrder(account, restingOrder('lw-unknown-1')));
    expect(failure.status).toBe(500);
    const found = (await liveOrders()).filter((o) => o['external-identifier'] === 'lw-unknown-1');
    expect(found).toHaveLength(1);
    // Fires once only
    const second = (await client.orderService.createOrder(account, restingOrder('lw-unknown-2'))) as Json;
    expect(second.order['external-identifier']).toBe('lw-unknown-2');
  });

  it('rateLimit: a burst of 429s for the next N requests, then normal service', async () => {
    await control('faults', { kind: 'rateLimit', count: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await statusOf(client.accountsAndCustomersService.getCustomerAccounts())).status);
    expect(statuses).toEqual([429, 429, 429]);
    expect(((await client.accountsAndCustomersService.getCustomerAccounts()) as Json[]).length).toBeGreaterThan(0);
  });

  it('hang: the response is held back for ms while the order is already created', async () => {
    await control('faults', { kind: 'hang', ms: 800, path: '/accounts' });
    const started = Date.now();
    const pending = client.orderService.createOrder(account, restingOrder('lw-hang-1'));
    await waitUntil(
      async () => {
        const res = await fetch(`${sim.baseUrl}/__sim/state`);
        const state = (await res.json()) as Json;
        return JSON.stringify(state).includes('lw-hang-1');
      },
      { what: 'the order to exist while the response hangs' },
    );
    const placed = (await pending) as Json;
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    expect(placed.order['external-identifier']).toBe('lw-hang-1');
  });

  it('rejects a malformed fault request with the field named', async () => {
    const res = await control('faults', { kind: 'meteorStrike' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.message).toMatch(/kind/);
  });
});

describe('stream faults', () => {
  it('dropStreams closes the account streamer (SDK state Closed) and DXLink reconnects by itself', async () => {
    const quotes = await connectQuotes(client);
    await client.accountStreamer.start();
    try {
      await client.accountStreamer.subscribeToAccounts([account]);
      client.quoteStreamer.subscribe(['SPY'], ['Quote'] as never);
      await latestEvent(quotes.events, 'Quote', 'SPY');
      await control('faults', { kind: 'dropStreams' });
      await waitUntil(() => client.accountStreamer.streamerState === STREAMER_STATE.Closed, {
        what: 'the account stream to close',
      });
      quotes.events.length = 0;
      await control('market', { symbol: 'SPY', spot: sim.market.spot('SPY') * 1.01 });
      const after = await latestEvent(quotes.events, 'Quote', 'SPY', 8000);
      expect(after.bidPrice as number).toBeCloseTo(sim.market.quote('SPY')!.bid, 2);
    } finally {
      client.accountStreamer.stop();
      quotes.close();
    }
  });

  it('silentStreams: notifications in the window are lost, the socket stays open, later ones arrive', async () => {
    const { streamer, messages } = await subscribedStreamer();
    try {
      await control('faults', { kind: 'silentStreams', ms: 500 });
      const quiet = (await client.orderService.createOrder(account, restingOrder('lw-silent-1'))) as Json;
      await new Promise((r) => setTimeout(r, 600));
      expect(messages.some((m) => m.data?.id === quiet.order.id)).toBe(false);
      expect(streamer.streamerState).toBe(STREAMER_STATE.Open);
      const loud = (await client.orderService.createOrder(account, restingOrder('lw-silent-2'))) as Json;
      await waitUntil(() => messages.find((m) => m.data?.id === loud.order.id), { what: 'a push after the silence' });
    } finally {
      streamer.stop();
    }
  });

  it('duplicatePushes and reorderPushes: the client sees the same ws-sequence twice, and sequences out of order', async () => {
    const { streamer, messages } = await subscribedStreamer();
    try {
      await control('faults', { kind: 'duplicatePushes', count: 1 });
      await client.orderService.createOrder(account, restingOrder('lw-dup-1'));
      await waitUntil(
        () => {
          const seqs = messages.filter((m) => m.type).map((m) => m['ws-sequence']);
          return seqs.length !== new Set(seqs).size;
        },
        { what: 'a duplicated push' },
      );
      messages.length = 0;
      await control('faults', { kind: 'reorderPushes', count: 1 });
      await client.orderService.createOrder(account, restingOrder('lw-reorder-1'));
      await waitUntil(
        () => {
          const seqs = messages.filter((m) => m.type).map((m) => m['ws-sequence'] as number);
          return seqs.some((s, i) => i > 0 && s < seqs[i - 1]!);
        },
        { what: 'an out-of-order push' },
      );
    } finally {
      streamer.stop();
    }
  });
});

describe('control routes', () => {
  it('moves the market and advances the clock; /__sim/state shows orders with external identifiers', async () => {
    const before = sim.clock.now();
    const res = await control('clock', { advanceMs: 60_000 });
    expect(res.status).toBe(200);
    expect(sim.clock.now() - before).toBe(60_000);
    const moved = await control('market', { symbol: 'SPY', spot: 500 });
    expect(((await moved.json()) as Json).spot).toBeCloseTo(500, 0);
    await client.orderService.createOrder(account, restingOrder('lw-state-1'));
    const state = (await (await fetch(`${sim.baseUrl}/__sim/state`)).json()) as Json;
    const orders = state.accounts.flatMap((a: Json) => a.orders);
    expect(orders.map((o: Json) => o['external-identifier'])).toContain('lw-state-1');
  });

  it('delayed fill behaviour: fills only after the simulated delay has passed', async () => {
    await control('fill-behavior', { underlying: 'SPY', behavior: 'delayed', delayMs: 30_000 });
    await control('fill-behavior', { behavior: 'immediate' });
    const marketable = condorOrder(legs, '0.05');
    const placed = (await client.orderService.createOrder(account, marketable)) as Json;
    await waitUntil(
      async () => ((await client.orderService.getOrder(account, placed.order.id)) as Json).status === 'Live',
      { what: 'Live' },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(((await client.orderService.getOrder(account, placed.order.id)) as Json).status).toBe('Live');
    await control('clock', { advanceMs: 31_000 });
    await waitUntil(
      async () => ((await client.orderService.getOrder(account, placed.order.id)) as Json).status === 'Filled',
      { what: 'the delayed fill' },
    );
  });
});
