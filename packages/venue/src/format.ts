// Owns how the venue writes numbers and times on the wire: Tastytrade decimal strings and ISO-8601 with millis.

/** "110.0", "0.261833862", "-7.36": at least one decimal, at most `maxDecimals`, no float noise. */
export function decimalString(value: number, maxDecimals = 9): string {
  if (!Number.isFinite(value)) return '0.0';
  let text = value.toFixed(maxDecimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '.0');
  return text === '-0.0' ? '0.0' : text;
}

/** "2026-06-12T20:00:00.000+00:00", the offset form Tastytrade's REST API uses. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** "2026-08-24T17:50:38.346Z", the form market metrics use. */
export function isoTimeZ(ms: number): string {
  return new Date(ms).toISOString();
}
