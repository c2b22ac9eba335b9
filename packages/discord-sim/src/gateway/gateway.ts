// Owns the gateway WebSocket (JSON encoding, no compression; Discord docs: topics/gateway, topics/gateway-events,
// topics/opcodes-and-status-codes): HELLO on connect; IDENTIFY → READY then GUILD_CREATE; HEARTBEAT → HEARTBEAT_ACK;
// RESUME → the missed dispatches in order then RESUMED, or INVALID_SESSION; the close codes of protocol errors; and the
// faults tests inject: dropped connections, an outage during which connections are refused, unanswered heartbeats.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { DiscordSimConfig } from '../config.js';
import { ALL_INTENTS } from '../intents.js';
import type { Json, OutboundEvent } from '../types.js';
import { shapeForIntents } from './intent-filter.js';
import { type Session, SessionStore } from './sessions.js';

export type GatewayPath = 'connect' | 'resume';
export type DropMode = 'terminate' | 'close' | 'reconnect' | 'invalid-session';
/** refuse: 503 at once; reset: the socket is cut; stall: the handshake hangs until the outage ends, then 503. */
export type OutageMode = 'refuse' | 'reset' | 'stall';

export interface GatewayOptions {
  config: DiscordSimConfig;
  isValidToken: (token: string) => boolean;
  /** READY's data for a new session (the gateway adds session_id and resume_gateway_url). */
  readyData: (shard: [number, number] | undefined) => Json;
  /** The dispatches that follow READY (GUILD_CREATE), shaped per intents like any event. */
  afterReady: () => OutboundEvent[];
  now?: () => number;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

export interface GatewayStats {
  /** WebSocket upgrades asked for (accepted or refused). */
  attempts: number;
  /** Upgrades refused during an outage. */
  refused: number;
  connections: number;
  /** Connections opened on resume_gateway_url (the rest on the URL of GET /gateway/bot). */
  resumeUrlConnections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
}

export interface GatewayState extends GatewayStats {
  open: number;
  outageUntil: string | null;
  ackHeartbeats: boolean;
  sessions: { id: string; seq: number; intents: number; attached: boolean }[];
}

interface Conn {
  ws: WebSocket;
  session: Session | null;
  resumeUrl: string;
}

export const RESUME_PATH = '/gateway/resume';
const CLOSE = {
  UNKNOWN_ERROR: 4000,
  UNKNOWN_OPCODE: 4001,
  DECODE_ERROR: 4002,
  NOT_AUTHENTICATED: 4003,
  AUTHENTICATION_FAILED: 4004,
  ALREADY_AUTHENTICATED: 4005,
  INVALID_SEQ: 4007,
  INVALID_SHARD: 4010,
  INVALID_API_VERSION: 4012,
  INVALID_INTENTS: 4013,
  DISALLOWED_INTENTS: 4014,
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const frame = (op: number, d: unknown) => JSON.stringify({ op, d, s: null, t: null });

export function createGateway(options: GatewayOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new SessionStore(config.replayBufferSize, config.sessionTimeoutMs, now);
  const conns = new Set<Conn>();
  const attached = new Map<string, Conn>();
  const stats: GatewayStats = {
    attempts: 0,
    refused: 0,
    connections: 0,
    resumeUrlConnections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    heartbeats: 0,
  };
  let outage: { until: number; mode: OutageMode } | null = null;
  let ackHeartbeats = true;
  /** Handshakes held by a stalling outage, answered (503) when it ends or the server closes. */
  const stalled = new Set<{ socket: Duplex; timer: NodeJS.Timeout }>();
  const refuse = (socket: Duplex) =>
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  /** Ends every held handshake now: refused when an outage ends, cut when the server closes. */
  const endStalled = (end: (socket: Duplex) => void) => {
    for (const held of stalled) {
      clearTimeout(held.timer);
      end(held.socket);
    }
    stalled.clear();
  };

  const send = (conn: Conn, data: string | object) => {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
  };
  const closeWith = (conn: Conn, code: number, reason: string) => {
    log('gateway closing a connection', { code, reason });
    conn.ws.close(code, reason);
  };

  function attach(conn: Conn, session: Session): void {
    const previous = attached.get(session.id);
    if (previous && previous !== conn) {
      previous.session = null;
      previous.ws.terminate();
    }
    conn.session = session;
    session.detachedAt = null;
    attached.set(session.id, conn);
  }

  function invalidSession(conn: Conn, resumable: boolean): void {
    stats.invalidSessions += 1;
    send(conn, frame(9, resumable));
  }

  function identify(conn: Conn, d: unknown): void {
    if (conn.session) return closeWith(conn, CLOSE.ALREADY_AUTHENTICATED, 'Already authenticated.');
    if (!isObject(d)) return closeWith(conn, CLOSE.UNKNOWN_OPCODE, 'Invalid payload for IDENTIFY.');
    if (typeof d['token'] !== 'string' || !options.isValidToken(d['token']))
      return closeWith(conn, CLOSE.AUTHENTICATION_FAILED, 'Authentication failed.');
    const intents = d['intents'];
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0)
      return closeWith(conn, CLOSE.INVALID_INTENTS, 'Invalid intent(s).');
    const privileged = intents & ((1 << 1) | (1 << 8) | (1 << 15));
    if ((privileged & ~config.allowedPrivilegedIntents) !== 0)
      return closeWith(conn, CLOSE.DISALLOWED_INTENTS, 'Disallowed intent(s).');
    const shard = d['shard'];
    if (shard !== undefined && (!Array.isArray(shard) || shard[0] !== 0 || shard[1] !== 1))
      return closeWith(conn, CLOSE.INVALID_SHARD, 'Invalid shard (this server runs one shard: [0, 1]).');
    stats.identifies += 1;
    const session = sessions.create(intents);
    attach(conn, session);
    const ready = {
      ...options.readyData(shard as [number, number] | undefined),
      session_id: session.id,
      resume_gateway_url: conn.resumeUrl,
    };
    send(conn, session.record('READY', ready));
    for (const event of options.afterReady()) {
      const shaped = shapeForIntents(event, session.intents);
      if (shaped) send(conn, session.record(event.t, shaped));
    }
  }

  function resume(conn: Conn, d: unknown): void {
    if (conn.session) return closeWith(conn, CLOSE.ALREADY_AUTHENTICATED, 'Already authenticated.');
    if (!isObject(d) || typeof d['session_id'] !== 'string' || typeof d['seq'] !== 'number')
      return closeWith(conn, CLOSE.UNKNOWN_OPCODE, 'Invalid payload for RESUME.');
    if (typeof d['token'] !== 'string' || !options.isValidToken(d['token']))
      return closeWith(conn, CLOSE.AUTHENTICATION_FAILED, 'Authentication failed.');
    const session = sessions.get(d['session_id']);
    if (!session) return invalidSession(conn, false);
    if (d['seq'] > session.seq) return closeWith(conn, CLOSE.INVALID_SEQ, 'Invalid seq.');
    const missed = session.replayAfter(d['seq']);
    if (!missed) {
      sessions.invalidate(session.id);
      return invalidSession(conn, false);
    }
    stats.resumes += 1;
    attach(conn, session);
    for (const payload of missed) send(conn, payload);
    send(conn, session.stamp('RESUMED', {}));
  }

  function onMessage(conn: Conn, raw: WebSocket.RawData, isBinary: boolean): void {
    let payload: unknown;
    try {
      payload = isBinary ? undefined : JSON.parse(raw.toString());
    } catch {
      payload = undefined;
    }
    if (!isObject(payload) || typeof payload['op'] !== 'number')
      return closeWith(conn, CLOSE.DECODE_ERROR, 'Error while decoding payload.');
    switch (payload['op']) {
      case 1:
        stats.heartbeats += 1;
        if (ackHeartbeats) send(conn, frame(11, null));
        return;
      case 2:
        return identify(conn, payload['d']);
      case 6:
        return resume(conn, payload['d']);
      case 3: // presence update
      case 4: // voice state update
      case 8: // request guild members
      case 31: // request soundboard sounds
      case 43: // request channel info
        if (!conn.session) return closeWith(conn, CLOSE.NOT_AUTHENTICATED, 'Not authenticated.');
        return;
      default:
        return closeWith(conn, CLOSE.UNKNOWN_OPCODE, 'Unknown opcode.');
    }
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    stats.connections += 1;
    const url = new URL(req.url ?? '/', 'ws://localhost');
    if (url.pathname.replace(/\/+$/, '') === RESUME_PATH) stats.resumeUrlConnections += 1;
    const host = req.headers.host ?? '127.0.0.1';
    const conn: Conn = { ws, session: null, resumeUrl: `ws://${host}${RESUME_PATH}` };
    conns.add(conn);
    ws.on('message', (raw, isBinary) => onMessage(conn, raw, isBinary));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      conns.delete(conn);
      const session = conn.session;
      if (!session || attached.get(session.id) !== conn) return;
      attached.delete(session.id);
      session.detachedAt = now();
      // "When you close the connection with close code 1000 or 1001, your session will be invalidated"
      if (code === 1000 || code === 1001) sessions.invalidate(session.id);
    });
    const v = url.searchParams.get('v');
    const encoding = url.searchParams.get('encoding');
    if (v !== null && v !== '10') return closeWith(conn, CLOSE.INVALID_API_VERSION, 'Invalid API version.');
    if (encoding !== null && encoding !== 'json')
      return closeWith(conn, CLOSE.DECODE_ERROR, 'Only encoding=json is served here.');
    send(conn, frame(10, { heartbeat_interval: config.heartbeatIntervalMs }));
  }

  function inOutage(): OutageMode | null {
    if (outage && now() >= outage.until) outage = null;
    return outage?.mode ?? null;
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      stats.attempts += 1;
      const mode = inOutage();
      if (mode) {
        stats.refused += 1;
        if (mode === 'refuse') refuse(socket);
        else if (mode === 'stall') {
          const held = {
            socket,
            timer: setTimeout(
              () => {
                stalled.delete(held);
                refuse(socket);
              },
              Math.max(0, (outage?.until ?? 0) - now()),
            ),
          };
          stalled.add(held);
        } else socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
    },

    /** Sends an event to every session whose intents take it (buffered for replay when its connection is gone). */
    dispatch(event: OutboundEvent): void {
      for (const session of sessions.all()) {
        const shaped = shapeForIntents(event, session.intents);
        if (!shaped) continue;
        const payload = session.record(event.t, shaped);
        const conn = attached.get(session.id);
        if (conn) send(conn, payload);
      }
    },

    /** Drops every open connection; returns how many. `invalidate` also forgets the sessions (RESUME then fails). */
    drop(opts: { mode: DropMode; code?: number; invalidate?: boolean; resumable?: boolean }): number {
      const open = [...conns];
      if (opts.invalidate) sessions.invalidateAll();
      for (const conn of open) {
        if (opts.mode === 'terminate') conn.ws.terminate();
        else if (opts.mode === 'close') conn.ws.close(opts.code ?? CLOSE.UNKNOWN_ERROR, 'Dropped by the control API.');
        else if (opts.mode === 'reconnect') send(conn, frame(7, null));
        else {
          if (conn.session && !opts.resumable) sessions.invalidate(conn.session.id);
          invalidSession(conn, opts.resumable === true);
        }
      }
      return open.length;
    },

    /** For `ms`, connections are refused (503) or reset; open ones are cut now. */
    outage(ms: number, mode: OutageMode = 'refuse'): void {
      outage = ms > 0 ? { until: now() + ms, mode } : null;
      if (outage) for (const conn of [...conns]) conn.ws.terminate();
      else endStalled(refuse);
    },

    setHeartbeatAcks(enabled: boolean): void {
      ackHeartbeats = enabled;
    },

    state(): GatewayState {
      inOutage();
      return {
        ...stats,
        open: conns.size,
        outageUntil: outage ? new Date(outage.until).toISOString() : null,
        ackHeartbeats,
        sessions: sessions
          .all()
          .map((s) => ({ id: s.id, seq: s.seq, intents: s.intents, attached: attached.has(s.id) })),
      };
    },

    async close(): Promise<void> {
      endStalled((socket) => socket.destroy());
      for (const conn of conns) conn.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
