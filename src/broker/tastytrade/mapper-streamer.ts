// Owns account-streamer messages → Legwork: status acks, typed notifications (also data-only ones, whose type is
// inferred), and Order / CurrentPosition / AccountBalance notifications → AccountEvent. Pure.
import type { AccountEvent } from '../../pipeline/ports.js';
import { parseBalances, parsePosition } from './mapper-account.js';
import { parseOrder } from './mapper-orders.js';
import { compact, wireError } from './mapper-util.js';
import { isObject, parseWire, TtStreamerAck, TtStreamerNotification } from './wire.js';

export type StreamerMessage =
  | {
      kind: 'ack';
      action: string;
      status: 'ok' | 'error';
      requestId?: number;
      sessionId?: string;
      value?: unknown;
      message?: string;
    }
  | { kind: 'notification'; type: string; data: unknown; timestamp?: number; sequence?: number };

const KIND = 'account-streamer message';

/** The notification type of a bare `data` object (publishers sometimes keep only that), or undefined. */
export function inferNotificationType(data: unknown): 'Order' | 'CurrentPosition' | 'AccountBalance' | undefined {
  if (!isObject(data)) return undefined;
  if (Array.isArray(data['legs']) && 'status' in data && 'order-type' in data) return 'Order';
  if ('quantity-direction' in data && 'symbol' in data) return 'CurrentPosition';
  if ('net-liquidating-value' in data && 'cash-balance' in data) return 'AccountBalance';
  return undefined;
}

/**
 * One message of the account streamer, as the SDK's message observers receive it (a `results` batch is split by the
 * SDK, so it is refused here). Acks carry `action` + `status`; notifications `type` + `data`; a bare data object is a
 * notification whose type is inferred from its keys.
 */
export function parseStreamerMessage(json: unknown): StreamerMessage {
  if (!isObject(json)) throw wireError(KIND, '$', `expected an object, got ${JSON.stringify(json)?.slice(0, 100)}`);
  if (Array.isArray(json['results']))
    throw wireError(KIND, '$.results', 'a results batch: hand each element over on its own');
  if ('action' in json) {
    const a = parseWire(KIND, TtStreamerAck, json);
    return compact<StreamerMessage>({
      kind: 'ack',
      action: a.action,
      status: a.status,
      requestId: a['request-id'],
      sessionId: a['web-socket-session-id'],
      value: a.value,
      message: a.message,
    });
  }
  if ('type' in json) {
    const n = parseWire(KIND, TtStreamerNotification, json);
    return compact<StreamerMessage>({
      kind: 'notification',
      type: n.type,
      data: n.data,
      timestamp: n.timestamp,
      sequence: n['ws-sequence'],
    });
  }
  const type = inferNotificationType(json);
  if (!type)
    throw wireError(
      KIND,
      '$',
      'neither an ack (action, status), a notification (type, data) nor a bare Order/CurrentPosition/AccountBalance',
    );
  return { kind: 'notification', type, data: json };
}

/** A notification's data → AccountEvent for Order, CurrentPosition and AccountBalance; other types → null. */
export function notificationToEvent(
  type: string,
  data: unknown,
  receivedAt: number,
  sequence?: number,
): AccountEvent | null {
  const seq = sequence === undefined ? {} : { sequence };
  switch (type) {
    case 'Order':
      return { kind: 'order', order: parseOrder(data), receivedAt, ...seq };
    case 'CurrentPosition':
      return { kind: 'position', position: parsePosition(data), receivedAt, ...seq };
    case 'AccountBalance':
      return { kind: 'balance', balances: parseBalances(data), receivedAt, ...seq };
    default:
      return null;
  }
}
