// Owns the unit tests of DXLink record layouts: acceptEventFields honoured as asked (order, spelling, unknown names).
import { describe, expect, it } from 'vitest';
import {
  EVENT_FIELDS,
  compactValues,
  negotiateEventFields,
  type EventRecord,
} from '../../src/streams/dxlink-events.js';

const quote: EventRecord = {
  eventType: 'Quote',
  eventSymbol: 'SPY',
  bidPrice: 1.5,
  askPrice: 1.6,
  bidSize: 10,
  askSize: 'NaN',
};
const candle: EventRecord = { eventType: 'Candle', eventSymbol: 'SPY{=d}', close: 690.5, VWAP: 689.9 };

describe('negotiateEventFields', () => {
  it('keeps the requested order and spelling, unknown names included; a repeat (in any case) counts once', () => {
    expect(
      negotiateEventFields('Quote', ['askPrice', 'eventSymbol', 'mystery', 'BIDPRICE', 'bidPrice', 'askprice']),
    ).toEqual(['askPrice', 'eventSymbol', 'mystery', 'BIDPRICE']);
  });

  it('falls back to the default layout when nothing usable is asked, and knows no unpublished event type', () => {
    expect(negotiateEventFields('Quote', undefined)).toEqual([...EVENT_FIELDS.Quote]);
    expect(negotiateEventFields('Quote', [])).toEqual([...EVENT_FIELDS.Quote]);
    expect(negotiateEventFields('Quote', [7, null, ''])).toEqual([...EVENT_FIELDS.Quote]);
    expect(negotiateEventFields('TimeAndSale', ['price'])).toBeUndefined();
  });
});

describe('compactValues', () => {
  it('sends values in the layout order, matching names case-insensitively; unknown names are "NaN"', () => {
    expect(compactValues([quote], ['askPrice', 'EVENTSYMBOL', 'mystery', 'bidprice'])).toEqual([
      1.6,
      'SPY',
      'NaN',
      1.5,
    ]);
    expect(compactValues([candle], ['vwap', 'Close'])).toEqual([689.9, 690.5]);
  });

  it('never reads inherited object properties as field values', () => {
    expect(compactValues([quote], ['constructor', 'toString', '__proto__'])).toEqual(['NaN', 'NaN', 'NaN']);
  });
});
