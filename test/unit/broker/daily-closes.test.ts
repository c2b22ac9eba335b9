// Owns the unit tests of the adapter's daily closes over a scripted feed: the Candle subscription it asks for, the
// snapshot it assembles (batches, removals, resends, today left out), its cache per New York date and its deadline.
import { describe, expect, it } from 'vitest';
import { calendarSpan, createDailyCloses } from '../../../src/broker/tastytrade/daily-closes.js';
import { DX_FLAGS, type CandleEvent } from '../../../src/broker/tastytrade/mapper.js';
import type { FeedSubscription } from '../../../src/broker/tastytrade/quote-feed.js';

const TUESDAY_10_NY = Date.parse('2026-11-17T15:00:00Z');
const DAY = 86_400_000;
const { SNAPSHOT_BEGIN, SNAPSHOT_END, REMOVE_EVENT } = DX_FLAGS;

/** A daily candle as the parser yields it: stamped 00:00 UTC of its date. */
const candle = (symbol: string, date: string, close: number | null, flags = 0): CandleEvent => ({
  candleSymbol: `${symbol}{=d}`,
  flags,
  time: Date.parse(`${date}T00:00:00Z`),
  date,
  close,
});
const marker = (symbol: string, time: number): CandleEvent => ({
  candleSymbol: `${symbol}{=d}`,
  flags: REMOVE_EVENT | SNAPSHOT_END,
  time,
  date: null,
  close: null,
});

/** A feed that records subscriptions and lets the test answer each with events. */
function scriptedFeed() {
  const added: FeedSubscription[] = [];
  const removed: FeedSubscription[] = [];
  let onAdd: (sub: FeedSubscription) => void = () => {};
  return {
    added,
    removed,
    answer(fn: (sub: FeedSubscription) => void) {
      onAdd = fn;
    },
    feed: {
      async add(subs: FeedSubscription[]) {
        added.push(...subs);
        for (const s of subs) queueMicrotask(() => onAdd(s));
      },
      remove(subs: FeedSubscription[]) {
        removed.push(...subs);
      },
    },
  };
}

function setup(timeoutMs = 5_000) {
  let now = TUESDAY_10_NY;
  const f = scriptedFeed();
  const closes = createDailyCloses({ feed: f.feed, now: () => now, timeoutMs });
  return {
    ...f,
    closes,
    setNow: (t: number) => {
      now = t;
    },
  };
}

/** A venue-like snapshot, newest first: today's live candle, then the given days, then the end marker. */
function snapshot(symbol: string, days: [string, number][]): CandleEvent[] {
  const newest = [candle(symbol, '2026-11-17', 999, SNAPSHOT_BEGIN)];
  const rest = [...days].reverse().map(([d, c]) => candle(symbol, d, c));
  return [...newest, ...rest, marker(symbol, Date.parse('2026-01-01T00:00:00Z'))];
}

const WEEK: [string, number][] = [
  ['2026-11-09', 100],
  ['2026-11-10', 101],
  ['2026-11-11', 102],
  ['2026-11-12', 103],
  ['2026-11-13', 104],
  ['2026-11-16', 105],
];

describe('daily closes over DXLink candles', () => {
  it('subscribes SYM{=d} from far enough back, assembles the snapshot oldest first without today, then unsubscribes', async () => {
    const t = setup();
    t.answer((sub) => {
      const events = snapshot(sub.symbol.replace('{=d}', ''), WEEK);
      t.closes.onCandles(events.slice(0, 3)); // the snapshot may come in several batches
      t.closes.onCandles(events.slice(3));
    });
    const got = await t.closes.get(['spy', 'QQQ', 'SPY'], 4);
    expect(t.added).toEqual([
      { type: 'Candle', symbol: 'SPY{=d}', fromTime: Date.parse('2026-11-17T00:00:00Z') - calendarSpan(4) * DAY },
      { type: 'Candle', symbol: 'QQQ{=d}', fromTime: Date.parse('2026-11-17T00:00:00Z') - calendarSpan(4) * DAY },
    ]);
    expect(t.removed).toEqual(t.added);
    expect(got.get('SPY')).toEqual([
      { date: '2026-11-11', close: 102 },
      { date: '2026-11-12', close: 103 },
      { date: '2026-11-13', close: 104 },
      { date: '2026-11-16', close: 105 },
    ]);
    expect(got.get('QQQ')).toEqual(got.get('SPY'));
    expect([...got.keys()]).toEqual(['SPY', 'QQQ']);
  });

  it('spans enough calendar days for the trading days asked, holidays included', () => {
    expect(calendarSpan(60)).toBeGreaterThanOrEqual(87 + 10);
    expect(calendarSpan(252)).toBeGreaterThanOrEqual(365 + 10);
  });

  it('serves the same New York date from its cache, asks again for more days or on the next date', async () => {
    const t = setup();
    t.answer((sub) => t.closes.onCandles(snapshot(sub.symbol.replace('{=d}', ''), WEEK)));
    await t.closes.get(['SPY'], 5);
    const [a, b] = await Promise.all([t.closes.get(['SPY'], 3), t.closes.get(['SPY'], 5)]);
    expect(t.added).toHaveLength(1);
    expect(a.get('SPY')?.map((c) => c.close)).toEqual([103, 104, 105]);
    expect(b.get('SPY')).toHaveLength(5);

    await t.closes.get(['SPY'], 6); // more than the cached fetch asked for
    expect(t.added).toHaveLength(2);
    t.setNow(TUESDAY_10_NY + 14 * 3_600_000); // 00:00 Wednesday in New York
    await t.closes.get(['SPY'], 3);
    expect(t.added).toHaveLength(3);
  });

  it('restarts on a resent snapshot, drops removed candles and ignores events before a snapshot begins', async () => {
    const t = setup();
    t.answer(() => {
      t.closes.onCandles([candle('SPY', '2026-11-02', 1)]); // no snapshot has begun: not ours
      t.closes.onCandles(snapshot('SPY', WEEK).slice(0, 4)); // a first snapshot, cut by a reconnect
      t.closes.onCandles([
        candle('SPY', '2026-11-16', 205, SNAPSHOT_BEGIN),
        candle('SPY', '2026-11-13', 204),
        candle('SPY', '2026-11-12', 203),
        { ...candle('SPY', '2026-11-13', null), flags: REMOVE_EVENT },
        marker('SPY', Date.parse('2026-11-11T00:00:00Z')),
      ]);
    });
    const got = await t.closes.get(['SPY'], 10);
    expect(got.get('SPY')).toEqual([
      { date: '2026-11-12', close: 203 },
      { date: '2026-11-16', close: 205 },
    ]);
  });

  it('gives what it has by the deadline without caching it; a symbol without candles is absent', async () => {
    const t = setup(30);
    t.answer((sub) => {
      if (sub.symbol === 'SPY{=d}') t.closes.onCandles(snapshot('SPY', WEEK).slice(0, 3)); // no end
    });
    const got = await t.closes.get(['SPY', 'NOPE'], 5);
    expect(got.get('SPY')?.map((c) => c.date)).toEqual(['2026-11-13', '2026-11-16']);
    expect(got.has('NOPE')).toBe(false);
    expect(t.removed.map((s) => s.symbol).sort()).toEqual(['NOPE{=d}', 'SPY{=d}']);
    await t.closes.get(['SPY'], 5);
    expect(t.added.filter((s) => s.symbol === 'SPY{=d}')).toHaveLength(2);
  });

  it('refuses a day count that is not a positive integer, and every call after close', async () => {
    const t = setup();
    await expect(t.closes.get(['SPY'], 0)).rejects.toThrow(RangeError);
    t.closes.close();
    await expect(t.closes.get(['SPY'], 5)).rejects.toThrow(/closed/);
    expect(t.added).toEqual([]);
  });
});
