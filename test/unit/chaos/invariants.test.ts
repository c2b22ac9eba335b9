// The chaos invariants must be able to fail: a clean settled state passes, and each kind of damage is named.
import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  duplicateExternalIds,
  nakedShorts,
  type StoreView,
  type VenueOrder,
  type VenuePosition,
  type VenueView,
} from '../../../chaos/invariants.js';

const SP = 'SPY   261218P00640000';
const LP = 'SPY   261218P00635000';
const SC = 'SPY   261218C00740000';
const LC = 'SPY   261218C00745000';
const pos = (symbol: string, quantity: number): VenuePosition => ({
  symbol,
  underlying: 'SPY',
  instrumentType: 'Equity Option',
  quantity,
});
const fill = (id: string, quantity = 1) => ({ fillId: id, quantity });
const condorOrder = (id: number, ext: string, status = 'Filled', fills = true): VenueOrder => ({
  id,
  status,
  externalId: ext,
  replacesOrderId: null,
  underlying: 'SPY',
  receivedAt: 1_000,
  legs: [LP, SP, SC, LC].map((symbol, i) => ({
    symbol,
    action: i % 3 === 0 ? 'Buy to Open' : 'Sell to Open',
    quantity: 1,
    fills: fills ? [fill(`f${id}-${i}`)] : [],
  })),
});

/** A filled condor: one venue order, its group and order in Postgres, four fills, four positions. */
function clean(): { venue: VenueView; store: StoreView } {
  const venue: VenueView = {
    orders: [condorOrder(100, 'o1')],
    positions: [pos(LP, 1), pos(SP, -1), pos(SC, -1), pos(LC, 1)],
  };
  const store: StoreView = {
    groups: [{ id: 'g1', tradeId: 't1', kind: 'entry', status: 'filled', reason: null, deadlineAt: null }],
    trades: [
      {
        id: 't1',
        status: 'open',
        underlying: 'SPY',
        ruleSet: 'ic',
        symbols: [LP, SP, SC, LC],
        firstSubmitAt: new Date(1_000),
        closedAt: null,
      },
    ],
    orders: [
      { id: 'o1', groupId: 'g1', role: 'package', status: 'filled', brokerStatus: 'Filled', brokerOrderId: 100 },
    ],
    brokerIds: [{ brokerOrderId: 100, orderId: 'o1' }],
    fills: [LP, SP, SC, LC].map((symbol, i) => ({ brokerFillId: `f100-${i}`, orderId: 'o1', symbol, quantity: 1 })),
    positions: [
      { symbol: LP, quantity: 1 },
      { symbol: SP, quantity: -1 },
      { symbol: SC, quantity: -1 },
      { symbol: LC, quantity: 1 },
    ],
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
    expect(nakedShorts([pos(SP, -1), pos(SC, -1), pos(LC, 1)]).map((v) => v.detail)).toEqual([
      'SPY 261218 P: 1 short vs 0 long',
    ]);
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
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([
      expect.stringContaining('no working order at the venue'),
    ]);
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
    expect(names(checkInvariants(venue, store))).toEqual([
      'fill-missing',
      'fill-unknown',
      'position-disagrees',
      'status-disagrees',
    ]);
  });

  it('a trade closing/opening/pending with no live group is stuck; open or with a live group it is managed', () => {
    const { venue, store } = clean();
    store.trades[0] = { ...store.trades[0]!, status: 'closing' };
    store.groups.push({
      id: 'g2',
      tradeId: 't1',
      kind: 'exit',
      status: 'denied',
      reason: 'market is Closed',
      deadlineAt: null,
    });
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([
      expect.stringMatching(/trade t1 .* closing with no live group/),
    ]);
    store.groups[1] = { ...store.groups[1]!, status: 'working' }; // an exit waiting at the broker (the group check names it)
    expect(names(checkInvariants(venue, store))).toEqual(['group-not-settled']);
  });

  it('an opening action from an exit group or a compensation order is named, the closing ones are not', () => {
    const { venue, store } = clean();
    const exitOrder = (id: number, action: string): VenueOrder => ({
      ...condorOrder(id, `x${id}`),
      legs: [{ symbol: SP, action, quantity: 1, fills: [] }],
      status: 'Cancelled',
    });
    venue.orders.push(exitOrder(200, 'Buy to Close'), exitOrder(201, 'Sell to Open'));
    store.groups.push({ id: 'g2', tradeId: 't1', kind: 'exit', status: 'cancelled', reason: null, deadlineAt: null });
    for (const id of [200, 201]) {
      store.orders.push({
        id: `x${id}`,
        groupId: 'g2',
        role: 'leg',
        status: 'cancelled',
        brokerStatus: 'Cancelled',
        brokerOrderId: id,
      });
      store.brokerIds.push({ brokerOrderId: id, orderId: `x${id}` });
    }
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([
      expect.stringMatching(/^venue order 201 \(Sell to Open .*leg order x201 of exit group g2/),
    ]);
    // The same opening action as a compensation of an entry group
    store.orders[2] = { ...store.orders[2]!, groupId: 'g1', role: 'compensation' };
    expect(names(checkInvariants(venue, store))).toEqual(['opening-by-exit']);
  });

  it('an opening order received more than 1 s after a halt and before the resume is named', () => {
    const { venue, store } = clean(); // the entry was received at venue time 1 000
    expect(
      checkInvariants(venue, store, { halts: [{ haltAt: -500, resumeAt: null }] }).map((v) => v.invariant),
    ).toEqual(['opening-after-halt']);
    expect(checkInvariants(venue, store, { halts: [{ haltAt: -800, resumeAt: 900 }] })).toEqual([]); // resumed before
    expect(checkInvariants(venue, store, { halts: [{ haltAt: -1, resumeAt: null }] }).map((v) => v.detail)).toEqual([
      expect.stringContaining('1001 ms after a halt'),
    ]);
    expect(checkInvariants(venue, store, { halts: [{ haltAt: 0, resumeAt: null }] })).toEqual([]); // within the 1 s grace
  });

  it('a fill recorded against another order than the venue filled is misattributed', () => {
    const { venue, store } = clean();
    store.orders.push({
      id: 'o2',
      groupId: 'g1',
      role: 'compensation',
      status: 'filled',
      brokerStatus: null,
      brokerOrderId: null,
    });
    store.fills[0] = { ...store.fills[0]!, orderId: 'o2' };
    expect(names(checkInvariants(venue, store))).toEqual(['fill-misattributed']);
  });

  it('a rejected or rolled-back trade whose legs the venue holds is a phantom close, unless a live trade owns them', () => {
    const { venue, store } = clean();
    store.trades[0] = { ...store.trades[0]!, status: 'rejected', closedAt: new Date(2_000) };
    expect(checkInvariants(venue, store).map((v) => v.detail)).toEqual([
      expect.stringMatching(/trade t1 is rejected but the venue holds 1 SPY .*P00635000/),
    ]);
    store.trades.push({
      id: 't2',
      status: 'broken',
      underlying: 'SPY',
      ruleSet: 'ic',
      symbols: [LP, SP, SC, LC],
      firstSubmitAt: new Date(1_500),
      closedAt: null,
    });
    expect(checkInvariants(venue, store)).toEqual([]);
  });

  it('two trades sent on one underlying whose lives overlap break one-structure-per-underlying; one after the other do not', () => {
    const { venue, store } = clean();
    const other = {
      id: 't0',
      status: 'rejected',
      underlying: 'SPY',
      ruleSet: 'pcs',
      symbols: [],
      firstSubmitAt: new Date(982),
      closedAt: new Date(3_000),
    };
    store.trades.push(other); // t1 (sent at 1 000) was sent while t0 was still working
    expect(checkInvariants(venue, store, { onePerUnderlying: true }).map((v) => v.detail)).toEqual([
      expect.stringMatching(/^SPY: trade t1 \(ic\) sent while trade t0 \(pcs, rejected\)/),
    ]);
    expect(checkInvariants(venue, store)).toEqual([]); // not checked when the rules allow more
    store.trades[1] = { ...other, closedAt: new Date(990) }; // t0 ended before t1 was sent
    expect(checkInvariants(venue, store, { onePerUnderlying: true })).toEqual([]);
    store.trades[1] = { ...other, underlying: 'QQQ' };
    expect(checkInvariants(venue, store, { onePerUnderlying: true })).toEqual([]);
  });
});
