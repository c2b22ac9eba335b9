// Owns Legwork's own order: its statuses (fewer than Tastytrade's 13) and the events that move it. Pure types.
import type { BrokerOrderStatus } from './broker-order.js';

export const ORDER_STATUSES = [
  'planned', // intent persisted, nothing sent
  'denied', // refused locally before sending (terminal)
  'submitting', // POST in flight: the crash window
  'unknown', // POST outcome unknown: never re-sent, reconciliation settles it
  'working', // the broker has it, not finished
  'partially_filled',
  'pending_cancel',
  'filled',
  'cancelled',
  'expired',
  'rejected',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'denied',
  'filled',
  'cancelled',
  'expired',
  'rejected',
]);
export const isTerminalOrder = (s: OrderStatus): boolean => TERMINAL_ORDER_STATUSES.has(s);

export type OrderEvent =
  | { type: 'Denied'; reason: string }
  /** The order guard (src/domain/order-guard.ts) refused it before it was sent: it never reaches the broker. */
  | { type: 'GuardRefused'; reason: string }
  | { type: 'SubmitStarted' }
  | { type: 'Accepted'; brokerOrderId: number; brokerStatus: BrokerOrderStatus }
  | { type: 'Rejected'; reason: string }
  | { type: 'OutcomeUnknown'; reason: string }
  | { type: 'Found'; brokerOrderId: number; brokerStatus: BrokerOrderStatus; filledUnits: number; size: number }
  | { type: 'ProvenAbsent' }
  | { type: 'BrokerUpdate'; brokerStatus: BrokerOrderStatus; filledUnits: number; size: number }
  | { type: 'CancelRequested' }
  /** The broker replaced the order: a new broker id carries on as the same order of ours. */
  | { type: 'Replaced'; newBrokerOrderId: number };
