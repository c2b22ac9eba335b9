// Owns the market-data adapter's daily closes: a DXLink Candle time-series subscription per underlying (`SPY{=d}` from a
// fromTime), its snapshot collected until SNAPSHOT_END or a deadline, then dropped; cached per symbol per New York date.
import { addDays, DAY_MS, dayNumber, nyDate } from '../../domain/dates.js';
import type { DailyClose } from '../../domain/market.js';
import type { Logger } from '../../log.js';
import { DX_FLAGS, type CandleEvent } from './mapper.js';
import type { FeedSubscription } from './quote-feed.js';

export interface DailyClosesOptions {
  feed: { add(subscriptions: FeedSubscription[]): Promise<void>; remove(subscriptions: FeedSubscription[]): void };
  /** Broker time: today's New York date (left out, and the cache key) comes from it. */
  now: () => number;
  /** How long one symbol's snapshot may take (wall time). */
  timeoutMs: number;
  log?: Logger;
}

export interface DailyCloses {
  /** The last `days` closes of each symbol before today, oldest first; symbols without any are absent. */
  get(symbols: string[], days: number): Promise<Map<string, DailyClose[]>>;
  /** Candle events from the feed. */
  onCandles(events: CandleEvent[]): void;
  /** Ends every collection now with what it has. */
  close(): void;
}

interface Collection {
  /** A snapshot began (events before it belong to no snapshot of ours). */
  begun: boolean;
  /** Close by candle time: a snapshot may remove or repeat a candle. */
  byTime: Map<number, { date: string; close: number }>;
  finish: (complete: boolean) => void;
}

interface Cached {
  date: string;
  days: number;
  closes: DailyClose[];
}

/**
 * Calendar days that hold at least `days` trading days: 252 a year (≈ 365/252 calendar days each, holidays
 * included) plus two weeks to spare.
 */
export const calendarSpan = (days: number): number => Math.ceil((days * 365) / 252) + 14;

export function createDailyCloses(opts: DailyClosesOptions): DailyCloses {
  const { feed, log } = opts;
  const cache = new Map<string, Cached>();
  /** Per symbol, the collection in flight: one Candle subscription per symbol at a time (the feed keys it by symbol). */
  const queue = new Map<string, Promise<unknown>>();
  const collecting = new Map<string, Collection>(); // by candle symbol
  let closed = false;

  /** Subscribes `SYM{=d}` from `span` calendar days back and collects its snapshot. */
  async function collect(symbol: string, days: number, today: string): Promise<DailyClose[]> {
    const candleSymbol = `${symbol}{=d}`;
    const sub: FeedSubscription = {
      type: 'Candle',
      symbol: candleSymbol,
      fromTime: dayNumber(addDays(today, -calendarSpan(days))) * DAY_MS,
    };
    let timer: NodeJS.Timeout | undefined;
    let complete = false;
    const c: Collection = { begun: false, byTime: new Map(), finish: () => {} };
    const done = new Promise<void>((resolve) => {
      c.finish = (whole) => {
        if (collecting.get(candleSymbol) !== c) return;
        collecting.delete(candleSymbol);
        clearTimeout(timer);
        complete = whole;
        resolve();
      };
    });
    collecting.set(candleSymbol, c);
    timer = setTimeout(() => c.finish(false), opts.timeoutMs);
    try {
      await feed.add([sub]);
      await done;
    } finally {
      c.finish(false);
      feed.remove([sub]);
    }
    const byDate = new Map<string, number>();
    for (const [, v] of [...c.byTime].sort((a, b) => a[0] - b[0])) if (v.date < today) byDate.set(v.date, v.close);
    const closes = [...byDate].map(([date, close]) => ({ date, close })).sort((a, b) => (a.date < b.date ? -1 : 1));
    if (complete) cache.set(symbol, { date: today, days, closes });
    else
      log?.warn(
        { symbol, closes: closes.length, timeoutMs: opts.timeoutMs },
        'dxlink: daily candle snapshot incomplete by its deadline; not cached',
      );
    return closes;
  }

  /** Cached closes of today, or a collection queued behind any other of the same symbol. */
  function closesOf(symbol: string, days: number): Promise<DailyClose[]> {
    const fresh = (): DailyClose[] | undefined => {
      const hit = cache.get(symbol);
      return hit && hit.date === nyDate(opts.now()) && hit.days >= days ? hit.closes : undefined;
    };
    const run = async () => fresh() ?? collect(symbol, days, nyDate(opts.now()));
    const next = (queue.get(symbol) ?? Promise.resolve()).then(run, run);
    const tail = next.catch(() => {});
    queue.set(symbol, tail);
    void tail.then(() => {
      if (queue.get(symbol) === tail) queue.delete(symbol);
    });
    return next;
  }

  return {
    async get(symbols, days) {
      if (closed) throw new Error('market data closed');
      if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
      const unique = [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
      const lists = await Promise.all(unique.map((s) => closesOf(s, days)));
      const out = new Map<string, DailyClose[]>();
      unique.forEach((s, i) => {
        const list = lists[i] ?? [];
        if (list.length > 0) out.set(s, list.slice(-days));
      });
      return out;
    },

    onCandles(events) {
      for (const e of events) {
        const c = collecting.get(e.candleSymbol);
        if (!c) continue;
        if (e.flags & DX_FLAGS.SNAPSHOT_BEGIN) {
          c.begun = true;
          c.byTime.clear(); // a reconnect sends the whole snapshot again
        }
        if (!c.begun) continue;
        if (e.time !== null) {
          if (e.flags & DX_FLAGS.REMOVE_EVENT || e.close === null || e.date === null) c.byTime.delete(e.time);
          else c.byTime.set(e.time, { date: e.date, close: e.close });
        }
        if (e.flags & (DX_FLAGS.SNAPSHOT_END | DX_FLAGS.SNAPSHOT_SNIP)) c.finish(true);
      }
    },

    close() {
      closed = true;
      for (const c of [...collecting.values()]) c.finish(false);
    },
  };
}
