// Owns positions a trader closed by hand outside Legwork, at reconciliation: for the differences one trade holds, the
// broker's Trade transactions of that trade's underlying (price, fees, order id) are read, the orders behind them that
// are not ours are told apart (our broker ids; the external id the broker keeps on the order), and the fills that
// explain a difference (src/domain/outside-close.ts, through position-explain) are recorded against the trade once,
// with an audit event. A trade left holding nothing is then closed with its P&L (apply-settlements.ts).
import { isIdShaped } from '../../domain/ids.js';
import type { BrokerTransaction } from '../../domain/account.js';
import { isTerminalGroup } from '../../domain/order-group.js';
import {
  outsideFillsOf,
  type OrderOwner,
  type OutsideEvidence,
  type OutsideFill,
  type TradeAtRest,
} from '../../domain/outside-close.js';
import type { PositionDifference } from '../../domain/position-explain.js';
import type { TradeRow } from '../../domain/records.js';
import type { ExecContext } from '../execution-context.js';
import type { Store } from '../store-port.js';

/** Pages of 250 Trade transactions read at most per underlying (newest first), until one is older than the trades. */
const MAX_PAGES = 4;
const PER_PAGE = 250;

/** Open or broken, with no group of ours live: the only trades a close by hand is recorded against (never raced). */
async function atRest(store: Store, trade: TradeRow): Promise<boolean> {
  if (trade.status !== 'open' && trade.status !== 'broken') return false;
  return !(await store.groups.ofTrade(trade.id)).some((g) => !isTerminalGroup(g.status));
}

/**
 * Who sent a broker order: ours by broker id, or by the external id the broker keeps on it (an order of ours whose id
 * Postgres has not linked yet: a lost submit response, a replace). An external id shaped like ours that Postgres does
 * not know is not taken for foreign either. A broker that does not answer leaves it unknown (tried next time).
 */
async function ownerOf(ctx: Pick<ExecContext, 'store' | 'broker' | 'log'>, brokerOrderId: number): Promise<OrderOwner> {
  if (await ctx.store.orders.byBrokerId(brokerOrderId)) return 'ours';
  try {
    const order = await ctx.broker.getOrder(brokerOrderId);
    if (!order.externalId) return 'foreign';
    if (!isIdShaped(order.externalId)) return 'foreign';
    return (await ctx.store.orders.get(order.externalId)) ? 'ours' : 'unknown';
  } catch (error) {
    ctx.log.warn(
      { err: error, brokerOrderId },
      'reading a broker order failed: its fills are not taken as closed by hand',
    );
    return 'unknown';
  }
}

/** The Trade transactions of an underlying since `since` (epoch ms), newest first; null when they could not be read. */
async function tradesSince(
  ctx: Pick<ExecContext, 'broker' | 'log'>,
  underlying: string,
  since: number,
): Promise<BrokerTransaction[] | null> {
  const all: BrokerTransaction[] = [];
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await ctx.broker.transactions({ underlyingSymbol: underlying, perPage: PER_PAGE, pageOffset: page });
      all.push(...rows);
      const oldest = rows.at(-1);
      if (rows.length < PER_PAGE || (oldest && Date.parse(oldest.executedAt) < since)) break;
    }
    return all;
  } catch (error) {
    ctx.log.warn(
      { err: error, underlying },
      'reading the broker transactions failed: closes by hand are looked for at the next reconciliation',
    );
    return null;
  }
}

/**
 * What the broker's own records say of the differences one trade holds: fills of orders not ours on those symbols,
 * and the trades that may take them. Undefined when no difference is one trade's (nothing is read then).
 */
export async function readOutsideEvidence(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'log'>,
  differences: readonly PositionDifference[],
): Promise<OutsideEvidence | undefined> {
  const candidates = differences.filter((d) => d.ours !== 0 && d.tradeIds.length === 1);
  if (candidates.length === 0) return undefined;
  const trades = new Map<string, TradeAtRest>();
  const since = new Map<string, number>(); // underlying → earliest a trade of it began to hold
  for (const tradeId of new Set(candidates.map((d) => d.tradeIds[0]!))) {
    const trade = await ctx.store.trades.get(tradeId);
    if (!trade) continue;
    const first = (await ctx.store.fills.firstOfGroup(trade.entryGroupId)) ?? trade.openedAt ?? trade.createdAt;
    const heldSince = first.getTime();
    trades.set(tradeId, { heldSince, atRest: await atRest(ctx.store, trade) });
    since.set(trade.underlying, Math.min(since.get(trade.underlying) ?? heldSince, heldSince));
  }
  const symbols = new Set(candidates.filter((d) => trades.has(d.tradeIds[0]!)).map((d) => d.symbol));
  const transactions: BrokerTransaction[] = [];
  for (const [underlying, from] of since) {
    const rows = await tradesSince(ctx, underlying, from);
    if (rows) transactions.push(...rows.filter((t) => symbols.has(t.symbol) && Date.parse(t.executedAt) >= from));
  }
  const owners = new Map<number, OrderOwner>();
  for (const id of new Set(transactions.map((t) => t.brokerOrderId))) owners.set(id, await ownerOf(ctx, id));
  const fills = outsideFillsOf(transactions, owners);
  const recorded = await ctx.store.outsideCloses.recordedIds(fills.map((f) => f.transactionId));
  return { fills, recorded, trades };
}

/**
 * Records the fills that explain each `closed_outside` difference against its trade, one transaction per trade, only
 * while the trade is still at rest (an exit of ours that started meanwhile is left to end first: next reconciliation).
 * Returns the trades that took at least one new fill.
 */
export async function applyOutsideCloses(
  ctx: ExecContext,
  differences: readonly PositionDifference[],
  evidence: OutsideEvidence | undefined,
): Promise<string[]> {
  if (!evidence) return [];
  const byId = new Map(evidence.fills.map((f) => [f.transactionId, f]));
  const perTrade = new Map<string, OutsideFill[]>();
  for (const d of differences) {
    if (d.kind !== 'closed_outside' || d.tradeIds.length !== 1) continue;
    const fills = d.settlementIds.flatMap((id) => byId.get(id) ?? []);
    perTrade.set(d.tradeIds[0]!, [...(perTrade.get(d.tradeIds[0]!) ?? []), ...fills]);
  }
  const touched: string[] = [];
  for (const [tradeId, fills] of perTrade) {
    const added = await ctx.store.tx(async (tx) => {
      const trade = await tx.trades.get(tradeId);
      if (!trade || !(await atRest(tx, trade))) return [];
      const news: OutsideFill[] = [];
      for (const f of fills) if (await tx.outsideCloses.record(tradeId, f)) news.push(f);
      return news;
    });
    if (added.length === 0) continue;
    touched.push(tradeId);
    const held = (await ctx.store.positions.ofTrade(tradeId))
      .filter((p) => p.quantity !== 0)
      .map((p) => ({ symbol: p.symbol, quantity: p.quantity }));
    await ctx.store.audit.append({
      kind: 'outside_close_recorded',
      tradeId,
      dedupeKey: `outside_close_recorded:${tradeId}:${added.map((f) => f.transactionId).join(',')}`,
      data: {
        fills: added.map((f) => ({
          brokerOrderId: f.brokerOrderId,
          transactionId: f.transactionId,
          symbol: f.symbol,
          action: f.action,
          quantity: f.quantity,
          priceCents: f.priceCents,
          feeCents: f.feeCents,
          executedAt: f.executedAt,
        })),
        held,
      },
    });
    ctx.log.warn(
      { tradeId, brokerOrderIds: [...new Set(added.map((f) => f.brokerOrderId))], held },
      'closed outside Legwork: recorded against the trade',
    );
  }
  return touched;
}
