// Differences between the broker's positions and what trades hold, each explained from the broker's settlements:
// expired, assigned, exercised, delivered shares, foreign, missing, unexplained. Table-tested.
import { describe, expect, it } from 'vitest';
import { explainPositions, type ExplainInput, type HeldByTrade } from '../../../src/domain/position-explain.js';
import type { Settlement } from '../../../src/domain/settlement.js';

const PUT = 'SPY   261218P00600000';
const CALL = 'SPY   261218C00700000';
const LONG_PUT = 'SPY   261218P00590000';
const AT = '2026-12-18T21:00:00.000Z';
const T1 = 'trade-1';

const removal = (
  id: number,
  kind: 'expiration' | 'assignment' | 'exercise',
  symbol: string,
  quantity: number,
): Settlement => ({
  id,
  kind,
  subType: kind,
  symbol,
  instrumentType: 'Equity Option',
  underlyingSymbol: 'SPY',
  quantity,
  action: null,
  priceCents: 0,
  feeCents: 0,
  executedAt: AT,
});
const delivery = (id: number, action: Settlement['action'], quantity: number, symbol = 'SPY', at = AT): Settlement => ({
  id,
  kind: 'delivery',
  subType: action!,
  symbol,
  instrumentType: 'Equity',
  underlyingSymbol: 'SPY',
  quantity,
  action,
  priceCents: 60_000,
  feeCents: 8,
  executedAt: at,
});
const held = (symbol: string, quantity: number, tradeId = T1): HeldByTrade => ({ tradeId, symbol, quantity });
const pos = (symbol: string, quantity: number) => ({ symbol, quantity });

type Row = [
  string,
  Partial<ExplainInput>,
  { symbol: string; kind: string; tradeIds: string[]; settlementIds: number[]; needsAction: boolean }[],
];
const TABLE: Row[] = [
  ['agreeing positions: nothing', { held: [held(PUT, -1)], broker: [pos(PUT, -1)] }, []],
  [
    'an option gone after expiration with its Expiration row: expired, no action',
    {
      held: [held(PUT, -1), held(LONG_PUT, 1)],
      broker: [],
      settlements: [removal(1, 'expiration', PUT, 1), removal(2, 'expiration', LONG_PUT, 1)],
    },
    [
      { symbol: LONG_PUT, kind: 'expired', tradeIds: [T1], settlementIds: [2], needsAction: false },
      { symbol: PUT, kind: 'expired', tradeIds: [T1], settlementIds: [1], needsAction: false },
    ],
  ],
  [
    'a short put assigned: the option assigned, the 100 shares delivered to the same trade',
    {
      held: [held(PUT, -1)],
      broker: [pos('SPY', 100)],
      settlements: [removal(1, 'assignment', PUT, 1), delivery(2, 'Buy to Open', 100)],
    },
    [
      { symbol: 'SPY', kind: 'delivered', tradeIds: [T1], settlementIds: [1, 2], needsAction: true },
      { symbol: PUT, kind: 'assigned', tradeIds: [T1], settlementIds: [1], needsAction: true },
    ],
  ],
  [
    'a short call assigned: short shares delivered',
    {
      held: [held(CALL, -2)],
      broker: [pos('SPY', -200)],
      settlements: [removal(1, 'assignment', CALL, 2), delivery(2, 'Sell to Open', 200)],
    },
    [
      { symbol: 'SPY', kind: 'delivered', tradeIds: [T1], settlementIds: [1, 2], needsAction: true },
      { symbol: CALL, kind: 'assigned', tradeIds: [T1], settlementIds: [1], needsAction: true },
    ],
  ],
  [
    'a long put exercised: shares sold short',
    {
      held: [held(LONG_PUT, 1)],
      broker: [pos('SPY', -100)],
      settlements: [removal(1, 'exercise', LONG_PUT, 1), delivery(2, 'Sell to Open', 100)],
    },
    [
      { symbol: 'SPY', kind: 'delivered', tradeIds: [T1], settlementIds: [1, 2], needsAction: true },
      { symbol: LONG_PUT, kind: 'exercised', tradeIds: [T1], settlementIds: [1], needsAction: true },
    ],
  ],
  [
    'one of two contracts assigned early: the rest still held',
    {
      held: [held(PUT, -2)],
      broker: [pos(PUT, -1), pos('SPY', 100)],
      settlements: [removal(1, 'assignment', PUT, 1), delivery(2, 'Buy to Open', 100)],
    },
    [
      { symbol: 'SPY', kind: 'delivered', tradeIds: [T1], settlementIds: [1, 2], needsAction: true },
      { symbol: PUT, kind: 'assigned', tradeIds: [T1], settlementIds: [1], needsAction: true },
    ],
  ],
  [
    'shares listed after their assignment was recorded: delivered to the trade that recorded it',
    {
      held: [],
      broker: [pos('SPY', 100)],
      settlements: [removal(1, 'assignment', PUT, 1), delivery(2, 'Buy to Open', 100)],
      settledBy: new Map([[PUT, T1]]),
      recorded: new Set([1]),
    },
    [{ symbol: 'SPY', kind: 'delivered', tradeIds: [T1], settlementIds: [1, 2], needsAction: true }],
  ],
  [
    'a second contract assigned after the first was recorded: only the new removal counts',
    {
      held: [held(PUT, -1)],
      broker: [],
      settlements: [removal(1, 'assignment', PUT, 1), removal(3, 'assignment', PUT, 1)],
      recorded: new Set([1]),
    },
    [{ symbol: PUT, kind: 'assigned', tradeIds: [T1], settlementIds: [3], needsAction: true }],
  ],
  [
    'a recorded delivery explains nothing new: foreign',
    {
      held: [],
      broker: [pos('SPY', 200)],
      settlements: [removal(1, 'assignment', PUT, 2), delivery(2, 'Buy to Open', 200)],
      settledBy: new Map([[PUT, T1]]),
      recorded: new Set([1, 2]),
    },
    [{ symbol: 'SPY', kind: 'foreign', tradeIds: [], settlementIds: [], needsAction: true }],
  ],
  [
    'a position no trade owns: foreign',
    { held: [], broker: [pos(CALL, -1), pos('AAPL', 10)] },
    [
      { symbol: 'AAPL', kind: 'foreign', tradeIds: [], settlementIds: [], needsAction: true },
      { symbol: CALL, kind: 'foreign', tradeIds: [], settlementIds: [], needsAction: true },
    ],
  ],
  [
    "shares delivered at another instant than the assignment are not the trade's: foreign",
    {
      held: [held(PUT, -1)],
      broker: [pos('SPY', 100)],
      settlements: [
        removal(1, 'assignment', PUT, 1),
        delivery(2, 'Buy to Open', 100, 'SPY', '2026-12-17T21:00:00.000Z'),
      ],
    },
    [
      { symbol: 'SPY', kind: 'foreign', tradeIds: [], settlementIds: [], needsAction: true },
      { symbol: PUT, kind: 'assigned', tradeIds: [T1], settlementIds: [1], needsAction: true },
    ],
  ],
  [
    'an option gone after its expiration without a row: missing',
    { held: [held(PUT, -1)], broker: [], today: '2026-12-19' },
    [{ symbol: PUT, kind: 'missing', tradeIds: [T1], settlementIds: [], needsAction: true }],
  ],
  [
    'an option gone before its expiration without a row: missing',
    { held: [held(PUT, -1)], broker: [] },
    [{ symbol: PUT, kind: 'missing', tradeIds: [T1], settlementIds: [], needsAction: true }],
  ],
  [
    'a removal of the wrong size does not explain it: unexplained',
    { held: [held(PUT, -3)], broker: [pos(PUT, -1)], settlements: [removal(1, 'assignment', PUT, 1)] },
    [{ symbol: PUT, kind: 'unexplained', tradeIds: [T1], settlementIds: [], needsAction: true }],
  ],
  [
    'more at the broker than trades hold: unexplained',
    { held: [held(PUT, -1)], broker: [pos(PUT, -2)] },
    [{ symbol: PUT, kind: 'unexplained', tradeIds: [T1], settlementIds: [], needsAction: true }],
  ],
];

describe('explainPositions', () => {
  it.each(TABLE)('%s', (_name, over, expected) => {
    const input: ExplainInput = { held: [], broker: [], settlements: [], today: '2026-12-16', ...over };
    expect(
      explainPositions(input).map(({ symbol, kind, tradeIds, settlementIds, needsAction }) => ({
        symbol,
        kind,
        tradeIds,
        settlementIds,
        needsAction,
      })),
    ).toEqual(expected);
  });

  it('says what happened in words', () => {
    const [shares, put] = explainPositions({
      held: [held(PUT, -1)],
      broker: [pos('SPY', 100)],
      settlements: [removal(1, 'assignment', PUT, 1), delivery(2, 'Buy to Open', 100)],
      today: '2026-12-18',
    });
    expect(shares!.detail).toBe(`Buy to Open 100 SPY for the assignment of 1 ${PUT}`);
    expect(put!.detail).toBe(`1 ${PUT} assigned (broker transaction 1); Buy to Open 100 SPY`);
    expect(
      explainPositions({ held: [held(PUT, -1)], broker: [], settlements: [], today: '2026-12-19' })[0]!.detail,
    ).toBe(`${PUT}: trades hold -1, expired 2026-12-18 but the broker lists no Expiration for it yet`);
  });
});
