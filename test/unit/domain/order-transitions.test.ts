// The order state machine, table-driven: every allowed edge, forbidden edges, repeated observations, late fills.
import { describe, expect, it } from 'vitest';
import { applyOrderEvent } from '../../../src/domain/order-transitions.js';
import type { OrderEvent, OrderStatus } from '../../../src/domain/order.js';

const live = (filledUnits = 0, size = 2): OrderEvent => ({
  type: 'BrokerUpdate',
  brokerStatus: 'live',
  filledUnits,
  size,
});
const broker = (
  brokerStatus: Extract<OrderEvent, { type: 'BrokerUpdate' }>['brokerStatus'],
  filledUnits = 0,
  size = 2,
): OrderEvent => ({
  type: 'BrokerUpdate',
  brokerStatus,
  filledUnits,
  size,
});

describe('allowed transitions', () => {
  it.each<[OrderStatus, OrderEvent, OrderStatus]>([
    ['planned', { type: 'Denied', reason: 'halted' }, 'denied'],
    ['planned', { type: 'SubmitStarted' }, 'submitting'],
    ['planned', { type: 'GuardRefused', reason: 'guard: exit group closes only' }, 'rejected'],
    ['submitting', { type: 'Accepted', brokerOrderId: 1, brokerStatus: 'routed' }, 'working'],
    // A response that says Filled knows no fills yet: working until they add up (tastytrade-api.md §8)
    ['submitting', { type: 'Accepted', brokerOrderId: 1, brokerStatus: 'filled' }, 'working'],
    ['submitting', { type: 'Rejected', reason: 'preflight' }, 'rejected'],
    ['submitting', { type: 'OutcomeUnknown', reason: '500' }, 'unknown'],
    ['unknown', { type: 'Found', brokerOrderId: 1, brokerStatus: 'live', filledUnits: 0, size: 1 }, 'working'],
    ['unknown', { type: 'Found', brokerOrderId: 1, brokerStatus: 'filled', filledUnits: 1, size: 1 }, 'filled'],
    ['unknown', { type: 'ProvenAbsent' }, 'rejected'],
    ['submitting', { type: 'ProvenAbsent' }, 'rejected'],
    ['working', live(1), 'partially_filled'],
    ['partially_filled', broker('filled', 2), 'filled'],
    ['working', { type: 'CancelRequested' }, 'pending_cancel'],
    ['partially_filled', { type: 'CancelRequested' }, 'pending_cancel'],
    ['pending_cancel', broker('cancelled'), 'cancelled'],
    ['pending_cancel', broker('filled', 2), 'filled'],
    ['pending_cancel', broker('cancelled', 1), 'cancelled'],
    ['working', broker('expired'), 'expired'],
    ['working', broker('rejected'), 'rejected'],
    ['working', broker('removed'), 'cancelled'],
    ['working', broker('cancel_requested'), 'pending_cancel'],
    ['working', broker('replace_requested'), 'pending_cancel'],
    ['pending_cancel', { type: 'Replaced', newBrokerOrderId: 9 }, 'working'],
    ['cancelled', broker('filled', 2), 'filled'],
    ['rejected', broker('filled', 2), 'filled'],
  ])('%s --%o--> %s', (from, event, to) => {
    const result = applyOrderEvent(from, event);
    expect(result).toEqual({ ok: true, status: to, changed: from !== to });
  });
});

describe('forbidden transitions', () => {
  it.each<[OrderStatus, OrderEvent]>([
    ['working', { type: 'SubmitStarted' }],
    ['submitting', { type: 'Denied', reason: 'x' }],
    ['submitting', { type: 'GuardRefused', reason: 'guard: x' }],
    ['working', { type: 'GuardRefused', reason: 'guard: x' }],
    ['filled', { type: 'CancelRequested' }],
    ['rejected', { type: 'SubmitStarted' }],
    ['working', { type: 'ProvenAbsent' }],
    ['denied', { type: 'Accepted', brokerOrderId: 1, brokerStatus: 'live' }],
    ['filled', broker('cancelled')],
    ['filled', broker('rejected')],
    ['expired', broker('filled', 2)],
  ])('%s refuses %o', (from, event) => {
    const result = applyOrderEvent(from, event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(event.type);
  });
});

describe('repeated and stale observations', () => {
  it('treats the same status observed twice as a no-op', () => {
    expect(applyOrderEvent('working', live())).toEqual({ ok: true, status: 'working', changed: false });
    expect(applyOrderEvent('filled', broker('filled', 2))).toEqual({ ok: true, status: 'filled', changed: false });
  });

  it('ignores an older working snapshot after a terminal one (out-of-order pushes)', () => {
    expect(applyOrderEvent('filled', live(1))).toEqual({ ok: true, status: 'filled', changed: false });
    expect(applyOrderEvent('cancelled', live(0))).toEqual({ ok: true, status: 'cancelled', changed: false });
  });

  it('keeps a requested cancel when a stale live snapshot without fills arrives', () => {
    expect(applyOrderEvent('pending_cancel', live(0))).toEqual({ ok: true, status: 'pending_cancel', changed: false });
    expect(applyOrderEvent('pending_cancel', live(1))).toEqual({ ok: true, status: 'partially_filled', changed: true });
  });

  it('lets the stream report an order before the POST returns', () => {
    expect(applyOrderEvent('filled', { type: 'Accepted', brokerOrderId: 1, brokerStatus: 'routed' })).toEqual({
      ok: true,
      status: 'filled',
      changed: false,
    });
  });
});
