// Money conversions are exact: decimal strings to integer cents and back, with Tastytrade's credit/debit effects.
import { describe, expect, it } from 'vitest';
import {
  centsToDecimal,
  dollarsToCents,
  MoneyFormatError,
  signedCents,
  toAmountAndEffect,
  toCents,
} from '../../../src/domain/money.js';

describe('toCents', () => {
  it.each([
    ['1.27', 127],
    ['1.0', 100],
    ['0.05', 5],
    ['124.538855', 12454],
    ['0.010145', 1],
    ['0.005', 1],
    ['-0.005', -1],
    ['82680', 8268000],
    ['4.3020691E7', 4302069100],
    [12, 1200],
    [0.1, 10],
    ['1000000.0', 100000000],
  ] as const)('%s → %i', (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });

  it('sums without float drift: 0.1 + 0.2 is 30 cents', () => {
    expect(toCents('0.1') + toCents('0.2')).toBe(toCents('0.3'));
  });

  it.each(['', 'abc', '1.2.3', 'NaN', '1,5'])('refuses %j with a clear error', (input) => {
    expect(() => toCents(input)).toThrow(MoneyFormatError);
  });
});

describe('signs and formatting', () => {
  it('applies price effects: debit negative, credit and none positive', () => {
    expect(signedCents('1.27', 'Debit')).toBe(-127);
    expect(signedCents('1.27', 'Credit')).toBe(127);
    expect(toAmountAndEffect(-127)).toEqual({ amount: '1.27', effect: 'Debit' });
    expect(toAmountAndEffect(0)).toEqual({ amount: '0.00', effect: 'None' });
  });

  it('formats cents with two decimals', () => {
    expect(centsToDecimal(100)).toBe('1.00');
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(centsToDecimal(123456789)).toBe('1234567.89');
  });

  it('rounds model prices to the nearest cent', () => {
    expect(dollarsToCents(1.005)).toBe(101);
    expect(dollarsToCents(-2.675)).toBe(-268);
  });
});
