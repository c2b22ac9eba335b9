// Owns the Broker/AccountEvents contract suite: one set of behaviours every target (local venue, sandbox) must show.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VenueControl } from '@legwork/venue';
import type { VenueHandle } from '@legwork/venue';
import { createAccountEvents, type AccountEventsOptions } from '../../src/broker/tastytrade/account-stream.js';
import {
  createTastytradeBroker,
  type TastytradeBroker,
  type TastytradeBrokerOptions,
} from '../../src/broker/tastytrade/broker.js';
import { createTastytradeClient, type TastytradeClient } from '../../src/broker/tastytrade/client.js';
import { BrokerError } from '../../src/domain/broker-error.js';
import { filledUnits, isTerminal, type OrderRequest } from '../../src/domain/broker-order.js';
import type { AccountEvent, AccountEvents, Broker } from '../../src/pipeline/ports.js';
import { pickCondor } from '../support/iron-condor.js';
import { waitUntil } from '../support/wait-until.js';

/** Four OCC symbols of an iron condor (long put, short put, short call, long call) and two credits for it. */
export interface ContractCondor {
  longPut: string;
  shortPut: string;
  shortCall: string;
  longCall: string;
  /** A credit far above the market: the order rests. */
  restingCreditCents: number;
  /** A credit below the natural price: the order is marketable. */
  marketableCreditCents: number;
}

export interface ContractTarget {
  name: string;
  makeBroker(): Promise<{ broker: Broker; events: AccountEvents; cleanup(): Promise<void> }>;
  /** The local venue's control surface; absent for the sandbox. */
  control?: VenueControl;
  condor(): Promise<ContractCondor>;
  /** Whether marketable orders are expected to fill (the venue: yes; the sandbox: best effort). Default true. */
  fills?: boolean;
  /** How long to wait for asynchronous outcomes (fills, cancels, pushes). */
  waitMs?: number;
}

/** A real client (the adapter's own factory) pointed at the local venue. */
export function venueClient(
  sim: VenueHandle,
  credentials: { clientSecret?: string; refreshToken?: string } = {},
): TastytradeClient {
  return createTastytradeClient({
    env: 'sim',
    baseUrl: sim.baseUrl,
    accountStreamerUrl: sim.streamerUrl,
    clientSecret: credentials.clientSecret ?? 'legwork-test',
    refreshToken: credentials.refreshToken ?? 'legwork-test',
    accountNumber: undefined,
    liveTrading: false,
  });
}

/** An iron condor on SPY from the venue's chain: shorts 5 % out, 5-wide wings. */
export async function chainCondor(client: TastytradeClient, spot: number): Promise<ContractCondor> {
  const chain = (await client.instrumentsService.getNestedOptionChain('SPY')) as Record<string, any>[];
  const legs = pickCondor(chain, spot);
  return {
    longPut: legs.longPut.symbol,
    shortPut: legs.shortPut.symbol,
    shortCall: legs.shortCall.symbol,
    longCall: legs.longCall.symbol,
    restingCreditCents: 450,
    marketableCreditCents: 5,
  };
}

export interface VenueBrokerSetup {
  client: TastytradeClient;
  broker: TastytradeBroker;
  events: AccountEvents;
  cleanup(): Promise<void>;
}

/** Client, broker and account events against the venue; `cleanup` stops the stream and leaves no socket behind. */
export async function venueBroker(
  sim: VenueHandle,
  options: { policy?: TastytradeBrokerOptions['policy']; events?: Partial<AccountEventsOptions> } = {},
): Promise<VenueBrokerSetup> {
  const client = venueClient(sim);
  const broker = await createTastytradeBroker({ client, ...(options.policy ? { policy: options.policy } : {}) });
  const events = createAccountEvents({ client, broker, accountNumber: broker.accountNumber, ...options.events });
  return { client, broker, events, cleanup: () => events.stop() };
}

/** The contract target for the local venue. */
export function venueTarget(sim: VenueHandle): ContractTarget {
  return {
    name: 'local venue',
    control: sim.control,
    fills: true,
    makeBroker: () => venueBroker(sim, { events: { silenceMs: 5_000, reconnect: { minMs: 100, maxMs: 1_000 } } }),
    condor: () => chainCondor(venueClient(sim), sim.market.spot('SPY')),
  };
}

export function condorRequest(
  c: ContractCondor,
  creditCents: number,
  externalId?: string,
): OrderRequest & { externalId?: string } {
  const leg = (symbol: string, action: 'Buy to Open' | 'Sell to Open') => ({
    symbol,
    instrumentType: 'Equity Option' as const,
    quantity: 1,
    action,
  });
  return {
    orderType: 'Limit',
    timeInForce: 'Day',
    limitPriceCents: creditCents,
    legs: [
      leg(c.longPut, 'Buy to Open'),
      leg(c.shortPut, 'Sell to Open'),
      leg(c.shortCall, 'Sell to Open'),
      leg(c.longCall, 'Buy to Open'),
    ],
    ...(externalId !== undefined ? { externalId } : {}),
  };
}

/** Every order the venue holds (wire JSON), for asserting what really reached it. */
export function venueOrders(control: VenueControl): Record<string, unknown>[] {
  return (control.state()['accounts'] as { orders: Record<string, unknown>[] }[]).flatMap((a) => a.orders);
}

async function failure(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
  throw new Error('expected a BrokerError, the call succeeded');
}

export function brokerContract(target: ContractTarget): void {
  describe(`Broker contract: ${target.name}`, () => {
    let broker: Broker;
    let events: AccountEvents;
    let cleanup: () => Promise<void>;
    let condor: ContractCondor;
    const placed: number[] = [];
    const waitMs = target.waitMs ?? 8_000;
    const runId = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    let seq = 0;
    const extId = (what: string) => `lw-contract-${what}-${runId}-${++seq}`;
    const until = <T>(
      probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
      what: string,
    ) => waitUntil(probe, { timeoutMs: waitMs, intervalMs: 50, what });

    const submit = async (creditCents: number, what: string) => {
      const order = await broker.submit({ ...condorRequest(condor, creditCents), externalId: extId(what) });
      placed.push(order.brokerOrderId);
      return order;
    };
    const statusOf = async (id: number) => (await broker.getOrder(id)).status;

    beforeAll(async () => {
      ({ broker, events, cleanup } = await target.makeBroker());
      condor = await target.condor();
    });
    afterEach(async () => {
      // Leave nothing working behind (the sandbox keeps orders until its daily reset)
      for (const id of placed.splice(0)) {
        const order = await broker.getOrder(id).catch(() => undefined);
        if (order && !isTerminal(order.status) && order.cancellable) await broker.cancel(id).catch(() => undefined);
      }
      await events.stop();
      target.control?.reset();
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('dry-run previews a condor: buying power used, fees, and nothing placed', async () => {
      const before = (await broker.liveOrders()).length;
      const preview = await broker.dryRun(condorRequest(condor, 100));
      expect(preview.buyingPowerChangeCents).toBeLessThan(0);
      expect(preview.feesCents).toBeGreaterThan(0); // fees are a cost
      expect(Math.abs(preview.marginRequirementChangeCents)).toBeGreaterThan(0);
      expect((await broker.liveOrders()).length).toBe(before);
      if (target.control) expect(venueOrders(target.control)).toHaveLength(0);
    });

    it('submit carries the external id; findByExternalId and liveOrders find exactly that order', async () => {
      const id = extId('submit');
      const order = await broker.submit({ ...condorRequest(condor, condor.restingCreditCents), externalId: id });
      placed.push(order.brokerOrderId);
      expect(order.brokerOrderId).toBeGreaterThan(0);
      expect(order.accountNumber).toBe(broker.accountNumber);
      expect(order.externalId).toBe(id);
      expect(order.limitPriceCents).toBe(condor.restingCreditCents);
      expect(order.legs.map((l) => l.symbol)).toEqual([
        condor.longPut,
        condor.shortPut,
        condor.shortCall,
        condor.longCall,
      ]);
      expect(isTerminal(order.status)).toBe(false);
      const found = await broker.findByExternalId(id);
      expect(found.map((o) => o.brokerOrderId)).toEqual([order.brokerOrderId]);
      expect((await broker.liveOrders()).filter((o) => o.externalId === id).map((o) => o.brokerOrderId)).toEqual([
        order.brokerOrderId,
      ]);
      expect(await broker.findByExternalId(`${id}-nobody`)).toEqual([]);
      if (target.control)
        expect(venueOrders(target.control).filter((o) => o['external-identifier'] === id)).toHaveLength(1);
    });

    it('cancel ends a working order as cancelled', async () => {
      const order = await submit(condor.restingCreditCents, 'cancel');
      const answer = await broker.cancel(order.brokerOrderId);
      expect(answer.brokerOrderId).toBe(order.brokerOrderId);
      expect(['cancel_requested', 'cancelled']).toContain(answer.status);
      await until(async () => (await statusOf(order.brokerOrderId)) === 'cancelled', 'the cancel to complete');
      expect((await failure(broker.cancel(order.brokerOrderId))).kind).toBe('rejected');
    });

    it('replace returns a NEW order linked to the old one, at the new price; the old one ends cancelled', async () => {
      const order = await submit(condor.restingCreditCents, 'replace');
      const newPrice = condor.restingCreditCents - 5;
      const replacement = await broker.replace(order.brokerOrderId, { limitPriceCents: newPrice });
      placed.push(replacement.brokerOrderId);
      expect(replacement.brokerOrderId).not.toBe(order.brokerOrderId);
      expect(replacement.replacesOrderId).toBe(order.brokerOrderId);
      expect(replacement.limitPriceCents).toBe(newPrice);
      expect(replacement.legs.map((l) => l.symbol)).toEqual(order.legs.map((l) => l.symbol));
      const old = await until(async () => {
        const o = await broker.getOrder(order.brokerOrderId);
        return o.status === 'cancelled' ? o : undefined;
      }, 'the original to be cancelled');
      expect(old.replacingOrderId).toBe(replacement.brokerOrderId);
      expect(isTerminal(await statusOf(replacement.brokerOrderId))).toBe(false);
    });

    it('a refused order is `rejected` with the broker sub-errors, and nothing is placed', async () => {
      const id = extId('rejected');
      // Buying every leg for a credit is refused by preflight (cant_buy_for_credit)
      const bad = condorRequest(condor, 100, id);
      bad.legs = bad.legs.map((l) => ({ ...l, action: 'Buy to Open' as const }));
      const error = await failure(broker.submit({ ...bad, externalId: id }));
      expect(error.kind).toBe('rejected');
      expect(error.httpStatus).toBeGreaterThanOrEqual(400);
      expect(error.httpStatus).toBeLessThan(500);
      expect(error.info.details?.length ?? 0).toBeGreaterThan(0);
      expect(await broker.findByExternalId(id)).toEqual([]);
      expect((await failure(broker.dryRun(bad))).kind).toBe('rejected');
    });

    describe.skipIf(target.fills === false)('fills', () => {
      it('a 4-leg iron condor fills as one package and four positions appear', async () => {
        const order = await submit(condor.marketableCreditCents, 'fill');
        const filled = await until(async () => {
          const o = await broker.getOrder(order.brokerOrderId);
          return o.status === 'filled' && o.legs.every((l) => l.remainingQuantity === 0 && l.fills.length > 0)
            ? o
            : undefined;
        }, 'the package fill');
        expect(filledUnits(filled)).toBe(1);
        for (const leg of filled.legs) expect(leg.fills.reduce((s, f) => s + f.quantity, 0)).toBe(leg.quantity);
        const positions = await until(async () => {
          const all = await broker.positions();
          const mine = [condor.longPut, condor.shortPut, condor.shortCall, condor.longCall].map((s) =>
            all.find((p) => p.symbol === s),
          );
          return mine.every((p) => p !== undefined) ? mine : undefined;
        }, 'four positions');
        expect(positions.map((p) => Math.sign(p!.quantity))).toEqual([1, -1, -1, 1]);
        if (target.control) {
          const account = (target.control.state()['accounts'] as { positions: unknown[] }[])[0]!;
          expect(account.positions).toHaveLength(4);
        }
        expect((await broker.balances()).accountNumber).toBe(broker.accountNumber);
      });

      it('account events: the fill arrives as an order event with fills, after connected + resynced', async () => {
        const seen: AccountEvent[] = [];
        const off = events.onEvent((e) => seen.push(e));
        try {
          await events.start();
          expect(events.connected).toBe(true);
          await until(() => seen.some((e) => e.kind === 'connection' && e.state === 'resynced'), 'resynced');
          const order = await submit(condor.marketableCreditCents, 'event');
          const fill = await until(
            () =>
              seen.find(
                (e): e is Extract<AccountEvent, { kind: 'order' }> =>
                  e.kind === 'order' &&
                  e.order.brokerOrderId === order.brokerOrderId &&
                  e.order.status === 'filled' &&
                  filledUnits(e.order) === 1,
              ),
            'a filled order event',
          );
          expect(fill.receivedAt).toBeGreaterThan(0);
          expect(fill.order.updatedAt).toBeGreaterThan(0);
          await until(
            () => seen.some((e) => e.kind === 'position' && e.position.symbol === condor.shortPut),
            'a position event',
          );
        } finally {
          off();
        }
      });
    });

    it('marketSession answers a known state', async () => {
      const session = await broker.marketSession();
      expect(['Open', 'Closed', 'Pre-market', 'Extended']).toContain(session.state);
    });
  });
}
