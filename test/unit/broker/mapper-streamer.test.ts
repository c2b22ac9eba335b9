// Owns the streamer and error-body mappers' contract: acks vs notifications, inferred data-only types, events for
// Order/CurrentPosition/AccountBalance only, and both error item shapes.
import { describe, expect, it } from 'vitest';
import {
  inferNotificationType,
  notificationToEvent,
  parseErrorBody,
  parseStreamerMessage,
} from '../../../src/broker/tastytrade/mapper.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const position = {
  'account-number': '5WT00000',
  symbol: 'SPY',
  'instrument-type': 'Equity',
  'underlying-symbol': 'SPY',
  quantity: 0,
  'quantity-direction': 'Zero',
  'average-open-price': '0.0',
  multiplier: 1,
};

describe('parseStreamerMessage', () => {
  it('an ack with a string request-id and a notification with ws-sequence', () => {
    expect(parseStreamerMessage({ status: 'ok', action: 'heartbeat', 'request-id': '4' })).toEqual({
      kind: 'ack',
      action: 'heartbeat',
      status: 'ok',
      requestId: 4,
    });
    expect(parseStreamerMessage({ type: 'TradingStatus', data: { x: 1 }, timestamp: 5, 'ws-sequence': 9 })).toEqual({
      kind: 'notification',
      type: 'TradingStatus',
      data: { x: 1 },
      timestamp: 5,
      sequence: 9,
    });
  });

  it('a data-only CurrentPosition is recognised; unrecognisable data, batches and bad statuses are refused', () => {
    expect(parseStreamerMessage(position)).toMatchObject({ kind: 'notification', type: 'CurrentPosition' });
    expect(inferNotificationType({ foo: 1 })).toBeUndefined();
    expect(() => parseStreamerMessage({ foo: 1 })).toThrow(WireFormatError);
    expect(() => parseStreamerMessage({ results: [{ status: 'ok', action: 'heartbeat' }] })).toThrow(/\$\.results/);
    expect(() => parseStreamerMessage({ status: 'maybe', action: 'connect' })).toThrow(/\$\.status/);
    expect(() => parseStreamerMessage('hello')).toThrow(WireFormatError);
  });
});

describe('notificationToEvent', () => {
  it('CurrentPosition → position event; other types → null', () => {
    expect(notificationToEvent('CurrentPosition', position, 3)).toMatchObject({
      kind: 'position',
      receivedAt: 3,
      position: { symbol: 'SPY', quantity: 0 },
    });
    for (const type of ['ComplexOrder', 'ExternalTransaction', 'TradingStatus', 'QuoteAlert', 'OrderChain'])
      expect(notificationToEvent(type, {}, 0)).toBeNull();
  });

  it('an unreadable Order payload throws a WireFormatError (never a half-mapped order)', () => {
    expect(() => notificationToEvent('Order', { id: 1, status: 'Live' }, 0)).toThrow(WireFormatError);
  });
});

describe('parseErrorBody', () => {
  it('undefined for bodies without error', () => {
    expect(parseErrorBody({ data: {} })).toBeUndefined();
    expect(parseErrorBody('<html>401</html>')).toBeUndefined();
    expect(parseErrorBody(null)).toBeUndefined();
  });

  it('both item shapes in one body, a numeric code (406 version error), a string error', () => {
    expect(
      parseErrorBody({
        error: {
          code: 'x',
          message: 'm',
          errors: [
            { code: 'a', message: 'b', 'preflight-id': 0 },
            { domain: 'legs', reason: 'is missing' },
            { code: 'only_code' },
          ],
        },
      }),
    ).toEqual({
      code: 'x',
      message: 'm',
      details: [
        { code: 'a', message: 'b' },
        { domain: 'legs', message: 'is missing' },
        { code: 'only_code', message: 'only_code' },
      ],
    });
    expect(parseErrorBody({ error: { code: 406, message: 'The requested version is not supported.' } })).toEqual({
      code: '406',
      message: 'The requested version is not supported.',
      details: [],
    });
    expect(parseErrorBody({ error: 'BAD_ACTION' })).toEqual({ message: 'BAD_ACTION', details: [] });
  });

  it('never throws on an odd error value', () => {
    expect(parseErrorBody({ error: { errors: 'many' } })?.message).toMatch(/^unreadable Tastytrade error/);
  });
});
