// Owns the US equity market calendar in America/New_York: NYSE holidays, early closes, sessions and NY date/time math.
import type { MarketSession, VenueMillis } from './types.js';

export const DAY_MS = 86_400_000;
const TZ = 'America/New_York';

const partsFmt = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface NyParts {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

function nyParts(ms: number): NyParts {
  const p: Record<string, number> = {};
  for (const part of partsFmt.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return {
    y: p.year ?? 1970,
    m: p.month ?? 1,
    d: p.day ?? 1,
    hh: (p.hour ?? 0) % 24,
    mm: p.minute ?? 0,
    ss: p.second ?? 0,
  };
}

/** New York's offset from UTC at `ms`, in milliseconds (-4h in EDT, -5h in EST). */
export function nyOffsetMs(ms: number): number {
  const p = nyParts(ms);
  return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - Math.floor(ms / 1000) * 1000;
}

// ---- day numbers (days since 1970-01-01) ----

export function dayNum(dateStr: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateStr);
  if (!m) throw new Error(`invalid date "${dateStr}", expected YYYY-MM-DD`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday .. 6 = Saturday. */
export function weekday(dateStr: string): number {
  return new Date(dayNum(dateStr) * DAY_MS).getUTCDay();
}

export function addDays(dateStr: string, n: number): string {
  return dateOf(dayNum(dateStr) + n);
}

/** Calendar days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return dayNum(b) - dayNum(a);
}

/** YYYY-MM-DD in New York at `ms`. */
export function nyDate(ms: VenueMillis): string {
  const p = nyParts(ms);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** Epoch ms of a New York wall time ("HH:MM" or "HH:MM:SS") on a date (DST-correct). */
export function nyTime(dateStr: string, hhmm: string): VenueMillis {
  const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(hhmm);
  if (!t) throw new Error(`invalid time "${hhmm}", expected HH:MM`);
  const day = dayNum(dateStr);
  const local = day * DAY_MS + (Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3] ?? 0)) * 1000;
  const guess = local - nyOffsetMs(local);
  return local - nyOffsetMs(guess);
}

// ---- holidays ----

function ymd(y: number, m: number, d: number): string {
  return dateOf(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** n-th (1-based) weekday `wd` of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, wd: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
    return ymd(y, m, 1 + ((wd - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const last = new Date(Date.UTC(y, m - 1, lastDay)).getUTCDay();
  return ymd(y, m, lastDay - ((last - wd + 7) % 7));
}

/** Easter Sunday (anonymous Gregorian algorithm). */
export function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(y, month, day);
}

/** Saturday -> Friday before, Sunday -> Monday after. */
function observed(dateStr: string): string {
  const wd = weekday(dateStr);
  return wd === 6 ? addDays(dateStr, -1) : wd === 0 ? addDays(dateStr, 1) : dateStr;
}

const holidayCache = new Map<number, Map<string, string>>();

/** NYSE full-day holidays of a year: date -> name. */
export function nyseHolidays(y: number): Map<string, string> {
  const cached = holidayCache.get(y);
  if (cached) return cached;
  const h = new Map<string, string>();
  const ny = ymd(y, 1, 1);
  const nyWd = weekday(ny);
  if (nyWd !== 6) h.set(nyWd === 0 ? addDays(ny, 1) : ny, "New Year's Day"); // Saturday: not observed on Dec 31
  h.set(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day');
  h.set(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  h.set(addDays(easter(y), -2), 'Good Friday');
  h.set(nthWeekday(y, 5, 1, -1), 'Memorial Day');
  if (y >= 2022) h.set(observed(ymd(y, 6, 19)), 'Juneteenth');
  h.set(observed(ymd(y, 7, 4)), 'Independence Day');
  h.set(nthWeekday(y, 9, 1, 1), 'Labor Day');
  h.set(nthWeekday(y, 11, 4, 4), 'Thanksgiving Day');
  h.set(observed(ymd(y, 12, 25)), 'Christmas Day');
  holidayCache.set(y, h);
  return h;
}

export function isHoliday(dateStr: string): boolean {
  return nyseHolidays(Number(dateStr.slice(0, 4))).has(dateStr);
}

export function isTradingDay(dateStr: string): boolean {
  const wd = weekday(dateStr);
  return wd !== 0 && wd !== 6 && !isHoliday(dateStr);
}

/** 13:00 closes: day after Thanksgiving, Christmas Eve, July 3rd (when they are trading days). */
export function isEarlyClose(dateStr: string): boolean {
  if (!isTradingDay(dateStr)) return false;
  const y = Number(dateStr.slice(0, 4));
  if (dateStr === addDays(nthWeekday(y, 11, 4, 4), 1)) return true;
  if (dateStr === ymd(y, 12, 24)) return true;
  return dateStr === ymd(y, 7, 3) && weekday(dateStr) !== 5;
}

/** The 13:00 closes of a year, in date order. */
export function nyseEarlyCloses(y: number): string[] {
  const candidates = [ymd(y, 7, 3), addDays(nthWeekday(y, 11, 4, 4), 1), ymd(y, 12, 24)];
  return candidates.filter(isEarlyClose);
}

export function nextTradingDay(dateStr: string): string {
  let d = addDays(dateStr, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

export function prevTradingDay(dateStr: string): string {
  let d = addDays(dateStr, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

export interface TradingHours {
  date: string;
  startAt: VenueMillis; // 04:00
  openAt: VenueMillis; // 09:30
  closeAt: VenueMillis; // 16:00 or 13:00
  closeAtExt: VenueMillis; // 20:00 (17:00 on early closes)
}

const hoursCache = new Map<string, TradingHours | null>();

/** Session bounds of a date; undefined when the market is closed all day. */
export function tradingHours(dateStr: string): TradingHours | undefined {
  let h = hoursCache.get(dateStr);
  if (h === undefined) {
    const early = isEarlyClose(dateStr);
    h = isTradingDay(dateStr)
      ? {
          date: dateStr,
          startAt: nyTime(dateStr, '04:00'),
          openAt: nyTime(dateStr, '09:30'),
          closeAt: nyTime(dateStr, early ? '13:00' : '16:00'),
          closeAtExt: nyTime(dateStr, early ? '17:00' : '20:00'),
        }
      : null;
    hoursCache.set(dateStr, h);
  }
  return h ?? undefined;
}

function hoursOrThrow(dateStr: string): TradingHours {
  const h = tradingHours(dateStr);
  if (!h) throw new Error(`${dateStr} is not a trading day`);
  return h;
}

/** The US equity session at `ms` per the NYSE calendar. */
export function sessionAt(ms: VenueMillis): MarketSession {
  const today = nyDate(ms);
  const h = tradingHours(today);
  let state: MarketSession['state'] = 'Closed';
  let cur: TradingHours;
  if (h && ms < h.closeAtExt) {
    cur = h;
    if (ms >= h.closeAt) state = 'Extended';
    else if (ms >= h.openAt) state = 'Open';
    else if (ms >= h.startAt) state = 'Pre-market';
  } else {
    cur = hoursOrThrow(nextTradingDay(today));
  }
  const nextOpenAt = ms < cur.openAt ? cur.openAt : hoursOrThrow(nextTradingDay(cur.date)).openAt;
  return {
    state,
    openAt: cur.openAt,
    closeAt: cur.closeAt,
    startAt: cur.startAt,
    closeAtExt: cur.closeAtExt,
    nextOpenAt,
    tradingDate: cur.date,
  };
}
