// A paper account kept across restarts (issue: a restarted `npm start` met an empty account while Postgres still held
// the open paper trades, and handed out the first run's order ids again): a venue restored from exportState() holds
// the same positions, cash, orders and transactions, and never hands out an order, fill or transaction id again.
import { describe, expect, it } from 'vitest';
import type { JsonObject, Venue } from '../../src/types.js';
import {
  ACCOUNT,
  START,
  dollars,
  fillsOf,
  ironCondor,
  legsOf,
  naturalCents,
  orderOf,
  placeOk,
  setup,
  limit,
} from './venue-support.js';

const DAY = 24 * 60 * 60 * 1000;

/** The next trading day, 10:00 New York. */
const NEXT_DAY = START + DAY;

const fillIds = (venue: Venue, ids: unknown[]) =>
  ids.flatMap((id) => legsOf(orderOf(venue, id)).flatMap((l) => fillsOf(l).map((f) => f['fill-id'])));
const transactionIds = (venue: Venue) =>
  (venue.transactions(ACCOUNT, { perPage: 250 }).items as JsonObject[]).map((t) => t['id']);
const held = (venue: Venue) =>
  venue
    .positionsWire(ACCOUNT)
    .map((p) => [p['symbol'], p['quantity'], p['quantity-direction']])
    .sort();

/** A first run: a condor opened (filled at once), one more condor left working at a price nobody takes. */
function firstRun() {
  const run = setup();
  const condor = ironCondor(run.market);
  const opened = placeOk(run.venue, limit(condor.legs, dollars(naturalCents(run.market, condor.legs)), 'Credit'));
  run.venue.tick();
  const working = placeOk(
    run.venue,
    limit(condor.legs, dollars(naturalCents(run.market, condor.legs) + 500), 'Credit'),
  );
  run.venue.tick();
  expect(orderOf(run.venue, opened['id'])['status']).toBe('Filled');
  expect(orderOf(run.venue, working['id'])['status']).toBe('Live');
  return { ...run, condor, opened, working };
}

describe('a venue restored from its saved state', () => {
  it('holds what it held: positions, cash, orders and transactions, the saved state surviving JSON', () => {
    const first = firstRun();
    const saved = JSON.parse(JSON.stringify(first.venue.exportState()));
    const second = setup({ startAt: NEXT_DAY, restore: saved });

    expect(held(second.venue)).toEqual(held(first.venue));
    expect(held(second.venue)).toHaveLength(4);
    const cash = (v: Venue) => v.balancesWire(ACCOUNT)!['cash-balance'];
    expect(cash(second.venue)).toBe(cash(first.venue));
    expect(transactionIds(second.venue)).toEqual(transactionIds(first.venue));
    expect(orderOf(second.venue, first.opened['id'])['status']).toBe('Filled');
    // A Day order left working at the close ends as it would have at the broker
    second.venue.tick();
    expect(orderOf(second.venue, first.working['id'])['status']).toBe('Expired');
  });

  it('carries its ids on: a new order, its fills and transactions get ids the first run never used', () => {
    const first = firstRun();
    const firstIds = [first.opened['id'], first.working['id']];
    const second = setup({ startAt: NEXT_DAY, restore: first.venue.exportState() });
    const close = ironCondor(second.market, 1, true);
    // Closing the condor the first run opened: the venue still holds it, so nothing is refused
    const closing = placeOk(
      second.venue,
      limit(close.legs, dollars(-naturalCents(second.market, close.legs)), 'Debit'),
    );
    second.venue.tick();
    expect(orderOf(second.venue, closing['id'])['status']).toBe('Filled');
    expect(held(second.venue)).toEqual([]);

    expect(firstIds).not.toContain(closing['id']);
    expect(Number(closing['id'])).toBeGreaterThan(Math.max(...firstIds.map(Number)));
    const before = new Set(fillIds(first.venue, firstIds));
    const after = fillIds(second.venue, [closing['id']]);
    expect(after).toHaveLength(4);
    for (const id of after) expect(before.has(id)).toBe(false);
    const oldTransactions = new Set(transactionIds(first.venue));
    const newTransactions = transactionIds(second.venue).filter((id) => !oldTransactions.has(id));
    expect(newTransactions).toHaveLength(4);
  });

  it('without a saved state a venue of the same seed starts again at the first run’s ids (why the state is kept)', () => {
    const first = firstRun();
    const fresh = setup({ startAt: NEXT_DAY });
    const condor = ironCondor(fresh.market);
    const order = placeOk(fresh.venue, limit(condor.legs, dollars(naturalCents(fresh.market, condor.legs)), 'Credit'));
    expect(order['id']).toBe(first.opened['id']);
    expect(fresh.venue.positionsWire(ACCOUNT)).toEqual([]);
  });
});

describe('the saved state of a long paper account', () => {
  it('leaves out orders that ended more than a week ago, and keeps working ones however old', () => {
    const first = firstRun();
    const gtc = ironCondor(first.market);
    const working = placeOk(
      first.venue,
      limit(gtc.legs, dollars(naturalCents(first.market, gtc.legs) + 500), 'Credit', { 'time-in-force': 'GTC' }),
    );
    first.venue.tick();
    const ids = (s: { orders: { id: number }[] }) => s.orders.map((o) => o.id).sort();
    const all = [first.opened['id'], first.working['id'], working['id']].map(Number).sort();
    expect(ids(first.venue.exportState())).toEqual(all);
    // The Day order expires at the first close; eight days later both ended orders are a week old
    first.clock.advance(6 * 60 * 60 * 1000 + 60_000);
    first.venue.tick();
    expect(orderOf(first.venue, first.working['id'])['status']).toBe('Expired');
    expect(ids(first.venue.exportState())).toEqual(all);
    first.clock.advance(8 * DAY);
    first.venue.tick();
    expect(ids(first.venue.exportState())).toEqual([Number(working['id'])]);
  });
});
