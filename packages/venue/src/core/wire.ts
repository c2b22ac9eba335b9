// Owns the venue's records → Tastytrade JSON (kebab-case keys, decimal strings, `-effect` siblings, ISO/epoch times).
import { decimalString, isoTime } from '../format.js';
import type { JsonObject } from '../types.js';
import type { AccountRecord, BalanceFigures, Fees, PositionRecord } from './ledger.js';
import { centsRatioToDecimal, centsToDecimal, debitEffect, effectOf, unsignedDecimal } from './money.js';
import {
  isTerminal,
  remainingQuantity,
  remainingUnits,
  type FillRecord,
  type OrderRecord,
  type OrderStatus,
} from './orders.js';

/** Cancellable/editable as the recordings show them: not while routing or once a cancel/replace is under way. */
const ACTIONABLE: ReadonlySet<OrderStatus> = new Set(['Received', 'Live', 'Contingent']);

function fillWire(f: FillRecord): JsonObject {
  return {
    'destination-venue': f.destinationVenue,
    'ext-exec-id': f.extExecId,
    'ext-group-fill-id': f.extGroupFillId,
    'fill-id': f.fillId,
    'fill-price': centsToDecimal(f.priceCents),
    'filled-at': isoTime(f.filledAt),
    quantity: f.quantity,
  };
}

/** The order object of GET/POST/PUT/DELETE and the streamer. A dry-run order has no id, received-at or request id. */
export function orderWire(o: OrderRecord, opts: { dryRun?: boolean } = {}): JsonObject {
  const dry = opts.dryRun === true;
  const out: JsonObject = {};
  if (!dry) out['id'] = o.id;
  out['account-number'] = o.accountNumber;
  out['cancellable'] = !dry && ACTIONABLE.has(o.status);
  if (o.cancelledAt !== undefined) out['cancelled-at'] = isoTime(o.cancelledAt);
  // Recorded (2026) on an order cancelled after it worked at the exchange, as a decimal string ("1.0")
  if (o.status === 'Cancelled' && o.wasLive) out['cancelled-size'] = decimalString(remainingUnits(o), 4);
  if (o.contingentStatus !== undefined) out['contingent-status'] = o.contingentStatus;
  out['editable'] = !dry && ACTIONABLE.has(o.status);
  out['edited'] = o.edited;
  if (o.extClientOrderId !== undefined) out['ext-client-order-id'] = o.extClientOrderId;
  if (o.externalIdentifier !== undefined) out['external-identifier'] = o.externalIdentifier;
  if (!dry) out['global-request-id'] = o.globalRequestId;
  if (o.gtcDate !== undefined) out['gtc-date'] = o.gtcDate;
  out['leg-count'] = o.legs.length;
  out['order-type'] = o.orderType;
  if (o.priceCents !== undefined) out['price'] = centsToDecimal(o.priceCents);
  if (o.priceEffect !== undefined) out['price-effect'] = o.priceEffect;
  if (o.preflightId !== undefined) out['preflight-id'] = o.preflightId;
  if (!dry) out['received-at'] = isoTime(o.receivedAt);
  if (o.rejectReason !== undefined) out['reject-reason'] = o.rejectReason;
  if (o.replacesOrderId !== undefined) out['replaces-order-id'] = o.replacesOrderId;
  if (o.replacingOrderId !== undefined) out['replacing-order-id'] = o.replacingOrderId;
  out['size'] = o.size;
  if (o.source !== undefined) out['source'] = o.source;
  out['status'] = o.status;
  if (o.terminalAt !== undefined && isTerminal(o.status)) out['terminal-at'] = isoTime(o.terminalAt);
  out['time-in-force'] = o.timeInForce;
  out['underlying-instrument-type'] = 'Equity';
  out['underlying-symbol'] = o.underlyingSymbol;
  out['updated-at'] = dry ? 0 : o.updatedAt;
  // fillsLag fault (wall time, like the stream faults): the order says Filled, later legs' fills are not attached yet
  const lagging = o.fillsHiddenUntil !== undefined && Date.now() < o.fillsHiddenUntil;
  out['legs'] = o.legs.map((leg, i) => ({
    action: leg.action,
    'instrument-type': leg.instrumentType,
    quantity: leg.quantity,
    'remaining-quantity': remainingQuantity(leg),
    symbol: leg.symbol,
    fills: lagging && i > 0 ? [] : leg.fills.map(fillWire),
  }));
  return out;
}

const feeItem = (name: string, cents: number) => ({ name, value: unsignedDecimal(cents), effect: debitEffect(cents) });

/** `fee-calculation` in the 2025 form (with breakdowns, rebates, per-quantity). */
export function feesWire(f: Fees): JsonObject {
  return {
    'regulatory-fees': unsignedDecimal(f.regulatory),
    'regulatory-fees-effect': debitEffect(f.regulatory),
    'regulatory-fees-breakdown': [
      feeItem('exchange', 0),
      feeItem('nfa', 0),
      feeItem('orf', f.orf),
      feeItem('sec', f.sec),
      feeItem('taf', f.taf),
    ],
    'clearing-fees': unsignedDecimal(f.clearing),
    'clearing-fees-effect': debitEffect(f.clearing),
    'clearing-fees-breakdown': [feeItem('clearing', f.clearing)],
    commission: unsignedDecimal(f.commission),
    'commission-effect': debitEffect(f.commission),
    'commission-breakdown': [feeItem('brokerage', f.commission)],
    'proprietary-index-option-fees': '0.0',
    'proprietary-index-option-fees-effect': 'None',
    'proprietary-fees-breakdown': [feeItem('proprietary', 0)],
    'total-fees': unsignedDecimal(f.total),
    'total-fees-effect': debitEffect(f.total),
    rebates: '0.0',
    'rebates-effect': 'None',
    'rebates-breakdown': [feeItem('rebate', 0)],
    'per-quantity': false,
  };
}

/** `buying-power-effect` from the account's figures before and after the (hypothetical) fill of an order. */
export function buyingPowerEffectWire(
  before: BalanceFigures,
  after: BalanceFigures,
  isolatedRequirement: number,
  isSpread: boolean,
): JsonObject {
  const reqChange = after.requirement - before.requirement;
  const bpChange = after.derivativeBuyingPower - before.derivativeBuyingPower;
  const balanceEffect = (cents: number) => (cents < 0 ? 'Debit' : 'Credit');
  return {
    'change-in-margin-requirement': unsignedDecimal(reqChange),
    'change-in-margin-requirement-effect': debitEffect(reqChange),
    'change-in-buying-power': unsignedDecimal(bpChange),
    'change-in-buying-power-effect': effectOf(bpChange),
    'current-buying-power': unsignedDecimal(before.derivativeBuyingPower),
    'current-buying-power-effect': balanceEffect(before.derivativeBuyingPower),
    'new-buying-power': unsignedDecimal(after.derivativeBuyingPower),
    'new-buying-power-effect': balanceEffect(after.derivativeBuyingPower),
    'isolated-order-margin-requirement': unsignedDecimal(isolatedRequirement),
    'isolated-order-margin-requirement-effect': debitEffect(isolatedRequirement),
    'is-spread': isSpread,
    impact: unsignedDecimal(bpChange),
    effect: effectOf(bpChange),
  };
}

/** One item of GET /accounts/{n}/positions (and a CurrentPosition event's data; quantity 0 / "Zero" once closed). */
export function positionWire(
  accountNumber: string,
  p: PositionRecord,
  ctx: { closePriceDollars: number; tradingDate: string },
): JsonObject {
  const qty = Math.abs(p.quantity);
  const avgOpen = qty === 0 ? '0.0' : centsRatioToDecimal(p.openCostCents, qty);
  const realized = p.realizedDate === ctx.tradingDate ? p.realizedCents : 0;
  const closePrice = decimalString(ctx.closePriceDollars, 4);
  const out: JsonObject = {
    'account-number': accountNumber,
    symbol: p.symbol,
    'instrument-type': p.instrumentType,
    'underlying-symbol': p.underlying,
    quantity: qty,
    'quantity-direction': p.quantity > 0 ? 'Long' : p.quantity < 0 ? 'Short' : 'Zero',
    'close-price': closePrice,
    'average-open-price': avgOpen,
    'average-yearly-market-close-price': avgOpen,
    'average-daily-market-close-price': closePrice,
    multiplier: p.multiplier,
    // As recorded: long stock shows "Credit", a short option "Debit"
    'cost-effect': p.quantity > 0 ? 'Credit' : p.quantity < 0 ? 'Debit' : 'None',
    'is-suppressed': false,
    'is-frozen': false,
    'restricted-quantity': 0,
  };
  if (p.expiresAt !== undefined) out['expires-at'] = isoTime(p.expiresAt);
  Object.assign(out, {
    'realized-day-gain': unsignedDecimal(realized),
    'realized-day-gain-effect': effectOf(realized),
    'realized-day-gain-date': ctx.tradingDate,
    'realized-today': unsignedDecimal(realized),
    'realized-today-effect': effectOf(realized),
    'realized-today-date': ctx.tradingDate,
    'created-at': isoTime(p.createdAt),
    'updated-at': isoTime(p.updatedAt),
  });
  return out;
}

/** GET /accounts/{n}/balances and the AccountBalance event: the 2026 production key set, money as decimal strings. */
export function balancesWire(account: AccountRecord, b: BalanceFigures, tradingDate: string): JsonObject {
  const d = centsToDecimal;
  const bp = b.derivativeBuyingPower;
  const withdrawable = Math.max(0, Math.min(b.cash, bp));
  return {
    'account-number': account.accountNumber,
    'available-trading-funds': '0.0',
    'bond-margin-requirement': '0.0',
    'cash-available-to-withdraw': d(withdrawable),
    'cash-balance': d(b.cash),
    'cash-settle-balance': d(b.cash),
    'closed-loop-available-balance': d(withdrawable),
    'cryptocurrency-margin-requirement': '0.0',
    currency: 'USD',
    'day-equity-call-value': '0.0',
    'day-trade-excess': d(Math.max(0, bp)),
    'day-trading-buying-power': '0.0',
    'day-trading-call-value': '0.0',
    'derivative-buying-power': d(bp),
    'equity-buying-power': d(b.equityBuyingPower),
    'equity-offering-margin-requirement': '0.0',
    'fixed-income-security-margin-requirement': '0.0',
    'futures-margin-requirement': '0.0',
    'intraday-equities-cash-amount': '0.0',
    'intraday-equities-cash-effect': 'None',
    'intraday-equities-cash-effective-date': tradingDate,
    'intraday-futures-cash-amount': '0.0',
    'intraday-futures-cash-effect': 'None',
    'intraday-futures-cash-effective-date': tradingDate,
    'long-bond-value': '0.0',
    'long-cryptocurrency-value': '0.0',
    'long-derivative-value': d(b.longDerivative),
    'long-equity-value': d(b.longEquity),
    'long-fixed-income-security-value': '0.0',
    'long-futures-derivative-value': '0.0',
    'long-futures-value': '0.0',
    'long-margineable-value': d(b.longEquity),
    'maintenance-call-value': d(Math.max(0, -bp)),
    'maintenance-requirement': d(b.requirement),
    'margin-equity': d(b.marginEquity),
    'margin-settle-balance': d(b.cash),
    'net-liquidating-value': d(b.netLiq),
    'pending-cash': '0.0',
    'pending-cash-effect': 'None',
    'previous-day-cryptocurrency-fiat-amount': '0.0',
    'previous-day-cryptocurrency-fiat-effect': 'None',
    'reg-t-call-value': '0.0',
    'short-cryptocurrency-value': '0.0',
    'short-derivative-value': d(b.shortDerivative),
    'short-equity-value': d(b.shortEquity),
    'short-futures-derivative-value': '0.0',
    'short-futures-value': '0.0',
    'short-margineable-value': d(b.shortEquity),
    'sma-equity-option-buying-power': d(bp),
    'special-memorandum-account-apex-adjustment': '0.0',
    'special-memorandum-account-value': d(bp),
    'total-settle-balance': d(b.cash),
    'unsettled-cryptocurrency-fiat-amount': '0.0',
    'unsettled-cryptocurrency-fiat-effect': 'None',
    'used-derivative-buying-power': d(b.requirement),
    'snapshot-date': tradingDate,
    'reg-t-margin-requirement': d(b.requirement),
    'futures-overnight-margin-requirement': '0.0',
    'futures-intraday-margin-requirement': '0.0',
    'maintenance-excess': d(bp),
    'pending-margin-interest': '0.0',
    'buying-power-adjustment': '0.0',
    'buying-power-adjustment-effect': 'None',
    'effective-cryptocurrency-buying-power': d(bp),
    'total-pending-liquidity-pool-rebate': '0.0',
    'long-index-derivative-value': '0.0',
    'short-index-derivative-value': '0.0',
    'updated-at': isoTime(account.updatedAt),
  };
}
