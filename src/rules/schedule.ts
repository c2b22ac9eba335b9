// Owns rule-set cron schedules as they will run: checked by cron-parser, the parser BullMQ's Job Schedulers (wall time)
// and the broker-time ticker (src/queue/broker-ticker.ts) evaluate them with, in New York time; and their next fire
// times. Pure: the caller passes the instant.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { NEW_YORK } from '../domain/dates.js';

/** Rule-set crons match New York wall times (what BullMQ's `tz` and the broker-time ticker are given). */
export const SCHEDULE_TIME_ZONE = NEW_YORK;
/** The shortest time between two scans of a rule set, as for `every:` (10 s). */
export const MIN_SCHEDULE_GAP_SECONDS = 10;

/** Parses a cron pattern exactly as BullMQ does (non-strict, New York); throws cron-parser's error. */
export function parseCron(pattern: string, fromMs?: number): CronExpression {
  return CronExpressionParser.parse(pattern, {
    tz: SCHEDULE_TIME_ZONE,
    ...(fromMs === undefined ? {} : { currentDate: fromMs }),
  });
}

/** Shortest gap, in seconds, between matches within a minute (6-field patterns); 60 with one second value. */
function shortestGapSeconds(seconds: readonly number[]): number {
  if (seconds.length < 2) return 60;
  const sorted = [...seconds].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((s, i) => s - sorted[i]!);
  return Math.min(...gaps, 60 - sorted.at(-1)! + sorted[0]!);
}

/**
 * Why a cron pattern cannot be a rule-set schedule, or null. cron-parser decides the grammar (5 fields, or 6 with
 * seconds first; names, ranges, lists, steps, `L`, `#`, `?`, `@daily`-style aliases). On top of it: fewer fields are
 * refused (cron-parser would fill them in silently), `H` is refused (without a seed it is random at every parse, so
 * BullMQ would pick another time for each run), a pattern must fire at all, and at most once per 10 s.
 */
export function cronProblem(pattern: string): string | null {
  const fields = pattern
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  if (fields.length === 0) return 'cron is empty';
  if (!fields[0]!.startsWith('@') && (fields.length < 5 || fields.length > 6)) {
    return `cron needs 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${fields.length}`;
  }
  if (fields.some((f) => f.split(',').some((part) => /^H/i.test(part))))
    return 'cron: H (a hashed value) is random at every parse; write the value';
  let expression: CronExpression;
  try {
    expression = parseCron(pattern);
  } catch (error) {
    return `cron "${pattern.trim()}" is not valid: ${(error as Error).message}`;
  }
  try {
    expression.next();
  } catch {
    return `cron "${pattern.trim()}" never fires`;
  }
  const gap = shortestGapSeconds(expression.fields.second.values as number[]);
  if (gap < MIN_SCHEDULE_GAP_SECONDS)
    return `cron "${pattern.trim()}" fires ${gap} s apart; at least ${MIN_SCHEDULE_GAP_SECONDS} s between scans`;
  return null;
}

/** The next `count` instants (epoch ms) strictly after `fromMs` at which a valid cron pattern fires. */
export function nextCronTimes(pattern: string, fromMs: number, count = 3): number[] {
  const expression = parseCron(pattern, fromMs);
  return Array.from({ length: count }, () => expression.next().getTime());
}
