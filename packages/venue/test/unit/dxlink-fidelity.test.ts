// Owns the fidelity check of the venue's DXLink messages against recorded real dxLink messages (test/fixtures/tastytrade/ws_dxlink_*.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMarketClock } from '../../src/clock.js';
import { createMarketModel } from '../../src/market/market.js';
import { buildCandles } from '../../src/streams/dxlink-candles.js';
import {
  EVENT_FIELDS,
  buildEvent,
  compactValues,
  negotiateEventFields,
  resolveStreamerSymbol,
  type EventRecord,
} from '../../src/streams/dxlink-events.js';
import {
  authStateMessage,
  channelOpenedMessage,
  errorMessage,
  feedConfigMessage,
  feedDataMessage,
  setupMessage,
} from '../../src/streams/dxlink-protocol.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const fixture = (name: string): Json =>
  JSON.parse(
    readFileSync(new URL(`../../../../test/fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8'),
  ) as Json;

/** JSON shape: same keys (recursively) and same JSON value types; arrays compared by element type set. */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return ['array', [...new Set(v.map((x) => JSON.stringify(shape(x))))].sort()];
  if (typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}
/** A COMPACT value's class: dxLink doubles may be numbers or the strings "NaN"/"Infinity"/"-Infinity". */
const valueClass = (v: unknown) =>
  typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? 'double' : typeof v;

const clock = createMarketClock({ mode: 'replay', startAt: Date.parse('2026-11-18T15:30:00Z'), speed: 0 });
const market = createMarketModel({ clock, seed: 7 });
const strike = market.chain('SPY')?.expirations.find((e) => e.daysToExpiration >= 20)?.strikes[10];
const option = strike?.callStreamerSymbol ?? '';

function ourEvent(type: string, symbol: string): EventRecord {
  if (type === 'Candle') {
    const c = buildCandles(market, symbol, 0, false)[0];
    if (c === undefined) throw new Error(`no candle for ${symbol}`);
    return c;
  }
  const r = resolveStreamerSymbol(market, symbol);
  const ev = r && buildEvent(market, type, symbol, r);
  if (ev === undefined) throw new Error(`no ${type} for ${symbol}`);
  return ev;
}

describe('DXLink server messages match the recorded real messages', () => {
  it('SETUP reply', () => {
    const ours = setupMessage(60, 60);
    expect(shape(ours)).toEqual(shape(fixture('ws_dxlink_setup__server_reply_docs')));
    expect(ours.version).toMatch(/^1\.0-/);
  });

  it('AUTH_STATE UNAUTHORIZED and AUTHORIZED (with userId)', () => {
    expect(authStateMessage('UNAUTHORIZED')).toEqual(fixture('ws_dxlink_auth_state__unauthorized'));
    expect(shape(authStateMessage('AUTHORIZED', 'legwork-sim'))).toEqual(
      shape(fixture('ws_dxlink_auth_state__authorized')),
    );
  });

  it('CHANNEL_OPENED echoes the channel with contract and subFormat LIST', () => {
    expect(channelOpenedMessage(3, 'AUTO')).toEqual(fixture('ws_dxlink_channel_opened__feed_auto_docs'));
  });

  it('ERROR BAD_ACTION', () => {
    expect(errorMessage(0, 'BAD_ACTION', 'Protocol violation with an even channel usage.')).toEqual(
      fixture('ws_dxlink_error__bad_action'),
    );
  });

  it('FEED_CONFIG', () => {
    // Our plain FEED_CONFIG (reply to FEED_SETUP) has exactly the recorded keys and types.
    expect(shape(feedConfigMessage(3, 0.1))).toEqual(shape(fixture('ws_dxlink_feed_config__compact_docs')));
    // Deliberate difference: the announcement before a type's first FEED_DATA adds `eventFields` (object of string arrays),
    // as dxSPEC's FeedConfigMessage allows; the docs recording is a reply to a FEED_SETUP that announced nothing yet.
    const withFields = feedConfigMessage(3, 0.1, { Quote: ['eventType', 'eventSymbol'] });
    expect(Object.keys(withFields).sort()).toEqual([
      'aggregationPeriod',
      'channel',
      'dataFormat',
      'eventFields',
      'type',
    ]);
  });

  // The recordings are COMPACT rows whose layout the recording client chose with acceptEventFields. The layouts below are
  // read off the recordings (and their sources: QC test names, the tastytrade docs). We build our message for the same
  // layout and compare the envelope shape and, position by position, each value's class (string / double / boolean).
  const cases: { file: string; type: string; fields: string[]; symbol: () => string }[] = [
    {
      file: 'ws_dxlink_feed_data__quote_compact',
      type: 'Quote',
      fields: ['eventSymbol', 'bidPrice', 'askPrice', 'bidSize', 'askSize'],
      symbol: () => 'SPY',
    },
    {
      file: 'ws_dxlink_feed_data__trade_compact',
      type: 'Trade',
      fields: ['eventSymbol', 'price', 'size', 'time'],
      symbol: () => 'SPY',
    },
    {
      file: 'ws_dxlink_feed_data__trade_compact_with_event_type_docs',
      type: 'Trade',
      fields: ['eventType', 'eventSymbol', 'price', 'dayVolume', 'size'],
      symbol: () => 'SPY',
    },
    {
      file: 'ws_dxlink_feed_data__summary_compact',
      type: 'Summary',
      fields: ['eventSymbol', 'openInterest'],
      symbol: () => option,
    },
    {
      file: 'ws_dxlink_feed_data__candle_compact',
      type: 'Candle',
      fields: ['eventFlags', 'eventSymbol', 'time', 'open', 'high', 'low', 'close', 'volume', 'impVolatility'],
      symbol: () => 'SPY{=d}',
    },
    {
      file: 'ws_dxlink_feed_data__candle_compact_crypto_5m',
      type: 'Candle',
      fields: ['eventSymbol', 'open', 'high', 'low', 'close'],
      symbol: () => 'SPY{=5m}',
    },
  ];
  for (const c of cases) {
    it(`FEED_DATA ${c.type} like ${c.file}`, () => {
      const rec = fixture(c.file) as { data: [string, Json[]] };
      expect(rec.data[1].length % c.fields.length).toBe(0); // the inferred layout fits the recording
      expect(negotiateEventFields(c.type, c.fields)).toEqual(c.fields); // our server would honour that layout
      const ours = feedDataMessage(1, c.type, compactValues([ourEvent(c.type, c.symbol())], c.fields));
      expect(shape({ ...ours, data: null })).toEqual(shape({ ...rec, data: null }));
      expect(ours.data[0]).toBe(rec.data[0]);
      const recorded = rec.data[1].slice(0, c.fields.length).map(valueClass);
      expect(ours.data[1].map(valueClass)).toEqual(recorded);
    });
  }

  it('default layouts start with eventType and eventSymbol, and every value has a dxLink type', () => {
    for (const [type, fields] of Object.entries(EVENT_FIELDS)) {
      expect(fields.slice(0, 2)).toEqual(['eventType', 'eventSymbol']);
      const symbol = type === 'Candle' ? 'SPY{=d}' : type === 'Greeks' ? option : 'SPY';
      const values = compactValues([ourEvent(type, symbol)], fields);
      expect(values).toHaveLength(fields.length);
      for (const v of values) expect(['double', 'string', 'boolean']).toContain(valueClass(v));
    }
  });
});
