// Owns the account's P&L for its snapshots, in cents, net of fees: realised = every settled trade's realised P&L (as
// the trade list shows it), unrealised = Legwork's open trades at the marks (pnl.ts) plus foreign positions at their
// marks against the broker's average open price (the broker knows no fees of ours for them).
import { FOREIGN, type PortfolioPosition } from '../../domain/portfolio.js';
import type { TradeStatus } from '../../domain/trade-transitions.js';
import { type Marks, tradePnl } from '../pnl.js';
import type { Store } from '../store-port.js';

/** Trades whose P&L is final. */
const SETTLED: TradeStatus[] = ['closed', 'rolled_back'];
const ALL_TRADES = 1_000_000;

/** Σ realised P&L of settled trades; a settled trade without a recorded figure is computed from its fills and fees. */
export async function realizedOfSettled(store: Store): Promise<number> {
  const trades = await store.trades.list({ statuses: SETTLED, limit: ALL_TRADES });
  let total = 0;
  const unrecorded: string[] = [];
  for (const t of trades) {
    if (t.realizedPnlCents !== null) total += Number(t.realizedPnlCents);
    else unrecorded.push(t.id);
  }
  if (unrecorded.length > 0) {
    const [rows, fees] = await Promise.all([store.positions.ofTrades(unrecorded), store.fees.ofTrades(unrecorded)]);
    for (const id of unrecorded) {
      const pnl = tradePnl(
        id,
        rows.filter((r) => r.tradeId === id).map((r) => ({ ...r, cashCents: Number(r.cashCents) })),
        null,
        fees.get(id) ?? 0,
      );
      total += pnl.realizedCents ?? 0;
    }
  }
  return total;
}

export interface Unrealized {
  cents: number;
  /** Symbols without a mark: their position counts 0. */
  unmarked: string[];
}

/**
 * Open P&L: each trade that holds something (its cash from fills + what it holds at the marks − its fees), plus each
 * foreign position at (mark − average open price) × quantity × multiplier.
 */
export async function unrealizedOf(
  store: Store,
  held: readonly { tradeId: string; symbol: string }[],
  positions: readonly Pick<
    PortfolioPosition,
    'symbol' | 'owner' | 'quantity' | 'multiplier' | 'markCents' | 'averageOpenPriceCents'
  >[],
  marks: Marks,
): Promise<Unrealized> {
  const unmarked = new Set<string>();
  let cents = 0;
  const ids = [...new Set(held.map((h) => h.tradeId))];
  if (ids.length > 0) {
    const [rows, fees] = await Promise.all([store.positions.ofTrades(ids), store.fees.ofTrades(ids)]);
    for (const id of ids) {
      const pnl = tradePnl(
        id,
        rows.filter((r) => r.tradeId === id).map((r) => ({ ...r, cashCents: Number(r.cashCents) })),
        marks,
        fees.get(id) ?? 0,
      );
      if (pnl.unrealizedCents !== null) cents += pnl.unrealizedCents;
      for (const s of pnl.unmarked) unmarked.add(s);
    }
  }
  for (const p of positions) {
    if (p.owner !== FOREIGN) continue;
    if (p.markCents === null) unmarked.add(p.symbol);
    else cents += Math.round((p.markCents - p.averageOpenPriceCents) * p.quantity * p.multiplier);
  }
  return { cents, unmarked: [...unmarked].sort() };
}
