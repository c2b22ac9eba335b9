// Owns the order state machine: which event may move an order from which status, and to what. Pure: no I/O, no clock.
import { isTerminal, type BrokerOrderStatus } from './broker-order.js';
import type { OrderEvent, OrderStatus } from './order.js';

export type TransitionResult = { ok: true; status: OrderStatus; changed: boolean } | { ok: false; error: string };

/** What the broker's report means for our status, given how much is filled. */
function fromBroker(brokerStatus: BrokerOrderStatus, filledUnits: number, size: number): OrderStatus {
  switch (brokerStatus) {
    case 'filled':
      return 'filled';
    case 'cancelled':
    case 'removed':
    case 'partially_removed':
      // A cancel that came after fills still ends the order; the fills stay recorded on it
      return filledUnits >= size && size > 0 ? 'filled' : 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'cancel_requested':
    case 'replace_requested':
      return 'pending_cancel';
    case 'received':
    case 'routed':
    case 'in_flight':
    case 'live':
    case 'contingent':
      return filledUnits > 0 ? 'partially_filled' : 'working';
  }
}

const WORKING: ReadonlySet<OrderStatus> = new Set(['working', 'partially_filled', 'pending_cancel']);

/**
 * Applies one event. Broker observations are facts: they may move an order forward from any non-terminal
 * status it can reach, a repeated observation is a no-op, and a late fill after a cancel is accepted
 * (real world possibility). Anything else is an invalid transition.
 */
export function applyOrderEvent(status: OrderStatus, event: OrderEvent): TransitionResult {
  const to = (next: OrderStatus): TransitionResult => ({ ok: true, status: next, changed: next !== status });
  const invalid = (): TransitionResult => ({
    ok: false,
    error: `order event ${event.type} is not allowed in status ${status}`,
  });

  switch (event.type) {
    case 'Denied':
      return status === 'planned' ? to('denied') : invalid();
    case 'GuardRefused':
      return status === 'planned' ? to('rejected') : invalid();
    case 'SubmitStarted':
      return status === 'planned' ? to('submitting') : invalid();
    case 'Accepted':
      // Accepting knows no fills: a response that already says Filled (an immediately marketable order, possibly
      // before its fills are reported, tastytrade-api.md §8) leaves the order working until its fills add up
      if (status === 'submitting')
        return to(event.brokerStatus === 'filled' ? 'working' : fromBroker(event.brokerStatus, 0, 1));
      // The stream can report the order before the POST returns
      return WORKING.has(status) || status === 'filled' ? to(status) : invalid();
    case 'Rejected':
      return status === 'submitting' ? to('rejected') : invalid();
    case 'OutcomeUnknown':
      return status === 'submitting' ? to('unknown') : status === 'unknown' ? to('unknown') : invalid();
    case 'Found':
      return status === 'unknown' || status === 'submitting'
        ? to(fromBroker(event.brokerStatus, event.filledUnits, event.size))
        : invalid();
    case 'ProvenAbsent':
      return status === 'unknown' || status === 'submitting' ? to('rejected') : invalid();
    case 'CancelRequested':
      return status === 'working' || status === 'partially_filled'
        ? to('pending_cancel')
        : status === 'pending_cancel'
          ? to(status)
          : invalid();
    case 'Replaced':
      return WORKING.has(status) ? to(status === 'pending_cancel' ? 'working' : status) : invalid();
    case 'BrokerUpdate': {
      const next = fromBroker(event.brokerStatus, event.filledUnits, event.size);
      if (status === 'unknown' || status === 'submitting') return to(next);
      if (WORKING.has(status)) {
        // A stale "working" report must not undo a requested cancel
        if (status === 'pending_cancel' && !isTerminal(event.brokerStatus) && event.filledUnits === 0)
          return to(status);
        return to(next);
      }
      if (status === next) return to(status);
      // Late fill after a cancel: the fills are real, the order counts as filled. Likewise after a rejection: a
      // replacement refused because the original filled first ("filled before it could be replaced") ended the order
      // rejected, then the original's Filled arrives
      if ((status === 'cancelled' || status === 'rejected') && next === 'filled') return to('filled');
      // Older snapshots arriving after a terminal one change nothing
      if (
        (status === 'filled' || status === 'cancelled' || status === 'expired' || status === 'rejected') &&
        !isTerminal(event.brokerStatus)
      ) {
        return to(status);
      }
      return invalid();
    }
  }
}
