// Owns Tastytrade orders ⇄ Legwork: order snapshots → BrokerOrder (exhaustive status switch, signed limit price, fills),
// place/dry-run responses → DryRunResult, and OrderRequest / replace → kebab-case bodies (legs included). Pure.
import type { DryRunResult } from '../../domain/account.js';
import type { BrokerOrder, BrokerOrderLeg, BrokerOrderStatus, Fill, OrderRequest } from '../../domain/broker-order.js';
import { signedCents, toAmountAndEffect, toCents } from '../../domain/money.js';
import { compact, mapping, wireError } from './mapper-util.js';
import {
  isObject,
  parseWire,
  TtDryRunResponse,
  TtOrderRequestBody,
  TtOrderWithId,
  TtPlacedOrderResponse,
  TtReplaceBody,
  unwrapEnvelope,
  type TtFill,
  type TtLeg,
  type TtOrderStatus,
} from './wire.js';
import { z } from 'zod';

/** Tastytrade's status string → Legwork's. Exhaustive: a status added to TtOrderStatus without a case fails to compile. */
export function mapOrderStatus(status: TtOrderStatus): BrokerOrderStatus {
  switch (status) {
    case 'Received':
      return 'received';
    case 'Routed':
      return 'routed';
    case 'In Flight':
      return 'in_flight';
    case 'Live':
      return 'live';
    case 'Cancel Requested':
      return 'cancel_requested';
    case 'Replace Requested':
      return 'replace_requested';
    case 'Contingent':
      return 'contingent';
    case 'Filled':
      return 'filled';
    case 'Cancelled':
      return 'cancelled';
    case 'Expired':
      return 'expired';
    case 'Rejected':
      return 'rejected';
    case 'Removed':
      return 'removed';
    case 'Partially Removed':
      return 'partially_removed';
    default: {
      const unknown: never = status;
      throw wireError('order', '$.status', `unknown order status ${JSON.stringify(unknown)}`);
    }
  }
}

/** signedCents without its −0 (a debit under half a cent, e.g. fees "0.001" Debit, rounds to 0, not −0). */
const signed = (amount: string, effect: string): number => signedCents(amount, effect) || 0;

/** True when a decimal text has non-zero digits beyond the cent ("10.665"). */
const subCent = (text: string): boolean => /^[+-]?\d*\.\d{2}\d*[1-9]/.test(text);

function toFill(f: TtFill, path: string): Fill {
  const price = f['fill-price'];
  return compact({
    fillId: f['fill-id'],
    quantity: f.quantity,
    priceCents: mapping('order', `${path}.fill-price`, () => Math.abs(toCents(price))),
    filledAt: f['filled-at'],
    venue: f['destination-venue'],
    priceDecimal: subCent(price) ? price : undefined,
  });
}

function toLeg(leg: TtLeg, path: string): BrokerOrderLeg {
  return {
    symbol: leg.symbol,
    instrumentType: leg['instrument-type'],
    action: leg.action,
    quantity: leg.quantity,
    remainingQuantity: leg['remaining-quantity'],
    fills: (leg.fills ?? []).map((f, i) => toFill(f, `${path}.fills[${i}]`)),
  };
}

/** Net limit price, signed credit + / debit −; null when the order carries no price (Market, Stop). */
function limitPriceCents(o: TtOrderWithId, path: string): number | null {
  const price = o.price;
  if (price === undefined) return null;
  const effect = o['price-effect'];
  if (effect === undefined)
    throw wireError('order', `${path}.price-effect`, 'is missing next to price, so the sign is unknown');
  return mapping('order', `${path}.price`, () => signed(price, effect));
}

function toOrder(o: TtOrderWithId, path = '$'): BrokerOrder {
  return compact<BrokerOrder>({
    brokerOrderId: o.id,
    accountNumber: o['account-number'],
    status: mapOrderStatus(o.status),
    rawStatus: o.status,
    orderType: o['order-type'],
    timeInForce: o['time-in-force'],
    limitPriceCents: limitPriceCents(o, path),
    size: o.size,
    underlyingSymbol: o['underlying-symbol'],
    legs: o.legs.map((leg, i) => toLeg(leg, `${path}.legs[${i}]`)),
    externalId: o['external-identifier'],
    rejectReason: o['reject-reason'],
    replacesOrderId: o['replaces-order-id'],
    replacingOrderId: o['replacing-order-id'],
    cancellable: o.cancellable ?? false,
    editable: o.editable ?? false,
    updatedAt: o['updated-at'],
    receivedAt: o['received-at'],
    terminalAt: o['terminal-at'],
    source: o.source,
  });
}

/** One order (GET/PUT/PATCH/DELETE `data`, a list item, or a streamer `Order`'s data). */
export function parseOrder(json: unknown): BrokerOrder {
  return toOrder(parseWire('order', TtOrderWithId, unwrapEnvelope(json)));
}

/** A list of orders (GET orders, orders/live): the SDK's bare array, `{items}` or a full body. */
export function parseOrders(items: unknown): BrokerOrder[] {
  return parseWire('order list', z.array(TtOrderWithId), unwrapEnvelope(items)).map((o, i) => toOrder(o, `$[${i}]`));
}

function refuseErrorBody(kind: string, body: unknown): void {
  if (isObject(body) && body['error'] !== undefined) {
    throw wireError(
      kind,
      '$.error',
      `the body carries an error, not a result: ${JSON.stringify(body['error']).slice(0, 300)}`,
    );
  }
}

function toEffect(r: TtDryRunResponse): DryRunResult {
  const bp = r['buying-power-effect'];
  const fees = r['fee-calculation'];
  return mapping('order effect', '$.buying-power-effect', () => ({
    buyingPowerChangeCents: signed(bp['change-in-buying-power'], bp['change-in-buying-power-effect']),
    marginRequirementChangeCents: signed(bp['change-in-margin-requirement'], bp['change-in-margin-requirement-effect']),
    newBuyingPowerCents: signed(bp['new-buying-power'], bp['new-buying-power-effect']),
    // Fees are a cost: a Debit of fees is a positive cost, a Credit (rebate) a negative one
    feesCents: 0 - signed(fees['total-fees'], fees['total-fees-effect']) || 0,
    warnings: (r.warnings ?? []).map((w) => ({ code: w.code, message: w.message })),
  }));
}

/**
 * POST orders/dry-run (also replace and complex-order dry-runs). All amounts are signed credit + / debit −: a
 * buying-power use, a margin-requirement increase and fees are negative. A body that carries `error` is refused.
 */
export function parseDryRun(json: unknown): DryRunResult {
  const body = unwrapEnvelope(json);
  refuseErrorBody('dry-run response', body);
  return toEffect(parseWire('dry-run response', TtDryRunResponse, body));
}

/** POST orders: the new order (it has an id) and its effect. */
export function parsePlaceResponse(json: unknown): { order: BrokerOrder; effect: DryRunResult } {
  const body = unwrapEnvelope(json);
  refuseErrorBody('place-order response', body);
  const r = parseWire('place-order response', TtPlacedOrderResponse, body);
  return { order: toOrder(r.order, '$.order'), effect: toEffect(r) };
}

function priceFields(kind: string, cents: number): { price: string; 'price-effect': string } {
  const { amount, effect } = mapping(kind, '$.price', () => toAmountAndEffect(cents));
  return { price: amount, 'price-effect': effect };
}

/**
 * The body of POST orders and orders/dry-run, fully kebab-cased (the SDK leaves keys inside `legs[]` alone).
 * Throws WireFormatError (kind "order request") when the request cannot be sent as it is.
 */
export function orderRequestToWire(request: OrderRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { 'time-in-force': request.timeInForce, 'order-type': request.orderType };
  if (request.limitPriceCents !== undefined) Object.assign(body, priceFields('order request', request.limitPriceCents));
  body['legs'] = request.legs.map((leg) => ({
    'instrument-type': leg.instrumentType,
    symbol: leg.symbol,
    quantity: leg.quantity,
    action: leg.action,
  }));
  if (request.externalId !== undefined) body['external-identifier'] = request.externalId;
  parseWire('order request', TtOrderRequestBody, body);
  return body;
}

/**
 * The body of PUT orders/{id} (cancel/replace with a new limit price). No legs: they cannot change. The original's
 * external identifier is repeated so that reconciliation finds the replacement too.
 */
export function replaceToWire(
  original: BrokerOrder,
  change: { limitPriceCents: number; timeInForce?: 'Day' | 'GTC' },
): Record<string, unknown> {
  if (original.orderType !== 'Limit') {
    throw wireError(
      'replace request',
      '$.order-type',
      `only a Limit order can get a new limit price; order ${original.brokerOrderId} is ${original.orderType}`,
    );
  }
  const body: Record<string, unknown> = {
    'time-in-force': change.timeInForce ?? original.timeInForce,
    'order-type': 'Limit',
    ...priceFields('replace request', change.limitPriceCents),
  };
  if (original.externalId !== undefined) body['external-identifier'] = original.externalId;
  parseWire('replace request', TtReplaceBody, body);
  return body;
}
