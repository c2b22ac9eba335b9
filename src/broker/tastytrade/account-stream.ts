// Owns typed account events over the SDK AccountStreamer: subscribe with a timeout, reconnect, silence watchdog, REST catch-up.
import type { Logger } from '../../log.js';
import type { AccountEvent, AccountEvents, Broker } from '../../pipeline/ports.js';
import { AccountStreamer, STREAMER_STATE, type TastytradeClient } from './client.js';
import { notificationToEvent, parseStreamerMessage } from './mapper.js';

export interface AccountEventsOptions {
  client: TastytradeClient;
  broker: Broker;
  accountNumber: string;
  log?: Logger;
  /** No message at all (acks, heartbeats, pushes) for this long → `silent`, drop the socket, reconnect. Default 15 s. */
  silenceMs?: number;
  /** Socket open + `connect` ack must both arrive within this. Default 10 s. */
  subscribeTimeoutMs?: number;
  /** Reconnect backoff bounds (exponential, jittered between half and full). Default 500 ms … 30 s. */
  reconnect?: { minMs: number; maxMs: number };
  /** Heartbeat interval; default min(2 s, silenceMs / 3) so a healthy stream is never taken for silent. */
  heartbeatMs?: number;
  /** Account-streamer URL; default the one the client was configured with. */
  streamerUrl?: string;
  now?: () => number;
  random?: () => number;
}

/** One socket's lifetime. A new one (fresh SDK AccountStreamer) per (re)connect, so no SDK state leaks across. */
interface Connection {
  id: number;
  streamer: AccountStreamer;
  dead: boolean;
  disposers: (() => void)[];
  onConnectAck?: (ok: boolean, message: string | undefined) => void;
}

interface RawSocket {
  on?(event: string, listener: (...args: unknown[]) => void): void;
  terminate?(): void;
}

const noop = () => {};

export function createAccountEvents(opts: AccountEventsOptions): AccountEvents {
  const { client, broker, accountNumber, log } = opts;
  const silenceMs = opts.silenceMs ?? 15_000;
  const subscribeTimeoutMs = opts.subscribeTimeoutMs ?? 10_000;
  const backoff = opts.reconnect ?? { minMs: 500, maxMs: 30_000 };
  const heartbeatMs = opts.heartbeatMs ?? Math.max(10, Math.min(2_000, Math.floor(silenceMs / 3)));
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const url = opts.streamerUrl ?? (client.accountStreamer as unknown as { url: string }).url;

  const listeners = new Set<(event: AccountEvent) => void>();
  let running = false;
  let connected = false;
  let current: Connection | undefined;
  let nextId = 1;
  let failures = 0;
  let lastMessageAt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let silenceTimer: NodeJS.Timeout | undefined;
  let catchUpTimer: NodeJS.Timeout | undefined;

  const emit = (event: AccountEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        log?.error({ err: error }, 'account event listener failed');
      }
    }
  };
  const connection = (state: 'connected' | 'disconnected' | 'silent' | 'resynced', detail?: string) =>
    emit({ kind: 'connection', state, ...(detail !== undefined ? { detail } : {}), receivedAt: now() });

  const socketOf = (conn: Connection) => (conn.streamer as unknown as { websocket: RawSocket | null }).websocket;

  /** Closes one connection for good: no observer, no heartbeat timer, no socket (terminated, not politely closed). */
  const teardown = (conn: Connection) => {
    if (conn.dead) return;
    conn.dead = true;
    conn.onConnectAck?.(false, 'connection closed');
    for (const dispose of conn.disposers) dispose();
    socketOf(conn)?.terminate?.();
    conn.streamer.stop();
    if (current === conn) current = undefined;
  };

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearTimeout(silenceTimer);
    clearTimeout(catchUpTimer);
    reconnectTimer = silenceTimer = catchUpTimer = undefined;
  };

  const backoffMs = (attempt: number) => {
    const cap = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt, 20));
    return Math.round(cap / 2 + (random() * cap) / 2);
  };

  /** The socket is gone (closed, errored, silent or never came up): tell, then try again later. */
  const lost = (conn: Connection, detail: string) => {
    if (conn.dead) return;
    const wasConnected = connected && current === conn;
    teardown(conn);
    clearTimeout(silenceTimer);
    clearTimeout(catchUpTimer);
    connected = false;
    if (wasConnected) connection('disconnected', detail);
    if (!running) return;
    const delay = backoffMs(failures);
    failures += 1;
    log?.warn({ accountNumber, delayMs: delay, attempt: failures }, `account stream lost (${detail}); reconnecting`);
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => void connect().catch(noop), delay);
  };

  const watchSilence = (conn: Connection) => {
    clearTimeout(silenceTimer);
    const check = () => {
      if (conn.dead || !running) return;
      const quiet = now() - lastMessageAt;
      if (quiet < silenceMs) {
        silenceTimer = setTimeout(check, silenceMs - quiet);
        return;
      }
      const detail = `no message for ${quiet} ms (limit ${silenceMs} ms)`;
      log?.warn({ accountNumber }, `account stream silent: ${detail}`);
      connection('silent', detail);
      lost(conn, 'silent');
    };
    silenceTimer = setTimeout(check, silenceMs);
  };

  const onMessage = (conn: Connection, json: object) => {
    if (conn.dead) return;
    const receivedAt = now();
    lastMessageAt = receivedAt;
    let message: ReturnType<typeof parseStreamerMessage>;
    try {
      message = parseStreamerMessage(json);
    } catch (error) {
      log?.warn({ err: error }, 'account stream: unreadable message skipped');
      return;
    }
    if (message.kind === 'ack') {
      // A failed `connect` is answered without a request-id; any connect ack settles our subscription
      if (message.action === 'connect') conn.onConnectAck?.(message.status === 'ok', message.message);
      else if (message.status === 'error')
        log?.warn({ action: message.action }, `account stream: ${message.action} refused: ${message.message ?? ''}`);
      return;
    }
    try {
      const event = notificationToEvent(message.type, message.data, receivedAt, message.sequence);
      if (event) emit(event);
    } catch (error) {
      log?.warn({ err: error, type: message.type }, 'account stream: unreadable notification skipped');
    }
  };

  /** REST catch-up after every (re)connect: working orders, positions, balances, then `resynced`. Retries on failure. */
  const catchUp = async (conn: Connection, attempt = 0): Promise<void> => {
    try {
      const orders = await broker.liveOrders();
      if (conn.dead) return;
      for (const order of orders) emit({ kind: 'order', order, receivedAt: now() });
      const positions = await broker.positions();
      if (conn.dead) return;
      for (const position of positions) emit({ kind: 'position', position, receivedAt: now() });
      const balances = await broker.balances();
      if (conn.dead) return;
      emit({ kind: 'balance', balances, receivedAt: now() });
      connection('resynced', `${orders.length} orders, ${positions.length} positions`);
    } catch (error) {
      if (conn.dead || !running) return;
      const delay = backoffMs(attempt);
      log?.warn({ err: error, delayMs: delay }, 'account stream catch-up failed; retrying');
      catchUpTimer = setTimeout(() => void catchUp(conn, attempt + 1), delay);
    }
  };

  /** One connect attempt. Resolves when subscribed and caught up; on failure schedules the next attempt and rejects. */
  const connect = async (): Promise<void> => {
    if (!running) return;
    const conn: Connection = {
      id: nextId++,
      streamer: new AccountStreamer(url, client.httpClient, client.logger, heartbeatMs),
      dead: false,
      disposers: [],
    };
    current = conn;
    conn.disposers.push(
      conn.streamer.addMessageObserver((json) => onMessage(conn, json)),
      conn.streamer.addStreamerStateObserver((state) => {
        if (state === STREAMER_STATE.Closed || state === STREAMER_STATE.Error) {
          queueMicrotask(() => lost(conn, state === STREAMER_STATE.Error ? 'socket error' : 'socket closed'));
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not subscribed within ${subscribeTimeoutMs} ms`)),
          subscribeTimeoutMs,
        );
        conn.onConnectAck = (ok, text) => {
          conn.onConnectAck = undefined;
          if (ok) resolve();
          else reject(new Error(`connect refused: ${text ?? 'no reason given'}`));
        };
        const started = conn.streamer.start();
        // Errors of a socket we terminate mid-handshake are expected; never let them become uncaught
        socketOf(conn)?.on?.('error', noop);
        started
          .then(() => conn.streamer.subscribeTo('connect', accountNumber))
          .catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      lost(conn, detail);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (conn.dead) return;
    failures = 0;
    connected = true;
    lastMessageAt = now();
    log?.info({ accountNumber, connection: conn.id }, 'account stream connected');
    connection('connected');
    watchSilence(conn);
    await catchUp(conn);
  };

  return {
    get connected() {
      return connected;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Resolves after the first connect + catch-up, or after the first failed attempt (reconnects go on in the background). */
    async start() {
      if (running) return;
      running = true;
      failures = 0;
      await connect().catch((error: unknown) => {
        log?.warn({ err: error, accountNumber }, 'account stream: first connect failed; retrying in the background');
      });
    },
    async stop() {
      running = false;
      clearTimers();
      const conn = current;
      current = undefined;
      const wasConnected = connected;
      connected = false;
      if (conn) teardown(conn);
      if (wasConnected) connection('disconnected', 'stopped');
    },
  };
}
