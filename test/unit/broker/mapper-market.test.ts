// Owns the market mapper's contract: multi-root chains merged, missing streamer symbols computed, metrics, quote token,
// market session, and DXLink Quote/Greeks events with "NaN" strings.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  parseGreeksEvent,
  parseMarketMetrics,
  parseMarketSession,
  parseNestedChain,
  parseQuoteEvent,
  parseQuoteToken,
} from '../../../src/broker/tastytrade/mapper.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const caught = (run: () => unknown): WireFormatError => {
  try {
    run();
  } catch (e) {
    if (e instanceof WireFormatError) return e;
    throw e;
  }
  throw new Error('expected a WireFormatError');
};

const strike = (root: string, yymmdd: string, k: number, streamer = true) => {
  const occ = (r: string) => `${root.padEnd(6)}${yymmdd}${r}${String(k * 1000).padStart(8, '0')}`;
  return {
    'strike-price': Number.isInteger(k) ? `${k}.0` : String(k),
    call: occ('C'),
    put: occ('P'),
    ...(streamer
      ? { 'call-streamer-symbol': `.${root}${yymmdd}C${k}`, 'put-streamer-symbol': `.${root}${yymmdd}P${k}` }
      : {}),
  };
};
const chainItem = (root: string, over: Record<string, unknown>, expirations: unknown[]) => ({
  'underlying-symbol': 'SPX',
  'root-symbol': root,
  'option-chain-type': 'Standard',
  'shares-per-contract': 100,
  'tick-sizes': [{ threshold: '3.0', value: '0.05' }, { value: '0.1' }],
  expirations,
  ...over,
});

describe('parseNestedChain', () => {
  const spx = chainItem('SPX', {}, [
    {
      'expiration-type': 'Regular',
      'expiration-date': '2026-06-19',
      'days-to-expiration': 7,
      'settlement-type': 'AM',
      strikes: [strike('SPX', '260619', 6000)],
    },
  ]);
  const spxw = chainItem('SPXW', { 'tick-sizes': [{ value: '0.05' }] }, [
    {
      'expiration-type': 'Weekly',
      'expiration-date': '2026-06-19',
      'days-to-expiration': 7,
      'settlement-type': 'PM',
      strikes: [strike('SPXW', '260619', 6000)],
    },
    // Strikes out of order and without streamer symbols, as in the futures recording
    {
      'expiration-type': 'Weekly',
      'expiration-date': '2026-06-15',
      'days-to-expiration': 3,
      'settlement-type': 'PM',
      strikes: [strike('SPXW', '260615', 6010, false), strike('SPXW', '260615', 5990.5, false)],
    },
  ]);
  const adjusted = chainItem('SPX1', { 'option-chain-type': 'Non-standard' }, [
    {
      'expiration-type': 'Regular',
      'expiration-date': '2026-06-01',
      'days-to-expiration': 1,
      'settlement-type': 'AM',
      strikes: [strike('SPX1', '260601', 10)],
    },
  ]);

  it('merges SPX and SPXW: dates sorted, the underlying root first on a shared date, its ticks and size kept', () => {
    const chain = parseNestedChain([spxw, adjusted, spx], 'SPX');
    expect(chain).toMatchObject({
      underlying: 'SPX',
      root: 'SPX',
      sharesPerContract: 100,
      tickSizes: [
        { threshold: 3, valueCents: 5 },
        { threshold: null, valueCents: 10 },
      ],
    });
    expect(
      chain.expirations.map((e) => [e.expiration, e.settlementType, e.strikes[0]?.callSymbol.slice(0, 6)]),
    ).toEqual([
      ['2026-06-15', 'PM', 'SPXW  '],
      ['2026-06-19', 'AM', 'SPX   '],
      ['2026-06-19', 'PM', 'SPXW  '],
    ]);
  });

  it('computes missing streamer symbols from the OCC symbols and sorts strikes', () => {
    const [first] = parseNestedChain([spxw], 'SPX').expirations;
    expect(first?.strikes).toEqual([
      {
        strike: 5990.5,
        callSymbol: 'SPXW  260615C05990500',
        callStreamerSymbol: '.SPXW260615C5990.5',
        putSymbol: 'SPXW  260615P05990500',
        putStreamerSymbol: '.SPXW260615P5990.5',
      },
      {
        strike: 6010,
        callSymbol: 'SPXW  260615C06010000',
        callStreamerSymbol: '.SPXW260615C6010',
        putSymbol: 'SPXW  260615P06010000',
        putStreamerSymbol: '.SPXW260615P6010',
      },
    ]);
  });

  it('a strike whose symbol cannot give a streamer symbol is named by path', () => {
    const bad = chainItem('SPX', {}, [
      {
        'expiration-type': 'Regular',
        'expiration-date': '2026-06-19',
        'days-to-expiration': 7,
        'settlement-type': 'AM',
        strikes: [{ ...strike('SPX', '260619', 6000, false), call: './ESZ6 E1AZ6 261218C6000' }],
      },
    ]);
    const e = caught(() => parseNestedChain([bad], 'SPX'));
    expect(e.problems[0]?.path).toBe('$[0].expirations[0].strikes[0].call');
  });

  it('no Standard chain, or a malformed one, is a WireFormatError', () => {
    expect(caught(() => parseNestedChain([], 'XYZ')).message).toContain('no Standard option chain for XYZ');
    expect(caught(() => parseNestedChain([adjusted], 'SPX')).message).toContain('no Standard option chain');
    expect(caught(() => parseNestedChain([{ ...spx, 'shares-per-contract': 'lots' }], 'SPX')).problems[0]?.path).toBe(
      '$[0].shares-per-contract',
    );
  });
});

describe('parseMarketMetrics', () => {
  it('keeps fractions and percents as sent; absent or "NaN" values are null; old rank name is a fallback', () => {
    const [m] = parseMarketMetrics([
      {
        symbol: 'XYZ',
        'implied-volatility-index': 'NaN',
        'implied-volatility-rank': '0.5',
        'liquidity-rating': 2,
        'option-expiration-implied-volatilities': [
          { 'expiration-date': '2026-07-17' },
          { 'expiration-date': '2026-08-21', 'implied-volatility': '0.3' },
        ],
      },
    ]);
    expect(m).toEqual({
      symbol: 'XYZ',
      ivIndex: null,
      ivRank: 0.5,
      ivPercentile: null,
      iv30: null,
      hv30: null,
      liquidityRating: 2,
      beta: null,
      earningsDate: null,
      expirationIvs: [{ expiration: '2026-08-21', iv: 0.3 }],
      updatedAt: null,
    });
  });

  it('a non-numeric value is named by path', () => {
    expect(caught(() => parseMarketMetrics([{ symbol: 'A' }, { symbol: 'B', beta: 'high' }])).problems[0]).toEqual({
      path: '$[1].beta',
      message: 'expected a number, got "high"',
    });
  });
});

describe('parseQuoteToken', () => {
  it('reads token, dxlink-url and level (unknown when absent)', () => {
    expect(parseQuoteToken({ token: 't', 'dxlink-url': 'ws://127.0.0.1:1/dxlink' })).toEqual({
      token: 't',
      dxlinkUrl: 'ws://127.0.0.1:1/dxlink',
      level: 'unknown',
    });
    expect(caught(() => parseQuoteToken({ token: 't' })).problems[0]?.path).toBe('$.dxlink-url');
  });
});

describe('parseMarketSession', () => {
  const equity = {
    'close-at': '2026-06-12T20:00:00.000+00:00',
    'instrument-collection': 'Equity',
    'open-at': '2026-06-12T13:30:00.000+00:00',
    state: 'Open',
    'next-session': { 'open-at': '2026-06-15T13:30:00.000+00:00', 'close-at': '2026-06-15T20:00:00.000+00:00' },
  };
  const expected = {
    state: 'Open',
    openAt: Date.parse('2026-06-12T13:30:00Z'),
    closeAt: Date.parse('2026-06-12T20:00:00Z'),
    nextOpenAt: Date.parse('2026-06-15T13:30:00Z'),
  };

  it('accepts the items list (picking Equity), a full body, or a single object', () => {
    expect(
      parseMarketSession({ items: [{ ...equity, 'instrument-collection': 'CME', state: 'Closed' }, equity] }),
    ).toEqual(expected);
    expect(parseMarketSession({ data: { items: [equity] }, context: '/market-time/sessions/current' })).toEqual(
      expected,
    );
    expect(parseMarketSession(equity)).toEqual(expected);
  });

  it('a closed day without current times (tastyware shape) and the Pre-market spelling', () => {
    expect(parseMarketSession({ ...equity, state: 'Closed', 'open-at': null, 'close-at': null })).toMatchObject({
      state: 'Closed',
      openAt: null,
      closeAt: null,
    });
    expect(parseMarketSession({ ...equity, state: 'Pre-Market' }).state).toBe('Pre-market');
  });

  it('an unknown state or an empty list is refused', () => {
    expect(caught(() => parseMarketSession({ items: [{ ...equity, state: 'Lunch' }] })).problems[0]).toEqual({
      path: '$[0].state',
      message: 'unknown market state "Lunch"',
    });
    expect(caught(() => parseMarketSession({ items: [] })).kind).toBe('market session');
  });
});

describe('DXLink events', () => {
  it('Quote: numbers kept, "NaN"/"Infinity" → null, numeric strings read', () => {
    expect(
      parseQuoteEvent(
        {
          eventType: 'Quote',
          eventSymbol: '.SPY261218C600',
          bidPrice: 1.5,
          askPrice: 'NaN',
          bidSize: '10',
          askSize: 'Infinity',
        },
        5,
      ),
    ).toEqual({
      streamerSymbol: '.SPY261218C600',
      bid: 1.5,
      ask: null,
      bidSize: 10,
      askSize: null,
      receivedAt: 5,
    });
  });

  it('Greeks: volatility becomes iv, NaN → null', () => {
    expect(
      parseGreeksEvent(
        {
          eventType: 'Greeks',
          eventSymbol: '.SPY261218C600',
          price: 12.3,
          volatility: 0.21,
          delta: 0.45,
          gamma: 'NaN',
          theta: -0.05,
          vega: 0.3,
          rho: 0.1,
        },
        9,
      ),
    ).toEqual({
      streamerSymbol: '.SPY261218C600',
      price: 12.3,
      iv: 0.21,
      delta: 0.45,
      gamma: null,
      theta: -0.05,
      vega: 0.3,
      rho: 0.1,
      receivedAt: 9,
    });
  });

  it('other event types are null; a quote without a symbol or with garbage is a WireFormatError', () => {
    expect(parseQuoteEvent({ eventType: 'Trade', eventSymbol: 'SPY', price: 1 }, 0)).toBeNull();
    expect(parseGreeksEvent({ eventType: 'Quote', eventSymbol: 'SPY' }, 0)).toBeNull();
    expect(caught(() => parseQuoteEvent({ eventType: 'Quote', bidPrice: 1 }, 0)).problems[0]?.path).toBe(
      '$.eventSymbol',
    );
    expect(
      caught(() => parseQuoteEvent({ eventType: 'Quote', eventSymbol: 'SPY', bidPrice: 'cheap' }, 0)).problems[0]?.path,
    ).toBe('$.bidPrice');
  });

  it('the recorded Trade compact data shows why NaN handling matters (sizes "NaN" on an untraded future option)', () => {
    const body = JSON.parse(
      readFileSync(
        fileURLToPath(new URL('../../fixtures/tastytrade/ws_dxlink_feed_data__trade_compact.json', import.meta.url)),
        'utf8',
      ),
    );
    const values = body.data[1] as unknown[];
    // As a Quote-shaped event the NaN strings map to null rather than failing
    expect(
      parseQuoteEvent({ eventType: 'Quote', eventSymbol: values[16], bidPrice: values[17], askPrice: values[18] }, 0),
    ).toMatchObject({ bid: null, ask: null });
  });
});
