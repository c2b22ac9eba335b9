// Owns leaving the kill switch (`legwork resume`, POST /api/resume): refused while any trade or order group is broken
// (a broken trade holds something nobody has flattened yet), unless forced with a reason, which is audited with the ids
// it overrode. Resuming clears a standing flatten request.
import type { Sql } from '../store/db.js';
import { getTradingState, setTradingState, type TradingStateValue } from '../store/settings.repo.js';

export interface BrokenThings {
  trades: string[];
  groups: string[];
}

/** Broken trades, and broken groups whose trade is not settled (a later flatten may have closed it). */
export async function brokenThings(sql: Sql): Promise<BrokenThings> {
  const trades = await sql<{ id: string }[]>`select id from trades where status = 'broken' order by created_at`;
  const groups = await sql<{ id: string }[]>`select g.id from order_groups g join trades t on t.id = g.trade_id
    where g.status = 'broken' and t.status not in ('closed', 'rejected', 'rolled_back') order by g.created_at`;
  return { trades: trades.map((r) => r.id), groups: groups.map((r) => r.id) };
}

export type ResumeResult =
  | { ok: true; state: TradingStateValue; before: TradingStateValue; overridden?: BrokenThings }
  | { ok: false; message: string; blocking: BrokenThings };

export async function resumeTrading(sql: Sql, by: string, options: { reason?: string | undefined; force?: boolean }): Promise<ResumeResult> {
  const before = await getTradingState(sql);
  const blocking = await brokenThings(sql);
  const broken = blocking.trades.length + blocking.groups.length > 0;
  if (broken && !options.force) {
    return {
      ok: false,
      blocking,
      message: `refused: ${blocking.trades.length} broken trade(s) and ${blocking.groups.length} broken group(s) hold positions nobody manages to a close; flatten them, or resume with --force and a --reason`,
    };
  }
  if (broken && !options.reason) return { ok: false, blocking, message: 'refused: --force needs a --reason (it is audited)' };
  const state = await setTradingState(sql, 'active', by, options.reason, {
    ...(broken ? { audit: { forced: true, overriddenTrades: blocking.trades, overriddenGroups: blocking.groups, from: before.state } } : {}),
  });
  return { ok: true, state, before, ...(broken ? { overridden: blocking } : {}) };
}
