// Owns option symbology: OCC symbols ⇄ dxFeed streamer symbols ⇄ OptionContract, with clear errors. Pure.
import { daysBetween, isCalendarDate } from './dates.js';

export type OptionRight = 'C' | 'P';

export interface OptionContract {
  /** Option root as in the OCC symbol (usually the underlying; weeklies of indexes differ, e.g. SPXW). */
  root: string;
  /** YYYY-MM-DD */
  expiration: string;
  right: OptionRight;
  /** Strike in dollars; OCC carries it ×1000, so three decimals at most. */
  strike: number;
}

export class SymbolError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid option symbol ${JSON.stringify(input)}: ${reason}`);
    this.name = 'SymbolError';
  }
}

const yymmdd = (date: string) => date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);

function dateFrom(yy: string, mm: string, dd: string, input: string): string {
  const date = `20${yy}-${mm}-${dd}`;
  if (!isCalendarDate(date)) throw new SymbolError(input, `no such date ${yy}${mm}${dd}`);
  return date;
}

function checkContract(c: OptionContract): void {
  const label = `${c.root} ${c.expiration} ${c.right} ${c.strike}`;
  if (!/^[A-Z][A-Z0-9]{0,5}$/.test(c.root)) throw new SymbolError(label, 'root must be 1-6 capital letters or digits');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(c.expiration)) throw new SymbolError(label, 'expiration must be YYYY-MM-DD');
  if (c.right !== 'C' && c.right !== 'P') throw new SymbolError(label, 'right must be C or P');
  const milli = Math.round(c.strike * 1000);
  if (!(c.strike > 0) || Math.abs(milli - c.strike * 1000) > 1e-6 || milli > 99_999_999) {
    throw new SymbolError(label, 'strike must be positive, at most 99999.999, with at most 3 decimals');
  }
}

/** "SPY   261218C00600000": root padded to 6, YYMMDD, C|P, strike ×1000 in 8 digits. */
export function formatOcc(c: OptionContract): string {
  checkContract(c);
  return `${c.root.padEnd(6, ' ')}${yymmdd(c.expiration)}${c.right}${String(Math.round(c.strike * 1000)).padStart(8, '0')}`;
}

export function parseOcc(symbol: string): OptionContract {
  if (typeof symbol !== 'string') throw new SymbolError(String(symbol), 'not a string');
  if (symbol.length !== 21) throw new SymbolError(symbol, `an OCC symbol has 21 characters, this has ${symbol.length}`);
  const m = /^([A-Z][A-Z0-9]{0,5}) *(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(symbol);
  if (!m || symbol.slice(0, 6).trimEnd() !== m[1]) {
    throw new SymbolError(
      symbol,
      'expected ROOT padded to 6 characters, YYMMDD, C or P, and the strike ×1000 in 8 digits',
    );
  }
  const strike = Number(m[6]) / 1000;
  if (!(strike > 0)) throw new SymbolError(symbol, 'strike must be positive');
  return { root: m[1]!, expiration: dateFrom(m[2]!, m[3]!, m[4]!, symbol), right: m[5] as OptionRight, strike };
}

/** "480.5" for 480.5, "600" for 600: no padding, no trailing zeros. */
const strikeText = (strike: number) => String(Math.round(strike * 1000) / 1000);

/** ".SPY261218C600", ".SPY240324P480.5" */
export function formatStreamerSymbol(c: OptionContract): string {
  checkContract(c);
  return `.${c.root}${yymmdd(c.expiration)}${c.right}${strikeText(c.strike)}`;
}

export function parseStreamerSymbol(symbol: string): OptionContract {
  const m = /^\.([A-Z][A-Z0-9]{0,5}?)(\d{2})(\d{2})(\d{2})([CP])(\d{1,5}(?:\.\d{1,3})?)$/.exec(symbol);
  if (!m) throw new SymbolError(symbol, 'expected .ROOTYYMMDD then C or P then the strike, e.g. .SPY261218C600');
  const strike = Number(m[6]);
  if (!(strike > 0)) throw new SymbolError(symbol, 'strike must be positive');
  return { root: m[1]!, expiration: dateFrom(m[2]!, m[3]!, m[4]!, symbol), right: m[5] as OptionRight, strike };
}

export const occToStreamer = (occ: string): string => formatStreamerSymbol(parseOcc(occ));
export const streamerToOcc = (streamer: string): string => formatOcc(parseStreamerSymbol(streamer));

/** True for an OCC option symbol; false for an equity ticker like "SPY". */
export const isOccSymbol = (symbol: string): boolean => /^[A-Z][A-Z0-9 ]{5}\d{6}[CP]\d{8}$/.test(symbol);

/** Whole calendar days from a New York date (YYYY-MM-DD) to the expiration. */
export function daysToExpiration(expiration: string, todayNy: string): number {
  return daysBetween(todayNy, expiration);
}

/** An OCC symbol as people read it in messages: its padding collapsed ("SPY   261224C00700000" → "SPY 261224C00700000"). */
export const compactSymbol = (symbol: string): string => symbol.trim().replace(/\s+/g, ' ');
