// Owns venue money: integer cents ⇄ Tastytrade decimal strings ("1.27", "1.0", "0.0") and amount + `-effect` pairs.

export type Effect = 'Credit' | 'Debit' | 'None';

/** 127 → "1.27", 150 → "1.5", 100 → "1.0", -5 → "-0.05". Exact (integer arithmetic, no float noise). */
export function centsToDecimal(cents: number): string {
  if (!Number.isFinite(cents)) return '0.0';
  const c = Math.round(cents);
  const sign = c < 0 ? '-' : '';
  const abs = Math.abs(c);
  const dollars = Math.floor(abs / 100);
  const rest = abs % 100;
  const frac = rest === 0 ? '0' : rest % 10 === 0 ? String(rest / 10) : String(rest).padStart(2, '0');
  return `${sign}${dollars}.${frac}`;
}

/** Unsigned amount string of a signed cents value ("1.27" for both +127 and -127). */
export function unsignedDecimal(cents: number): string {
  return centsToDecimal(Math.abs(cents));
}

/** Sign of money flowing to the account: positive = Credit, negative = Debit, zero = None. */
export function effectOf(signedCents: number): Effect {
  return signedCents > 0 ? 'Credit' : signedCents < 0 ? 'Debit' : 'None';
}

/** A cost (fee, requirement increase) is a Debit when positive, None when zero. */
export function debitEffect(costCents: number): Effect {
  return costCents > 0 ? 'Debit' : costCents < 0 ? 'Credit' : 'None';
}

/** Cents per unit as a dollar string with up to 4 decimals, e.g. an average open price of 383 cents over 3 → "1.2767". */
export function centsRatioToDecimal(cents: number, divisor: number): string {
  if (divisor === 0) return '0.0';
  const tenThousandths = Math.round((cents * 100) / divisor); // dollars × 10^4
  const sign = tenThousandths < 0 ? '-' : '';
  const abs = Math.abs(tenThousandths);
  const whole = Math.floor(abs / 10_000);
  const frac = String(abs % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}

/** Dollars (a market price, possibly float) → integer cents. */
export function dollarsToCents(dollars: number): number {
  return Math.round(dollars * 100);
}

export type ParsedPrice = { ok: true; cents: number } | { ok: false; reason: 'invalid' | 'precision' };

/**
 * Parses a wire price: a decimal string ("1.27", "0.5") or a JSON number (1.27). More than two decimals → `precision`
 * unless the extra digits are zeros ("1.2700" is fine). Negative and exponent forms → `invalid`.
 */
export function parsePrice(value: unknown): ParsedPrice {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'invalid' };
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return { ok: false, reason: 'invalid' };
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return { ok: false, reason: 'invalid' };
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) return { ok: false, reason: 'precision' };
  return { ok: true, cents: Number(m[1]) * 100 + Number(frac.padEnd(2, '0')) };
}
