// Owns the market-data adapter's one long-lived DXLink connection: lazy open, subscriptions, silence watchdog, reopen, close.
// The SDK's QuoteStreamer builds its DXLinkWebSocketClient inside connect() and never exposes it, so its disconnect()
// cannot close the socket. This file opens the connection exactly as QuoteStreamer.connect() does (quote token from the
// SDK, FEED channel with contract AUTO, COMPACT, aggregation 10 s) but keeps the client, so close() really closes.
import {
  DXLinkConnectionState,
  DXLinkFeed,
  DXLinkWebSocketClient,
  FeedContract,
  FeedDataFormat,
  type FeedEventData,
} from '@dxfeed/dxlink-api';
import type { Logger } from '../../log.js';
import { parseQuoteToken } from './mapper.js';

export type FeedEventType = 'Quote' | 'Greeks' | 'Candle';
export interface FeedSubscription {
  type: FeedEventType;
  symbol: string;
  /** Time-series subscriptions (Candle): history from this instant, epoch ms. */
  fromTime?: number;
}

export type FeedConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface FeedStats {
  state: FeedConnectionState;
  /** DXLink clients opened (the first open and every reopen after silence). */
  opens: number;
  /** Times the watchdog found the feed silent and reopened it. */
  silences: number;
  /** Times the DXLink client lost its socket and started its own reconnect. */
  drops: number;
}

export interface QuoteFeedOptions {
  /** `GET /api-quote-tokens` through the SDK (the caller applies its deadline and retries). */
  fetchQuoteToken: () => Promise<unknown>;
  log?: Logger;
  /** No event for this long while subscriptions are active → close and reopen the connection. */
  silenceMs: number;
  now?: () => number;
  onEvents: (events: Record<string, unknown>[], receivedAt: number) => void;
}

export interface QuoteFeed {
  /** Subscribes (opening the connection on first use). Rejects only when a first connection cannot be opened. */
  add(subscriptions: FeedSubscription[]): Promise<void>;
  remove(subscriptions: FeedSubscription[]): void;
  stats(): FeedStats;
  close(): Promise<void>;
}

interface Session {
  id: number;
  dx: DXLinkWebSocketClient;
  feed: DXLinkFeed<FeedContract.AUTO>;
}

interface RawSocket {
  readyState?: number;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  terminate?(): void;
}

const keyOf = (s: FeedSubscription) => `${s.type}:${s.symbol}`;
const noop = () => {};

/**
 * The socket inside a DXLinkWebSocketClient (private in @dxfeed/dxlink-websocket-client 0.3.0). Used only as a safety net:
 * `ws` emits 'error' when a socket still CONNECTING is closed, and the DXLink connector has removed its listener by then.
 */
const socketOf = (dx: DXLinkWebSocketClient): RawSocket | undefined =>
  (dx as unknown as { connector?: { socket?: RawSocket } }).connector?.socket;

export function createQuoteFeed(opts: QuoteFeedOptions): QuoteFeed {
  const { log, silenceMs } = opts;
  const now = opts.now ?? Date.now;
  const active = new Map<string, FeedSubscription>();
  const stats: FeedStats = { state: 'idle', opens: 0, silences: 0, drops: 0 };
  let session: Session | undefined;
  let opening: Promise<Session> | undefined;
  let lastActivity = now();
  let silentInARow = 0;
  let nextId = 1;
  let watchdog: NodeJS.Timeout | undefined;
  let closed = false;

  const shutdown = (s: Session) => {
    const socket = socketOf(s.dx);
    socket?.on?.('error', noop);
    s.feed.close();
    s.dx.close();
    // A dead link would hold the polite close handshake open (ws waits 30 s): cut it after a grace period
    if (socket?.terminate && socket.readyState !== 3) {
      const cut = setTimeout(() => {
        if (socket.readyState !== 3) socket.terminate?.();
      }, 1_000);
      cut.unref();
    }
  };

  const open = async (): Promise<Session> => {
    const token = parseQuoteToken(await opts.fetchQuoteToken());
    if (closed) throw new Error('market data closed');
    const id = nextId++;
    const dx = new DXLinkWebSocketClient();
    dx.addConnectionStateChangeListener((state, prev) => {
      if (session?.id !== id) return;
      if (state === DXLinkConnectionState.CONNECTED) {
        lastActivity = now();
        stats.state = 'connected';
        log?.debug({ connection: id }, 'dxlink connected');
      } else if (state === DXLinkConnectionState.CONNECTING && prev === DXLinkConnectionState.CONNECTED) {
        // The DXLink client reconnects by itself (1 s × attempt) and its feed resubscribes with reset:true
        stats.drops += 1;
        stats.state = 'reconnecting';
        lastActivity = now();
        log?.warn({ connection: id }, 'dxlink connection lost; the client is reconnecting');
      } else if (state === DXLinkConnectionState.NOT_CONNECTED) {
        // The client gave up (e.g. its token was refused after a reconnect): open a fresh one when needed
        session = undefined;
        stats.state = 'idle';
        shutdown({ id, dx, feed });
        log?.warn({ connection: id }, 'dxlink client gave up its connection');
        if (active.size > 0)
          ensureOpen().catch((error: unknown) =>
            log?.warn({ err: error }, 'dxlink reopen failed; will retry while subscribed'),
          );
      }
    });
    dx.addErrorListener((error) => log?.warn({ connection: id, type: error.type }, `dxlink error: ${error.message}`));
    dx.connect(token.dxlinkUrl);
    dx.setAuthToken(token.token);
    const feed = new DXLinkFeed(dx, FeedContract.AUTO);
    feed.configure({ acceptAggregationPeriod: 10, acceptDataFormat: FeedDataFormat.COMPACT });
    feed.addEventListener((events: FeedEventData[]) => {
      if (session?.id !== id) return;
      const receivedAt = now();
      lastActivity = receivedAt;
      silentInARow = 0;
      opts.onEvents(events as Record<string, unknown>[], receivedAt);
    });
    // Sent once the channel opens; the feed re-sends them (reset:true) after every reconnect of its client
    if (active.size > 0) feed.addSubscriptions([...active.values()]);
    stats.opens += 1;
    lastActivity = now();
    return { id, dx, feed };
  };

  /** Opens a connection unless one is open or opening; concurrent callers share the attempt. */
  const ensureOpen = (): Promise<Session> => {
    if (session) return Promise.resolve(session);
    if (!opening) {
      stats.state = stats.opens === 0 ? 'connecting' : 'reconnecting';
      opening = open()
        .then((s) => {
          if (closed) {
            shutdown(s);
            throw new Error('market data closed');
          }
          session = s;
          return s;
        })
        .finally(() => {
          opening = undefined;
        });
    }
    return opening;
  };

  const reopen = (reason: string) => {
    const old = session;
    session = undefined;
    if (old) shutdown(old);
    log?.warn({ subscriptions: active.size, reason }, 'dxlink feed silent; reopening the connection');
    ensureOpen().catch((error: unknown) =>
      log?.warn({ err: error }, 'dxlink reopen failed; will retry while subscribed'),
    );
  };

  const checkSilence = () => {
    if (closed || active.size === 0 || opening) return;
    // Back off while reopening does not help (a broken server): silenceMs, ×2, ×4 … ×32 until an event arrives
    const limit = silenceMs * 2 ** Math.min(silentInARow, 5);
    const quiet = now() - lastActivity;
    if (quiet < limit) return;
    stats.silences += 1;
    silentInARow += 1;
    lastActivity = now();
    reopen(`no event for ${quiet} ms (limit ${limit} ms)`);
  };

  const startWatchdog = () => {
    if (watchdog || closed) return;
    watchdog = setInterval(checkSilence, Math.max(20, Math.min(1_000, Math.floor(silenceMs / 4))));
    watchdog.unref();
  };

  const stopWatchdog = () => {
    clearInterval(watchdog);
    watchdog = undefined;
  };

  return {
    async add(subscriptions) {
      if (closed) throw new Error('market data closed');
      const fresh = subscriptions.filter((s) => !active.has(keyOf(s)));
      for (const s of fresh) active.set(keyOf(s), s);
      if (fresh.length === 0) return;
      // New subscriptions deserve a full silence period before the feed is called silent
      lastActivity = now();
      startWatchdog();
      try {
        const s = await ensureOpen();
        // Only those still wanted (a deadline may have released some meanwhile); adding twice is harmless
        const wanted = fresh.filter((f) => active.has(keyOf(f)));
        if (wanted.length > 0) s.feed.addSubscriptions(wanted);
      } catch (error) {
        if (stats.opens === 0) {
          for (const s of fresh) active.delete(keyOf(s));
          if (active.size === 0) stopWatchdog();
          throw error;
        }
        log?.warn({ err: error }, 'dxlink reopen failed; will retry while subscribed');
      }
    },
    remove(subscriptions) {
      const gone = subscriptions.filter((s) => active.delete(keyOf(s)));
      if (gone.length > 0) session?.feed.removeSubscriptions(gone);
      if (active.size === 0) stopWatchdog();
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      stopWatchdog();
      active.clear();
      const s = session;
      session = undefined;
      if (s) shutdown(s);
      await opening?.catch(noop); // an open in flight shuts itself down when it lands
      stats.state = 'closed';
    },
  };
}
