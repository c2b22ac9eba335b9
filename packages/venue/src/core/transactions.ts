// Owns the venue's transaction history in Tastytrade's wire shape (GET /accounts/{n}/transactions, recorded in
// http_get_accounts_transactions__*.json): one Trade transaction per leg fill with its fees, and the Receive Deliver
// rows of expirations, assignments and exercises (the option's removal, the shares delivered at the strike).
import { decimalString, isoTime } from '../format.js';
import type { JsonObject, TransactionsQuery } from '../types.js';
import { nyDate } from '../calendar.js';
import { feesFor, type InstrumentInfo } from './ledger.js';
import { centsToDecimal, debitEffect, effectOf, unsignedDecimal } from './money.js';
import { isBuy } from './validate.js';
import { paginate } from './paginate.js';
import type { LegAction } from './validate.js';
import type { SettlementOutcome } from './settlement.js';

export interface LegFees {
  commission: number;
  clearing: number;
  regulatory: number;
  proprietary: number;
  total: number;
}

export type TransactionRecord = TradeTransaction | ReceiveDeliverTransaction;

export interface TradeTransaction {
  type: 'Trade';
  id: number;
  accountNumber: string;
  orderId: number;
  instrument: InstrumentInfo;
  action: LegAction;
  quantity: number;
  priceCents: number;
  executedAt: number;
  extExecId: string;
  extGroupFillId: string;
  destinationVenue: string;
  legCount: number;
  fees: LegFees;
}

/**
 * A Receive Deliver row: the removal of an option (sub-type Expiration / Assignment / Exercise, no action, value 0)
 * or the shares delivered by an assignment or exercise (sub-type = action, e.g. Buy to Open, at the strike).
 */
export interface ReceiveDeliverTransaction {
  type: 'Receive Deliver';
  id: number;
  accountNumber: string;
  instrument: InstrumentInfo;
  subType: SettlementOutcome | LegAction;
  /** Share rows only. */
  action?: LegAction;
  quantity: number;
  /** Share rows only: the strike, cents per share. */
  priceCents?: number;
  clearingFeeCents: number;
  executedAt: number;
}

/** Assignment and exercise fee, as recorded (40 contracts assigned: clearing-fees 200.0 on the share row). */
export const SETTLEMENT_FEE_CENTS_PER_CONTRACT = 500;

/**
 * Fees of one leg fill, from the venue's schedule (ledger.ts feesFor) on cumulative quantities so per-leg caps hold
 * across partial fills: what the leg costs with this fill minus what it cost before.
 */
export function legFillFees(
  instrument: InstrumentInfo,
  action: LegAction,
  filledBefore: number,
  qty: number,
  priceCents: number,
): LegFees {
  const at = (quantity: number) =>
    feesFor([{ instrumentType: instrument.instrumentType, action, quantity, priceCents }]);
  const after = at(filledBefore + qty);
  const before = at(filledBefore);
  const commission = after.commission - before.commission;
  const clearing = after.clearing - before.clearing;
  const regulatory = after.regulatory - before.regulatory;
  return { commission, clearing, regulatory, proprietary: 0, total: commission + clearing + regulatory };
}

const pastTense = (action: LegAction) => (isBuy(action) ? 'Bought' : 'Sold');

/** "Sold 1 SPY 06/23/23 Put 400.00 @ 0.47" / "Bought 100 SPY @ 450.10". */
function description(t: TradeTransaction): string {
  const price = centsToDecimal(t.priceCents);
  const o = t.instrument.option;
  if (!o) return `${pastTense(t.action)} ${t.quantity} ${t.instrument.symbol} @ ${price}`;
  const [y, m, d] = o.expirationDate.split('-');
  return `${pastTense(t.action)} ${t.quantity} ${t.instrument.underlying} ${m}/${d}/${y!.slice(2)} ${o.right === 'C' ? 'Call' : 'Put'} ${(o.strike).toFixed(2)} @ ${price}`;
}

const amount = (key: string, cents: number): JsonObject => ({
  [key]: unsignedDecimal(cents),
  [`${key}-effect`]: debitEffect(cents),
});

export function transactionWire(t: TransactionRecord): JsonObject {
  return t.type === 'Trade' ? tradeWire(t) : receiveDeliverWire(t);
}

const REMOVAL_REASON: Record<SettlementOutcome, string> = {
  Expiration: 'expiration',
  Assignment: 'assignment',
  Exercise: 'exercise',
};

/** The recorded key set and order of a Receive Deliver row (fixture trade_and_assignment, items 1 and 2). */
export function receiveDeliverWire(t: ReceiveDeliverTransaction): JsonObject {
  const head: JsonObject = {
    id: t.id,
    'account-number': t.accountNumber,
    symbol: t.instrument.symbol,
    'instrument-type': t.instrument.instrumentType,
    'underlying-symbol': t.instrument.underlying,
    'transaction-type': 'Receive Deliver',
    'transaction-sub-type': t.subType,
  };
  const time = { 'executed-at': isoTime(t.executedAt), 'transaction-date': nyDate(t.executedAt) };
  if (t.action === undefined || t.priceCents === undefined) {
    const reason = REMOVAL_REASON[t.subType as SettlementOutcome] ?? 'expiration';
    return {
      ...head,
      description: `Removal of option due to ${reason}`,
      quantity: decimalString(t.quantity, 4),
      ...time,
      value: '0.0',
      'value-effect': 'None',
      'net-value': '0.0',
      'net-value-effect': 'None',
      'is-estimated-fee': true,
    };
  }
  const value = t.quantity * t.priceCents * t.instrument.multiplier;
  const signedValue = isBuy(t.action) ? -value : value;
  const net = signedValue - t.clearingFeeCents;
  return {
    ...head,
    description: `${t.action} ${t.quantity} ${t.instrument.symbol} @ ${(t.priceCents / 100).toFixed(2)}`,
    action: t.action,
    quantity: decimalString(t.quantity, 4),
    price: centsToDecimal(t.priceCents),
    ...time,
    value: unsignedDecimal(value),
    'value-effect': effectOf(signedValue),
    ...amount('clearing-fees', t.clearingFeeCents),
    'net-value': unsignedDecimal(net),
    'net-value-effect': effectOf(net),
    'is-estimated-fee': true,
  };
}

function tradeWire(t: TradeTransaction): JsonObject {
  const value = t.quantity * t.priceCents * t.instrument.multiplier;
  const signedValue = isBuy(t.action) ? -value : value;
  const net = signedValue - t.fees.total;
  return {
    id: t.id,
    'account-number': t.accountNumber,
    action: t.action,
    ...amount('clearing-fees', t.fees.clearing),
    ...amount('commission', t.fees.commission),
    'created-at': isoTime(t.executedAt),
    currency: 'USD',
    description: description(t),
    'destination-venue': t.destinationVenue,
    'exec-id': t.extExecId,
    'executed-at': isoTime(t.executedAt),
    'ext-exec-id': t.extExecId,
    'ext-group-fill-id': t.extGroupFillId,
    'instrument-type': t.instrument.instrumentType,
    'is-estimated-fee': true,
    'leg-count': t.legCount,
    'net-value': unsignedDecimal(net),
    'net-value-effect': effectOf(net),
    'order-id': t.orderId,
    price: centsToDecimal(t.priceCents),
    'proprietary-index-option-fees': unsignedDecimal(t.fees.proprietary),
    'proprietary-index-option-fees-effect': debitEffect(t.fees.proprietary),
    quantity: decimalString(t.quantity, 4),
    ...amount('regulatory-fees', t.fees.regulatory),
    symbol: t.instrument.symbol,
    'transaction-date': nyDate(t.executedAt),
    'transaction-sub-type': t.action,
    'transaction-type': 'Trade',
    'underlying-symbol': t.instrument.underlying,
    value: unsignedDecimal(value),
    'value-effect': effectOf(signedValue),
  };
}

const subTypeOf = (t: TransactionRecord): string => (t.type === 'Trade' ? t.action : t.subType);

/** Newest first unless `sort=Asc`; Tastytrade's pagination object. */
export function searchTransactions(
  all: readonly TransactionRecord[],
  q: TransactionsQuery,
): { items: JsonObject[]; pagination: JsonObject } {
  const matching = all
    .filter((t) => (q.symbol ? t.instrument.symbol === q.symbol : true))
    .filter((t) => (q.underlyingSymbol ? t.instrument.underlying === q.underlyingSymbol : true))
    .filter((t) => (q.type || q.types ? q.type === t.type || (q.types ?? []).includes(t.type) : true))
    .filter((t) => (q.subTypes ? q.subTypes.includes(subTypeOf(t)) : true))
    .filter((t) => (q.startDate ? nyDate(t.executedAt) >= q.startDate : true))
    .filter((t) => (q.endDate ? nyDate(t.executedAt) <= q.endDate : true))
    .sort((a, b) => (q.sort === 'Asc' ? a.id - b.id : b.id - a.id));
  const page = paginate(matching, q.perPage, q.pageOffset, 250);
  return { items: page.items.map(transactionWire), pagination: page.pagination };
}
