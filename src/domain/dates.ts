// Owns Legwork's calendar arithmetic: YYYY-MM-DD dates as day numbers (days since 1970-01-01), whole calendar days
// between two dates, and the New York date and wall time of an instant. Pure (the caller passes the instant).
// The venue keeps its own copy (packages/venue/src/calendar.ts): it imports nothing of Legwork's, and Legwork nothing of it.

export const DAY_MS = 86_400_000;
/** The time zone of US option trading: trading dates, expirations and rule-set cron schedules are New York's. */
export const NEW_YORK = 'America/New_York';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD date; NaN when the text is not YYYY-MM-DD. */
export function dayNumber(date: string): number {
  const m = DATE.exec(date);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : Number.NaN;
}

/** The YYYY-MM-DD date of a day number; throws a RangeError for a day that is not a number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** True for YYYY-MM-DD naming a real day (2026-02-29 does not). */
export function isCalendarDate(date: string): boolean {
  const day = dayNumber(date);
  return Number.isFinite(day) && dateOfDay(day) === date;
}

export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** Whole calendar days from `from` to `to` (YYYY-MM-DD), negative when `to` is earlier; NaN for a malformed date. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

const nyDayFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const nyMinuteFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

function parts(format: Intl.DateTimeFormat, ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') out[p.type] = p.value;
  return out;
}

/** New York's date (YYYY-MM-DD) at the instant `ms` (epoch milliseconds). */
export function nyDate(ms: number): string {
  const p = parts(nyDayFormat, ms);
  return `${p['year']}-${p['month']}-${p['day']}`;
}

/** New York's wall time at `ms` to the minute, for people: `Mon 2026-03-09 09:30 EDT`. */
export function nyMinute(ms: number): string {
  const p = parts(nyMinuteFormat, ms);
  return `${p['weekday']} ${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']} ${p['timeZoneName']}`;
}

const nyOffsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, timeZoneName: 'longOffset' });

/** The instant (epoch ms) of a New York wall time on a date: `nyInstant('2027-01-15', '16:00')` is that day's close. */
export function nyInstant(date: string, time: string): number {
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  // New York's offset at that moment (GMT-05:00 or GMT-04:00), read at noon UTC of the date: no DST change at 12:00
  const name = parts(nyOffsetFormat, Date.parse(`${date}T12:00:00Z`))['timeZoneName'] ?? 'GMT-05:00';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : -300;
  return asUtc - offsetMin * 60_000;
}
