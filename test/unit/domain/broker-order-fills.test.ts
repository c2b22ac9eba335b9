// What the broker says is filled (remaining quantities) against the fills it has attached: Filled can come first.
import { describe, expect, it } from 'vitest';
import {
  missingFills,
  reportedFilledUnits,
  type BrokerOrder,
  type BrokerOrderLeg,
} from '../../../src/domain/broker-order.js';

const leg = (symbol: string, quantity: number, remaining: number, filled: number[]): BrokerOrderLeg => ({
  symbol,
  instrumentType: 'Equity Option',
  action: 'Sell to Open',
  quantity,
  remainingQuantity: remaining,
  fills: filled.map((q, i) => ({ fillId: `${symbol}-${i}`, quantity: q, priceCents: 100, filledAt: 0 })),
});
const order = (size: number, legs: BrokerOrderLeg[]): BrokerOrder => ({
  brokerOrderId: 1,
  accountNumber: 'A',
  status: 'filled',
  rawStatus: 'Filled',
  orderType: 'Limit',
  timeInForce: 'Day',
  limitPriceCents: 100,
  size,
  underlyingSymbol: 'SPY',
  legs,
  cancellable: false,
  editable: false,
  updatedAt: 0,
});

describe('reportedFilledUnits / missingFills', () => {
  it('Filled with only the first leg attached: 2 units reported, the other legs missing', () => {
    const o = order(2, [leg('A', 2, 0, [2]), leg('B', 4, 0, []), leg('C', 2, 0, [1])]);
    expect(reportedFilledUnits(o)).toBe(2);
    expect(
      missingFills(
        o,
        new Map([
          ['A', 2],
          ['C', 1],
        ]),
      ),
    ).toEqual([
      { symbol: 'B', missing: 4 },
      { symbol: 'C', missing: 1 },
    ]);
    expect(
      missingFills(
        o,
        new Map([
          ['A', 2],
          ['B', 4],
          ['C', 2],
        ]),
      ),
    ).toEqual([]);
  });
  it('a partial fill then a cancel: the filled part counts, nothing is missing once recorded', () => {
    const o = order(3, [leg('A', 3, 2, [1]), leg('B', 3, 2, [1])]);
    expect(reportedFilledUnits(o)).toBe(1);
    expect(
      missingFills(
        o,
        new Map([
          ['A', 1],
          ['B', 1],
        ]),
      ),
    ).toEqual([]);
  });
  it('nothing filled: nothing reported, nothing missing', () => {
    const o = order(1, [leg('A', 1, 1, []), leg('B', 1, 1, [])]);
    expect(reportedFilledUnits(o)).toBe(0);
    expect(missingFills(o, new Map())).toEqual([]);
  });
});
