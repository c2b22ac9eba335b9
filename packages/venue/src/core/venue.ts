// Owns the venue core: accounts and the order book behind the Venue interface (placement, lifecycle ticks, fills,
// settlement of expiring and assigned options, positions booked from outside, events).
import { nyDate, nyTime } from '../calendar.js';
import { isoTime } from '../format.js';
import { createRng, hashKeys, type Rng } from '../rng.js';
import type {
  AssignmentRequest,
  FillBehavior,
  PositionRequest,
  FillRule,
  JsonObject,
  MarketModel,
  SearchOrdersQuery,
  MarketClock,
  Venue,
  VenueEvent,
  VenueResult,
  WireError,
} from '../types.js';
import { estimateOrder, expectedNet, marksOf, pricedLegs } from './estimate.js';
import { behaviorOf, pickBehavior } from './fill-model.js';
import { applyLegFill, balanceFigures, createAccount, type AccountRecord, type PositionRecord } from './ledger.js';
import { createLifecycle } from './lifecycle.js';
import { isTerminal, liveOrders, searchOrders, setStatus, type OrderRecord, type OrderStatus } from './orders.js';
import { preflight, resolveInstrument, type PreflightIssue, type ResolvedLeg } from './preflight.js';
import { parseOcc } from '../market/chain.js';
import { parseOrderBody, type OrderRequest } from './validate.js';
import { balancesWire, buyingPowerEffectWire, feesWire, orderWire, positionWire } from './wire.js';
import {
  accountDetailWire,
  accountWire,
  customerWire,
  tradingStatusWire,
  userWire,
  type CustomerIdentity,
} from './customer-wire.js';
import { replacementRequest } from './replace.js';
import { searchTransactions } from './transactions.js';
import { createExpiration } from './expiration.js';

export interface VenueAccountSpec {
  accountNumber: string;
  cashCents: number;
  nickname?: string;
  marginOrCash?: 'Margin' | 'Cash';
}

export interface CreateVenueOptions {
  clock: MarketClock;
  market: MarketModel;
  seed: number;
  accounts?: VenueAccountSpec[];
  /** Reject camelCase keys inside legs[] (default true). */
  strictLegKeys?: boolean;
  /** A paper account saved by exportState() (an earlier run): its accounts, orders and id counters carry on. */
  restore?: VenueSavedState;
}

/** Ended orders are kept in a saved state for this long (venue time); working ones always. */
export const SAVED_ORDER_HISTORY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What a venue keeps across restarts (a paper account, src/state-file.ts): accounts with their positions, cash and
 * transactions, the orders (those that ended more than SAVED_ORDER_HISTORY_MS ago left out) and the id counters, so a
 * restarted venue neither forgets what is held nor hands out a broker order, fill or transaction id again. Plain JSON.
 * Fill rules, faults and the market are not part of it.
 */
export interface VenueSavedState {
  version: 1;
  /** The venue clock when it was saved (ms). */
  savedAt: number;
  accounts: (Omit<AccountRecord, 'positions'> & { positions: PositionRecord[] })[];
  orders: OrderRecord[];
  nextOrderId: number;
  nextExecId: number;
  nextTransactionId: number;
}

export const DEFAULT_ACCOUNTS: VenueAccountSpec[] = [
  { accountNumber: '5WT00001', cashCents: 10_000_000, nickname: 'Individual', marginOrCash: 'Margin' },
];
const DEFAULT_BEHAVIOR: FillBehavior = { behavior: 'immediate' };
const WORKING_FOR_CHANGE: ReadonlySet<OrderStatus> = new Set(['Received', 'Routed', 'In Flight', 'Live']);

interface State {
  accounts: Map<string, AccountRecord>;
  orders: Map<number, OrderRecord>;
  nextOrderId: number;
  nextExecId: number;
  nextTransactionId: number;
  rng: Rng;
  /** Early-assignment draws: a stream of its own, so switching them on leaves ids and fills unchanged. */
  assignmentRng: Rng;
  rules: FillRule[];
  defaultBehavior: FillBehavior;
  /** fillsLag fault: how many more orders to fill get their later legs' fills late, and by how long. */
  fillsLag: { orders: number; ms: number };
}

const fail = (httpStatus: number, error: WireError): { ok: false; httpStatus: number; error: WireError } => ({
  ok: false,
  httpStatus,
  error,
});
const notPermitted = () => fail(403, { code: 'not_permitted', message: 'User not permitted access' });
const orderNotFound = () => fail(404, { code: 'not_found', message: 'Order not found' });
const preflightFailure = (issues: PreflightIssue[]) =>
  fail(422, { code: 'preflight_check_failure', message: 'One or more preflight checks failed', errors: issues });

/** The venue core as its server holds it: the Venue faces, and the state a paper account keeps across restarts. */
export interface SavableVenue extends Venue {
  exportState(): VenueSavedState;
}

export function createVenue(opts: CreateVenueOptions): SavableVenue {
  const { clock, market, seed } = opts;
  const strictLegKeys = opts.strictLegKeys ?? true;
  const accountSpecs = opts.accounts ?? DEFAULT_ACCOUNTS;
  const marks = marksOf(market);
  const listeners = new Set<(accountNumber: string, event: VenueEvent) => void>();

  const createdAt = clock.now(); // accounts keep their opening time across reset()
  const initialState = (): State => {
    return {
      accounts: new Map(accountSpecs.map((spec) => [spec.accountNumber, createAccount(spec, createdAt)])),
      orders: new Map(),
      nextOrderId: 200_000 + (hashKeys(seed, 'venue-order-ids') % 700_000),
      nextExecId: 10_000 + (hashKeys(seed, 'venue-exec-ids') % 80_000),
      nextTransactionId: 1_700_000 + (hashKeys(seed, 'venue-transaction-ids') % 800_000),
      rng: createRng(hashKeys(seed, 'venue')),
      assignmentRng: createRng(hashKeys(seed, 'venue-assignment')),
      rules: [],
      defaultBehavior: DEFAULT_BEHAVIOR,
      fillsLag: { orders: 0, ms: 0 },
    };
  };
  /** A saved paper account: its records as they were; random ids from a stream keyed by where its counters stood. */
  const restoredState = (saved: VenueSavedState): State => {
    const fresh = initialState();
    const accounts = new Map(
      saved.accounts.map((a) => [
        a.accountNumber,
        { ...a, positions: new Map(a.positions.map((p) => [p.symbol, p])) } as AccountRecord,
      ]),
    );
    for (const [n, a] of fresh.accounts) if (!accounts.has(n)) accounts.set(n, a);
    const resumedAt = [saved.nextOrderId, saved.nextExecId, saved.nextTransactionId] as const;
    return {
      ...fresh,
      accounts,
      orders: new Map(saved.orders.map((o) => [o.id, o])),
      nextOrderId: saved.nextOrderId,
      nextExecId: saved.nextExecId,
      nextTransactionId: saved.nextTransactionId,
      // The first run's stream would hand out its request and fill ids again
      rng: createRng(hashKeys(seed, 'venue-restored', ...resumedAt)),
    };
  };
  let state = opts.restore ? restoredState(opts.restore) : initialState();

  // ---- ids (deterministic for a seed and a sequence of calls) ----
  const randomChars = (n: number, alphabet: string) =>
    Array.from({ length: n }, () => alphabet[state.rng.int(alphabet.length)]).join('');
  const requestId = () => randomChars(32, '0123456789abcdef');
  const clientOrderId = () => randomChars(18, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const fillId = () => randomChars(1, '123456789') + randomChars(18, '0123456789');

  // ---- events ----
  const emit = (accountNumber: string, event: VenueEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(accountNumber, event);
      } catch {
        // a failing subscriber must not corrupt the venue's state
      }
    }
  };
  const emitOrder = (o: OrderRecord) => emit(o.accountNumber, { type: 'Order', data: orderWire(o) });
  const positionData = (accountNumber: string, p: PositionRecord) =>
    positionWire(accountNumber, p, {
      closePriceDollars: market.summary(p.symbol)?.prevDayClose ?? 0,
      tradingDate: nyDate(clock.now()),
    });
  const balanceData = (account: AccountRecord) =>
    balancesWire(
      account,
      balanceFigures(account.cashCents, account.positions.values(), account.marginOrCash, marks),
      nyDate(clock.now()),
    );

  /** CurrentPosition per changed position, then the account's AccountBalance. */
  const emitPositionChanges = (account: AccountRecord, changed: PositionRecord[]) => {
    for (const p of changed)
      emit(account.accountNumber, { type: 'CurrentPosition', data: positionData(account.accountNumber, p) });
    emit(account.accountNumber, { type: 'AccountBalance', data: balanceData(account) });
  };

  const lifecycle = createLifecycle({
    clock,
    market,
    account: (accountNumber) => state.accounts.get(accountNumber),
    order: (id) => state.orders.get(id),
    ids: {
      fillId,
      clientOrderId,
      execId: () => String(state.nextExecId++),
      transactionId: () => state.nextTransactionId++,
    },
    emitOrder,
    filled(o) {
      if (state.fillsLag.orders <= 0 || o.fillsHiddenUntil !== undefined || o.legs.length < 2) return;
      state.fillsLag.orders -= 1;
      o.fillsHiddenUntil = Date.now() + state.fillsLag.ms;
      // The later message that attaches the rest of the fills
      setTimeout(() => emitOrder(o), state.fillsLag.ms + 5).unref();
    },
    emitFillEffects: (_o, account, changed) => emitPositionChanges(account, changed),
  });

  const expiration = createExpiration({
    clock,
    market,
    accounts: () => state.accounts.values(),
    orders: () => state.orders.values(),
    transactionId: () => state.nextTransactionId++,
    random: () => state.assignmentRng.next(),
    expireOrder: (o, now) => lifecycle.expire(o, now),
    emitChanges: emitPositionChanges,
  });

  const findOrder = (accountNumber: string, orderId: number) => {
    const o = state.orders.get(orderId);
    return o && o.accountNumber === accountNumber ? o : undefined;
  };

  /** Preflight + margin for a complete request; the resolved legs on success. */
  const check = (account: AccountRecord, req: OrderRequest) => {
    const now = clock.now();
    const pf = preflight(req, {
      market,
      now,
      marketOpen: clock.isMarketOpen(now),
      today: nyDate(now),
      positionQuantity: (symbol) => account.positions.get(symbol)?.quantity ?? 0,
    });
    if (pf.issues.length > 0) return { ok: false as const, result: preflightFailure(pf.issues) };
    const priced = pricedLegs(market, pf.legs);
    const net = expectedNet(req, priced);
    if (net === undefined) {
      return {
        ok: false as const,
        result: preflightFailure([
          { code: 'quote_unavailable', message: 'No quote is available to price this Market order.' },
        ]),
      };
    }
    const estimate = estimateOrder(account, pf.legs, pf.size, net, priced, marks);
    if (!estimate.marginOk) {
      return {
        ok: false as const,
        result: preflightFailure([
          {
            code: 'margin_check_failed',
            message: 'Account does not have sufficient buying power available for this order.',
          },
        ]),
      };
    }
    return { ok: true as const, pf, estimate };
  };

  const newRecord = (
    account: AccountRecord,
    req: OrderRequest,
    legs: ResolvedLeg[],
    size: number,
    underlying: string,
  ): OrderRecord => {
    const now = clock.now();
    const o: OrderRecord = {
      id: 0,
      accountNumber: account.accountNumber,
      timeInForce: req.timeInForce,
      orderType: req.orderType,
      size,
      underlyingSymbol: underlying,
      legs: legs.map((l) => ({ ...l, fills: [] })),
      status: 'Received',
      receivedAt: now,
      updatedAt: now,
      globalRequestId: '',
      edited: false,
      behavior: DEFAULT_BEHAVIOR,
      partialDone: false,
      wasLive: false,
    };
    if (req.priceCents !== undefined) o.priceCents = req.priceCents;
    if (req.priceEffect !== undefined) o.priceEffect = req.priceEffect;
    if (req.timeInForce === 'GTD' && req.gtcDate !== undefined) o.gtcDate = req.gtcDate;
    if (req.source !== undefined) o.source = req.source;
    if (req.externalIdentifier !== undefined) o.externalIdentifier = req.externalIdentifier;
    if (req.preflightId !== undefined) o.preflightId = req.preflightId;
    return o;
  };

  /** Gives a checked record its id, request id, fill behaviour (consuming a next-order rule) and expiry. */
  const register = (o: OrderRecord) => {
    const now = clock.now();
    o.id = state.nextOrderId++;
    o.globalRequestId = requestId();
    const picked = pickBehavior(state.rules, state.defaultBehavior, {
      symbols: o.legs.map((l) => l.symbol),
      underlying: o.underlyingSymbol,
    });
    if (picked.consumed !== undefined) state.rules.splice(picked.consumed, 1);
    o.behavior = picked.behavior;
    const expiresAt = expiryOf(o, now);
    if (expiresAt !== undefined) o.expiresAt = expiresAt;
    state.orders.set(o.id, o);
  };

  /** Day: the regular close of the session it works in (the next one when placed after the close); GTD: its date's close. */
  const expiryOf = (o: OrderRecord, now: number): number | undefined => {
    if (o.timeInForce === 'GTD' && o.gtcDate) return clock.session(nyTime(o.gtcDate, '12:00')).closeAt;
    if (o.timeInForce !== 'Day') return undefined;
    const session = clock.session(now);
    return now < session.closeAt ? session.closeAt : clock.session(session.nextOpenAt).closeAt;
  };

  const accountOf = (accountNumber: string) => state.accounts.get(accountNumber);
  const accountExternalId = (a: AccountRecord) =>
    `A${String(hashKeys(seed, 'external-id', a.accountNumber)).padStart(10, '0')}`;
  const identity: CustomerIdentity = {
    customerExternalId: `C${String(hashKeys(seed, 'customer-external-id')).padStart(10, '0')}`,
    userExternalId: `U${String(hashKeys(seed, 'user-external-id')).padStart(10, '0')}`,
    userId: 100_000 + (hashKeys(seed, 'user-id') % 900_000),
    createdAt,
  };

  return {
    accountNumbers: () => [...state.accounts.keys()],
    accountsWire: () => [...state.accounts.values()].map((a) => accountWire(a, accountExternalId(a))),
    accountWire(accountNumber) {
      const account = accountOf(accountNumber);
      return account ? accountDetailWire(account, accountExternalId(account)) : undefined;
    },
    tradingStatusWire(accountNumber) {
      const account = accountOf(accountNumber);
      return account
        ? tradingStatusWire(account, 400_000 + (hashKeys(seed, 'trading-status', accountNumber) % 500_000))
        : undefined;
    },
    customerWire: () => customerWire(identity),
    userWire: () => userWire(identity),
    balancesWire(accountNumber) {
      const account = accountOf(accountNumber);
      return account ? balanceData(account) : undefined;
    },
    positionsWire(accountNumber) {
      const account = accountOf(accountNumber);
      return account ? [...account.positions.values()].map((p) => positionData(accountNumber, p)) : [];
    },

    placeOrder(accountNumber, body, { dryRun }): VenueResult<JsonObject> {
      const account = accountOf(accountNumber);
      if (!account) return notPermitted();
      const parsed = parseOrderBody(body, { strictLegKeys });
      if (!parsed.ok) return fail(400, parsed.error);
      const req = parsed.value as OrderRequest; // place mode: time-in-force, order-type and legs are required by the parser
      const checked = check(account, req);
      if (!checked.ok) return checked.result;
      const { pf, estimate } = checked;
      const o = newRecord(account, req, pf.legs, pf.size, pf.underlying);
      const warnings: JsonObject[] = [];
      if (!dryRun) {
        register(o);
        lifecycle.route(o, clock.now());
        if (o.status === 'Received') {
          warnings.push({
            code: 'tif_next_valid_sesssion',
            message: 'Your order will begin working during next valid session.',
          });
        }
        emitOrder(o);
      }
      return {
        ok: true,
        value: {
          order: orderWire(o, { dryRun }),
          'buying-power-effect': buyingPowerEffectWire(
            estimate.before,
            estimate.after,
            estimate.isolatedRequirement,
            o.legs.length > 1,
          ),
          'fee-calculation': feesWire(estimate.fees),
          warnings,
        },
      };
    },

    replaceOrder(accountNumber, orderId, body) {
      if (!accountOf(accountNumber)) return notPermitted();
      const original = findOrder(accountNumber, orderId);
      if (!original) return orderNotFound();
      if (!WORKING_FOR_CHANGE.has(original.status)) {
        return fail(422, { code: 'cannot_update_order', message: 'the order could not be replaced' });
      }
      const parsed = parseOrderBody(body, { strictLegKeys, replace: true });
      if (!parsed.ok) return fail(400, parsed.error);
      const merged = replacementRequest(original, parsed.value);
      if (!merged.ok) return preflightFailure(merged.issues);
      const account = accountOf(accountNumber)!;
      const checked = check(account, merged.request);
      if (!checked.ok) return checked.result;
      const now = clock.now();
      const next = newRecord(account, merged.request, checked.pf.legs, checked.pf.size, checked.pf.underlying);
      register(next);
      setStatus(next, 'Contingent', now);
      next.contingentStatus = 'Pending Order';
      next.replacesOrderId = original.id;
      original.edited = true;
      original.replacingOrderId = next.id;
      setStatus(original, 'Replace Requested', now);
      emitOrder(original);
      emitOrder(next);
      return { ok: true, value: orderWire(next) };
    },

    cancelOrder(accountNumber, orderId) {
      if (!accountOf(accountNumber)) return notPermitted();
      const o = findOrder(accountNumber, orderId);
      if (!o) return orderNotFound();
      if (isTerminal(o.status) || o.status === 'Replace Requested') {
        return fail(422, { code: 'cannot_update_order', message: 'the order could not be cancelled' });
      }
      if (o.status !== 'Cancel Requested') {
        setStatus(o, 'Cancel Requested', clock.now());
        emitOrder(o);
      }
      return { ok: true, value: orderWire(o) };
    },

    getOrder(accountNumber, orderId) {
      if (!accountOf(accountNumber)) return notPermitted();
      const o = findOrder(accountNumber, orderId);
      return o ? { ok: true, value: orderWire(o) } : orderNotFound();
    },

    liveOrders(accountNumber) {
      const mine = [...state.orders.values()].filter((o) => o.accountNumber === accountNumber);
      return liveOrders(mine, nyDate(clock.now()), nyDate).map((o) => orderWire(o));
    },

    transactions(accountNumber, query) {
      return searchTransactions(state.accounts.get(accountNumber)?.transactions ?? [], query);
    },

    searchOrders(accountNumber, query: SearchOrdersQuery) {
      const mine = [...state.orders.values()].filter((o) => o.accountNumber === accountNumber);
      const { items, pagination } = searchOrders(mine, query);
      return { items: items.map((o) => orderWire(o)), pagination };
    },

    tick() {
      const now = clock.now();
      expiration.onTick(now);
      // Map iteration also visits replacements activated during this pass (their ids are larger)
      for (const o of state.orders.values()) lifecycle.advance(o, now);
    },

    expireOptions(opts = {}) {
      const now = clock.now();
      return expiration.expireThrough(opts.through ?? nyDate(now), now);
    },
    assignOption(request: AssignmentRequest) {
      return expiration.assign(request, clock.now());
    },
    openPosition(request: PositionRequest) {
      const accountNumber = request.accountNumber ?? [...state.accounts.keys()][0] ?? '';
      const account = accountOf(accountNumber);
      if (!account) return fail(404, { code: 'not_found', message: `No account ${accountNumber}` });
      if (!Number.isInteger(request.quantity) || request.quantity === 0)
        return fail(400, { code: 'invalid_quantity', message: 'quantity must be a non-zero integer (signed)' });
      const now = clock.now();
      const today = nyDate(now);
      const issues: PreflightIssue[] = [];
      const type = parseOcc(request.symbol) ? 'Equity Option' : 'Equity';
      const instrument = resolveInstrument(request.symbol, type, { market, now, today }, issues);
      if (!instrument) return fail(422, issues[0] ?? { code: 'instrument_not_found', message: request.symbol });
      const priceCents = request.priceCents ?? marks.markCents(instrument.symbol);
      if (!(priceCents > 0))
        return fail(422, { code: 'quote_unavailable', message: `No mark to price ${instrument.symbol}; give a price` });
      const held = account.positions.get(instrument.symbol)?.quantity ?? 0;
      const action =
        request.quantity > 0
          ? held < 0
            ? 'Buy to Close'
            : 'Buy to Open'
          : held > 0
            ? 'Sell to Close'
            : 'Sell to Open';
      const p = applyLegFill(account, instrument, action, Math.abs(request.quantity), priceCents, now, today);
      emitPositionChanges(account, [p]);
      return { ok: true, value: positionData(account.accountNumber, p) };
    },
    setAssignmentProbability(probability) {
      expiration.setProbability(probability);
    },

    addFillRule(rule) {
      state.rules.push({ ...rule });
    },
    clearFillRules() {
      state.rules = [];
    },
    setDefaultFillBehavior(behavior) {
      state.defaultBehavior = behaviorOf(behavior);
    },
    lagFills({ orders, ms }) {
      state.fillsLag = { orders, ms };
    },

    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    snapshot() {
      const now = clock.now();
      return {
        accounts: [...state.accounts.values()].map((a) => ({
          'account-number': a.accountNumber,
          balances: balanceData(a),
          positions: [...a.positions.values()].map((p) => positionData(a.accountNumber, p)),
          orders: [...state.orders.values()]
            .filter((o) => o.accountNumber === a.accountNumber)
            .map((o) => orderWire(o)),
        })),
        fillRules: state.rules.map((r) => ({ ...r })),
        defaultFillBehavior: { ...state.defaultBehavior },
        assignment: { probability: expiration.probability() },
        clock: {
          now: isoTime(now),
          'now-ms': now,
          'market-open': clock.isMarketOpen(now),
          'trading-date': nyDate(now),
        },
      };
    },

    exportState(): VenueSavedState {
      // A deep copy: the caller may serialize it later, while the venue goes on changing its records
      return structuredClone({
        version: 1 as const,
        savedAt: clock.now(),
        accounts: [...state.accounts.values()].map((a) => ({ ...a, positions: [...a.positions.values()] })),
        // Each price step of a working order is an order of its own (a replace): a paper account's history would grow
        // without end, and the whole file is written as it changes
        orders: [...state.orders.values()].filter(
          (o) => !isTerminal(o.status) || o.updatedAt >= clock.now() - SAVED_ORDER_HISTORY_MS,
        ),
        nextOrderId: state.nextOrderId,
        nextExecId: state.nextExecId,
        nextTransactionId: state.nextTransactionId,
      });
    },

    reset() {
      state = initialState();
      expiration.reset();
    },
  };
}
