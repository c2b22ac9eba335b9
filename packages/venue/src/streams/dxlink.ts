// Owns the local venue's DXLink (dxFeed market data) WebSocket server: protocol state per connection, subscriptions, pushes, fault injection.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { MarketModel } from '../types.js';
import { FeedChannel, type FeedSub } from './dxlink-feed.js';
import {
  authStateMessage,
  channelClosedMessage,
  channelOpenedMessage,
  errorMessage,
  keepaliveMessage,
  parseClientMessage,
  setupMessage,
  type ClientMessage,
  type FeedDataMessage,
} from './dxlink-protocol.js';

export interface DxlinkServerOptions {
  market: MarketModel;
  isValidToken: (token: string) => boolean;
  /** Period of the re-publish sweep (changed values only), wall-clock ms. Default 1000. */
  publishIntervalMs?: number;
  /** Advertised in SETUP; the server sends something at least every half of it. Default 60. */
  keepaliveTimeoutSec?: number;
  /** userId reported in AUTH_STATE AUTHORIZED. Default "legwork-sim". */
  userId?: string;
  log?: (msg: string, extra?: object) => void;
}

export interface DxlinkServer {
  /** Created with noServer: true; feed it upgrades through handleUpgrade. */
  wss: WebSocketServer;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Terminates every socket abruptly (no close frame); clients must reconnect. */
  dropAll(): void;
  /** Sends nothing (no data, no keepalive) for `ms` wall-clock ms; sockets stay open. Then control replies held meanwhile and a full snapshot follow. */
  silence(ms: number): void;
  /** The next `count` FEED_DATA messages are each sent twice. */
  duplicatePushes(count: number): void;
  connectionCount(): number;
  close(): Promise<void>;
}

interface Conn {
  id: number;
  ws: WebSocket;
  setup: boolean;
  authorized: boolean;
  clientTimeoutSec: number;
  lastSent: number;
  lastRecv: number;
  channels: Map<number, FeedChannel>;
  held: object[];
}

export function createDxlinkServer(opts: DxlinkServerOptions): DxlinkServer {
  const { market } = opts;
  const publishMs = opts.publishIntervalMs ?? 1000;
  const keepaliveSec = opts.keepaliveTimeoutSec ?? 60;
  const aggregationPeriod = publishMs / 1000;
  const userId = opts.userId ?? 'legwork-sim';
  const log = opts.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true });
  const conns = new Set<Conn>();
  let nextId = 1;
  let silentUntil = 0;
  let silenceTimer: NodeJS.Timeout | undefined;
  let duplicates = 0;
  let closed = false;

  const silent = (): boolean => Date.now() < silentUntil;

  function rawSend(c: Conn, msg: object): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    c.ws.send(JSON.stringify(msg));
    c.lastSent = Date.now();
  }
  /** Control messages are held during a silence window and delivered when it ends. */
  function send(c: Conn, msg: object): void {
    if (silent()) c.held.push(msg);
    else rawSend(c, msg);
  }
  function sendData(c: Conn, msg: FeedDataMessage): void {
    rawSend(c, msg);
    if (duplicates > 0) {
      duplicates--;
      rawSend(c, msg);
    }
  }

  function push(c: Conn, ch: FeedChannel, subs: Iterable<FeedSub>, snapshot: boolean): void {
    if (silent() || !c.authorized || c.channels.get(ch.id) !== ch) return;
    for (const msg of ch.push(subs, snapshot)) {
      if (msg.type === 'FEED_DATA') sendData(c, msg);
      else rawSend(c, msg);
    }
  }

  function pushAll(snapshot: boolean, underlyings?: ReadonlySet<string>): void {
    for (const c of conns) for (const ch of c.channels.values()) push(c, ch, ch.subscriptions(underlyings), snapshot);
  }

  // Market moves push at once, then at most once per publish period; the periodic sweep catches anything else that changed.
  let lastDirtyPush = 0;
  let dirtyTimer: NodeJS.Timeout | undefined;
  const dirty = new Set<string>();
  const unsubscribeMarket = market.onChange((underlyings) => {
    for (const u of underlyings) dirty.add(u);
    if (dirtyTimer !== undefined || closed) return;
    dirtyTimer = setTimeout(
      () => {
        dirtyTimer = undefined;
        lastDirtyPush = Date.now();
        const set = new Set(dirty);
        dirty.clear();
        pushAll(false, set);
      },
      Math.max(0, lastDirtyPush + publishMs - Date.now()),
    );
    dirtyTimer.unref();
  });
  const publishTimer = setInterval(() => pushAll(false), publishMs);
  publishTimer.unref();

  const houseMs = Math.max(50, Math.min(1000, (keepaliveSec * 1000) / 4));
  const houseTimer = setInterval(() => {
    const now = Date.now();
    for (const c of conns) {
      if (now - c.lastRecv > c.clientTimeoutSec * 1000) {
        log('dxlink: client keepalive timeout', { id: c.id });
        rawSend(c, errorMessage(0, 'TIMEOUT', `No message received for ${c.clientTimeoutSec}s.`));
        c.ws.close(1000, 'timeout');
        continue;
      }
      const every = (Math.min(keepaliveSec, c.clientTimeoutSec) * 1000) / 2;
      if (c.setup && !silent() && now - c.lastSent >= every) rawSend(c, keepaliveMessage());
    }
  }, houseMs);
  houseTimer.unref();

  function onChannelMessage(c: Conn, msg: ClientMessage): void {
    if (msg.type === 'CHANNEL_REQUEST') {
      if (msg.channel % 2 === 0)
        return send(c, errorMessage(0, 'BAD_ACTION', 'Protocol violation with an even channel usage.'));
      if (!c.authorized) return send(c, errorMessage(0, 'UNAUTHORIZED', 'The connection is not authorized.'));
      if (msg['service'] !== 'FEED')
        return send(c, errorMessage(msg.channel, 'BAD_ACTION', `Unsupported service: ${String(msg['service'])}.`));
      if (c.channels.has(msg.channel))
        return send(c, errorMessage(msg.channel, 'BAD_ACTION', 'The channel is already opened.'));
      const params = msg['parameters'] as Record<string, unknown> | undefined;
      const contract = typeof params?.['contract'] === 'string' ? params['contract'] : 'AUTO';
      c.channels.set(msg.channel, new FeedChannel(msg.channel, contract, market, aggregationPeriod, log));
      return send(c, channelOpenedMessage(msg.channel, contract));
    }
    const ch = c.channels.get(msg.channel);
    if (ch === undefined)
      return send(c, errorMessage(msg.channel, 'BAD_ACTION', `The channel ${msg.channel} is not opened.`));
    switch (msg.type) {
      case 'CHANNEL_CANCEL':
        c.channels.delete(ch.id);
        return send(c, channelClosedMessage(ch.id));
      case 'FEED_SETUP':
        return send(c, ch.setup(msg));
      case 'FEED_SUBSCRIPTION': {
        const { error, added } = ch.subscribe(msg);
        if (error !== undefined) send(c, error);
        return push(c, ch, added, true);
      }
      case 'ERROR':
        return log('dxlink: client channel error', { id: c.id, msg });
      default:
        return send(c, errorMessage(ch.id, 'BAD_ACTION', `Unsupported message type: ${msg.type}.`));
    }
  }

  function onMessage(c: Conn, data: RawData): void {
    c.lastRecv = Date.now();
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return send(c, parsed.error);
    const msg = parsed.msg;
    if (!c.setup && msg.type !== 'SETUP')
      return send(c, errorMessage(0, 'BAD_ACTION', 'The first message must be SETUP.'));
    if (msg.channel !== 0) return onChannelMessage(c, msg);
    switch (msg.type) {
      case 'SETUP': {
        if (typeof msg['version'] !== 'string')
          return send(c, errorMessage(0, 'INVALID_MESSAGE', 'SETUP without version.'));
        const clientTimeout = msg['keepaliveTimeout'];
        if (typeof clientTimeout === 'number' && clientTimeout > 0) c.clientTimeoutSec = clientTimeout;
        const first = !c.setup;
        c.setup = true;
        send(c, setupMessage(keepaliveSec, c.clientTimeoutSec));
        if (first && !c.authorized) send(c, authStateMessage('UNAUTHORIZED'));
        return;
      }
      case 'AUTH': {
        const token = msg['token'];
        if (typeof token === 'string' && opts.isValidToken(token)) {
          c.authorized = true;
          return send(c, authStateMessage('AUTHORIZED', userId));
        }
        log('dxlink: rejected token', { id: c.id });
        c.authorized = false;
        c.channels.clear();
        return send(c, authStateMessage('UNAUTHORIZED'));
      }
      case 'KEEPALIVE':
        return;
      case 'ERROR':
        return log('dxlink: client error', { id: c.id, msg });
      default:
        return send(c, errorMessage(0, 'BAD_ACTION', `Unsupported message type: ${msg.type}.`));
    }
  }

  wss.on('connection', (ws: WebSocket) => {
    const now = Date.now();
    const c: Conn = {
      id: nextId++,
      ws,
      setup: false,
      authorized: false,
      clientTimeoutSec: 60,
      lastSent: now,
      lastRecv: now,
      channels: new Map(),
      held: [],
    };
    conns.add(c);
    log('dxlink: connection opened', { id: c.id });
    ws.on('message', (data) => {
      try {
        onMessage(c, data);
      } catch (err) {
        log('dxlink: message handling failed', { id: c.id, error: String(err) });
        send(c, errorMessage(0, 'UNKNOWN', 'Internal error.'));
      }
    });
    ws.on('error', (err) => log('dxlink: socket error', { id: c.id, error: String(err) }));
    ws.on('close', () => {
      conns.delete(c);
      log('dxlink: connection closed', { id: c.id });
    });
  });

  function endSilence(): void {
    silenceTimer = undefined;
    silentUntil = 0; // a timer may fire a millisecond early; the window is over either way
    for (const c of conns) {
      const held = c.held.splice(0);
      for (const m of held) rawSend(c, m);
    }
    pushAll(true);
  }

  return {
    wss,
    handleUpgrade(req, socket, head) {
      if (closed) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    dropAll() {
      for (const c of [...conns]) {
        conns.delete(c);
        c.ws.terminate();
      }
      log('dxlink: dropped all connections');
    },
    silence(ms) {
      silentUntil = Math.max(silentUntil, Date.now() + ms);
      if (silenceTimer !== undefined) clearTimeout(silenceTimer);
      silenceTimer = setTimeout(endSilence, Math.max(0, silentUntil - Date.now()));
      silenceTimer.unref();
    },
    duplicatePushes(count) {
      duplicates += Math.max(0, Math.floor(count));
    },
    connectionCount: () => conns.size,
    close() {
      closed = true;
      unsubscribeMarket();
      clearInterval(publishTimer);
      clearInterval(houseTimer);
      if (dirtyTimer !== undefined) clearTimeout(dirtyTimer);
      if (silenceTimer !== undefined) clearTimeout(silenceTimer);
      for (const c of conns) c.ws.terminate();
      conns.clear();
      return new Promise<void>((res) => wss.close(() => res()));
    },
  };
}
