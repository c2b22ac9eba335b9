// Owns a deterministic in-memory broker, market data and clock for unit tests of the pipeline: each order behaves as the
// test scripts it (fill at once, fill once its limit reaches a price, never fill, reject, fill in part, report Filled
// before its fills), positions and fee transactions follow the fills, and every submit / replace / cancel is recorded
// in order. No sockets, no timers: broker time moves only when the pipeline sleeps.
import type {
  Balances,
  BrokerTransaction,
  DryRunResult,
  MarketSessionInfo,
  Position,
} from '../../src/domain/account.js';
import { BrokerError } from '../../src/domain/broker-error.js';
import {
  filledUnits,
  isTerminal,
  type BrokerOrder,
  type Fill,
  type LegAction,
  type OrderRequest,
} from '../../src/domain/broker-order.js';
import { occToStreamer } from '../../src/domain/instrument.js';
import type {
  DailyClose,
  MarketMetrics,
  MarketSnapshot,
  OptionChain,
  QuoteSnapshot,
  TickSize,
} from '../../src/domain/market.js';
import type { Settlement } from '../../src/domain/settlement.js';
import type { Broker, MarketData, SendOptions } from '../../src/pipeline/ports.js';

/** Broker time shared by the pipeline, the store and the fakes: it moves only by `sleep` and `advance`. */
export class ManualClock {
  constructor(private t = Date.parse('2026-01-05T15:00:00Z')) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
  /** The wait passes at once in broker time; the event loop still turns, so a runaway loop hits the test timeout. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/**
 * How an order behaves, decided when it is submitted (a replacement keeps its original's):
 * - `fill`: fills completely at its limit right away (seen on the next read);
 * - `fillAt`: fills completely once its signed limit is at or below `cents` (a credit asking no more, a debit offering
 *   at least as much), checked when it is placed and at each replace;
 * - `never`: works until cancelled; `reject`: the submit is refused (BrokerError 'rejected', nothing created);
 * - `partial`: `units` spread units fill right away, the rest never;
 * - `fillsLag`: fills completely and says Filled, but its fills are withheld from every read until `ms` of broker time
 *   passed, or until `deliverFills()` when `ms` is not given (Tastytrade reports Filled before the leg fills).
 */
export type FillBehavior =
  | { kind: 'fill' }
  | { kind: 'fillAt'; cents: number }
  | { kind: 'never' }
  | { kind: 'reject'; message?: string }
  | { kind: 'partial'; units: number }
  | { kind: 'fillsLag'; ms?: number };

/** Which orders a scripted behaviour applies to: any leg on `symbol` (with `action`), the next `times` such orders. */
export interface OrderMatch {
  symbol?: string;
  action?: LegAction;
  times?: number;
}

/** One request that reached the broker, in the order received. */
export interface FakeCall {
  op: 'submit' | 'replace' | 'cancel';
  /** The broker id created (submit, replace) or addressed (cancel); null when a submit was refused. */
  brokerOrderId: number | null;
  /** The order replaced (replace). */
  replaces?: number;
  externalId?: string;
  limitPriceCents?: number;
  legs: { symbol: string; action: LegAction; quantity: number }[];
  outcome: 'ok' | 'rejected';
}

interface Held {
  order: BrokerOrder;
  behavior: FillBehavior;
  /** Fills made but not yet shown (fillsLag), by leg index, and when they show. */
  withheld: { leg: number; fill: Fill }[];
  showAt?: number;
}

const ROOT = (symbol: string) => symbol.slice(0, 6).trim();
const RAW = { filled: 'Filled', cancelled: 'Cancelled' } as const;

export class FakeMarketData implements MarketData {
  private readonly quotes = new Map<string, { bidCents: number | null; askCents: number | null; at?: number }>();
  private readonly closes = new Map<string, DailyClose[]>();
  /** SPY's schedule: a penny at every price. */
  tickSizes: TickSize[] = [{ threshold: null, valueCents: 1 }];

  constructor(private readonly clock: { now(): number }) {}

  /** Cents per share; the quote is current at every snapshot unless `receivedAt` pins its age. */
  setQuote(streamerSymbol: string, bidCents: number | null, askCents: number | null, receivedAt?: number): void {
    this.quotes.set(streamerSymbol, { bidCents, askCents, ...(receivedAt !== undefined ? { at: receivedAt } : {}) });
  }

  /** Mid of a quote in whole cents, undefined without both sides. */
  midCents(streamerSymbol: string): number | undefined {
    const q = this.quotes.get(streamerSymbol);
    if (!q || q.bidCents === null || q.askCents === null) return undefined;
    return Math.round((q.bidCents + q.askCents) / 2);
  }

  async metrics(): Promise<Map<string, MarketMetrics>> {
    return new Map();
  }

  async chain(underlying: string): Promise<OptionChain> {
    return { underlying, root: underlying, sharesPerContract: 100, tickSizes: this.tickSizes, expirations: [] };
  }

  async snapshot(streamerSymbols: string[]): Promise<MarketSnapshot> {
    const quotes = new Map<string, QuoteSnapshot>();
    for (const s of streamerSymbols) {
      const q = this.quotes.get(s);
      if (!q) continue;
      const dollars = (c: number | null) => (c === null ? null : c / 100);
      quotes.set(s, {
        streamerSymbol: s,
        bid: dollars(q.bidCents),
        ask: dollars(q.askCents),
        bidSize: 10,
        askSize: 10,
        receivedAt: q.at ?? this.clock.now(),
      });
    }
    return { quotes, greeks: new Map(), missing: streamerSymbols.filter((s) => !quotes.has(s)) };
  }

  /** Scripts a symbol's daily closes (oldest first); symbols never scripted have none. */
  setDailyCloses(symbol: string, closes: DailyClose[]): void {
    this.closes.set(
      symbol,
      closes.map((c) => ({ ...c })),
    );
  }

  async dailyCloses(symbols: string[], days: number): Promise<Map<string, DailyClose[]>> {
    const out = new Map<string, DailyClose[]>();
    for (const s of symbols) {
      const list = this.closes.get(s);
      if (list && list.length > 0) out.set(s, list.slice(-days));
    }
    return out;
  }

  async close(): Promise<void> {}
}

export class FakeBroker implements Broker {
  readonly accountNumber = '5WT00001';
  readonly calls: FakeCall[] = [];
  defaultBehavior: FillBehavior = { kind: 'fill' };
  session: MarketSessionInfo = { state: 'Open', openAt: null, closeAt: null, nextOpenAt: null };
  /** Fees the broker charges per contract filled (each leg fill's transaction). */
  feePerContractCents = 0;
  buyingPowerCents = 10_000_000;
  /** What a dry-run says an order changes buying power by. */
  dryRunChangeCents = -50_000;
  /** The submit response shows the order as it is after its behaviour ran (an immediately marketable order's Filled). */
  respondAfterWork = false;
  /** Told of every order placed (after its behaviour ran): a test moves the market at that moment. */
  onSubmit?: (legs: readonly { symbol: string; action: string; quantity: number }[]) => void;
  private readonly rules: { match: OrderMatch; behavior: FillBehavior }[] = [];
  private readonly orders = new Map<number, Held>();
  /** Signed contracts per symbol, as the fills left them (withheld fills included: the broker holds them). */
  private readonly holdings = new Map<string, number>();
  private readonly ledger: BrokerTransaction[] = [];
  private nextId = 1001;
  private nextFill = 1;

  constructor(
    private readonly clock: { now(): number },
    /** Prices each leg of a package fill (its mid); the leg that balances the net absorbs the difference. */
    private readonly market?: FakeMarketData,
  ) {}

  /** The next orders matching `match` behave so; rules apply in the order given, the default otherwise. */
  script(behavior: FillBehavior, match: OrderMatch = {}): void {
    this.rules.push({ match, behavior });
  }

  /** Shows every withheld fill now (fillsLag without `ms`). */
  deliverFills(): void {
    for (const h of this.orders.values()) this.show(h, true);
  }

  /** Non-zero held contracts per symbol. */
  positionMap(): Map<string, number> {
    return new Map([...this.holdings].filter(([, q]) => q !== 0));
  }

  async dryRun(order: OrderRequest): Promise<DryRunResult> {
    if (order.legs.length === 0) throw new BrokerError('rejected', 'an order needs legs', { operation: 'dryRun' });
    return {
      buyingPowerChangeCents: this.dryRunChangeCents,
      marginRequirementChangeCents: this.dryRunChangeCents,
      newBuyingPowerCents: this.buyingPowerCents + this.dryRunChangeCents,
      feesCents: 0,
      warnings: [],
    };
  }

  async submit(request: OrderRequest & { externalId: string }, options?: SendOptions): Promise<BrokerOrder> {
    await options?.beforeSend?.();
    const behavior = this.behaviorFor(request.legs);
    const legs = request.legs.map((l) => ({ symbol: l.symbol, action: l.action, quantity: l.quantity }));
    const call = {
      op: 'submit' as const,
      externalId: request.externalId,
      ...(request.limitPriceCents !== undefined ? { limitPriceCents: request.limitPriceCents } : {}),
      legs,
    };
    if (behavior.kind === 'reject') {
      this.calls.push({ ...call, brokerOrderId: null, outcome: 'rejected' });
      throw new BrokerError('rejected', behavior.message ?? 'Order rejected by exchange', {
        code: 'order_rejected',
        httpStatus: 422,
        operation: 'submit',
      });
    }
    const size = request.legs.reduce((g, l) => gcd(g, l.quantity), 0) || 1;
    const h = this.place(behavior, {
      brokerOrderId: this.nextId++,
      accountNumber: this.accountNumber,
      status: 'live',
      rawStatus: 'Live',
      orderType: request.orderType,
      timeInForce: request.timeInForce,
      limitPriceCents: request.limitPriceCents ?? null,
      size,
      underlyingSymbol: ROOT(request.legs[0]?.symbol ?? ''),
      legs: request.legs.map((l) => ({ ...l, remainingQuantity: l.quantity, fills: [] })),
      externalId: request.externalId,
      cancellable: true,
      editable: true,
      updatedAt: this.clock.now(),
      receivedAt: this.clock.now(),
    });
    let response = structuredClone(h.order);
    this.calls.push({ ...call, brokerOrderId: h.order.brokerOrderId, outcome: 'ok' });
    this.work(h);
    this.onSubmit?.(legs);
    if (this.respondAfterWork) response = structuredClone(h.order);
    return response;
  }

  async replace(
    brokerOrderId: number,
    change: { limitPriceCents: number; timeInForce?: 'Day' | 'GTC' },
    options?: SendOptions,
  ): Promise<BrokerOrder> {
    await options?.beforeSend?.();
    const old = this.find(brokerOrderId, 'replace');
    const legs = old.order.legs.map((l) => ({ symbol: l.symbol, action: l.action, quantity: l.remainingQuantity }));
    const call = { op: 'replace' as const, replaces: brokerOrderId, limitPriceCents: change.limitPriceCents, legs };
    if (isTerminal(old.order.status)) {
      this.calls.push({ ...call, brokerOrderId: null, outcome: 'rejected' });
      throw new BrokerError('rejected', `order ${brokerOrderId} is ${old.order.rawStatus}: it cannot be replaced`, {
        code: 'cannot_update_order',
        httpStatus: 422,
        operation: 'replace',
      });
    }
    // The replacement works what is left of the original, at the new price
    const size = old.order.size - filledUnits(this.visible(old));
    const h = this.place(old.behavior, {
      ...structuredClone(old.order),
      brokerOrderId: this.nextId++,
      status: 'live',
      rawStatus: 'Live',
      limitPriceCents: change.limitPriceCents,
      ...(change.timeInForce ? { timeInForce: change.timeInForce } : {}),
      size,
      legs: old.order.legs.map((l) => ({ ...l, quantity: l.remainingQuantity, fills: [] })),
      replacesOrderId: brokerOrderId,
      updatedAt: this.clock.now(),
      receivedAt: this.clock.now(),
    });
    this.end(old, 'cancelled');
    old.order.replacingOrderId = h.order.brokerOrderId;
    this.calls.push({ ...call, brokerOrderId: h.order.brokerOrderId, outcome: 'ok' });
    const response = structuredClone(h.order);
    this.work(h);
    return response;
  }

  async cancel(brokerOrderId: number): Promise<BrokerOrder> {
    const h = this.find(brokerOrderId, 'cancel');
    const legs = h.order.legs.map((l) => ({ symbol: l.symbol, action: l.action, quantity: l.quantity }));
    const ok = !isTerminal(h.order.status);
    this.calls.push({ op: 'cancel', brokerOrderId, legs, outcome: ok ? 'ok' : 'rejected' });
    if (!ok)
      throw new BrokerError('rejected', `order ${brokerOrderId} is ${h.order.rawStatus}: it cannot be cancelled`, {
        code: 'order_not_cancellable',
        httpStatus: 422,
        operation: 'cancel',
      });
    this.end(h, 'cancelled');
    return this.read(h);
  }

  async getOrder(brokerOrderId: number): Promise<BrokerOrder> {
    return this.read(this.find(brokerOrderId, 'getOrder'));
  }

  async liveOrders(): Promise<BrokerOrder[]> {
    return [...this.orders.values()].map((h) => this.read(h));
  }

  async findByExternalId(externalId: string): Promise<BrokerOrder[]> {
    return [...this.orders.values()].filter((h) => h.order.externalId === externalId).map((h) => this.read(h));
  }

  async positions(): Promise<Position[]> {
    return [...this.positionMap()].map(([symbol, quantity]) => ({
      accountNumber: this.accountNumber,
      symbol,
      instrumentType: 'Equity Option',
      underlyingSymbol: ROOT(symbol),
      quantity,
      multiplier: 100,
      averageOpenPriceCents: 0,
      closePriceCents: null,
      markCents: null,
      expiresAt: null,
      updatedAt: this.clock.now(),
    }));
  }

  async balances(): Promise<Balances> {
    return {
      accountNumber: this.accountNumber,
      cashCents: this.buyingPowerCents,
      netLiquidatingValueCents: this.buyingPowerCents,
      derivativeBuyingPowerCents: this.buyingPowerCents,
      equityBuyingPowerCents: this.buyingPowerCents,
      maintenanceRequirementCents: 0,
      updatedAt: this.clock.now(),
    };
  }

  async transactions(
    query: { underlyingSymbol?: string; perPage?: number; pageOffset?: number } = {},
  ): Promise<BrokerTransaction[]> {
    const perPage = query.perPage ?? 250;
    const mine = this.ledger.filter((t) => !query.underlyingSymbol || ROOT(t.symbol) === query.underlyingSymbol);
    return [...mine].reverse().slice((query.pageOffset ?? 0) * perPage, ((query.pageOffset ?? 0) + 1) * perPage);
  }

  async settlements(): Promise<Settlement[]> {
    return [];
  }

  async marketSession(): Promise<MarketSessionInfo> {
    return { ...this.session };
  }

  private behaviorFor(legs: OrderRequest['legs']): FillBehavior {
    const i = this.rules.findIndex(({ match }) =>
      legs.some(
        (l) =>
          (match.symbol === undefined || l.symbol === match.symbol) && (!match.action || l.action === match.action),
      ),
    );
    const rule = this.rules[i];
    if (!rule) return this.defaultBehavior;
    if (rule.match.times !== undefined && --rule.match.times <= 0) this.rules.splice(i, 1);
    return rule.behavior;
  }

  private place(behavior: FillBehavior, order: BrokerOrder): Held {
    const h: Held = { order, behavior, withheld: [] };
    this.orders.set(order.brokerOrderId, h);
    return h;
  }

  private find(brokerOrderId: number, operation: string): Held {
    const h = this.orders.get(brokerOrderId);
    if (!h) throw new BrokerError('rejected', `order ${brokerOrderId} not found`, { httpStatus: 404, operation });
    return h;
  }

  /** What the behaviour lets happen as the order is placed (or replaced at a new price). */
  private work(h: Held): void {
    const b = h.behavior;
    const units = h.order.size;
    if (b.kind === 'fill') this.fill(h, units, false);
    else if (b.kind === 'fillAt' && (h.order.limitPriceCents ?? 0) <= b.cents) this.fill(h, units, false);
    else if (b.kind === 'partial') {
      this.fill(h, Math.min(units, b.units), false);
      h.behavior = { kind: 'never' }; // the rest (and any replacement of it) never fills
    } else if (b.kind === 'fillsLag') {
      this.fill(h, units, true);
      if (b.ms !== undefined) h.showAt = this.clock.now() + b.ms;
    }
  }

  /** Fills `units` spread units at the order's limit; positions and the fee ledger follow at once. */
  private fill(h: Held, units: number, withhold: boolean): void {
    const o = h.order;
    const now = this.clock.now();
    const prices = this.legPrices(o);
    o.legs.forEach((leg, i) => {
      const quantity = units * (leg.quantity / o.size);
      const fill: Fill = { fillId: `F${this.nextFill++}`, quantity, priceCents: prices[i]!, filledAt: now };
      leg.remainingQuantity -= quantity;
      if (withhold) h.withheld.push({ leg: i, fill });
      else leg.fills.push(fill);
      this.holdings.set(
        leg.symbol,
        (this.holdings.get(leg.symbol) ?? 0) + (leg.action.startsWith('Buy') ? 1 : -1) * quantity,
      );
      const fees = this.feePerContractCents * quantity;
      this.ledger.push({
        id: this.ledger.length + 1,
        brokerOrderId: o.brokerOrderId,
        symbol: leg.symbol,
        action: leg.action,
        quantity,
        priceCents: fill.priceCents,
        commissionCents: fees,
        clearingFeesCents: 0,
        regulatoryFeesCents: 0,
        proprietaryFeesCents: 0,
        feeCents: fees,
        executedAt: new Date(now).toISOString(),
      });
    });
    if (o.legs.every((l) => l.remainingQuantity === 0)) this.end(h, 'filled');
    o.updatedAt = now;
  }

  /**
   * Unsigned per-contract prices whose signed net per unit is the order's limit: each leg at its mid (0 without a
   * quote), the difference taken by the first leg on its side (a sell earns more when the limit asks for more credit,
   * a buy pays more when it concedes).
   */
  private legPrices(o: BrokerOrder): number[] {
    const ratio = (i: number) => o.legs[i]!.quantity / o.size;
    const sign = (i: number) => (o.legs[i]!.action.startsWith('Sell') ? 1 : -1);
    const prices = o.legs.map((l) => (this.market?.midCents(occToStreamer(l.symbol)) ?? 0) as number);
    const net = prices.reduce((n, p, i) => n + sign(i) * ratio(i) * p, 0);
    const gap = (o.limitPriceCents ?? net) - net;
    if (gap === 0) return prices;
    const up = o.legs.findIndex((_, i) => sign(i) === Math.sign(gap));
    const at = Math.max(up, 0);
    prices[at] = prices[at]! + (sign(at) * gap) / ratio(at);
    if (prices.some((p) => p < 0 || !Number.isInteger(p)))
      throw new Error(`fake broker: no whole-cent leg prices give ${o.limitPriceCents} for order ${o.brokerOrderId}`);
    return prices;
  }

  private end(h: Held, status: 'filled' | 'cancelled'): void {
    Object.assign(h.order, {
      status,
      rawStatus: RAW[status],
      cancellable: false,
      editable: false,
      updatedAt: this.clock.now(),
      terminalAt: this.clock.now(),
    });
  }

  /** Shows withheld fills whose time came (or all of them). */
  private show(h: Held, all = false): void {
    if (h.withheld.length === 0 || !(all || (h.showAt !== undefined && this.clock.now() >= h.showAt))) return;
    for (const { leg, fill } of h.withheld.splice(0)) h.order.legs[leg]!.fills.push(fill);
  }

  private visible(h: Held): BrokerOrder {
    this.show(h);
    return h.order;
  }

  private read(h: Held): BrokerOrder {
    return structuredClone(this.visible(h));
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
