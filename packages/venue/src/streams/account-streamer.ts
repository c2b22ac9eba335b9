// Owns the venue's account-streamer WebSocket: connect/heartbeat acks, per-account notifications, stream faults.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Venue, VenueEvent } from '../types.js';

export interface AccountStreamerOptions {
  venue: Venue;
  isValidToken: (authToken: string | undefined) => boolean;
  /** Tastytrade drops a socket that has not heartbeated for about 60 s. */
  idleTimeoutMs?: number;
  wallNow?: () => number;
}

interface Session {
  socket: WebSocket;
  id: string;
  accounts: Set<string>;
  sequence: number;
  idleTimer?: NodeJS.Timeout;
}

export interface AccountStreamerServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket abruptly (code 1006-like termination); clients see the stream drop. */
  dropAll(): void;
  /** Sends nothing (no acks, no notifications) for `ms`; notifications in that window are lost, as on a dead link. */
  silence(ms: number): void;
  duplicateNext(count: number): void;
  reorderNext(count: number): void;
  connectionCount(): number;
  close(): Promise<void>;
}

export function createAccountStreamer(options: AccountStreamerOptions): AccountStreamerServer {
  const wallNow = options.wallNow ?? Date.now;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Set<Session>();
  let silentUntil = 0;
  let duplicates = 0;
  let reorders = 0;
  const held = new Map<Session, string>(); // one notification held back per session while reordering

  const isSilent = () => wallNow() < silentUntil;
  const rawSend = (session: Session, text: string) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(text);
  };
  const reply = (session: Session, message: Record<string, unknown>) => {
    if (!isSilent()) rawSend(session, JSON.stringify(message));
  };

  const touch = (session: Session) => {
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => session.socket.terminate(), idleTimeoutMs);
    session.idleTimer.unref();
  };

  const notify = (session: Session, event: VenueEvent) => {
    if (isSilent()) return;
    session.sequence += 1;
    const text = JSON.stringify({
      type: event.type,
      data: event.data,
      timestamp: wallNow(),
      'ws-sequence': session.sequence,
    });
    const heldText = held.get(session);
    if (heldText !== undefined) {
      held.delete(session);
      rawSend(session, text);
      rawSend(session, heldText);
      return;
    }
    if (reorders > 0) {
      reorders -= 1;
      held.set(session, text);
      // Never hold a message forever: release it if nothing follows soon
      setTimeout(() => {
        if (held.get(session) === text) {
          held.delete(session);
          rawSend(session, text);
        }
      }, 250).unref();
      return;
    }
    rawSend(session, text);
    if (duplicates > 0) {
      duplicates -= 1;
      rawSend(session, text);
    }
  };

  const unsubscribeVenue = options.venue.onEvent((accountNumber, event) => {
    for (const session of sessions) if (session.accounts.has(accountNumber)) notify(session, event);
  });

  const handleMessage = (session: Session, data: string) => {
    touch(session);
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data) as Record<string, unknown>;
    } catch {
      reply(session, {
        status: 'error',
        action: 'unknown',
        'web-socket-session-id': session.id,
        message: 'invalid json',
      });
      return;
    }
    const action = typeof message['action'] === 'string' ? message['action'] : 'unknown';
    const requestId = message['request-id'];
    const authToken = typeof message['auth-token'] === 'string' ? message['auth-token'] : undefined;
    // Real replies to a failed request carry no request-id (recorded); the SDK then never settles its promise
    const fail = (text: string) =>
      reply(session, { status: 'error', action, 'web-socket-session-id': session.id, message: text });
    if (!options.isValidToken(authToken)) return fail('failed');
    if (action === 'heartbeat') {
      reply(session, { status: 'ok', action, 'web-socket-session-id': session.id, 'request-id': requestId });
      return;
    }
    if (action === 'connect' || action === 'account-subscribe') {
      const value = message['value'];
      const wanted = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
      const known = new Set(options.venue.accountNumbers());
      if (wanted.length === 0 || wanted.some((a) => !known.has(a))) return fail('failed');
      for (const a of wanted) session.accounts.add(a);
      reply(session, {
        status: 'ok',
        action,
        'web-socket-session-id': session.id,
        value: [...session.accounts],
        'request-id': requestId,
      });
      return;
    }
    if (
      action === 'public-watchlists-subscribe' ||
      action === 'quote-alerts-subscribe' ||
      action === 'user-message-subscribe'
    ) {
      reply(session, { status: 'ok', action, 'web-socket-session-id': session.id, 'request-id': requestId });
      return;
    }
    fail('not implemented');
  };

  wss.on('connection', (socket) => {
    const session: Session = { socket, id: randomBytes(4).toString('hex'), accounts: new Set(), sequence: 0 };
    sessions.add(session);
    touch(session);
    socket.on('message', (data) => handleMessage(session, data.toString()));
    socket.on('close', () => {
      clearTimeout(session.idleTimer);
      held.delete(session);
      sessions.delete(session);
    });
    socket.on('error', () => socket.terminate());
  });

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    dropAll() {
      for (const s of sessions) s.socket.terminate();
    },
    silence(ms) {
      silentUntil = wallNow() + ms;
    },
    duplicateNext(count) {
      duplicates += count;
    },
    reorderNext(count) {
      reorders += count;
    },
    connectionCount: () => sessions.size,
    async close() {
      unsubscribeVenue();
      for (const s of sessions) s.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
