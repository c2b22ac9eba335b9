// Owns the venue's transaction history: one Trade transaction per leg fill with its fees, in Tastytrade's wire shape
// (GET /accounts/{n}/transactions, recorded in http_get_accounts_transactions__*.json).
import { decimalString, isoTime } from '../format.js';
import type { JsonObject, TransactionsQuery } from '../types.js';
import { nyDate } from '../calendar.js';
import { feesFor, type InstrumentInfo } from './ledger.js';
import { centsToDecimal, debitEffect, effectOf, unsignedDecimal } from './money.js';
import { isBuy } from './validate.js';
import { paginate } from './paginate.js';
import type { LegAction } from './validate.js';

export interface LegFees {
  commission: number;
  clearing: number;
  regulatory: number;
  proprietary: number;
  total: number;
}

export interface TransactionRecord {
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
 * Fees of one leg fill, from the venue's schedule (ledger.ts feesFor) on cumulative quantities so per-leg caps hold
 * across partial fills: what the leg costs with this fill minus what it cost before.
 */
export function legFillFees(instrument: InstrumentInfo, action: LegAction, filledBefore: number, qty: number, priceCents: number): LegFees {
  const at = (quantity: number) => feesFor([{ instrumentType: instrument.instrumentType, action, quantity, priceCents }]);
  const after = at(filledBefore + qty);
  const before = at(filledBefore);
  const commission = after.commission - before.commission;
  const clearing = after.clearing - before.clearing;
  const regulatory = after.regulatory - before.regulatory;
  return { commission, clearing, regulatory, proprietary: 0, total: commission + clearing + regulatory };
}

const pastTense = (action: LegAction) => (isBuy(action) ? 'Bought' : 'Sold');

/** "Sold 1 SPY 06/23/23 Put 400.00 @ 0.47" / "Bought 100 SPY @ 450.10". */
function description(t: TransactionRecord): string {
  const price = centsToDecimal(t.priceCents);
  const o = t.instrument.option;
  if (!o) return `${pastTense(t.action)} ${t.quantity} ${t.instrument.symbol} @ ${price}`;
  const [y, m, d] = o.expirationDate.split('-');
  return `${pastTense(t.action)} ${t.quantity} ${t.instrument.underlying} ${m}/${d}/${y!.slice(2)} ${o.right === 'C' ? 'Call' : 'Put'} ${(o.strike).toFixed(2)} @ ${price}`;
}

const amount = (key: string, cents: number): JsonObject => ({ [key]: unsignedDecimal(cents), [`${key}-effect`]: debitEffect(cents) });

export function transactionWire(t: TransactionRecord): JsonObject {
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


/** Newest first unless `sort=Asc`; Tastytrade's pagination object. */
export function searchTransactions(all: readonly TransactionRecord[], q: TransactionsQuery): { items: JsonObject[]; pagination: JsonObject } {
  const matching = all
    .filter((t) => (q.symbol ? t.instrument.symbol === q.symbol : true))
    .filter((t) => (q.underlyingSymbol ? t.instrument.underlying === q.underlyingSymbol : true))
    .filter((t) => (q.type ? q.type === 'Trade' : true))
    .sort((a, b) => (q.sort === 'Asc' ? a.id - b.id : b.id - a.id));
  const page = paginate(matching, q.perPage, q.pageOffset, 250);
  return { items: page.items.map(transactionWire), pagination: page.pagination };
}
