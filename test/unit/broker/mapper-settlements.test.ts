// Recorded Tastytrade Receive Deliver transactions → settlements (issue 12): the assignment of a short put and the share
// delivery it caused, paired; Trade and other items skipped; malformed rows refused with the field's path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettlements } from '../../../src/broker/tastytrade/mapper.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';
import { pairSettlements, settlementKindOf, type Settlement } from '../../../src/domain/settlement.js';

const recording = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8'));

describe('parseSettlements', () => {
  it('2023 production payload: the put assignment and the 4000 RIVN shares bought at the strike, the Trade item skipped', () => {
    const settlements = parseSettlements(recording('http_get_accounts_transactions__trade_and_assignment'));
    expect(settlements).toEqual([
      {
        id: 2454865989,
        kind: 'assignment',
        subType: 'Assignment',
        symbol: 'RIVN  230609P00014000',
        instrumentType: 'Equity Option',
        underlyingSymbol: 'RIVN',
        quantity: 40,
        action: null,
        priceCents: 0,
        feeCents: 0,
        executedAt: '2023-06-09T21:00:00.000+00:00',
      },
      {
        id: 245478958,
        kind: 'delivery',
        subType: 'Buy to Open',
        symbol: 'RIVN',
        instrumentType: 'Equity',
        underlyingSymbol: 'RIVN',
        quantity: 4000,
        action: 'Buy to Open',
        priceCents: 1400,
        feeCents: 20_000,
        executedAt: '2023-06-09T21:00:00.000+00:00',
      },
    ]);
    expect(pairSettlements(settlements)).toEqual([{ removal: settlements[0], delivery: settlements[1] }]);
  });

  it('2026 sandbox payload without Receive Deliver items: nothing', () => {
    expect(parseSettlements(recording('http_get_accounts_transactions__trade_and_deposits_mcp'))).toEqual([]);
  });

  it('expirations and exercises; unknown sub-types kept as other; a row without its sub-type is refused at its path', () => {
    const row = (over: Record<string, unknown>) => ({
      id: 1,
      'transaction-type': 'Receive Deliver',
      symbol: 'SPY   261218C00600000',
      'instrument-type': 'Equity Option',
      'underlying-symbol': 'SPY',
      quantity: '2.0',
      'executed-at': '2026-12-18T21:00:00.000+00:00',
      ...over,
    });
    const parsed = parseSettlements({
      data: {
        items: [
          row({ id: 1, 'transaction-sub-type': 'Expiration' }),
          row({ id: 2, 'transaction-sub-type': 'Exercise' }),
          row({
            id: 3,
            'transaction-sub-type': 'Sell to Close',
            symbol: 'SPY',
            'instrument-type': 'Equity',
            quantity: '200.0',
            price: '600.0',
          }),
          row({ id: 4, 'transaction-sub-type': 'Forward Split' }),
        ],
      },
    });
    expect(parsed.map((s) => [s.id, s.kind, s.action, s.quantity, s.priceCents])).toEqual([
      [1, 'expiration', null, 2, 0],
      [2, 'exercise', null, 2, 0],
      [3, 'delivery', 'Sell to Close', 200, 60_000],
      [4, 'other', null, 2, 0],
    ]);
    expect(pairSettlements(parsed).map((p) => [p.removal.id, p.delivery?.id ?? null])).toEqual([
      [1, null],
      [2, 3],
    ]);
    expect(() => parseSettlements({ data: { items: [row({})] } })).toThrow(WireFormatError);
    expect(() => parseSettlements({ data: { items: [row({})] } })).toThrow(/\$\[0\]\.transaction-sub-type/);
  });
});

describe('pairSettlements', () => {
  const s = (
    id: number,
    kind: Settlement['kind'],
    quantity: number,
    at = '2026-12-18T21:00:00Z',
    underlying = 'SPY',
  ): Settlement => ({
    id,
    kind,
    subType: kind,
    symbol: kind === 'delivery' ? underlying : `${underlying.padEnd(6)}261218P00600000`,
    instrumentType: kind === 'delivery' ? 'Equity' : 'Equity Option',
    underlyingSymbol: underlying,
    quantity,
    action: kind === 'delivery' ? 'Buy to Open' : null,
    priceCents: 0,
    feeCents: 0,
    executedAt: at,
  });
  it.each([
    ['same instant and 100 shares a contract', [s(1, 'assignment', 2), s(2, 'delivery', 200)], [[1, 2]]],
    [
      'a delivery at another instant is not its',
      [s(1, 'assignment', 2), s(2, 'delivery', 200, '2026-12-17T21:00:00Z')],
      [[1, null]],
    ],
    ['another underlying is not its', [s(1, 'assignment', 2), s(2, 'delivery', 200, undefined, 'QQQ')], [[1, null]]],
    ['the wrong number of shares is not its', [s(1, 'assignment', 2), s(2, 'delivery', 100)], [[1, null]]],
    [
      'each delivery is used once',
      [s(1, 'assignment', 1), s(3, 'exercise', 1), s(2, 'delivery', 100)],
      [
        [1, 2],
        [3, null],
      ],
    ],
    ['an expiration has none', [s(1, 'expiration', 1), s(2, 'delivery', 100)], [[1, null]]],
  ] as const)('%s', (_name, rows, expected) => {
    expect(pairSettlements(rows as unknown as Settlement[]).map((p) => [p.removal.id, p.delivery?.id ?? null])).toEqual(
      expected,
    );
  });
  it('sub-types', () => {
    expect(
      ['Expiration', 'Assignment', 'Cash Settled Assignment', 'Exercise', 'Buy to Open', 'Sell to Close', 'ACAT'].map(
        settlementKindOf,
      ),
    ).toEqual(['expiration', 'assignment', 'assignment', 'exercise', 'delivery', 'delivery', 'other']);
  });
});
