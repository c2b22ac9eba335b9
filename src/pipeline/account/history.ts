// Owns the account's history as people read it (`legwork history`, GET /api/history): close snapshots with the change
// since the previous close, and the intraday points, money in dollars. The window is counted back from the newest
// snapshot (broker time), so a reader needs no clock and a replayed venue's history reads the same.
import { DAY_MS } from '../../domain/dates.js';
import type { Greeks, PortfolioRow, SnapshotRow } from '../../domain/portfolio.js';
import type { Store } from '../store-port.js';

export const DEFAULT_HISTORY_DAYS = 30;
/** How far before the window a previous close is looked for (weekends, holidays, a process down for a while). */
const PREVIOUS_CLOSE_MS = 14 * DAY_MS;

export interface HistoryRow {
  kind: 'close' | 'intraday';
  /** New York date of the session. */
  date: string;
  /** ISO instant (broker time) the snapshot was taken. */
  at: string;
  netLiq: number;
  /** Net liq minus the previous session's close; null without one. */
  dayChange: number | null;
  cash: number;
  buyingPower: number;
  realizedPnl: number;
  unrealizedPnl: number;
  delta: number;
  betaDelta: number;
  gamma: number;
  theta: number;
  vega: number;
  /** Per position (close snapshots): mark in dollars per unit, greeks of the whole position (null when unknown). */
  positions?: { symbol: string; owner: string; quantity: number; mark: number | null; greeks: Greeks | null }[];
}

export interface AccountHistory {
  portfolio: { environment: string; accountNumber: string } | null;
  snapshots: HistoryRow[];
  intraday: HistoryRow[];
}

const dollars = (cents: number) => cents / 100;

function rowOf(s: SnapshotRow, previousClose: SnapshotRow | undefined, withPositions: boolean): HistoryRow {
  return {
    kind: s.kind,
    date: s.sessionDate,
    at: new Date(s.at).toISOString(),
    netLiq: dollars(s.netLiqCents),
    dayChange: previousClose ? dollars(s.netLiqCents - previousClose.netLiqCents) : null,
    cash: dollars(s.cashCents),
    buyingPower: dollars(s.buyingPowerCents),
    realizedPnl: dollars(s.realizedPnlCents),
    unrealizedPnl: dollars(s.unrealizedPnlCents),
    delta: s.greeks.delta,
    betaDelta: s.greeks.betaDelta,
    gamma: s.greeks.gamma,
    theta: s.greeks.theta,
    vega: s.greeks.vega,
    ...(withPositions
      ? {
          positions: s.positions.map((p) => ({
            symbol: p.symbol,
            owner: p.owner,
            quantity: p.quantity,
            mark: p.markCents === null ? null : dollars(p.markCents),
            greeks: p.greeks,
          })),
        }
      : {}),
  };
}

/**
 * Close snapshots and intraday points of the last `days` days before the newest snapshot, oldest first. Each row's
 * day change is against the latest close of an earlier session.
 */
export function historyRows(all: readonly SnapshotRow[], days: number): Omit<AccountHistory, 'portfolio'> {
  if (all.length === 0) return { snapshots: [], intraday: [] };
  const newest = Math.max(...all.map((s) => s.at));
  const since = newest - days * DAY_MS;
  const closes = all.filter((s) => s.kind === 'close').sort((a, b) => a.at - b.at);
  const previousClose = (sessionDate: string) => closes.filter((c) => c.sessionDate < sessionDate).at(-1);
  const inWindow = (s: SnapshotRow) => s.at > since;
  return {
    snapshots: closes.filter(inWindow).map((s) => rowOf(s, previousClose(s.sessionDate), true)),
    intraday: all
      .filter((s) => s.kind === 'intraday' && inWindow(s))
      .sort((a, b) => a.at - b.at)
      .map((s) => rowOf(s, previousClose(s.sessionDate), false)),
  };
}

/** The history of one portfolio (none yet: empty). */
export async function loadHistory(
  store: Store,
  portfolio: Pick<PortfolioRow, 'id' | 'environment' | 'accountNumber'> | undefined,
  days: number = DEFAULT_HISTORY_DAYS,
): Promise<AccountHistory> {
  if (!portfolio) return { portfolio: null, snapshots: [], intraday: [] };
  const newest = await store.portfolio.latestSnapshot(portfolio.id);
  const all = newest
    ? await store.portfolio.snapshotsSince(portfolio.id, newest.at - days * DAY_MS - PREVIOUS_CLOSE_MS)
    : [];
  return {
    portfolio: { environment: portfolio.environment, accountNumber: portfolio.accountNumber },
    ...historyRows(all, days),
  };
}
