// A position a trader closed by hand outside Legwork is recognised only from the broker's fills of an order that is not
// ours, closing toward flat, exactly the difference: full and partial closes are explained `closed_outside`; an absence
// alone, an opening order by hand, a close larger than held, a close before the trade held, a symbol two trades hold,
// and a trade with a live group of ours are not. Hand-made inputs.
import { describe, expect, it } from 'vitest';
import type { BrokerTransaction } from '../../../src/domain/account.js';
import {
  outsideCloseOf,
  outsideFillsOf,
  type OrderOwner,
  type OutsideEvidence,
  type OutsideFill,
} from '../../../src/domain/outside-close.js';
import { explainPositions, type ExplainInput } from '../../../src/domain/position-explain.js';

const PUT = 'SPY   261218P00600000';
const LONG_PUT = 'SPY   261218P00590000';
const T1 = 'trade-1';
const T2 = 'trade-2';
const OPENED = Date.parse('2026-11-17T15:00:00.000Z');
const LATER = '2026-11-18T15:30:00.000Z';

const fill = (
  transactionId: number,
  action: OutsideFill['action'],
  quantity: number,
  o: Partial<OutsideFill> = {},
): OutsideFill => ({
  transactionId,
  brokerOrderId: 9000 + transactionId,
  symbol: PUT,
  action,
  quantity,
  priceCents: 45,
  feeCents: 13,
  executedAt: LATER,
  ...o,
});
const evidence = (fills: OutsideFill[], o: Partial<OutsideEvidence> = {}): OutsideEvidence => ({
  fills,
  trades: new Map([
    [T1, { heldSince: OPENED, atRest: true }],
    [T2, { heldSince: OPENED, atRest: true }],
  ]),
  ...o,
});
const explain = (input: Partial<ExplainInput>) =>
  explainPositions({ held: [], broker: [], settlements: [], today: '2026-11-18', ...input }).map((d) => ({
    symbol: d.symbol,
    kind: d.kind,
    ours: d.ours,
    broker: d.broker,
    tradeIds: d.tradeIds,
    transactions: d.settlementIds,
    brokerOrderIds: d.brokerOrderIds,
    needsAction: d.needsAction,
  }));
const held = (symbol: string, quantity: number, tradeId = T1) => ({ tradeId, symbol, quantity });
const pos = (symbol: string, quantity: number) => ({ symbol, quantity });

describe('explainPositions with fills outside Legwork', () => {
  it('a full close by hand: the short put bought to close by an order not ours is closed_outside, no action needed', () => {
    expect(explain({ held: [held(PUT, -1)], broker: [], outside: evidence([fill(1, 'Buy to Close', 1)]) })).toEqual([
      {
        symbol: PUT,
        kind: 'closed_outside',
        ours: -1,
        broker: 0,
        tradeIds: [T1],
        transactions: [1],
        brokerOrderIds: [9001],
        needsAction: false,
      },
    ]);
    const [d] = explainPositions({
      held: [held(PUT, -1)],
      broker: [],
      settlements: [],
      today: '2026-11-18',
      outside: evidence([fill(1, 'Buy to Close', 1)]),
    });
    expect(d!.detail).toBe(
      `1 ${PUT} of trade ${T1} closed outside Legwork by broker order 9001 (Buy to Close 1 @ 0.45, broker transaction 1)`,
    );
  });

  it('a partial close: 1 of 2 short puts bought back by hand explains -2 → -1; a long sold to close by hand too', () => {
    expect(
      explain({
        held: [held(PUT, -2), held(LONG_PUT, 2)],
        broker: [pos(PUT, -1), pos(LONG_PUT, 1)],
        outside: evidence([fill(1, 'Buy to Close', 1), fill(2, 'Sell to Close', 1, { symbol: LONG_PUT })]),
      }).map((d) => [d.symbol, d.kind, d.ours, d.broker, d.transactions]),
    ).toEqual([
      [LONG_PUT, 'closed_outside', 2, 1, [2]],
      [PUT, 'closed_outside', -2, -1, [1]],
    ]);
  });

  it('two partial fills of one order by hand explain the difference together', () => {
    expect(
      explain({
        held: [held(PUT, -3)],
        broker: [],
        outside: evidence([
          fill(1, 'Buy to Close', 2, { brokerOrderId: 77 }),
          fill(2, 'Buy to Close', 1, { brokerOrderId: 77 }),
        ]),
      }).map((d) => [d.kind, d.transactions, d.brokerOrderIds]),
    ).toEqual([['closed_outside', [1, 2], [77]]]);
  });

  it('no evidence: exactly as without the outside input (missing, unexplained), whatever the broker shows', () => {
    const input = { held: [held(PUT, -2), held(LONG_PUT, 1)], broker: [pos(PUT, -1)] };
    const without = explain(input);
    expect(without.map((d) => [d.symbol, d.kind])).toEqual([
      [LONG_PUT, 'missing'],
      [PUT, 'unexplained'],
    ]);
    expect(explain({ ...input, outside: evidence([]) })).toEqual(without);
    // A fill by hand on another symbol explains nothing here
    expect(
      explain({ ...input, outside: evidence([fill(1, 'Buy to Close', 1, { symbol: 'QQQ   261218P00500000' })]) }),
    ).toEqual(without);
  });

  it('a foreign close larger than held is not attributed (the broker now shows the other side): unexplained', () => {
    expect(
      explain({ held: [held(PUT, -1)], broker: [pos(PUT, 1)], outside: evidence([fill(1, 'Buy to Close', 2)]) }).map(
        (d) => d.kind,
      ),
    ).toEqual(['unexplained']);
  });

  it('fills that do not add up to the difference are not attributed (an empty positions read is not a close of the rest)', () => {
    // 1 bought back by hand, but the broker's answer is empty: the other short put is not taken for closed
    expect(
      explain({ held: [held(PUT, -2)], broker: [], outside: evidence([fill(1, 'Buy to Close', 1)]) }).map(
        (d) => d.kind,
      ),
    ).toEqual(['missing']);
  });

  it('an opening order by hand is never attributed: sold to open on the same symbol, or opened and closed again', () => {
    expect(
      explain({ held: [held(PUT, -1)], broker: [pos(PUT, -2)], outside: evidence([fill(1, 'Sell to Open', 1)]) }).map(
        (d) => d.kind,
      ),
    ).toEqual(['unexplained']);
    // Sold one more by hand, then bought one back: which position was closed is a human's call, and a momentarily
    // empty read must not make the trade's own put look closed
    expect(
      explain({
        held: [held(PUT, -1)],
        broker: [],
        outside: evidence([fill(1, 'Sell to Open', 1), fill(2, 'Buy to Close', 1)]),
      }).map((d) => d.kind),
    ).toEqual(['missing']);
    // A position opened by hand that no trade holds stays foreign
    expect(
      explain({ held: [], broker: [pos(PUT, -1)], outside: evidence([fill(1, 'Sell to Open', 1)]) }).map((d) => d.kind),
    ).toEqual(['foreign']);
  });

  it('a close in the other direction (a sell to close of a short) is not attributed', () => {
    expect(
      explain({ held: [held(PUT, -1)], broker: [], outside: evidence([fill(1, 'Sell to Close', 1)]) }).map(
        (d) => d.kind,
      ),
    ).toEqual(['missing']);
  });

  it('the same transaction twice is counted once; a recorded one explains nothing new', () => {
    expect(
      explain({
        held: [held(PUT, -1)],
        broker: [],
        outside: evidence([fill(1, 'Buy to Close', 1), fill(1, 'Buy to Close', 1)]),
      }).map((d) => [d.kind, d.transactions]),
    ).toEqual([['closed_outside', [1]]]);
    expect(
      explain({
        held: [held(PUT, -1)],
        broker: [],
        outside: evidence([fill(1, 'Buy to Close', 1)], { recorded: new Set([1]) }),
      }).map((d) => d.kind),
    ).toEqual(['missing']);
  });

  it('a fill before the trade began to hold, or a symbol two trades hold, is not attributed', () => {
    expect(
      explain({
        held: [held(PUT, -1)],
        broker: [],
        outside: evidence([fill(1, 'Buy to Close', 1, { executedAt: '2026-11-17T14:59:59.999Z' })]),
      }).map((d) => d.kind),
    ).toEqual(['missing']);
    expect(
      explain({
        held: [held(PUT, -1), held(PUT, -1, T2)],
        broker: [pos(PUT, -1)],
        outside: evidence([fill(1, 'Buy to Close', 1)]),
      }).map((d) => d.kind),
    ).toEqual(['unexplained']);
  });

  it('while a group of ours is live on the trade nothing is attributed: missing as before, the detail says what waits', () => {
    const input: ExplainInput = {
      held: [held(PUT, -1)],
      broker: [],
      settlements: [],
      today: '2026-11-18',
      outside: evidence([fill(1, 'Buy to Close', 1)], {
        trades: new Map([[T1, { heldSince: OPENED, atRest: false }]]),
      }),
    };
    const [d] = explainPositions(input);
    expect(d).toMatchObject({ kind: 'missing', tradeIds: [T1], settlementIds: [] });
    expect(d!.detail).toBe(
      `${PUT}: trades hold -1, gone at the broker without a settlement; broker order 9001 closed it outside Legwork, recorded once the trade's live group ends`,
    );
  });
});

describe('outsideFillsOf and outsideCloseOf', () => {
  const tx = (id: number, brokerOrderId: number, action: string, quantity = 1): BrokerTransaction => ({
    id,
    brokerOrderId,
    symbol: PUT,
    action,
    quantity,
    priceCents: 45,
    commissionCents: 0,
    clearingFeesCents: 10,
    regulatoryFeesCents: 3,
    proprietaryFeesCents: 0,
    feeCents: 13,
    executedAt: LATER,
  });
  const owners = new Map<number, OrderOwner>([
    [1, 'ours'],
    [2, 'foreign'],
    [3, 'unknown'],
  ]);

  it("keeps only fills of orders the broker says are not ours, each transaction once, with the broker's price and fees", () => {
    const fills = outsideFillsOf(
      [
        tx(10, 1, 'Buy to Close'),
        tx(11, 2, 'Buy to Close'),
        tx(11, 2, 'Buy to Close'),
        tx(12, 3, 'Buy to Close'),
        tx(13, 4, 'Buy to Close'),
      ],
      owners,
    );
    expect(fills).toEqual([
      {
        transactionId: 11,
        brokerOrderId: 2,
        symbol: PUT,
        action: 'Buy to Close',
        quantity: 1,
        priceCents: 45,
        feeCents: 13,
        executedAt: LATER,
      },
    ]);
  });

  it('keeps opening fills of foreign orders as evidence (they block an attribution) and drops other actions', () => {
    expect(outsideFillsOf([tx(20, 2, 'Sell to Open'), tx(21, 2, 'Buy')], owners).map((f) => f.action)).toEqual([
      'Sell to Open',
    ]);
  });

  it('outsideCloseOf: closed at rest, waiting with a live group, none without a trade to take it', () => {
    const d = { symbol: PUT, ours: -1, broker: 0, tradeIds: [T1] };
    const one = [fill(1, 'Buy to Close', 1)];
    expect(outsideCloseOf(d, evidence(one))).toEqual({ kind: 'closed', tradeId: T1, fills: one });
    expect(outsideCloseOf(d, evidence(one, { trades: new Map([[T1, { heldSince: OPENED, atRest: false }]]) }))).toEqual(
      { kind: 'waiting', tradeId: T1, fills: one },
    );
    expect(outsideCloseOf(d, evidence(one, { trades: new Map() }))).toEqual({ kind: 'none' });
    expect(outsideCloseOf(d, undefined)).toEqual({ kind: 'none' });
    expect(outsideCloseOf({ ...d, ours: 0, broker: 1, tradeIds: [] }, evidence(one))).toEqual({ kind: 'none' });
  });
});
