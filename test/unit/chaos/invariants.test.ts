// The chaos invariants must be able to fail: a clean settled state passes, and each kind of damage is named.
import { describe, expect, it } from 'vitest';
import { checkInvariants, duplicateExternalIds, nakedShorts, type StoreView, type VenueOrder, type VenuePosition, type VenueView } from '../../../chaos/invariants.js';

const SP = 'SPY   261218P00640000';
const LP = 'SPY   261218P00635000';
const SC = 'SPY   261218C00740000';
const LC = 'SPY   261218C00745000';
const pos = (symbol: string, quantity: number): VenuePosition => ({ symbol, underlying: 'SPY', instrumentType: 'Equity Option', quantity });
const fill = (id: string, quantity = 1) => ({ fillId: id, quantity });
const condorOrder = (id: number, ext: string, status = 'Filled', fills = true): VenueOrder => ({
  id, status, externalId: ext, replacesOrderId: null, underlying: 'SPY',
  legs: [LP, SP, SC, LC].map((symbol, i) => ({ symbol, action: i % 3 === 0 ? 'Buy to Open' : 'Sell to Open', quantity: 1, fills: fills ? [fill(`f${id}-${i}`)] : [] })),
});

/** A filled condor: one venue order, its group and order in Postgres, four fills, four positions. */
function clean(): { venue: VenueView; store: StoreView } {
  const venue: VenueView = { orders: [condorOrder(100, 'o1')], positions: [pos(LP, 1), pos(SP, -1), pos(SC, -1), pos(LC, 1)] };
  const store: StoreView = {
    groups: [{ id: 'g1', tradeId: 't1', kind: 'entry', status: 'filled', reason: null, deadlineAt: null }],
    orders: [{ id: 'o1', groupId: 'g1', status: 'filled', brokerStatus: 'Filled', brokerOrderId: 100 }],
    brokerIds: [{ brokerOrderId: 100, orderId: 'o1' }],
    fills: [LP, SP, SC, LC].map((symbol, i) => ({ brokerFillId: `f100-${i}`, orderId: 'o1', symbol, quantity: 1 })),
    positions: [{ symbol: LP, quantity: 1 }, { symbol: SP, quantity: -1 }, { symbol: SC, quantity: -1 }, { symbol: LC, quantity: 1 }],
  };
  return { venue, store };
}
const names = (v: { invariant: string }[]) => v.map((x) => x.invariant).sort();

describe('chaos invariants', () => {
  it('a clean settled state has no violation', () => {
    const { venue, store } = clean();
    expect(checkInvariants(venue, store)).toEqual([]);
  });

  it('naked short: a short put with no long put of that underlying and expiry (calls do not cover puts)', () => {
    expect(nakedShorts([pos(SP, -1), pos(SC, -1), pos(LC, 1)]).map((v) => v.detail)).toEqual(['SPY 261218 P: 1 short vs 0 long']);
    expect(nakedShorts([pos(SP, -2), pos(LP, 1)])).toHaveLength(1);
    expect(nakedShorts([pos(SP, -1), pos('SPY   270115P00600000', 1)])).toHaveLength(1); // another expiry does not cover
    expect(nakedShorts([pos(SP, -1)], new Set(['SPY']))).toEqual([]); // a rule set allowing undefined risk
  });

  it('one external id on two separate orders is a duplicate; a replace chain is not', () => {
    const a = condorOrder(1, 'x', 'Cancelled', false);
    const replacement = { ...condorOrder(2, 'x'), replacesOrderId: 1 };
    expect(duplicateExternalIds([a, replacement])).toEqual([]);
    expect(names(duplicateExternalIds([a, condorOrder(3, 'x')]))).toEqual(['duplicate-external-id']);
  });

  it('a venue order Legwork does not know is an orphan', () => {
    const { venue, store } = clean();
    venue.orders.push(condorOrder(101, 'stranger', 'Live', false));
    expect(names(checkInvariants(venue, store))).toEqual(['orphan-broker-order']);
  });

  it('a group not terminal: fine while working at the venue before its deadline, a violation after it or without a live order', () => {
    const { venue, store } = clean();
    venue.orders[0] = condorOrder(100, 'o1', 'Live', false);
    venue.positions = [];
    store.fills = [];
    store.positions = [];
    store.orders[0] = { ...store.orders[0]!, status: 'working', brokerStatus: 'Live' };
    store.groups[0] = { ...store.groups[0]!, status: 'working', deadlineAt: new Date(Date.now() + 60_000) };
    expect(checkInvariants(venue, store)).toEqual([]);
    store.groups[0] = { ...store.groups[0]!, deadlineAt: new Date(Date.now() - 1) };
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([expect.stringContaining('past its deadline')]);
    venue.orders[0] = condorOrder(100, 'o1', 'Cancelled', false);
    store.orders[0] = { ...store.orders[0]!, brokerStatus: 'Cancelled' };
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([expect.stringContaining('no working order at the venue')]);
  });

  it('a broken group is reported even though it is terminal', () => {
    const { venue, store } = clean();
    store.groups[0] = { ...store.groups[0]!, status: 'broken', reason: 'could not flatten' };
    expect(names(checkInvariants(venue, store))).toEqual(['group-broken']);
  });

  it('status, fills and positions that disagree with the venue are each named', () => {
    const { venue, store } = clean();
    store.orders[0] = { ...store.orders[0]!, brokerStatus: 'Live' };
    store.fills.pop(); // a venue fill never recorded
    store.fills.push({ brokerFillId: 'invented', orderId: 'o1', symbol: LC, quantity: 1 });
    store.positions[0] = { symbol: LP, quantity: 2 };
    expect(names(checkInvariants(venue, store))).toEqual(['fill-missing', 'fill-unknown', 'position-disagrees', 'status-disagrees']);
  });
});
