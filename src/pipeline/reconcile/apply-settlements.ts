// Owns acting on explained position differences: the broker's settlements of a trade's options (expired, assigned,
// exercised) and the shares delivered for them are recorded against that trade, so its positions are the broker's
// again and delivered shares are the trade's to close. A settled trade left holding nothing (everything expired
// worthless, or the rest closed by hand: outside-closes.ts) is closed with its P&L; one left holding shares or legs is
// closed by the exit cycle at the next open.
import type { SettlementAction } from '../../domain/records.js';
import type { PositionDifference } from '../../domain/position-explain.js';
import { pairSettlements, type Settlement } from '../../domain/settlement.js';
import type { ExecContext } from '../execution-context.js';
import { realizedNetOfFees } from '../fees.js';

const SETTLED_KINDS: ReadonlySet<PositionDifference['kind']> = new Set([
  'expired',
  'assigned',
  'exercised',
  'delivered',
]);

export interface AppliedSettlements {
  /** Trades whose positions took at least one settlement. */
  trades: string[];
  /** Trades that held nothing afterwards and were closed. */
  closed: string[];
}

/** The fill action a settlement amounts to for the trade: a removal closes what it held, a delivery is its own action. */
function actionFor(s: Settlement, held: number): SettlementAction | null {
  if (s.kind === 'delivery')
    return s.action === 'Buy'
      ? 'Buy to Open'
      : s.action === 'Sell'
        ? 'Sell to Open'
        : (s.action as SettlementAction | null);
  if (s.kind === 'other') return null;
  return held < 0 ? 'Buy to Close' : 'Sell to Close';
}

export async function applySettlements(
  ctx: ExecContext,
  differences: readonly PositionDifference[],
  settlements: readonly Settlement[],
): Promise<AppliedSettlements> {
  const byId = new Map(settlements.map((s) => [s.id, s]));
  // The shares an assignment or exercise delivered go with it, even when they change no position on their own (a short
  // put assigned and the long put exercised at the same close: bought and sold at the two strikes, none left)
  const deliveryOf = new Map(
    pairSettlements(settlements)
      .filter((p) => p.delivery)
      .map((p) => [p.removal.id, p.delivery!]),
  );
  const perTrade = new Map<string, { s: Settlement; action: SettlementAction; kind: PositionDifference['kind'] }[]>();
  for (const d of differences) {
    // A difference shared by several trades is left to a human (alerted by the position check)
    if (!SETTLED_KINDS.has(d.kind) || d.tradeIds.length !== 1) continue;
    const tradeId = d.tradeIds[0]!;
    const add = (s: Settlement, kind: PositionDifference['kind']) => {
      const action = actionFor(s, d.ours);
      if (action) perTrade.set(tradeId, [...(perTrade.get(tradeId) ?? []), { s, action, kind }]);
    };
    for (const s of d.settlementIds.map((id) => byId.get(id)!)) {
      if (d.kind === 'delivered' ? s.kind !== 'delivery' : s.symbol !== d.symbol) continue;
      add(s, d.kind);
      const delivery = deliveryOf.get(s.id);
      if (d.kind !== 'delivered' && delivery) add(delivery, 'delivered');
    }
  }
  // One transaction per trade: an exit cycle never sees the option removed without the shares it delivered
  const touched = new Map<string, Set<string>>();
  for (const [tradeId, rows] of perTrade) {
    await ctx.store.tx(async (tx) => {
      for (const { s, action, kind } of rows) {
        if (await tx.settlements.record(tradeId, s, action))
          touched.set(tradeId, (touched.get(tradeId) ?? new Set()).add(kind));
      }
    });
  }
  const result: AppliedSettlements = { trades: [...touched.keys()], closed: [] };
  for (const [tradeId, kinds] of touched) {
    const trade = await ctx.store.trades.get(tradeId);
    if (!trade) continue;
    const positions = await ctx.store.positions.ofTrade(tradeId);
    const held = positions.filter((p) => p.quantity !== 0).map((p) => ({ symbol: p.symbol, quantity: p.quantity }));
    await ctx.store.audit.append({
      kind: 'settlement_recorded',
      tradeId,
      dedupeKey: `settlement_recorded:${tradeId}:${[...kinds].sort().join(',')}:${JSON.stringify(held)}`,
      data: { kinds: [...kinds], held, status: trade.status },
    });
  }
  result.closed = await closeSettledFlatTrades(ctx);
  return result;
}

/** The exit reason of a trade whose last legs a trader closed by hand outside Legwork. */
export const CLOSED_OUTSIDE = 'closed outside Legwork';

/**
 * Trades the broker settled, or a trader closed by hand outside Legwork, that hold nothing any more and are `open` or
 * `broken` (also one whose exit was still working when its options expired, and ended after the settlement was
 * recorded): closed with their P&L (net of every fee, those of the closes by hand included), at once, whether the
 * market is open or not. Run by every position check.
 */
export async function closeSettledFlatTrades(ctx: ExecContext): Promise<string[]> {
  const flat = await ctx.store.trades.settledFlatIds();
  const closed: string[] = [];
  for (const id of flat) {
    const trade = await ctx.store.trades.get(id);
    if (!trade) continue;
    const kinds = await ctx.store.settlements.kindsOf(id);
    const byHand = await ctx.store.outsideCloses.ordersOf(id);
    const reason =
      byHand.length > 0
        ? CLOSED_OUTSIDE
        : kinds.has('assignment') || kinds.has('exercise') || kinds.has('delivery')
          ? 'assigned'
          : 'expired';
    const { realizedCents } = await realizedNetOfFees(ctx, id, trade.underlying);
    if (await ctx.store.trades.move(id, 'Closed', { realizedPnlCents: realizedCents, exitReason: reason })) {
      closed.push(id);
      ctx.log.info({ tradeId: id, realizedCents, reason }, `trade ${reason}: nothing held any more, closed`);
    }
  }
  return closed;
}
