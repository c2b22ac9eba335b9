// Owns the venue tests' fixtures: a frozen replay clock, the real market model, a venue with an event log, order builders.
import { createMarketClock } from '../../src/clock.js';
import { createMarketModel } from '../../src/market/market.js';
import type { ClockSpec, JsonObject, MarketModel, Venue, VenueEvent } from '../../src/types.js';
import { createVenue, type VenueAccountSpec, type VenueSavedState } from '../../src/core/venue.js';

/** Tuesday 2026-11-17 15:00Z = 10:00 New York, market open. */
export const START = Date.parse('2026-11-17T15:00:00Z');
/** The same day's regular close (16:00 New York, EST). */
export const CLOSE = Date.parse('2026-11-17T21:00:00Z');
export const ACCOUNT = '5WT00001';

/** `open: true`: the `open` clock (always open) on a wall clock frozen at `startAt`, moved only by advance(). */
export function setup(
  opts: {
    seed?: number;
    startAt?: number;
    accounts?: VenueAccountSpec[];
    strictLegKeys?: boolean;
    open?: boolean;
    restore?: VenueSavedState;
  } = {},
) {
  const seed = opts.seed ?? 7;
  const startAt = opts.startAt ?? START;
  const spec: ClockSpec = opts.open ? { mode: 'open' } : { mode: 'replay', startAt, speed: 0 };
  const clock = createMarketClock(spec, () => startAt);
  const market = createMarketModel({ clock, seed });
  const venue = createVenue({
    clock,
    market,
    seed,
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
    ...(opts.strictLegKeys !== undefined ? { strictLegKeys: opts.strictLegKeys } : {}),
    ...(opts.restore ? { restore: opts.restore } : {}),
  });
  const events: { account: string; event: VenueEvent }[] = [];
  venue.onEvent((account, event) => events.push({ account, event }));
  return { clock, market, venue, events };
}

export type Action = 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close';

export const leg = (symbol: string, action: Action, quantity = 1, instrumentType = 'Equity Option') => ({
  'instrument-type': instrumentType,
  symbol,
  quantity,
  action,
});

export function limit(
  legs: JsonObject[],
  price: string,
  effect: 'Credit' | 'Debit',
  extra: JsonObject = {},
): JsonObject {
  return { 'time-in-force': 'Day', 'order-type': 'Limit', price, 'price-effect': effect, legs, ...extra };
}

/** Strikes of the first expiration ≥ 30 days out, nearest to each target. */
export function strikesNear(market: MarketModel, underlying: string, targets: number[]) {
  const exp = market.chain(underlying)!.expirations.find((e) => e.daysToExpiration >= 30)!;
  return targets.map((t) => exp.strikes.reduce((a, b) => (Math.abs(b.strike - t) < Math.abs(a.strike - t) ? b : a)));
}

/** A 5-wide SPY iron condor about 5% out of the money on both sides. */
export function ironCondor(market: MarketModel, quantity = 1, closing = false) {
  const spot = market.spot('SPY');
  const [sp, lp, sc, lc] = strikesNear(market, 'SPY', [spot * 0.95, spot * 0.95 - 5, spot * 1.05, spot * 1.05 + 5]);
  const open = (short: boolean): Action =>
    closing ? (short ? 'Buy to Close' : 'Sell to Close') : short ? 'Sell to Open' : 'Buy to Open';
  const legs = [
    leg(sp!.putSymbol, open(true), quantity),
    leg(lp!.putSymbol, open(false), quantity),
    leg(sc!.callSymbol, open(true), quantity),
    leg(lc!.callSymbol, open(false), quantity),
  ];
  return { legs, width: sp!.strike - lp!.strike, symbols: legs.map((l) => l.symbol) };
}

/** Natural net price (cents, credit positive) of legs at the current quotes. */
export function naturalCents(
  market: MarketModel,
  legs: { symbol: string; action: string; quantity: number }[],
): number {
  return legs.reduce((sum, l) => {
    const q = market.quote(l.symbol)!;
    return sum + (l.action.startsWith('Buy') ? -Math.round(q.ask * 100) : Math.round(q.bid * 100));
  }, 0);
}

export const dollars = (cents: number) => (cents / 100).toFixed(2);
export const cents = (s: unknown) => Math.round(Number(s) * 100);

export function placeOk(venue: Venue, body: unknown, account = ACCOUNT): JsonObject {
  const r = venue.placeOrder(account, body, { dryRun: false });
  if (!r.ok) throw new Error(`placeOrder failed: ${JSON.stringify(r.error)}`);
  return r.value['order'] as JsonObject;
}

export const orderOf = (venue: Venue, id: unknown, account = ACCOUNT): JsonObject => {
  const r = venue.getOrder(account, Number(id));
  if (!r.ok) throw new Error(`getOrder failed: ${JSON.stringify(r.error)}`);
  return r.value;
};

export const statusesOf = (events: { event: VenueEvent }[], id: unknown) =>
  events.filter((e) => e.event.type === 'Order' && e.event.data['id'] === id).map((e) => e.event.data['status']);

export const legsOf = (order: JsonObject) => order['legs'] as JsonObject[];
export const fillsOf = (legWire: JsonObject) => legWire['fills'] as JsonObject[];
