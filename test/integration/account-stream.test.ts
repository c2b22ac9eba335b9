// Account events through the real SDK AccountStreamer against the venue: fills, drops, silence, duplicate and reordered pushes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import { createAccountEvents } from '../../src/broker/tastytrade/account-stream.js';
import { filledUnits, isTerminal, type BrokerOrder } from '../../src/domain/broker-order.js';
import type { AccountEvent, AccountEvents } from '../../src/pipeline/ports.js';
import {
  chainCondor,
  condorRequest,
  venueBroker,
  type ContractCondor,
  type VenueBrokerSetup,
} from '../contract/broker.contract.js';
import { startTestVenue } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

const SILENCE_MS = 600;

let sim: VenueHandle;
let setup: VenueBrokerSetup;
let condor: ContractCondor;
let seen: AccountEvent[];
let off: () => void;

const until = <T>(
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 10_000,
) => waitUntil(probe, { timeoutMs, what });
const connections = (state?: string) =>
  seen.flatMap((e, index) =>
    e.kind === 'connection' && (state === undefined || e.state === state) ? [{ ...e, index }] : [],
  );
const orderEvents = (id: number) =>
  seen.flatMap((e, index) =>
    e.kind === 'order' && e.order.brokerOrderId === id ? [{ order: e.order, receivedAt: e.receivedAt, index }] : [],
  );
const submit = (creditCents: number, externalId: string): Promise<BrokerOrder> =>
  setup.broker.submit({ ...condorRequest(condor, creditCents), externalId });
/**
 * What a consumer deduping by updated-at keeps. Pushes of one venue tick share an updated-at (the test clock is frozen,
 * and real timestamps have ms resolution), so ties go to a terminal status, then to more fills — never to arrival order.
 */
const fillsOf = (o: BrokerOrder) => o.legs.reduce((n, l) => n + l.fills.length, 0);
const newer = (a: BrokerOrder, b: BrokerOrder) =>
  a.updatedAt !== b.updatedAt
    ? a.updatedAt > b.updatedAt
    : isTerminal(a.status) !== isTerminal(b.status)
      ? isTerminal(a.status)
      : fillsOf(a) > fillsOf(b);
const newest = (id: number) =>
  orderEvents(id).reduce<BrokerOrder | undefined>(
    (best, e) => (!best || newer(e.order, best) ? e.order : best),
    undefined,
  );

beforeAll(async () => {
  sim = await startTestVenue();
  setup = await venueBroker(sim, {
    events: { silenceMs: SILENCE_MS, subscribeTimeoutMs: 400, reconnect: { minMs: 400, maxMs: 800 } },
  });
  condor = await chainCondor(setup.client, sim.market.spot('SPY'));
});
afterEach(async () => {
  off?.();
  await setup.events.stop();
  sim.control.reset();
});
afterAll(async () => {
  await setup.cleanup();
  await sim.close();
});

async function started(events: AccountEvents = setup.events): Promise<void> {
  seen = [];
  off = events.onEvent((e) => seen.push(e));
  await events.start();
  await until(() => connections('resynced').length > 0, 'the first resync');
}

describe('account events', () => {
  it('a package fill arrives as order, position and balance events; a healthy stream is never taken for silent', async () => {
    const t0 = Date.now();
    await started();
    expect(setup.events.connected).toBe(true);
    expect(connections().map((c) => c.state)).toEqual(['connected', 'resynced']);
    const order = await submit(condor.marketableCreditCents, 'lw-stream-fill');
    const filled = await until(
      () => orderEvents(order.brokerOrderId).find((e) => e.order.status === 'filled' && filledUnits(e.order) === 1),
      'the fill event',
    );
    expect(filled.order.legs.every((l) => l.fills.length > 0 && l.remainingQuantity === 0)).toBe(true);
    for (const symbol of [condor.longPut, condor.shortPut, condor.shortCall, condor.longCall]) {
      await until(
        () => seen.some((e) => e.kind === 'position' && e.position.symbol === symbol),
        `a position event for ${symbol}`,
      );
    }
    await until(() => seen.some((e, i) => e.kind === 'balance' && i > filled.index), 'a balance event after the fill');
    // Heartbeats keep the stream talking: three silence windows pass without a false alarm
    await until(() => Date.now() - t0 > 3 * SILENCE_MS, 'three silence windows');
    expect(connections('silent')).toHaveLength(0);
    expect(connections('disconnected')).toHaveLength(0);
    expect(setup.events.connected).toBe(true);
  });

  it('dropStreams: reconnects, and the REST catch-up shows the fill that happened while disconnected', async () => {
    sim.control.setFillBehavior({ underlying: 'SPY', behavior: 'delayed', delayMs: 60_000 });
    await started();
    const order = await submit(condor.marketableCreditCents, 'lw-stream-drop');
    await until(() => orderEvents(order.brokerOrderId).find((e) => e.order.status === 'live'), 'the order to work');
    sim.control.injectFault({ kind: 'dropStreams' });
    const drop = await until(() => connections('disconnected')[0], 'the disconnect');
    expect(setup.events.connected).toBe(false);
    // The fill happens while nobody listens
    sim.control.advanceClock(61_000);
    expect((await setup.broker.getOrder(order.brokerOrderId)).status).toBe('filled');
    const resync = await until(
      () => connections('resynced').find((c) => c.index > drop.index),
      'the resync after reconnect',
    );
    const reconnect = connections('connected').find((c) => c.index > drop.index)!;
    expect(reconnect.index).toBeLessThan(resync.index);
    const caughtUp = orderEvents(order.brokerOrderId).filter(
      (e) => e.index > reconnect.index && e.index < resync.index,
    );
    expect(caughtUp.map((e) => e.order.status)).toContain('filled');
    expect(
      orderEvents(order.brokerOrderId)
        .filter((e) => e.index < reconnect.index)
        .map((e) => e.order.status),
    ).not.toContain('filled');
    expect(
      seen.some(
        (e, i) =>
          e.kind === 'position' && e.position.symbol === condor.shortCall && i > reconnect.index && i < resync.index,
      ),
    ).toBe(true);
    expect(setup.events.connected).toBe(true);
  });

  it('silentStreams longer than silenceMs: silent detected, socket dropped, reconnected and resynced; the lost push is caught up', async () => {
    await started();
    sim.control.injectFault({ kind: 'silentStreams', ms: 1_500 });
    const quiet = await submit(condor.restingCreditCents, 'lw-stream-silent');
    const silent = await until(() => connections('silent')[0], 'silence detection', 5_000);
    expect(silent.detail).toMatch(/no message for \d+ ms/);
    expect(orderEvents(quiet.brokerOrderId).filter((e) => e.index < silent.index)).toHaveLength(0); // the push was lost
    const resync = await until(
      () => connections('resynced').find((c) => c.index > silent.index),
      'the resync after silence',
      15_000,
    );
    const caughtUp = orderEvents(quiet.brokerOrderId).filter((e) => e.index > silent.index && e.index < resync.index);
    expect(caughtUp.length).toBeGreaterThan(0);
    expect(caughtUp.at(-1)!.order.externalId).toBe('lw-stream-silent');
    expect(setup.events.connected).toBe(true);
  });

  it('duplicate and reordered pushes are passed on with what a consumer needs to dedupe (updatedAt, receivedAt)', async () => {
    await started();
    sim.control.injectFault({ kind: 'duplicatePushes', count: 3 });
    sim.control.injectFault({ kind: 'reorderPushes', count: 2 });
    const order = await submit(condor.marketableCreditCents, 'lw-stream-dup');
    await until(() => newest(order.brokerOrderId)?.status === 'filled', 'the fill, deduped by updated-at then status');
    // Every push is delivered, duplicates included (the venue doubles the 5th notification onwards here)
    const live = connections('resynced')[0]!.index;
    const pushes = () =>
      seen
        .slice(live + 1)
        .filter((e) => e.kind !== 'connection')
        .map((e) => JSON.stringify({ ...e, receivedAt: 0 }));
    await until(() => pushes().length > new Set(pushes()).size, 'a duplicate push');
    const events = orderEvents(order.brokerOrderId);
    for (const e of events) {
      expect(e.order.updatedAt).toBeGreaterThan(0);
      expect(e.receivedAt).toBeGreaterThan(0);
    }
    const received = seen.map((e) => e.receivedAt);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(connections('disconnected')).toHaveLength(0);
    const rest = await setup.broker.getOrder(order.brokerOrderId);
    expect(newest(order.brokerOrderId)!.status).toBe(rest.status);
  });

  it('a refused subscription (error reply without request-id) fails fast instead of hanging, then retries in the background', async () => {
    const stranger = createAccountEvents({
      client: setup.client,
      broker: setup.broker,
      accountNumber: '5ZZ99999',
      subscribeTimeoutMs: 5_000,
      reconnect: { minMs: 200, maxMs: 400 },
    });
    const t0 = Date.now();
    try {
      await stranger.start();
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(stranger.connected).toBe(false);
    } finally {
      await stranger.stop();
    }
  });

  it('stop() ends everything: no reconnect, no events, even when the venue drops or fills afterwards', async () => {
    await started();
    await setup.events.stop();
    const stoppedAt = Date.now();
    expect(setup.events.connected).toBe(false);
    expect(connections().at(-1)!.state).toBe('disconnected');
    const count = seen.length;
    sim.control.injectFault({ kind: 'dropStreams' });
    const order = await submit(condor.marketableCreditCents, 'lw-stream-stopped');
    await until(
      async () => (await setup.broker.getOrder(order.brokerOrderId)).status === 'filled',
      'the fill at the venue',
    );
    // Longer than a reconnect backoff and a silence window: still nothing
    await until(() => Date.now() - stoppedAt > 2 * SILENCE_MS, 'two silence windows');
    expect(seen.length).toBe(count);
    expect(setup.events.connected).toBe(false);
  });
});
