// Owns settling option positions at the venue: expiration after the session close, forced expiration, early
// assignment (named or by probability), with their ledger changes, Receive Deliver rows and expired working orders.
import { nyDate, prevTradingDay, sessionAt, tradingHours } from '../calendar.js';
import type { AssignmentRequest, JsonObject, MarketModel, MarketClock, VenueMillis, VenueResult } from '../types.js';
import { applyLegFill, type AccountRecord, type InstrumentInfo, type PositionRecord } from './ledger.js';
import { isTerminal, type OrderRecord } from './orders.js';
import {
  assignEarly,
  isShortInTheMoney,
  settleAtExpiration,
  settlementTime,
  type SettlementDecision,
  type SettlingOption,
} from './settlement.js';
import { SETTLEMENT_FEE_CENTS_PER_CONTRACT } from './transactions.js';
import type { LegAction } from './validate.js';

export interface ExpirationDeps {
  clock: MarketClock;
  market: MarketModel;
  accounts(): Iterable<AccountRecord>;
  orders(): Iterable<OrderRecord>;
  transactionId(): number;
  /** Uniform in [0, 1) from the venue's seeded stream (early-assignment draws). */
  random(): number;
  /** Ends a working order on an option that no longer trades (Expired; a pending cancel completes). */
  expireOrder(o: OrderRecord, now: VenueMillis): void;
  /** Publishes what settling changed in an account: CurrentPosition per position, then AccountBalance. */
  emitChanges(account: AccountRecord, changed: PositionRecord[]): void;
}

export interface Expiration {
  /** Real/replay modes: settles expirations whose close has passed, expires their orders, checks early assignment. */
  onTick(now: VenueMillis): void;
  expireThrough(through: string, now: VenueMillis): JsonObject[];
  assign(request: AssignmentRequest, now: VenueMillis): VenueResult<JsonObject>;
  setProbability(probability: number): void;
  probability(): number;
  reset(): void;
}

const optionOf = (p: PositionRecord): SettlingOption | undefined =>
  p.option
    ? { right: p.option.right, strike: p.option.strike, quantity: p.quantity, multiplier: p.multiplier }
    : undefined;

const cents = (dollars: number): number => Math.round(dollars * 100);

/** The last regular close at or before `now` on the NYSE calendar. */
export function lastCloseAtOrBefore(now: VenueMillis): VenueMillis {
  const s = sessionAt(now);
  if (now >= s.closeAt) return s.closeAt;
  return tradingHours(prevTradingDay(s.tradingDate))!.closeAt;
}

function instrumentOf(p: PositionRecord): InstrumentInfo {
  const info: InstrumentInfo = {
    symbol: p.symbol,
    instrumentType: p.instrumentType,
    underlying: p.underlying,
    multiplier: p.multiplier,
  };
  if (p.option) info.option = { ...p.option };
  if (p.expiresAt !== undefined) info.expiresAt = p.expiresAt;
  return info;
}

export function createExpiration(deps: ExpirationDeps): Expiration {
  const { clock, market } = deps;
  const hours = clock.spec.mode !== 'open';
  let probability = 0;
  let lastCheckedClose = hours ? lastCloseAtOrBefore(clock.now()) : 0;

  /** Removes `contracts` of the option and delivers the shares at the strike; the changed positions. */
  const apply = (
    account: AccountRecord,
    p: PositionRecord,
    contracts: number,
    d: SettlementDecision,
    at: VenueMillis,
  ): PositionRecord[] => {
    const today = nyDate(at);
    const option = instrumentOf(p);
    const removal: LegAction = p.quantity > 0 ? 'Sell to Close' : 'Buy to Close';
    const changed = [applyLegFill(account, option, removal, contracts, 0, at, today)];
    account.transactions.push({
      type: 'Receive Deliver',
      id: deps.transactionId(),
      accountNumber: account.accountNumber,
      instrument: option,
      subType: d.outcome,
      quantity: contracts,
      clearingFeeCents: 0,
      executedAt: at,
    });
    if (d.shares === 0) return changed;
    const equity: InstrumentInfo = {
      symbol: p.underlying,
      instrumentType: 'Equity',
      underlying: p.underlying,
      multiplier: 1,
    };
    const held = account.positions.get(equity.symbol)?.quantity ?? 0;
    const action: LegAction =
      d.shares > 0 ? (held < 0 ? 'Buy to Close' : 'Buy to Open') : held > 0 ? 'Sell to Close' : 'Sell to Open';
    const shares = Math.abs(d.shares);
    changed.push(applyLegFill(account, equity, action, shares, d.strikeCents, at, today));
    const fee = contracts * SETTLEMENT_FEE_CENTS_PER_CONTRACT;
    account.cashCents -= fee;
    account.transactions.push({
      type: 'Receive Deliver',
      id: deps.transactionId(),
      accountNumber: account.accountNumber,
      instrument: equity,
      subType: action,
      action,
      quantity: shares,
      priceCents: d.strikeCents,
      clearingFeeCents: fee,
      executedAt: at,
    });
    return changed;
  };

  const summary = (
    account: AccountRecord,
    p: PositionRecord,
    contracts: number,
    d: SettlementDecision,
    underlyingCents?: number,
  ): JsonObject => ({
    'account-number': account.accountNumber,
    symbol: p.symbol,
    'underlying-symbol': p.underlying,
    quantity: p.quantity > 0 ? contracts : -contracts,
    outcome: d.outcome,
    shares: d.shares,
    strike: d.strikeCents / 100,
    ...(underlyingCents !== undefined ? { 'underlying-price': underlyingCents / 100 } : {}),
  });

  /** Settles every option position `due` selects, priced by `priceAt`; emits per account; the settlements. */
  const settle = (
    due: (p: PositionRecord) => VenueMillis | undefined,
    priceAt: (underlying: string, at: VenueMillis) => number,
  ): JsonObject[] => {
    const out: JsonObject[] = [];
    for (const account of deps.accounts()) {
      const changed: PositionRecord[] = [];
      for (const p of [...account.positions.values()]) {
        const option = optionOf(p);
        const at = option ? due(p) : undefined;
        if (!option || at === undefined || !market.hasUnderlying(p.underlying)) continue;
        const underlyingCents = cents(priceAt(p.underlying, at));
        const d = settleAtExpiration(option, underlyingCents);
        out.push(summary(account, p, Math.abs(p.quantity), d, underlyingCents));
        changed.push(...apply(account, p, Math.abs(p.quantity), d, at));
      }
      if (changed.length > 0) deps.emitChanges(account, changed);
    }
    return out;
  };

  const expireOrders = (expired: (expirationDate: string) => boolean, now: VenueMillis) => {
    for (const o of deps.orders()) {
      if (isTerminal(o.status) || o.status === 'Contingent') continue;
      if (o.legs.some((l) => l.option !== undefined && expired(l.option.expirationDate))) deps.expireOrder(o, now);
    }
  };

  /** Each short in-the-money option (not expiring at this check) assigned whole with the set probability. */
  const earlyAssignments = (checkAt: VenueMillis, priceAt: (underlying: string) => number, now: VenueMillis) => {
    for (const account of deps.accounts()) {
      const changed: PositionRecord[] = [];
      for (const p of [...account.positions.values()]) {
        const option = optionOf(p);
        if (!option || !p.option || !market.hasUnderlying(p.underlying)) continue;
        if (hours && settlementTime(p.option.expirationDate) <= checkAt) continue;
        if (!isShortInTheMoney(option, cents(priceAt(p.underlying))) || deps.random() >= probability) continue;
        changed.push(...apply(account, p, -p.quantity, assignEarly(option, -p.quantity), now));
      }
      if (changed.length > 0) deps.emitChanges(account, changed);
    }
  };

  return {
    onTick(now) {
      if (hours) {
        const due = (p: PositionRecord) => {
          const at = settlementTime(p.option!.expirationDate);
          return at <= now ? at : undefined;
        };
        settle(due, (u, at) => market.spotAt(u, at));
        expireOrders((date) => settlementTime(date) <= now, now);
        const close = lastCloseAtOrBefore(now);
        if (close > lastCheckedClose) {
          lastCheckedClose = close;
          if (probability > 0) earlyAssignments(close, (u) => market.spotAt(u, close), now);
        }
      } else if (probability > 0) {
        earlyAssignments(now, (u) => market.spot(u), now);
      }
    },

    expireThrough(through, now) {
      const settled = settle(
        (p) => (p.option!.expirationDate <= through ? now : undefined),
        (u) => market.spot(u),
      );
      expireOrders((date) => date <= through, now);
      return settled;
    },

    assign(request, now) {
      const holders = [...deps.accounts()].filter(
        (a) =>
          (request.accountNumber === undefined || a.accountNumber === request.accountNumber) &&
          (a.positions.get(request.symbol)?.quantity ?? 0) < 0,
      );
      const account = holders[0];
      const p = account?.positions.get(request.symbol);
      if (!account || !p?.option) {
        const where = request.accountNumber ? ` in account ${request.accountNumber}` : '';
        return {
          ok: false,
          httpStatus: 404,
          error: { code: 'not_found', message: `No short option position in ${request.symbol}${where}` },
        };
      }
      const contracts = request.quantity ?? -p.quantity;
      if (contracts > -p.quantity) {
        return {
          ok: false,
          httpStatus: 422,
          error: {
            code: 'invalid_quantity',
            message: `quantity ${contracts} exceeds the short position of ${-p.quantity} in ${request.symbol}`,
          },
        };
      }
      const d = assignEarly(optionOf(p)!, contracts);
      const result = summary(account, p, contracts, d);
      deps.emitChanges(account, apply(account, p, contracts, d, now));
      return { ok: true, value: result };
    },

    setProbability(p) {
      if (!(p >= 0 && p <= 1)) throw new Error(`assignment probability must be within 0..1, got ${p}`);
      probability = p;
    },
    probability: () => probability,
    reset() {
      probability = 0;
      lastCheckedClose = hours ? lastCloseAtOrBefore(clock.now()) : 0;
    },
  };
}
