// Owns money inside Legwork: integer cents, exact conversion from/to decimal strings, and the credit(+)/debit(-) sign.
// Pure: no I/O. Floats never carry money; a decimal string is parsed digit by digit.

/** Integer US cents. Credit is positive, debit negative, wherever a sign matters. */
export type Cents = number;

export type PriceEffect = 'Credit' | 'Debit' | 'None';

export class MoneyFormatError extends Error {
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super(`not a decimal amount: ${JSON.stringify(input)} (${reason})`);
    this.name = 'MoneyFormatError';
  }
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * "1.27" → 127, "0.010145" → 1 (half away from zero), "4.3020691E7" → 4302069100, 12 → 1200.
 * Numbers are accepted because Tastytrade sometimes sends them; they are read through their shortest decimal text.
 */
export function toCents(value: string | number): Cents {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyFormatError(value, 'expected digits with an optional fraction');
  const [, sign, whole = '0', frac = '', exp] = m;
  let digits = whole + frac;
  let scale = frac.length - Number(exp ?? 0); // value = digits × 10^-scale
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  // cents = digits × 10^(2 - scale), rounded half away from zero
  let cents: bigint;
  if (scale <= 2) cents = BigInt(digits) * 10n ** BigInt(2 - scale);
  else {
    const divisor = 10n ** BigInt(scale - 2);
    const n = BigInt(digits);
    cents = n / divisor + ((n % divisor) * 2n >= divisor ? 1n : 0n);
  }
  const result = Number(sign === '-' ? -cents : cents);
  if (!Number.isSafeInteger(result)) throw new MoneyFormatError(value, 'too large');
  return result === 0 ? 0 : result;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new MoneyFormatError(n, 'not finite');
  return String(n);
}

/** 127 → "1.27", -5 → "-0.05", 100 → "1.00". Always two decimals. */
export function centsToDecimal(cents: Cents): string {
  if (!Number.isSafeInteger(cents)) throw new MoneyFormatError(cents, 'cents must be a safe integer');
  const abs = Math.abs(cents);
  const text = `${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return cents < 0 ? `-${text}` : text;
}

/** Unsigned amount + its `-effect` sibling → signed cents (credit +, debit −). */
export function signedCents(amount: string | number, effect: PriceEffect | string | undefined | null): Cents {
  const cents = Math.abs(toCents(amount));
  if (effect === 'Debit') return -cents;
  return cents;
}

/** Signed cents → Tastytrade's unsigned amount and effect. */
export function toAmountAndEffect(cents: Cents): { amount: string; effect: PriceEffect } {
  return { amount: centsToDecimal(Math.abs(cents)), effect: cents > 0 ? 'Credit' : cents < 0 ? 'Debit' : 'None' };
}

/** Dollars (a float from a model, e.g. a mid price) → nearest cent. Only for derived prices, never for balances. */
export function dollarsToCents(dollars: number): Cents {
  if (!Number.isFinite(dollars)) throw new MoneyFormatError(dollars, 'not finite');
  return Math.round(dollars * 100 + (dollars >= 0 ? 1e-9 : -1e-9));
}
