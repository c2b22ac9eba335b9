// Owns picking a realistic iron condor from a venue chain (as the SDK returns it) for tests, and reading the venue's
// positions per underlying.
import type { VenueHandle } from '@legwork/venue';
import type { TradeLeg } from '../../src/store/trades.repo.js';
type Json = Record<string, any>;

export interface CondorLegs {
  expiration: string;
  longPut: { symbol: string; streamer: string; strike: number };
  shortPut: { symbol: string; streamer: string; strike: number };
  shortCall: { symbol: string; streamer: string; strike: number };
  longCall: { symbol: string; streamer: string; strike: number };
}

/** Shorts about `offset` away from spot, wings `width` dollars further out, in the expiration nearest `dte` days. */
export function pickCondor(
  nestedChainItems: Json[],
  spot: number,
  { dte = 35, offset = 0.05, width = 5 } = {},
): CondorLegs {
  const chain = nestedChainItems[0]!;
  const expirations = chain['expirations'] as Json[];
  const expiration = [...expirations].sort(
    (a, b) => Math.abs(a['days-to-expiration'] - dte) - Math.abs(b['days-to-expiration'] - dte),
  )[0]!;
  const strikes = (expiration['strikes'] as Json[]).map((s) => ({ ...s, strike: Number(s['strike-price']) }));
  const nearest = (target: number) =>
    [...strikes].sort((a, b) => Math.abs(a.strike - target) - Math.abs(b.strike - target))[0]!;
  const shortPut = nearest(spot * (1 - offset));
  const longPut = nearest(shortPut.strike - width);
  const shortCall = nearest(spot * (1 + offset));
  const longCall = nearest(shortCall.strike + width);
  const put = (s: Json) => ({ symbol: s['put'], streamer: s['put-streamer-symbol'], strike: s.strike });
  const call = (s: Json) => ({ symbol: s['call'], streamer: s['call-streamer-symbol'], strike: s.strike });
  return {
    expiration: expiration['expiration-date'],
    longPut: put(longPut),
    shortPut: put(shortPut),
    shortCall: call(shortCall),
    longCall: call(longCall),
  };
}

export function condorOrder(
  legs: CondorLegs,
  price: string,
  extra: Json = {},
  action: 'open' | 'close' = 'open',
): Json {
  const buy = action === 'open' ? 'Buy to Open' : 'Buy to Close';
  const sell = action === 'open' ? 'Sell to Open' : 'Sell to Close';
  return {
    'time-in-force': 'Day',
    'order-type': 'Limit',
    price,
    'price-effect': action === 'open' ? 'Credit' : 'Debit',
    legs: [
      {
        'instrument-type': 'Equity Option',
        symbol: legs.longPut.symbol,
        quantity: 1,
        action: action === 'open' ? buy : sell,
      },
      {
        'instrument-type': 'Equity Option',
        symbol: legs.shortPut.symbol,
        quantity: 1,
        action: action === 'open' ? sell : buy,
      },
      {
        'instrument-type': 'Equity Option',
        symbol: legs.shortCall.symbol,
        quantity: 1,
        action: action === 'open' ? sell : buy,
      },
      {
        'instrument-type': 'Equity Option',
        symbol: legs.longCall.symbol,
        quantity: 1,
        action: action === 'open' ? buy : sell,
      },
    ],
    ...extra,
  };
}

/** Natural credit of the condor in dollars from bid/ask quotes keyed by streamer symbol. */
export function naturalCredit(legs: CondorLegs, quotes: Map<string, { bid: number; ask: number }>): number {
  const q = (s: string) => {
    const quote = quotes.get(s);
    if (!quote) throw new Error(`no quote for ${s}`);
    return quote;
  };
  return (
    q(legs.shortPut.streamer).bid +
    q(legs.shortCall.streamer).bid -
    q(legs.longPut.streamer).ask -
    q(legs.longCall.streamer).ask
  );
}

/**
 * Trade legs of an iron condor picked from the venue's own chain (wings `width` dollars, else about 1 % of spot and at
 * least $5), in the
 * expiration nearest `dte` days (35 unless given), shorts `offset` (5 %) away from spot.
 */
export function venueCondorLegs(
  sim: VenueHandle,
  underlying: string,
  { dte = 35, offset = 0.05, width }: { dte?: number; offset?: number; width?: number } = {},
): TradeLeg[] {
  const chain = sim.market.chain(underlying)!;
  const nested = [
    {
      expirations: chain.expirations.map((e) => ({
        'expiration-date': e.expirationDate,
        'days-to-expiration': e.daysToExpiration,
        strikes: e.strikes.map((s) => ({
          'strike-price': String(s.strike),
          call: s.callSymbol,
          put: s.putSymbol,
          'call-streamer-symbol': s.callStreamerSymbol,
          'put-streamer-symbol': s.putStreamerSymbol,
        })),
      })),
    },
  ];
  const spot = sim.market.spot(underlying);
  const c = pickCondor(nested, spot, { dte, offset, width: width ?? Math.max(5, Math.round(spot * 0.01)) });
  const leg = (
    l: { symbol: string; streamer: string; strike: number },
    action: TradeLeg['action'],
    right: 'C' | 'P',
  ): TradeLeg => ({
    symbol: l.symbol,
    streamerSymbol: l.streamer,
    action,
    quantity: 1,
    strike: l.strike,
    right,
    expiration: c.expiration,
  });
  return [
    leg(c.longPut, 'Buy to Open', 'P'),
    leg(c.shortPut, 'Sell to Open', 'P'),
    leg(c.shortCall, 'Sell to Open', 'C'),
    leg(c.longCall, 'Buy to Open', 'C'),
  ];
}

/** The venue's own nonzero positions on one underlying, signed (short −): what a test compares with Legwork's view. */
export const venueSignedPositions = (
  sim: VenueHandle,
  account: string,
  underlying: string,
): (readonly [string, number])[] =>
  sim.venue
    .positionsWire(account)
    .filter((p) => String(p['symbol']).startsWith(underlying.padEnd(6)))
    .map((p) => [String(p['symbol']), Number(p['quantity']) * (p['quantity-direction'] === 'Short' ? -1 : 1)] as const)
    .filter(([, q]) => q !== 0);
