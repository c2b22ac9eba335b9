// Owns the DXLink wire vocabulary for the venue's dxFeed server: pure builders of every server→client message and the client-message guard.

// Shapes follow the recorded real messages in test/fixtures/tastytrade/ws_dxlink_*.json (checked by packages/venue/test/unit/dxlink-fidelity.test.ts).

/** A value inside a COMPACT FEED_DATA record: numbers, "NaN"/"Infinity"/"-Infinity" strings, strings, booleans. */
export type FeedValue = number | string | boolean;

export type DxlinkErrorType =
  | 'UNKNOWN'
  | 'UNSUPPORTED_PROTOCOL'
  | 'TIMEOUT'
  | 'UNAUTHORIZED'
  | 'INVALID_MESSAGE'
  | 'BAD_ACTION';

/** Server version string, same form as the real tastytrade dxLink ("1.0-1.2.1-20240722-153442"). */
export const DXLINK_SERVER_VERSION = '1.0-1.2.1-20240722-153442';

export interface SetupMessage {
  type: 'SETUP';
  channel: 0;
  keepaliveTimeout: number;
  acceptKeepaliveTimeout: number;
  version: string;
}

export function setupMessage(
  keepaliveTimeout: number,
  acceptKeepaliveTimeout: number,
  version = DXLINK_SERVER_VERSION,
): SetupMessage {
  return { type: 'SETUP', channel: 0, keepaliveTimeout, acceptKeepaliveTimeout, version };
}

export type AuthStateMessage =
  | { type: 'AUTH_STATE'; channel: 0; state: 'UNAUTHORIZED' }
  | { type: 'AUTH_STATE'; channel: 0; state: 'AUTHORIZED'; userId: string };

export function authStateMessage(state: 'UNAUTHORIZED'): AuthStateMessage;
export function authStateMessage(state: 'AUTHORIZED', userId: string): AuthStateMessage;
export function authStateMessage(state: 'AUTHORIZED' | 'UNAUTHORIZED', userId?: string): AuthStateMessage {
  return state === 'AUTHORIZED'
    ? { type: 'AUTH_STATE', channel: 0, state, userId: userId ?? '' }
    : { type: 'AUTH_STATE', channel: 0, state };
}

export interface ChannelOpenedMessage {
  type: 'CHANNEL_OPENED';
  channel: number;
  service: string;
  parameters: { contract: string; subFormat: 'LIST' };
}

export function channelOpenedMessage(channel: number, contract: string, service = 'FEED'): ChannelOpenedMessage {
  return { type: 'CHANNEL_OPENED', channel, service, parameters: { contract, subFormat: 'LIST' } };
}

export function channelClosedMessage(channel: number): { type: 'CHANNEL_CLOSED'; channel: number } {
  return { type: 'CHANNEL_CLOSED', channel };
}

export interface FeedConfigMessage {
  type: 'FEED_CONFIG';
  channel: number;
  dataFormat: 'COMPACT';
  aggregationPeriod: number;
  eventFields?: Record<string, string[]>;
}

/** FEED_CONFIG; `eventFields` only when announcing the record layout of event types (before their first FEED_DATA). */
export function feedConfigMessage(
  channel: number,
  aggregationPeriod: number,
  eventFields?: Record<string, string[]>,
): FeedConfigMessage {
  const msg: FeedConfigMessage = { type: 'FEED_CONFIG', channel, dataFormat: 'COMPACT', aggregationPeriod };
  if (eventFields !== undefined && Object.keys(eventFields).length > 0) msg.eventFields = eventFields;
  return msg;
}

export interface FeedDataMessage {
  type: 'FEED_DATA';
  channel: number;
  data: [string, FeedValue[]];
}

/** One event type per message (the JS client reads only the first [type, values] pair). */
export function feedDataMessage(channel: number, eventType: string, values: FeedValue[]): FeedDataMessage {
  return { type: 'FEED_DATA', channel, data: [eventType, values] };
}

export interface ErrorMessage {
  type: 'ERROR';
  channel: number;
  error: DxlinkErrorType;
  message: string;
}

export function errorMessage(channel: number, error: DxlinkErrorType, message: string): ErrorMessage {
  return { type: 'ERROR', channel, error, message };
}

export function keepaliveMessage(): { type: 'KEEPALIVE'; channel: 0 } {
  return { type: 'KEEPALIVE', channel: 0 };
}

/** Encodes a double the way dxLink JSON does: non-finite values become "NaN" / "Infinity" / "-Infinity". */
export function jsonDouble(x: number | undefined | null): number | string {
  if (x === undefined || x === null || Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}

/** A parsed client frame: a JSON object with string `type` and integer `channel`. */
export interface ClientMessage {
  type: string;
  channel: number;
  [key: string]: unknown;
}

export type ParseResult = { ok: true; msg: ClientMessage } | { ok: false; error: ErrorMessage };

export function parseClientMessage(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: errorMessage(0, 'INVALID_MESSAGE', 'The message is not valid JSON.') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: errorMessage(0, 'INVALID_MESSAGE', 'The message is not a JSON object.') };
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj['type'] !== 'string') {
    return { ok: false, error: errorMessage(0, 'INVALID_MESSAGE', 'The message has no string "type".') };
  }
  const channel = obj['channel'];
  if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 0) {
    return { ok: false, error: errorMessage(0, 'INVALID_MESSAGE', 'The message has no valid "channel".') };
  }
  return { ok: true, msg: obj as ClientMessage };
}

/** One entry of FEED_SUBSCRIPTION add/remove. */
export interface FeedSubscriptionEntry {
  type: string;
  symbol: string;
  fromTime?: number;
  source?: string;
}

/** Splits a FEED_SUBSCRIPTION list into valid entries and a count of malformed ones. */
export function parseSubscriptionList(list: unknown): { entries: FeedSubscriptionEntry[]; bad: number } {
  if (list === undefined) return { entries: [], bad: 0 };
  if (!Array.isArray(list)) return { entries: [], bad: 1 };
  const entries: FeedSubscriptionEntry[] = [];
  let bad = 0;
  for (const item of list) {
    const o = item as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o['type'] !== 'string' || typeof o['symbol'] !== 'string') {
      bad++;
      continue;
    }
    const entry: FeedSubscriptionEntry = { type: o['type'], symbol: o['symbol'] };
    if (typeof o['fromTime'] === 'number') entry.fromTime = o['fromTime'];
    if (typeof o['source'] === 'string') entry.source = o['source'];
    entries.push(entry);
  }
  return { entries, bad };
}

export function subscriptionKey(e: { type: string; symbol: string; source?: string }): string {
  return `${e.type}${e.source !== undefined ? `#${e.source}` : ''}:${e.symbol}`;
}
