// Every fault the local venue can inject ends in the right BrokerError kind through the real adapter and SDK.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import { createTastytradeBroker } from '../../src/broker/tastytrade/broker.js';
import { BrokerError } from '../../src/domain/broker-error.js';
import {
  chainCondor,
  condorRequest,
  venueBroker,
  venueClient,
  venueOrders,
  type ContractCondor,
  type VenueBrokerSetup,
} from '../contract/broker.contract.js';
import { startTestVenue } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

let sim: VenueHandle;
let setup: VenueBrokerSetup;
let condor: ContractCondor;

/** Fast but real policy: short deadlines, tiny backoff, a breaker that does not trip by accident. */
const POLICY = { readTimeoutMs: 2_000, submitTimeoutMs: 400, baseDelayMs: 5, maxDelayMs: 20, breakerThreshold: 50 };

async function failure(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
  throw new Error('expected a BrokerError, the call succeeded');
}

const resting = (externalId: string) => ({ ...condorRequest(condor, condor.restingCreditCents), externalId });
const withExternalId = (id: string) => venueOrders(sim.control).filter((o) => o['external-identifier'] === id);
/** How often a fault kind has fired at the venue (counters survive reset, so tests compare deltas). */
const fired = (kind: string) => (sim.control.state()['faults'] as { fired: Record<string, number> }).fired[kind] ?? 0;

beforeAll(async () => {
  sim = await startTestVenue();
  setup = await venueBroker(sim, { policy: POLICY });
  condor = await chainCondor(setup.client, sim.market.spot('SPY'));
});
afterEach(() => {
  sim.control.reset();
});
afterAll(async () => {
  await setup.cleanup();
  await sim.close();
});

describe('submit faults: the order may exist, so `unknown`, never re-sent', () => {
  it('http500AfterCreate → unknown; findByExternalId then finds the one order the venue created', async () => {
    sim.control.injectFault({ kind: 'http500AfterCreate' });
    const error = await failure(setup.broker.submit(resting('lw-faults-500')));
    expect(error.kind).toBe('unknown');
    expect(error.httpStatus).toBe(500);
    expect(withExternalId('lw-faults-500')).toHaveLength(1);
    const found = await setup.broker.findByExternalId('lw-faults-500');
    expect(found).toHaveLength(1);
    expect(found[0]!.externalId).toBe('lw-faults-500');
    expect(found[0]!.brokerOrderId).toBe(withExternalId('lw-faults-500')[0]!['id']);
    expect(withExternalId('lw-faults-500')).toHaveLength(1); // never re-sent
  });

  it('a hang beyond the submit deadline → unknown (timeout) at the deadline; the order is found later', async () => {
    sim.control.injectFault({ kind: 'hang', ms: 3_000, path: '/accounts' });
    const started = Date.now();
    const error = await failure(setup.broker.submit(resting('lw-faults-hang')));
    const took = Date.now() - started;
    expect(error.kind).toBe('unknown');
    expect(error.code).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(POLICY.submitTimeoutMs - 5);
    expect(took).toBeLessThan(2_000);
    const found = await setup.broker.findByExternalId('lw-faults-hang');
    expect(found.map((o) => o.externalId)).toEqual(['lw-faults-hang']);
    expect(withExternalId('lw-faults-hang')).toHaveLength(1);
  });

  it('rateLimit on a submit → unknown, attempted once (the venue saw one request and created nothing)', async () => {
    const before = fired('rateLimit');
    sim.control.injectFault({ kind: 'rateLimit', count: 3, path: '/accounts' });
    const error = await failure(setup.broker.submit(resting('lw-faults-429')));
    expect(error.kind).toBe('unknown');
    expect(error.httpStatus).toBe(429);
    expect(fired('rateLimit') - before).toBe(1);
    expect(withExternalId('lw-faults-429')).toHaveLength(0);
  });

  it('http500AfterCreate on a replace → unknown; the new order exists and is linked', async () => {
    const order = await setup.broker.submit(resting('lw-faults-replace'));
    sim.control.injectFault({
      kind: 'http500AfterCreate',
      path: `/accounts/${setup.broker.accountNumber}/orders/${order.brokerOrderId}`,
    });
    const error = await failure(
      setup.broker.replace(order.brokerOrderId, { limitPriceCents: condor.restingCreditCents - 10 }),
    );
    expect(error.kind).toBe('unknown');
    const linked = venueOrders(sim.control).filter((o) => o['replaces-order-id'] === order.brokerOrderId);
    expect(linked).toHaveLength(1);
    const found = await setup.broker.findByExternalId('lw-faults-replace');
    expect(found.map((o) => o.brokerOrderId)).toContain(linked[0]!['id']);
  });
});

describe('read faults: retried', () => {
  it('rateLimit on a read → retried with backoff and succeeds', async () => {
    const before = fired('rateLimit');
    sim.control.injectFault({ kind: 'rateLimit', count: 2, path: '/accounts' });
    const balances = await setup.broker.balances();
    expect(balances.accountNumber).toBe(setup.broker.accountNumber);
    expect(balances.netLiquidatingValueCents).toBeGreaterThan(0);
    expect(fired('rateLimit') - before).toBe(2);
  });

  it('a read that hangs past its deadline is retried and succeeds', async () => {
    const hasty = await createTastytradeBroker({ client: venueClient(sim), policy: { ...POLICY, readTimeoutMs: 300 } });
    const before = fired('hang');
    sim.control.injectFault({ kind: 'hang', ms: 2_000, path: '/accounts' });
    const orders = await hasty.liveOrders();
    expect(orders).toEqual([]);
    expect(fired('hang') - before).toBe(1);
  });

  it('start-up waits out a broker that rate-limits longer than one call retries (a worker exited in chaos)', async () => {
    const before = fired('rateLimit');
    // more 429s than one policy run retries: the first run fails, start-up pauses and asks again
    sim.control.injectFault({ kind: 'rateLimit', count: 6, path: '/customers/me/accounts' });
    const started = await createTastytradeBroker({ client: venueClient(sim), policy: POLICY, startupWaitMs: 30_000 });
    expect(started.accountNumber).toBe(setup.broker.accountNumber);
    expect(fired('rateLimit') - before).toBe(6);
  });

  it("start-up gives up on passing failures after its wait, with the broker's error", async () => {
    sim.control.injectFault({ kind: 'rateLimit', count: 50, path: '/customers/me/accounts' });
    const error = await failure(
      createTastytradeBroker({ client: venueClient(sim), policy: POLICY, startupWaitMs: 500 }),
    );
    expect(error.kind).toBe('retryable');
    expect(error.httpStatus).toBe(429);
  });
});

describe('definitive answers', () => {
  it('a preflight 422 → rejected with the code and sub-errors; nothing placed', async () => {
    const bad = resting('lw-faults-422');
    bad.legs = bad.legs.map((l) => ({ ...l, action: 'Buy to Open' as const }));
    const error = await failure(setup.broker.submit(bad));
    expect(error.kind).toBe('rejected');
    expect(error.httpStatus).toBe(422);
    expect(error.code).toBe('preflight_check_failure');
    expect(error.info.details?.map((d) => d.code)).toContain('cant_buy_for_credit');
    expect(venueOrders(sim.control)).toHaveLength(0);
  });

  it('a request the wire cannot express is rejected before anything is sent', async () => {
    const error = await failure(setup.broker.submit({ ...resting('lw-faults-zero'), limitPriceCents: 0 }));
    expect(error.kind).toBe('rejected');
    expect(error.code).toBe('invalid_request');
    expect(venueOrders(sim.control)).toHaveLength(0);
  });
});

describe('authentication', () => {
  it('refused credentials → fatal, before any account is read', async () => {
    const strict = await startTestVenue({ auth: { clientSecret: 'the-right-one' } });
    try {
      const error = await failure(createTastytradeBroker({ client: venueClient(strict, { clientSecret: 'wrong' }) }));
      expect(error.kind).toBe('fatal');
      expect(error.httpStatus).toBe(401);
      expect(error.message).not.toMatch(/wrong|the-right-one/);
    } finally {
      await strict.close();
    }
  });

  it('an access token the venue stopped honouring: a read refreshes once and succeeds; a submit is fatal and not sent', async () => {
    let skewMs = 0;
    const expiring = await startTestVenue({ auth: { wallNow: () => Date.now() + skewMs } });
    try {
      const broker = await createTastytradeBroker({ client: venueClient(expiring), policy: POLICY });
      skewMs = 3_600_000; // every token issued so far is now expired at the venue, the SDK still trusts its own
      expect((await broker.balances()).accountNumber).toBe(broker.accountNumber);
      skewMs = 7_200_000;
      // Same seed and clock as the main venue: the same condor exists there
      const error = await failure(broker.submit(resting('lw-faults-401')));
      expect(error.kind).toBe('fatal');
      expect(error.httpStatus).toBe(401);
      expect(venueOrders(expiring.control)).toHaveLength(0);
    } finally {
      await expiring.close();
    }
  });

  it('an account the login does not own is refused clearly (fatal)', async () => {
    const error = await failure(createTastytradeBroker({ client: venueClient(sim), accountNumber: '5ZZ99999' }));
    expect(error.kind).toBe('fatal');
    expect(error.message).toMatch(/5ZZ99999 is not one of this login's accounts/);
  });
});

describe('transport', () => {
  it('connection refused (nothing sent) → retryable, even for a submit', async () => {
    const gone = await startTestVenue();
    const broker = await createTastytradeBroker({
      client: venueClient(gone),
      policy: { ...POLICY, maxReadAttempts: 1 },
    });
    await gone.close();
    // The first request after the close meets the dead keep-alive socket (ECONNRESET: it may have been written, so a
    // submit there would be `unknown`); a read is `retryable` either way and clears it
    expect((await failure(broker.positions())).kind).toBe('retryable');
    const error = await failure(broker.submit(resting('lw-faults-refused')));
    expect(error.kind).toBe('retryable');
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('repeated read failures open the read circuit: reads then fail fast without reaching the venue, orders still go; it closes again', async () => {
    const fragile = await createTastytradeBroker({
      client: venueClient(sim),
      policy: { ...POLICY, maxReadAttempts: 1, breakerThreshold: 3, breakerCooldownMs: 300 },
    });
    const before = fired('rateLimit');
    sim.control.injectFault({ kind: 'rateLimit', count: 10, path: '/accounts' });
    for (let i = 0; i < 3; i++) expect((await failure(fragile.positions())).kind).toBe('retryable');
    expect(fragile.policy.breakerState).toBe('open');
    const fast = await failure(fragile.positions());
    expect(fast.kind).toBe('retryable');
    expect(fast.code).toBe('circuit_open');
    expect(fired('rateLimit') - before).toBe(3); // the fast failure never reached the venue
    // Read trouble does not block orders (issue 11, defect 10): the submit reaches the venue (and meets the 429)
    expect((await failure(fragile.submit(resting('lw-faults-circuit')))).kind).toBe('unknown');
    expect(fired('rateLimit') - before).toBe(4);
    expect(fragile.policy.breakerOf('open')).toBe('closed');
    sim.control.reset();
    await waitUntil(() => fragile.policy.breakerState === 'half-open', { what: 'the cooldown' });
    expect(await fragile.positions()).toEqual([]);
    expect(fragile.policy.breakerState).toBe('closed');
  });
});
