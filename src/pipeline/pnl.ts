// Owns profit and loss per trade in cents, from its fills and settlements (the trade_positions view) and current marks (mids).
// Open trade: unrealised = cash from fills + mark value of what is still held − fees. Flat or closed: realised = cash from
// fills − fees (the broker's fees and commissions per fill, table `fees`). Pure functions + one loader.
import type { PositionRow, TradeRow } from '../domain/records.js';
import type { Store } from './store-port.js';
import type { Cents } from '../domain/money.js';
import type { MarketSnapshot } from '../domain/market.js';
import { isOccSymbol } from '../domain/instrument.js';

export const CONTRACT_MULTIPLIER = 100;

export interface TradePnl {
  tradeId: string;
  /** Signed cash of every fill: sells +, buys −. */
  cashCents: Cents;
  /** Fees and commissions the broker charged for the fills (recorded so far), a cost ≥ 0. */
  feeCents: Cents;
  /** Contracts still held (signed per symbol) — empty when flat. */
  open: { symbol: string; quantity: number }[];
  /** Cash of fills when flat (closed); null while something is held. */
  realizedCents: Cents | null;
  /** Cash + mark value while something is held; null when flat or when a held leg has no mark. */
  unrealizedCents: Cents | null;
  /** Held symbols without a mark. */
  unmarked: string[];
}

/** Mid per share in dollars by OCC symbol; a missing symbol has no mark. */
export type Marks = ReadonlyMap<string, number>;

export function tradePnl(
  tradeId: string,
  positions: readonly Pick<PositionRow, 'symbol' | 'quantity' | 'cashCents'>[],
  marks: Marks | null,
  feeCents: Cents = 0,
): TradePnl {
  const cashCents = positions.reduce((n, p) => n + Number(p.cashCents), 0);
  const open = positions.filter((p) => p.quantity !== 0).map((p) => ({ symbol: p.symbol, quantity: p.quantity }));
  if (open.length === 0)
    return {
      tradeId,
      cashCents,
      feeCents,
      open,
      realizedCents: cashCents - feeCents,
      unrealizedCents: null,
      unmarked: [],
    };
  const unmarked = open.filter((p) => marks?.get(p.symbol) === undefined).map((p) => p.symbol);
  if (!marks || unmarked.length > 0)
    return { tradeId, cashCents, feeCents, open, realizedCents: null, unrealizedCents: null, unmarked };
  // Options: 100 shares a contract; shares (delivered by an assignment or exercise) one
  const markValue = open.reduce(
    (n, p) => n + p.quantity * marks.get(p.symbol)! * 100 * (isOccSymbol(p.symbol) ? CONTRACT_MULTIPLIER : 1),
    0,
  );
  return {
    tradeId,
    cashCents,
    feeCents,
    open,
    realizedCents: null,
    unrealizedCents: Math.round(cashCents + markValue - feeCents),
    unmarked: [],
  };
}

/** Mids (dollars) by OCC symbol from a snapshot keyed by streamer symbol. */
export function marksFromSnapshot(
  snapshot: MarketSnapshot,
  streamerToSymbol: ReadonlyMap<string, string>,
): Map<string, number> {
  const marks = new Map<string, number>();
  for (const [streamer, symbol] of streamerToSymbol) {
    const q = snapshot.quotes.get(streamer);
    if (q && q.bid !== null && q.ask !== null) marks.set(symbol, (q.bid + q.ask) / 2);
  }
  return marks;
}

/** Every held leg's streamer symbol of these trades, mapped to its OCC symbol. */
export function streamerSymbolsOf(trades: readonly Pick<TradeRow, 'legs'>[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const t of trades) for (const l of t.legs) map.set(l.streamerSymbol, l.symbol);
  return map;
}

/**
 * P&L of many trades: one query for their positions, one snapshot for the marks (when `marketData` is given).
 * Without marks (no market data, or it failed) open trades get unrealised = null.
 */
export async function loadTradePnl(
  deps: {
    store: Store;
    marketData?: { snapshot(symbols: string[], o?: { timeoutMs?: number }): Promise<MarketSnapshot> };
  },
  trades: readonly Pick<TradeRow, 'id' | 'legs'>[],
  options: { timeoutMs?: number } = {},
): Promise<{ pnl: Map<string, TradePnl>; marksAvailable: boolean; marksError?: string }> {
  const ids = trades.map((t) => t.id);
  const rows = await deps.store.positions.ofTrades(ids);
  const byTrade = new Map<string, PositionRow[]>();
  for (const r of rows)
    byTrade.set(r.tradeId, [...(byTrade.get(r.tradeId) ?? []), { ...r, cashCents: Number(r.cashCents) }]);
  const held = trades.filter((t) => (byTrade.get(t.id) ?? []).some((p) => p.quantity !== 0));
  let marks: Map<string, number> | null = null;
  let marksError: string | undefined;
  if (held.length > 0 && deps.marketData) {
    const streamers = streamerSymbolsOf(held);
    // Shares a trade holds (delivered by a settlement) are quoted under their own symbol
    for (const r of rows) if (r.quantity !== 0 && !isOccSymbol(r.symbol)) streamers.set(r.symbol, r.symbol);
    try {
      const snap = await deps.marketData.snapshot([...streamers.keys()], { timeoutMs: options.timeoutMs ?? 5000 });
      marks = marksFromSnapshot(snap, streamers);
    } catch (error) {
      marksError = error instanceof Error ? error.message : String(error);
    }
  }
  const fees = await deps.store.fees.ofTrades(ids);
  const pnl = new Map(trades.map((t) => [t.id, tradePnl(t.id, byTrade.get(t.id) ?? [], marks, fees.get(t.id) ?? 0)]));
  return { pnl, marksAvailable: held.length === 0 || marks !== null, ...(marksError ? { marksError } : {}) };
}
