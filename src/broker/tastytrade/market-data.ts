// Owns the MarketData port over the Tastytrade SDK: batched market metrics, TTL-cached nested chains, DXLink snapshots
// and daily closes (DXLink candles, daily-closes.ts).
import { BrokerError } from '../../domain/broker-error.js';
import type { GreeksSnapshot, MarketMetrics, MarketSnapshot, OptionChain, QuoteSnapshot } from '../../domain/market.js';
import type { Logger } from '../../log.js';
import type { MarketData } from '../../pipeline/ports.js';
import type { TastytradeClient } from './client.js';
import { processRequestBudget } from './request-budget.js';
import { createHttpPolicy, type HttpPolicy, type HttpPolicyOptions } from './http-policy.js';
import { createDailyCloses } from './daily-closes.js';
import {
  parseCandleEvent,
  parseGreeksEvent,
  parseMarketMetrics,
  parseNestedChain,
  parseQuoteEvent,
  type CandleEvent,
} from './mapper.js';
import { createQuoteFeed, type FeedStats, type FeedSubscription } from './quote-feed.js';

export interface TastytradeMarketDataOptions {
  client: TastytradeClient;
  log?: Logger;
  /** How long a nested chain is served from memory. Default 5 minutes. */
  chainTtlMs?: number;
  /** Symbols per `GET /market-metrics` call. Default 50. */
  metricsBatchSize?: number;
  /** No DXLink event for this long while a snapshot waits → reopen the connection. Default 3 s. */
  silenceMs?: number;
  /** How long a symbol's daily candle snapshot may take before dailyCloses gives what it has. Default 10 s. */
  candleTimeoutMs?: number;
  /** Broker time (the app's clock): stamps quotes' `receivedAt` (their age is a decision) and ages the chain cache. */
  now?: () => number;
  policy?: Partial<HttpPolicyOptions>;
}

export interface TastytradeMarketData extends MarketData {
  /** The DXLink connection: state and how often it was opened, found silent, or dropped. */
  feedStats(): FeedStats;
}

interface Waiter {
  greeks: boolean;
  remaining: Set<string>;
  done: boolean;
  finish: () => void;
}

const METRICS_CONCURRENCY = 4;
const isOption = (streamerSymbol: string) => streamerSymbol.startsWith('.');

export function createTastytradeMarketData(opts: TastytradeMarketDataOptions): TastytradeMarketData {
  const { client, log } = opts;
  const now = opts.now ?? Date.now;
  const chainTtlMs = opts.chainTtlMs ?? 5 * 60_000;
  const batchSize = Math.max(1, Math.floor(opts.metricsBatchSize ?? 50));
  const policy: HttpPolicy = createHttpPolicy({
    onUnauthorized: () => client.accessToken.clear(),
    budget: processRequestBudget(),
    ...opts.policy,
  });

  // ---- REST: metrics and chains ----
  const chains = new Map<string, { promise: Promise<OptionChain>; expiresAt: number }>();

  async function fetchChain(symbol: string): Promise<OptionChain> {
    const items = await policy.run(
      'read',
      () => client.instrumentsService.getNestedOptionChain(symbol),
      `option chain ${symbol}`,
    );
    if (Array.isArray(items) && items.length === 0) {
      throw new BrokerError('rejected', `no option chain for ${symbol}: unknown symbol or no listed options`, {
        code: 'unknown_symbol',
        operation: 'read',
      });
    }
    return parseNestedChain(items, symbol);
  }

  // ---- DXLink: reference-counted subscriptions shared by concurrent snapshots ----
  const refs = new Map<string, number>();
  const quotes = new Map<string, QuoteSnapshot>();
  const greeks = new Map<string, GreeksSnapshot>();
  // DXLink pushes an event only when it changes, in order, on one connection. So while a connection delivers, a cached
  // value it delivered earlier and has not replaced is still the current one: it is reported as current as of the
  // connection's latest events (a quiet wing on a live feed is not stale; one from a dropped connection ages). Each
  // cached value remembers the connection it came on (opens + drops); a value from an earlier connection is not renewed.
  const connectionOf = new Map<string, number>();
  let connection = 0;
  let liveAt = Number.NEGATIVE_INFINITY;
  const currentAsOfLive = <T extends { receivedAt: number }>(key: string, value: T): T =>
    connectionOf.get(key) === connection && liveAt > value.receivedAt ? { ...value, receivedAt: liveAt } : value;
  const waiting = new Map<string, Set<Waiter>>();
  const waiters = new Set<Waiter>();
  let badEvents = 0;
  let closed = false;

  const complete = (w: Waiter, symbol: string) =>
    quotes.has(symbol) && (!w.greeks || !isOption(symbol) || greeks.has(symbol));

  const onEvents = (events: Record<string, unknown>[], receivedAt: number) => {
    const stats = feed.stats();
    connection = stats.opens + stats.drops;
    liveAt = receivedAt;
    const touched = new Set<string>();
    const candles: CandleEvent[] = [];
    for (const e of events) {
      const type = e['eventType'];
      if (type !== 'Quote' && type !== 'Greeks' && type !== 'Candle') continue;
      try {
        if (type === 'Candle') {
          const c = parseCandleEvent(e);
          if (c) candles.push(c);
        } else if (type === 'Quote') {
          const q = parseQuoteEvent(e, receivedAt);
          if (q && refs.has(`Quote:${q.streamerSymbol}`)) {
            quotes.set(q.streamerSymbol, q);
            connectionOf.set(`Quote:${q.streamerSymbol}`, connection);
            touched.add(q.streamerSymbol);
          }
        } else {
          const g = parseGreeksEvent(e, receivedAt);
          if (g && refs.has(`Greeks:${g.streamerSymbol}`)) {
            greeks.set(g.streamerSymbol, g);
            connectionOf.set(`Greeks:${g.streamerSymbol}`, connection);
            touched.add(g.streamerSymbol);
          }
        }
      } catch (error) {
        if (badEvents++ % 1000 === 0)
          log?.warn({ err: error, eventType: type, count: badEvents }, 'dxlink: unreadable event skipped');
      }
    }
    if (candles.length > 0) dailyCloses.onCandles(candles);
    for (const symbol of touched) {
      const ws = waiting.get(symbol);
      if (!ws) continue;
      for (const w of [...ws]) {
        if (!complete(w, symbol)) continue;
        ws.delete(w);
        w.remaining.delete(symbol);
        if (w.remaining.size === 0) w.finish();
      }
      if (ws.size === 0) waiting.delete(symbol);
    }
  };

  const feed = createQuoteFeed({
    fetchQuoteToken: () =>
      policy.run('read', () => client.accountsAndCustomersService.getApiQuoteToken(), 'quote token'),
    ...(log ? { log } : {}),
    silenceMs: opts.silenceMs ?? 3_000,
    // The feed's silence watchdog is about the network: it keeps wall time (its default)
    onEvents: (events) => onEvents(events, now()),
  });

  const dailyCloses = createDailyCloses({
    feed,
    now,
    timeoutMs: opts.candleTimeoutMs ?? 10_000,
    ...(log ? { log } : {}),
  });

  const subscriptionsOf = (symbols: string[], withGreeks: boolean): FeedSubscription[] =>
    symbols.flatMap((symbol) => [
      { type: 'Quote' as const, symbol },
      ...(withGreeks && isOption(symbol) ? [{ type: 'Greeks' as const, symbol }] : []),
    ]);

  /** Takes a reference on each subscription; returns those that were not subscribed yet. */
  const acquire = (subs: FeedSubscription[]): FeedSubscription[] =>
    subs.filter((s) => {
      const key = `${s.type}:${s.symbol}`;
      const n = refs.get(key) ?? 0;
      refs.set(key, n + 1);
      return n === 0;
    });

  /** Drops a reference on each; the last one unsubscribes and forgets the cached value (it would go stale). */
  const release = (subs: FeedSubscription[]) => {
    const gone = subs.filter((s) => {
      const key = `${s.type}:${s.symbol}`;
      const n = (refs.get(key) ?? 0) - 1;
      if (n > 0) {
        refs.set(key, n);
        return false;
      }
      refs.delete(key);
      connectionOf.delete(key);
      (s.type === 'Quote' ? quotes : greeks).delete(s.symbol);
      return true;
    });
    if (gone.length > 0) feed.remove(gone);
  };

  return {
    async metrics(symbols) {
      const unique = [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
      const batches: string[][] = [];
      for (let i = 0; i < unique.length; i += batchSize) batches.push(unique.slice(i, i + batchSize));
      const out = new Map<string, MarketMetrics>();
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          // One comma-separated string: an array would be sent as symbols[]=…, which the API does not document
          const items = await policy.run(
            'read',
            () => client.marketMetricsService.getMarketMetrics({ symbols: batch.join(',') }),
            'market metrics',
          );
          for (const m of parseMarketMetrics(items)) out.set(m.symbol, m);
        }
      };
      await Promise.all(Array.from({ length: Math.min(METRICS_CONCURRENCY, batches.length) }, worker));
      return out;
    },

    chain(underlying) {
      const symbol = underlying.trim().toUpperCase();
      const cached = chains.get(symbol);
      if (cached && now() < cached.expiresAt) return cached.promise;
      const entry = { promise: fetchChain(symbol), expiresAt: Number.POSITIVE_INFINITY };
      chains.set(symbol, entry);
      entry.promise.then(
        () => {
          entry.expiresAt = now() + chainTtlMs;
        },
        () => {
          if (chains.get(symbol) === entry) chains.delete(symbol); // failures are not cached
        },
      );
      return entry.promise;
    },

    async snapshot(streamerSymbols, options = {}) {
      if (closed) throw new Error('market data closed');
      const timeoutMs = options.timeoutMs ?? 5_000;
      const withGreeks = options.greeks ?? true;
      const symbols = [...new Set(streamerSymbols)];
      if (symbols.length === 0) return { quotes: new Map(), greeks: new Map(), missing: [] };
      const subs = subscriptionsOf(symbols, withGreeks);
      const fresh = acquire(subs);

      let resolve!: (s: MarketSnapshot) => void;
      let reject!: (error: unknown) => void;
      const result = new Promise<MarketSnapshot>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      let timer: NodeJS.Timeout | undefined;
      /** Ends this waiter once (its deadline, its data, a close or a failed connection) and drops its subscriptions. */
      const settle = (): boolean => {
        if (w.done) return false;
        w.done = true;
        clearTimeout(timer);
        waiters.delete(w);
        for (const symbol of w.remaining) {
          const ws = waiting.get(symbol);
          ws?.delete(w);
          if (ws?.size === 0) waiting.delete(symbol);
        }
        return true;
      };
      const w: Waiter = {
        greeks: withGreeks,
        remaining: new Set(),
        done: false,
        finish: () => {
          if (!settle()) return;
          const snap: MarketSnapshot = { quotes: new Map(), greeks: new Map(), missing: [] };
          for (const symbol of symbols) {
            const q = quotes.get(symbol);
            const g = withGreeks && isOption(symbol) ? greeks.get(symbol) : undefined;
            if (q) snap.quotes.set(symbol, currentAsOfLive(`Quote:${symbol}`, q));
            if (g) snap.greeks.set(symbol, currentAsOfLive(`Greeks:${symbol}`, g));
            if (!complete(w, symbol)) snap.missing.push(symbol);
          }
          release(subs);
          resolve(snap);
        },
      };
      // Symbols already subscribed by an overlapping snapshot may have live data already
      for (const symbol of symbols) {
        if (complete(w, symbol)) continue;
        w.remaining.add(symbol);
        let ws = waiting.get(symbol);
        if (!ws) {
          ws = new Set();
          waiting.set(symbol, ws);
        }
        ws.add(w);
      }
      if (w.remaining.size === 0) {
        w.finish();
        return result;
      }
      waiters.add(w);
      timer = setTimeout(w.finish, timeoutMs);
      // Not awaited: the deadline holds even while a first connection is still being opened
      feed.add(fresh).catch((error: unknown) => {
        // No connection could be opened at all: release and report instead of waiting for the deadline (unless the
        // deadline or a close came first: already released and resolved)
        if (!settle()) return;
        release(subs);
        reject(error);
      });
      return result;
    },

    dailyCloses: (symbols, days) => dailyCloses.get(symbols, days),

    feedStats: () => feed.stats(),

    async close() {
      closed = true;
      dailyCloses.close();
      for (const w of [...waiters]) w.finish();
      await feed.close();
      chains.clear();
    },
  };
}
