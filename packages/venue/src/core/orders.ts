// Owns venue order records: their shape, status transitions, fill bookkeeping and list queries (live, search).
import type { FillBehavior, SearchOrdersQuery } from '../types.js';
import { paginate } from './paginate.js';
import type { InstrumentInfo } from './ledger.js';
import type { LegAction, OrderType, PriceEffect, TimeInForce } from './validate.js';

export type OrderStatus =
  | 'Received'
  | 'Routed'
  | 'In Flight'
  | 'Live'
  | 'Cancel Requested'
  | 'Replace Requested'
  | 'Contingent'
  | 'Filled'
  | 'Cancelled'
  | 'Expired'
  | 'Rejected';

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['Filled', 'Cancelled', 'Expired', 'Rejected']);
export const isTerminal = (status: OrderStatus) => TERMINAL.has(status);

export interface FillRecord {
  fillId: string;
  extExecId: string;
  extGroupFillId: string;
  quantity: number;
  priceCents: number;
  filledAt: number;
  destinationVenue: string;
}

export interface LegRecord extends InstrumentInfo {
  action: LegAction;
  quantity: number;
  /** quantity / order size. */
  ratio: number;
  fills: FillRecord[];
}

export interface OrderRecord {
  id: number;
  accountNumber: string;
  timeInForce: TimeInForce;
  gtcDate?: string;
  orderType: OrderType;
  priceCents?: number;
  priceEffect?: PriceEffect;
  /** Spread units. */
  size: number;
  underlyingSymbol: string;
  legs: LegRecord[];
  status: OrderStatus;
  contingentStatus?: string;
  receivedAt: number;
  updatedAt: number;
  terminalAt?: number;
  cancelledAt?: number;
  rejectReason?: string;
  source?: string;
  externalIdentifier?: string;
  preflightId?: string | number;
  globalRequestId: string;
  extClientOrderId?: string;
  edited: boolean;
  replacesOrderId?: number;
  replacingOrderId?: number;
  // --- venue-internal state (never on the wire) ---
  behavior: FillBehavior;
  /** Delayed behaviour: earliest fill time (set when routed). */
  eligibleAt?: number;
  /** Partial behaviour: the one partial fill happened. */
  partialDone: boolean;
  /** Was Live at the exchange (so a fill can race a cancel). */
  wasLive: boolean;
  /** Day/GTD: when the order expires (regular close of its last trading day). */
  expiresAt?: number;
  /** fillsLag fault: until this wall-clock time only the first leg's fills are on the wire. */
  fillsHiddenUntil?: number;
}

export const filledQuantity = (leg: LegRecord) => leg.fills.reduce((s, f) => s + f.quantity, 0);
export const remainingQuantity = (leg: LegRecord) => leg.quantity - filledQuantity(leg);
export const filledUnits = (order: OrderRecord) =>
  order.legs[0] ? filledQuantity(order.legs[0]) / order.legs[0].ratio : 0;
export const remainingUnits = (order: OrderRecord) => order.size - filledUnits(order);

/** Moves an order to `status` at `now`, keeping the timestamps Tastytrade shows (terminal-at, cancelled-at). */
export function setStatus(order: OrderRecord, status: OrderStatus, now: number): void {
  order.status = status;
  order.updatedAt = now;
  if (status !== 'Contingent') delete order.contingentStatus;
  if (status === 'Live') order.wasLive = true;
  if (status === 'Cancelled') order.cancelledAt = now;
  if (isTerminal(status)) order.terminalAt = now;
}

/** GET /orders/live: every order created or updated on `today` (New York date) in any status, plus working GTC/GTD orders. */
export function liveOrders(orders: OrderRecord[], today: string, nyDate: (ms: number) => string): OrderRecord[] {
  return orders
    .filter(
      (o) =>
        nyDate(o.receivedAt) === today ||
        nyDate(o.updatedAt) === today ||
        (!isTerminal(o.status) && o.timeInForce !== 'Day'),
    )
    .sort((a, b) => b.id - a.id);
}

/** GET /orders: status[] and underlying-symbol filters, sort by id (Desc by default), `per-page` (default 10) pages. */
export function searchOrders(
  orders: OrderRecord[],
  query: SearchOrdersQuery,
): { items: OrderRecord[]; pagination: Record<string, unknown> } {
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const matching = orders
    .filter((o) => (statuses ? statuses.has(o.status) : true))
    .filter((o) => (query.underlyingSymbol ? o.underlyingSymbol === query.underlyingSymbol : true))
    .sort((a, b) => (query.sort === 'Asc' ? a.id - b.id : b.id - a.id));
  return paginate(matching, query.perPage, query.pageOffset, 10);
}
