// Owns the end-to-end check of POST /__sim/positions: a position opened at the venue outside Legwork (a "foreign" one)
// reaches Legwork through the SDK like a fill's effects: position and balance events on the account streamer, REST reads.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import type { AccountEvent } from '../../src/pipeline/ports.js';
import { venueBroker, type VenueBrokerSetup } from '../contract/broker.contract.js';
import { startTestVenue } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

let sim: VenueHandle;
let setup: VenueBrokerSetup;
let seen: AccountEvent[] = [];

const post = async (body: unknown) => {
  const res = await fetch(`${sim.baseUrl}/__sim/positions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  sim = await startTestVenue();
  setup = await venueBroker(sim, { events: { silenceMs: 5_000, reconnect: { minMs: 100, maxMs: 1_000 } } });
  setup.events.onEvent((e) => seen.push(e));
  await setup.events.start();
  await waitUntil(() => seen.some((e) => e.kind === 'connection' && e.state === 'resynced'), { what: 'the resync' });
});
afterEach(() => {
  sim.control.reset();
});
afterAll(async () => {
  await setup.cleanup();
  await sim.close();
});

describe('POST /__sim/positions', () => {
  it('opens shares and a short option in the account, pushed as position and balance events and read back over REST', async () => {
    seen = [];
    const before = await setup.broker.balances();
    const spy = await post({ symbol: 'SPY', quantity: 20, price: 690.5 });
    expect(spy).toMatchObject({ status: 200, body: { ok: true, position: { symbol: 'SPY', quantity: 20 } } });
    const chain = sim.market.chain('QQQ')!;
    const put = chain.expirations.find((e) => e.daysToExpiration >= 20)!.strikes[0]!.putSymbol;
    const short = await post({ symbol: put, quantity: -3, price: 1.2 });
    expect(short.body.position).toMatchObject({ symbol: put, quantity: 3, 'quantity-direction': 'Short' });

    const pushed = await waitUntil(
      () => {
        const positions = seen.flatMap((e) => (e.kind === 'position' ? [e.position] : []));
        return positions.some((p) => p.symbol === put) ? positions : undefined;
      },
      { what: 'the short put position event' },
    );
    expect(pushed.map((p) => [p.symbol, p.quantity])).toEqual([
      ['SPY', 20],
      [put, -3],
    ]);
    const balance = await waitUntil(() => seen.filter((e) => e.kind === 'balance').at(1), {
      what: 'the second balance event',
    });
    // cash: −20 × $690.50 for the shares, +3 × 100 × $1.20 for the put
    const expectedCash = before.cashCents - 20 * 69_050 + 3 * 100 * 120;
    expect(balance.kind === 'balance' && balance.balances.cashCents).toBe(expectedCash);

    const positions = await setup.broker.positions();
    expect(positions.map((p) => [p.symbol, p.quantity, p.averageOpenPriceCents]).sort()).toEqual(
      [
        ['SPY', 20, 69_050],
        [put, -3, 120],
      ].sort(),
    );
    expect((await setup.broker.balances()).cashCents).toBe(expectedCash);
    // nothing was ordered: Legwork sees no order behind these positions
    expect(await setup.broker.liveOrders()).toEqual([]);
  });

  it('refuses a malformed body (400), an unknown symbol (422) and an unknown account (404), changing nothing', async () => {
    expect(await post({ symbol: 'SPY', quantity: 0 })).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_error' } },
    });
    expect(await post({ symbol: 'SPY', quantity: 1.5, extra: true })).toMatchObject({ status: 400 });
    expect(await post({ symbol: 'NOPE', quantity: 1 })).toMatchObject({
      status: 422,
      body: { error: { code: 'instrument_not_found' } },
    });
    expect(await post({ symbol: 'SPY', quantity: 1, accountNumber: '5WT99999' })).toMatchObject({ status: 404 });
    expect(await setup.broker.positions()).toEqual([]);
  });
});
