// The venue's settlement records against real Tastytrade recordings, field by field: the Receive Deliver rows of an
// assignment (http_get_accounts_transactions__trade_and_assignment.json items 2 and 3: names, JSON types, value
// formats, key order), the unrecorded Expiration and Exercise removals (assumed the same shape, docs/decisions.md),
// and the position and balance pushes after a settlement (same shapes as the recorded REST items and balance push).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/types.js';
import { diffShape } from '../support/wire-shape.js';
import { ACCOUNT, dollars, leg, limit, naturalCents, placeOk, setup, type Action } from './venue-support.js';

const fixture = (name: string): JsonObject =>
  JSON.parse(
    readFileSync(new URL(`../../../../test/fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8'),
  ) as JsonObject;
const itemsOf = (name: string) => (fixture(name)['data'] as JsonObject)['items'] as JsonObject[];

const recorded = itemsOf('http_get_accounts_transactions__trade_and_assignment');
const recordedRemoval = recorded.find((t) => t['transaction-sub-type'] === 'Assignment')!;
const recordedShares = recorded.find(
  (t) => t['transaction-type'] === 'Receive Deliver' && t['instrument-type'] === 'Equity',
)!;

/** The format class of a wire value: what a client's parser depends on beyond the JSON type. */
function formatOf(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  if (/^-?\d+\.\d+$/.test(value)) return 'decimal string';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/.test(value)) return 'timestamp +00:00';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'date';
  if (['Credit', 'Debit', 'None'].includes(value)) return 'effect';
  return 'text';
}

/** Same key names in the same order, the same JSON types and the same value formats as the recorded item. */
function expectLikeRecorded(ours: JsonObject, item: JsonObject): void {
  expect(diffShape(ours, item)).toEqual([]);
  expect(Object.keys(ours)).toEqual(Object.keys(item));
  const formats = (o: JsonObject) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, formatOf(v)]));
  expect(formats(ours)).toEqual(formats(item));
}

function settledVenue() {
  const s = setup();
  const spot = s.market.spot('SPY');
  const exp = s.market.chain('SPY')!.expirations.find((e) => e.daysToExpiration >= 30)!;
  const near = (target: number) =>
    exp.strikes.reduce((a, b) => (Math.abs(b.strike - target) < Math.abs(a.strike - target) ? b : a));
  const open = (symbol: string, action: Action) => {
    const legs = [leg(symbol, action)];
    const natural = naturalCents(s.market, legs);
    placeOk(s.venue, limit(legs, dollars(Math.abs(natural)), natural >= 0 ? 'Credit' : 'Debit'));
    s.venue.tick();
  };
  const shortPut = near(spot + 10).putSymbol; // assigned
  const longCall = near(spot + 20).callSymbol; // expires
  const longPut = near(spot + 15).putSymbol; // exercised
  open(shortPut, 'Sell to Open');
  open(longCall, 'Buy to Open');
  open(longPut, 'Buy to Open');
  s.events.length = 0;
  s.venue.expireOptions({ through: exp.expirationDate });
  const rows = s.venue.transactions(ACCOUNT, { perPage: 50, type: 'Receive Deliver', sort: 'Asc' })
    .items as JsonObject[];
  return { ...s, rows, shortPut, longCall, longPut };
}

describe('settlement records = recorded Tastytrade items', () => {
  it('the assignment: the option removal and the share delivery match the recorded rows field by field', () => {
    const { rows, shortPut } = settledVenue();
    const removal = rows.find((t) => t['symbol'] === shortPut)!;
    expect(removal['transaction-sub-type']).toBe('Assignment');
    expectLikeRecorded(removal, recordedRemoval);
    expect(removal['description']).toBe(recordedRemoval['description']);
    const shares = rows.find((t) => t['instrument-type'] === 'Equity' && t['action'] === 'Buy to Open')!;
    expectLikeRecorded(shares, recordedShares);
    expect(shares['description']).toMatch(/^Buy to Open 100 SPY @ \d+\.\d{2}$/); // recorded: "Buy to Open 4000 RIVN @ 14.00"
  });

  it('unrecorded Expiration and Exercise removals, and the exercise’s share row, take the recorded shapes', () => {
    const { rows, longCall, longPut } = settledVenue();
    const expiration = rows.find((t) => t['symbol'] === longCall)!;
    const exercise = rows.find((t) => t['symbol'] === longPut)!;
    expect([expiration['transaction-sub-type'], exercise['transaction-sub-type']]).toEqual(['Expiration', 'Exercise']);
    expectLikeRecorded(expiration, recordedRemoval);
    expectLikeRecorded(exercise, recordedRemoval);
    expect([expiration['description'], exercise['description']]).toEqual([
      'Removal of option due to expiration',
      'Removal of option due to exercise',
    ]);
    // The long put delivers the 100 shares the assignment brought in: a Sell to Close row
    const sold = rows.find((t) => t['instrument-type'] === 'Equity' && t['action'] === 'Sell to Close')!;
    expectLikeRecorded(sold, recordedShares);
    expect(sold['value-effect']).toBe('Credit');
  });

  it('the pushes after a settlement: CurrentPosition like the recorded position items, AccountBalance like the recorded push', () => {
    const { events, shortPut } = settledVenue();
    const positions = events.filter((e) => e.event.type === 'CurrentPosition').map((e) => e.event.data);
    const option = positions.find((p) => p['symbol'] === shortPut)!;
    expect(option['quantity']).toBe(0);
    expect(diffShape(option, itemsOf('http_get_accounts_positions__short_equity_option')[0])).toEqual([]);
    const share = positions.find((p) => p['symbol'] === 'SPY')!;
    // Recorded both ways for equities: multiplier 1 (item 0, the venue's form) and "1.0" (item 1, the full key set)
    const [intMultiplier, fullKeys] = itemsOf('http_get_accounts_positions__equity_int_and_string_multiplier');
    expect(diffShape(share, { ...fullKeys, multiplier: intMultiplier!['multiplier'] })).toEqual([]);
    const balance = events.filter((e) => e.event.type === 'AccountBalance').at(-1)!.event.data;
    // apex-starting-day-margin-equity: an Apex clearing figure only the streamed 2026 message has (venue-fidelity.test.ts)
    const { 'apex-starting-day-margin-equity': _apex, ...recordedBalance } = fixture('ws_account_balance__production')[
      'data'
    ] as JsonObject;
    expect(diffShape(balance, recordedBalance)).toEqual([]);
  });
});
