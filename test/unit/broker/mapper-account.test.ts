// Owns the account mapper's contract: signed position quantities, either multiplier spelling, balances in exact cents,
// account defaults, and WireFormatError paths for malformed items.
import { describe, expect, it } from 'vitest';
import { parseAccounts, parseBalances, parsePosition, parsePositions } from '../../../src/broker/tastytrade/mapper.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const position = (over: Record<string, unknown> = {}) => ({
  'account-number': '5WT00000',
  symbol: 'SPY   261218P00500000',
  'instrument-type': 'Equity Option',
  'underlying-symbol': 'SPY',
  quantity: 3,
  'quantity-direction': 'Short',
  'average-open-price': '2.455',
  'close-price': '2.1',
  multiplier: 100,
  'cost-effect': 'Credit',
  'expires-at': '2026-12-18T21:15:00.000+00:00',
  'updated-at': '2026-06-01T14:00:00.000Z',
  ...over,
});

const caught = (run: () => unknown): WireFormatError => {
  try {
    run();
  } catch (e) {
    if (e instanceof WireFormatError) return e;
    throw e;
  }
  throw new Error('expected a WireFormatError');
};

describe('positions', () => {
  it('signs the quantity from quantity-direction and rounds per-unit prices half away from zero', () => {
    expect(parsePosition(position())).toEqual({
      accountNumber: '5WT00000',
      symbol: 'SPY   261218P00500000',
      instrumentType: 'Equity Option',
      underlyingSymbol: 'SPY',
      quantity: -3,
      multiplier: 100,
      averageOpenPriceCents: 246,
      closePriceCents: 210,
      markCents: null,
      expiresAt: Date.parse('2026-12-18T21:15:00Z'),
      updatedAt: Date.parse('2026-06-01T14:00:00Z'),
    });
  });

  it.each([
    [100, 100],
    ['100.0', 100],
    [1, 1],
    ['1.0', 1],
  ])('multiplier %j → %d', (raw, value) => {
    expect(parsePosition(position({ multiplier: raw })).multiplier).toBe(value);
  });

  it('quantity as a decimal string, a Long and a closed (Zero) position, and a mark-price', () => {
    expect(parsePosition(position({ quantity: '40.0', 'quantity-direction': 'Long' })).quantity).toBe(40);
    expect(parsePosition(position({ quantity: 0, 'quantity-direction': 'Zero' })).quantity).toBe(0);
    expect(parsePosition(position({ 'mark-price': '2.31' })).markCents).toBe(231);
  });

  it('a bad item is named by its index and key', () => {
    const e = caught(() =>
      parsePositions({ items: [position(), position({ multiplier: 'x', 'quantity-direction': 'Sideways' })] }),
    );
    expect(e.kind).toBe('position list');
    expect(e.problems.map((p) => p.path).sort()).toEqual(['$[1].multiplier', '$[1].quantity-direction']);
  });
});

describe('balances', () => {
  const balances = {
    'account-number': '5WT00000',
    'cash-balance': '-1234.565',
    'net-liquidating-value': '4.3020691E4',
    'derivative-buying-power': 1000,
    'equity-buying-power': '2000.0',
    'maintenance-requirement': '0.004',
    'updated-at': '2026-03-05T23:41:52.986+00:00',
  };

  it('reads signed decimals (string or number) into cents', () => {
    expect(parseBalances(balances)).toEqual({
      accountNumber: '5WT00000',
      cashCents: -123457,
      netLiquidatingValueCents: 4302069,
      derivativeBuyingPowerCents: 100000,
      equityBuyingPowerCents: 200000,
      maintenanceRequirementCents: 0,
      updatedAt: Date.parse('2026-03-05T23:41:52.986Z'),
    });
  });

  it('names a missing field', () => {
    const { 'net-liquidating-value': _, ...rest } = balances;
    expect(caught(() => parseBalances(rest)).message).toContain('$.net-liquidating-value');
  });
});

describe('accounts', () => {
  it('defaults absent nickname / margin-or-cash to null and is-closed to false', () => {
    expect(
      parseAccounts([
        { account: { 'account-number': '5WT00001', 'is-closed': true } },
        { account: { 'account-number': '5WT00002' } },
      ]),
    ).toEqual([
      { accountNumber: '5WT00001', nickname: null, marginOrCash: null, isClosed: true },
      { accountNumber: '5WT00002', nickname: null, marginOrCash: null, isClosed: false },
    ]);
  });

  it('an item without the account wrapper is refused', () => {
    expect(caught(() => parseAccounts([{ 'account-number': '5WT00001' }])).problems[0]?.path).toBe('$[0].account');
  });
});
