// Owns what Legwork knows of an order at the broker: status, legs, fills, links. Pure types and helpers.
import type { Cents } from './money.js';

/** Tastytrade's 13 order statuses, in Legwork's spelling. The raw string is kept next to it (`rawStatus`). */
export type BrokerOrderStatus =
  | 'received'
  | 'routed'
  | 'in_flight'
  | 'live'
  | 'cancel_requested'
  | 'replace_requested'
  | 'contingent'
  | 'filled'
  | 'cancelled'
  | 'expired'
  | 'rejected'
  | 'removed'
  | 'partially_removed';

export const TERMINAL_BROKER_STATUSES: ReadonlySet<BrokerOrderStatus> = new Set([
  'filled',
  'cancelled',
  'expired',
  'rejected',
  'removed',
  'partially_removed',
]);

export const isTerminal = (status: BrokerOrderStatus): boolean => TERMINAL_BROKER_STATUSES.has(status);

export type LegAction = 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close' | 'Buy' | 'Sell';
export type InstrumentType = 'Equity' | 'Equity Option' | 'Future' | 'Future Option' | 'Cryptocurrency';
export type OrderType = 'Limit' | 'Market' | 'Marketable Limit' | 'Stop' | 'Stop Limit' | 'Notional Market';
export type TimeInForce = 'Day' | 'GTC' | 'GTD' | 'Ext' | 'GTC Ext' | 'Ext Overnight' | 'GTC Ext Overnight' | 'IOC';

export interface Fill {
  fillId: string;
  quantity: number;
  /** Per-unit price of this leg, unsigned, in cents. */
  priceCents: Cents;
  filledAt: number; // epoch ms
  venue?: string;
  /** The broker's exact per-unit price, set only when it has digits beyond the cent (equity fills such as "10.665"). */
  priceDecimal?: string;
}

export interface BrokerOrderLeg {
  symbol: string;
  instrumentType: InstrumentType;
  action: LegAction;
  quantity: number;
  remainingQuantity: number;
  fills: Fill[];
}

export interface BrokerOrder {
  brokerOrderId: number;
  accountNumber: string;
  status: BrokerOrderStatus;
  rawStatus: string;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /** Net limit price, signed: credit positive, debit negative; null for market orders. */
  limitPriceCents: Cents | null;
  size: number;
  underlyingSymbol: string;
  legs: BrokerOrderLeg[];
  externalId?: string;
  rejectReason?: string;
  replacesOrderId?: number;
  replacingOrderId?: number;
  cancellable: boolean;
  editable: boolean;
  updatedAt: number; // epoch ms
  receivedAt?: number;
  terminalAt?: number;
  source?: string;
}

/** Whole spread units filled so far (the smallest fill ratio over the legs). */
export function filledUnits(order: BrokerOrder): number {
  if (order.legs.length === 0 || order.size === 0) return 0;
  return Math.min(
    ...order.legs.map((leg) => {
      const ratio = leg.quantity / order.size;
      const filled = leg.fills.reduce((sum, f) => sum + f.quantity, 0);
      return Math.floor(filled / ratio);
    }),
  );
}

/**
 * Whole spread units the broker says are filled, from its remaining quantities. Tastytrade can report an order Filled
 * (remaining 0) before every leg's fills are attached (tastytrade-api.md §8.4): this is known before the fills are.
 */
export function reportedFilledUnits(order: BrokerOrder): number {
  if (order.legs.length === 0 || order.size === 0) return 0;
  return Math.min(
    ...order.legs.map((leg) =>
      Math.floor(Math.max(0, leg.quantity - leg.remainingQuantity) / (leg.quantity / order.size)),
    ),
  );
}

/** Contracts per leg symbol the broker says are filled but whose fills `recorded` (symbol → contracts) does not hold yet. */
export function missingFills(
  order: BrokerOrder,
  recorded: ReadonlyMap<string, number>,
): { symbol: string; missing: number }[] {
  return order.legs
    .map((leg) => ({
      symbol: leg.symbol,
      missing: leg.quantity - leg.remainingQuantity - (recorded.get(leg.symbol) ?? 0),
    }))
    .filter((m) => m.missing > 0);
}

/** What the order we send looks like, before the broker has it. Legs are kebab-cased on the wire by the adapter. */
export interface OrderRequest {
  orderType: 'Limit' | 'Market';
  timeInForce: 'Day' | 'GTC';
  /** Net price, signed: credit positive, debit negative. Required for Limit. */
  limitPriceCents?: Cents;
  legs: { symbol: string; instrumentType: InstrumentType; quantity: number; action: LegAction }[];
  /** Our order id, sent as `external-identifier`; reconciliation finds the order by it. */
  externalId?: string;
}
