// Owns recognising a position a trader closed by hand outside Legwork (the Tastytrade app, another tool): the broker's
// fills of orders that are not ours, and whether they explain a difference between what one trade holds of a symbol
// and what the broker holds. Only closing fills toward flat, whose quantity is exactly the difference, explain it;
// an absence alone never does. Pure.
import type { BrokerTransaction } from './account.js';

export type OutsideAction = 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close';

/** One fill of a broker order that is not Legwork's, from the broker's Trade transaction (one per leg fill). */
export interface OutsideFill {
  /** The broker's transaction id: the fill's key, recorded once. */
  transactionId: number;
  brokerOrderId: number;
  symbol: string;
  action: OutsideAction;
  /** Contracts or shares, unsigned. */
  quantity: number;
  /** Per unit, unsigned, cents. */
  priceCents: number;
  /** Commission and fees as a cost, cents. */
  feeCents: number;
  /** ISO time of the fill at the broker. */
  executedAt: string;
}

/**
 * Who sent a broker order: `ours` (one of our broker ids, or it carries one of our external ids), `foreign` (neither,
 * the broker said so), `unknown` (not asked, or the broker did not answer: never taken for foreign).
 */
export type OrderOwner = 'ours' | 'foreign' | 'unknown';

const ACTIONS: ReadonlySet<string> = new Set(['Buy to Open', 'Sell to Open', 'Buy to Close', 'Sell to Close']);

/**
 * The broker's Trade transactions of orders known to be foreign, as outside fills, each transaction once (pages read
 * while new transactions arrive can list one twice). Orders of ours, or of unknown owner, are left out.
 */
export function outsideFillsOf(
  transactions: readonly BrokerTransaction[],
  ownerOf: ReadonlyMap<number, OrderOwner>,
): OutsideFill[] {
  const seen = new Set<number>();
  const out: OutsideFill[] = [];
  for (const t of transactions) {
    if (seen.has(t.id) || ownerOf.get(t.brokerOrderId) !== 'foreign' || !ACTIONS.has(t.action)) continue;
    if (!(t.quantity > 0) || t.symbol === '') continue;
    seen.add(t.id);
    out.push({
      transactionId: t.id,
      brokerOrderId: t.brokerOrderId,
      symbol: t.symbol,
      action: t.action as OutsideAction,
      quantity: t.quantity,
      priceCents: t.priceCents,
      feeCents: t.feeCents,
      executedAt: t.executedAt,
    });
  }
  return out;
}

/** What a trade may take from outside fills now. */
export interface TradeAtRest {
  /** When the trade began to hold (its first entry fill), epoch ms: an earlier fill cannot have closed its position. */
  heldSince: number;
  /** Open or broken with no group of ours live: false while an entry or exit of ours works (never raced). */
  atRest: boolean;
}

export interface OutsideEvidence {
  /** Fills of foreign orders (any action) on the symbols that differ. */
  fills: readonly OutsideFill[];
  /** Transactions already recorded against a trade: they explain nothing new. */
  recorded?: ReadonlySet<number>;
  /** The trades holding a differing symbol; a trade absent here takes nothing. */
  trades: ReadonlyMap<string, TradeAtRest>;
}

export type OutsideCloseVerdict =
  /** The fills close exactly the difference toward flat: the trade's position is what the broker says once recorded. */
  | { kind: 'closed'; tradeId: string; fills: OutsideFill[] }
  /** They would, but a group of ours is live on the trade: nothing is recorded until it ends. */
  | { kind: 'waiting'; tradeId: string; fills: OutsideFill[] }
  | { kind: 'none' };

/**
 * Whether fills outside Legwork explain that one trade holds `ours` of `symbol` and the broker `broker`: every foreign
 * fill of the symbol since the trade began to hold is a closing one toward flat (a short bought to close, a long sold
 * to close), and together they are exactly the difference, no more than the trade held. Anything else (no fill, an
 * opening fill by hand on that symbol, a close in the other direction, a close larger than held, a symbol several
 * trades hold) explains nothing: which position a human closed is then a human's call.
 */
export function outsideCloseOf(
  d: { symbol: string; ours: number; broker: number; tradeIds: readonly string[] },
  evidence: OutsideEvidence | undefined,
): OutsideCloseVerdict {
  const none = { kind: 'none' } as const;
  if (!evidence || d.ours === 0 || d.tradeIds.length !== 1) return none;
  const tradeId = d.tradeIds[0]!;
  const trade = evidence.trades.get(tradeId);
  if (!trade) return none;
  const seen = new Set<number>();
  const fills = evidence.fills.filter((f) => {
    if (f.symbol !== d.symbol || evidence.recorded?.has(f.transactionId) || seen.has(f.transactionId)) return false;
    if (Date.parse(f.executedAt) < trade.heldSince) return false;
    seen.add(f.transactionId);
    return true;
  });
  if (fills.length === 0) return none;
  const closing = d.ours < 0 ? 'Buy to Close' : 'Sell to Close';
  if (fills.some((f) => f.action !== closing)) return none;
  const closed = fills.reduce((n, f) => n + f.quantity, 0);
  if (closed > Math.abs(d.ours)) return none;
  if (d.ours + Math.sign(-d.ours) * closed !== d.broker) return none;
  return { kind: trade.atRest ? 'closed' : 'waiting', tradeId, fills };
}

/** "broker order 123" / "broker orders 123, 124". */
export const brokerOrdersText = (fills: readonly OutsideFill[]): string => {
  const ids = [...new Set(fills.map((f) => f.brokerOrderId))];
  return `broker order${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
};
