// Owns when the account is photographed (broker time): an intraday point while the market is open, at most one per
// cadence, and one close snapshot per session once that session has closed. Pure: the caller passes the broker's
// market session, the instant and what is already recorded.
import type { MarketSessionInfo } from './account.js';
import { nyDate } from './dates.js';

export const DEFAULT_INTRADAY_EVERY_MS = 5 * 60_000;

/** The New York date of the session an intraday point at `now` belongs to, when one is due; null otherwise. */
export function intradayDue(
  session: Pick<MarketSessionInfo, 'state'>,
  now: number,
  lastPointAt: number | undefined,
  everyMs: number = DEFAULT_INTRADAY_EVERY_MS,
): string | null {
  if (session.state !== 'Open') return null;
  // A clock that went back (a venue reset) would otherwise stop the points until it caught up
  const due = lastPointAt === undefined || now - lastPointAt >= everyMs || now < lastPointAt;
  return due ? nyDate(now) : null;
}

export interface CloseDue {
  /** New York date of the session that closed. */
  sessionDate: string;
  /**
   * The session's close passed while nothing looked (the process was down through the after-hours window): taken
   * now, before the next session opens, from the latest intraday point's session.
   */
  late: boolean;
  /**
   * Nothing looked between that session's close and the next open (a process down all night, a clock that jumped to
   * the open): the close is recorded from the session's last intraday point, the last prices of it Legwork saw.
   */
  fromLastPoint?: true;
}

/**
 * The session whose close snapshot is due, or null. A session has closed when the broker's current session closed
 * at or before `now` (after hours: Tastytrade and the venue report the day's session until 20:00 New York). Later the
 * broker reports the next session; the session of the latest intraday point is then known to have closed, and its close
 * is taken late. Once the next session opened, its prices are no longer that close's: the close is then the session's
 * last intraday point.
 */
export function closeDue(
  session: MarketSessionInfo,
  now: number,
  recorded: { lastCloseDate: string | undefined; lastPointDate: string | undefined },
): CloseDue | null {
  let due: CloseDue | null = null;
  if (session.closeAt !== null && session.closeAt <= now) {
    due = { sessionDate: nyDate(session.closeAt), late: false };
  } else if (session.state !== 'Open' && recorded.lastPointDate !== undefined) {
    const upcoming = session.openAt ?? session.closeAt;
    if (upcoming !== null && upcoming > now && recorded.lastPointDate < nyDate(upcoming))
      due = { sessionDate: recorded.lastPointDate, late: true };
  }
  if (!due && session.state === 'Open' && recorded.lastPointDate !== undefined) {
    if (recorded.lastPointDate < nyDate(now))
      due = { sessionDate: recorded.lastPointDate, late: true, fromLastPoint: true };
  }
  if (!due) return null;
  return recorded.lastCloseDate !== undefined && recorded.lastCloseDate >= due.sessionDate ? null : due;
}
