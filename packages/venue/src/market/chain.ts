// Owns option chains for the venue: listed expirations (weeklies, monthlies), strike grids, OCC and streamer symbols.
import { addDays, dateOf, daysBetween, isTradingDay, nyDate, nyTime, tradingHours, weekday } from '../calendar.js';
import type {
  ChainExpiration,
  ChainStrike,
  ExpirationType,
  OptionChain,
  OptionRight,
  VenueMillis,
  TickSize,
  UnderlyingSpec,
} from '../types.js';
import { farStrikeStep, isEtf } from './underlyings.js';

export const SHARES_PER_CONTRACT = 100;
export const WEEKLY_HORIZON_DAYS = 56;
export const MONTHLY_HORIZON_DAYS = 200;

export interface ParsedOcc {
  root: string;
  expirationDate: string; // YYYY-MM-DD
  right: OptionRight;
  strike: number;
}

export function tickSizesFor(spec: Pick<UnderlyingSpec, 'pennyProgram'>): TickSize[] {
  return spec.pennyProgram
    ? [{ threshold: 3, value: 0.01 }, { value: 0.05 }]
    : [{ threshold: 3, value: 0.05 }, { value: 0.1 }];
}

/** Shortest decimal form of a strike: 600 -> "600", 480.5 -> "480.5", 2.5 -> "2.5". */
export function formatStrike(strike: number): string {
  return String(Math.round(strike * 1000) / 1000);
}

function yymmdd(date: string): string {
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
}

/** OCC symbol: root padded to 6, YYMMDD, C|P, strike x 1000 padded to 8 ("SPY   261218C00600000"). */
export function formatOcc(root: string, expirationDate: string, right: OptionRight, strike: number): string {
  return `${root.padEnd(6, ' ')}${yymmdd(expirationDate)}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

/** dxFeed streamer symbol: ".SPY261218C600", ".SPY261218P480.5". */
export function formatStreamerSymbol(root: string, expirationDate: string, right: OptionRight, strike: number): string {
  return `.${root}${yymmdd(expirationDate)}${right}${formatStrike(strike)}`;
}

function toDate(yy: string, mm: string, dd: string): string | undefined {
  const date = `20${yy}-${mm}-${dd}`;
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date ? date : undefined;
}

/** Parses an OCC symbol; on failure says why. */
export function parseOccDetailed(symbol: string): { ok: true; value: ParsedOcc } | { ok: false; reason: string } {
  if (typeof symbol !== 'string') return { ok: false, reason: 'not a string' };
  if (symbol.length !== 21) return { ok: false, reason: `expected 21 characters, got ${symbol.length}` };
  const m = /^([A-Z][A-Z0-9]{0,5}) *(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(symbol);
  if (!m || symbol.slice(0, 6).trimEnd() !== m[1]) {
    return { ok: false, reason: 'expected ROOT padded to 6, YYMMDD, C or P, 8-digit strike x 1000' };
  }
  const date = toDate(m[2] ?? '', m[3] ?? '', m[4] ?? '');
  if (!date) return { ok: false, reason: `invalid expiration date ${m[2]}${m[3]}${m[4]}` };
  const strike = Number(m[6]) / 1000;
  if (!(strike > 0)) return { ok: false, reason: 'strike must be positive' };
  return { ok: true, value: { root: m[1] ?? '', expirationDate: date, right: m[5] as OptionRight, strike } };
}

export function parseOcc(symbol: string): ParsedOcc | undefined {
  const r = parseOccDetailed(symbol);
  return r.ok ? r.value : undefined;
}

/** Parses ".SPY261218C600" / ".SPY261218P480.5". Undefined when malformed. */
export function parseStreamerSymbol(s: string): ParsedOcc | undefined {
  const m = /^\.([A-Z][A-Z0-9]{0,5}?)(\d{2})(\d{2})(\d{2})([CP])(\d+(?:\.\d{1,3})?)$/.exec(s);
  if (!m) return undefined;
  const date = toDate(m[2] ?? '', m[3] ?? '', m[4] ?? '');
  const strike = Number(m[6]);
  if (!date || !(strike > 0)) return undefined;
  return { root: m[1] ?? '', expirationDate: date, right: m[5] as OptionRight, strike };
}

/** Third Friday of a month (YYYY-MM-DD). */
export function thirdFriday(y: number, m: number): string {
  const first = dateOf(Date.UTC(y, m - 1, 1) / 86_400_000);
  return addDays(first, ((5 - weekday(first) + 7) % 7) + 14);
}

/** A Friday expiration moves to the previous trading day when the Friday is a holiday. */
function tradingFriday(friday: string): string {
  let d = friday;
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

export interface ListedExpiration {
  expirationDate: string;
  expirationType: ExpirationType;
  expiresAt: VenueMillis;
  stopsTradingAt: VenueMillis;
}

/** Expirations listed at `now`: every Friday for 8 weeks, plus third-Friday monthlies for ~200 days. */
export function listExpirations(now: VenueMillis): ListedExpiration[] {
  const today = nyDate(now);
  const byDate = new Map<string, ExpirationType>();
  const firstFriday = addDays(today, (5 - weekday(today) + 7) % 7);
  for (let f = firstFriday; daysBetween(today, f) <= MONTHLY_HORIZON_DAYS; f = addDays(f, 7)) {
    const y = Number(f.slice(0, 4));
    const mo = Number(f.slice(5, 7));
    const monthly = thirdFriday(y, mo) === f;
    if (!monthly && daysBetween(today, f) > WEEKLY_HORIZON_DAYS) continue;
    byDate.set(tradingFriday(f), monthly ? 'Regular' : 'Weekly');
  }
  const out: ListedExpiration[] = [];
  for (const [expirationDate, expirationType] of byDate) {
    const expiresAt = nyTime(expirationDate, '16:00');
    if (now >= expiresAt) continue;
    const stopsTradingAt = tradingHours(expirationDate)?.closeAt ?? expiresAt;
    out.push({ expirationDate, expirationType, expiresAt, stopsTradingAt });
  }
  return out.sort((a, b) => a.expiresAt - b.expiresAt);
}

/** Fraction of spot the grid spans each side. */
export function strikeRange(spec: UnderlyingSpec): number {
  return isEtf(spec) ? 0.35 : Math.min(0.5, Math.max(0.35, spec.vol * 1.6));
}

/** Fraction of spot each side with the fine (near-the-money) strike step. */
export function nearBand(spec: UnderlyingSpec): number {
  return Math.min(0.15, Math.max(0.06, spec.vol * 0.6));
}

/**
 * Strikes around one or more reference spots (union): fine step within the near band, coarse step out to the range.
 * Works in thousandths to stay exact. A reference spot fixed for the day keeps the grid (and its OCC symbols) stable.
 */
export function strikeGrid(spec: UnderlyingSpec, refSpots: number[]): number[] {
  const near = Math.round(spec.strikeStep * 1000);
  const far = Math.round(farStrikeStep(spec) * 1000);
  const set = new Set<number>();
  for (const ref of refSpots) {
    const r = ref * 1000;
    const lo = Math.max(near, Math.ceil((r * (1 - strikeRange(spec))) / far) * far);
    const hi = Math.floor((r * (1 + strikeRange(spec))) / far) * far;
    const nlo = Math.floor((r * (1 - nearBand(spec))) / far) * far;
    const nhi = Math.ceil((r * (1 + nearBand(spec))) / far) * far;
    for (let k = lo; k <= hi; k += far) set.add(k);
    for (let k = Math.max(near, nlo); k <= nhi; k += near) set.add(k);
  }
  return [...set].sort((a, b) => a - b).map((k) => k / 1000);
}

/** True when a strike lies on the underlying's fine strike ladder and within a generous band of a reference spot. */
export function strikeOnLadder(spec: UnderlyingSpec, strike: number, refSpots: number[]): boolean {
  const k = Math.round(strike * 1000);
  if (Math.abs(k - strike * 1000) > 1e-6 || k % Math.round(spec.strikeStep * 1000) !== 0) return false;
  const band = strikeRange(spec) + 0.15;
  return refSpots.some((ref) => strike >= ref * (1 - band) && strike <= ref * (1 + band));
}

function chainStrike(root: string, date: string, strike: number): ChainStrike {
  return {
    strike,
    callSymbol: formatOcc(root, date, 'C', strike),
    putSymbol: formatOcc(root, date, 'P', strike),
    callStreamerSymbol: formatStreamerSymbol(root, date, 'C', strike),
    putStreamerSymbol: formatStreamerSymbol(root, date, 'P', strike),
  };
}

/** The chain at `now` with the strike grid built from the given reference spots. */
export function buildChain(spec: UnderlyingSpec, now: VenueMillis, refSpots: number[]): OptionChain {
  const today = nyDate(now);
  const grid = strikeGrid(spec, refSpots);
  const root = spec.symbol;
  const expirations: ChainExpiration[] = listExpirations(now).map((e) => ({
    expirationDate: e.expirationDate,
    expirationType: e.expirationType,
    settlementType: 'PM',
    daysToExpiration: daysBetween(today, e.expirationDate),
    expiresAt: e.expiresAt,
    stopsTradingAt: e.stopsTradingAt,
    strikes: grid.map((k) => chainStrike(root, e.expirationDate, k)),
  }));
  return {
    underlyingSymbol: spec.symbol,
    rootSymbol: root,
    sharesPerContract: SHARES_PER_CONTRACT,
    tickSizes: tickSizesFor(spec),
    expirations,
  };
}
