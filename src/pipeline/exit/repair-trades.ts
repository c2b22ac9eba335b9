// Owns the repair pass of every exit cycle: each pending/opening/closing trade with no live group and nothing moving
// it gets the decision of src/domain/trade-repair.ts applied (exit ended, entry re-queued or rejected, entry settled
// from the broker's orders), one `trade_repaired` audit row each. A trade never sits unmanaged.
import { isTerminalGroup } from '../../domain/order-group.js';
import type { TradeRow } from '../../domain/records.js';
import { entryOutcome, repairDecision, type RepairDecision, type RepairOptions } from '../../domain/trade-repair.js';
import { applyBrokerOrder } from '../broker-sync.js';
import { realizedNetOfFees } from '../fees.js';
import type { ExecContext } from '../execution-context.js';

export interface Repair {
  tradeId: string;
  decision: RepairDecision['kind'];
  why: string;
  /** The trade event applied, when one was. */
  event?: string;
}

/** Re-reads every order of the entry group from the broker so the fills table is complete before deciding. */
async function refreshEntryOrders(ctx: ExecContext, trade: TradeRow): Promise<void> {
  for (const order of await ctx.store.orders.ofGroup(trade.entryGroupId)) {
    try {
      if (order.brokerOrderId !== null)
        await applyBrokerOrder(ctx, await ctx.broker.getOrder(order.brokerOrderId), 'reconcile');
      else for (const bo of await ctx.broker.findByExternalId(order.id)) await applyBrokerOrder(ctx, bo, 'reconcile');
    } catch (error) {
      ctx.log.warn({ err: error, orderId: order.id }, 'repair could not re-read an entry order');
      throw error;
    }
  }
}

async function apply(ctx: ExecContext, trade: TradeRow, decision: RepairDecision): Promise<string | undefined> {
  switch (decision.kind) {
    case 'none':
      return undefined;
    case 'exit_ended':
      return (await ctx.store.trades.move(trade.id, 'ExitEnded')) ? 'ExitEnded' : undefined;
    case 'requeue_entry':
    case 'requeue_group':
      // A new job id per broker minute: the first job may have completed or failed for good (its id would be a no-op)
      await ctx.jobs.enqueueExecute(
        trade.id,
        decision.kind === 'requeue_group' ? decision.groupId : trade.entryGroupId,
        {
          attempt: Math.floor(ctx.now() / 60_000) % 1_000_000,
          ...(decision.kind === 'requeue_group' && decision.groupId !== trade.entryGroupId ? { priority: 1 } : {}),
        },
      );
      return 'requeued';
    case 'reject_entry': {
      // Under the entry group's lock, as the executor plans and sends it: an executor already planning this entry (a
      // night's clock jump makes "10 minutes" pass while it fetches quotes) holds the lock, and the trade is left to
      // it; one that comes later finds the trade rejected and plans nothing. Without it both happened: rejected here,
      // then planned and filled there (chaos seeds 20261426 and 20261433: a rejected trade whose legs the venue held)
      // The lock is a reserved connection: released whatever happens, also when another run holds the lock (a
      // repair left to the executor used to keep its connection for good: ten of them and the process's pool was gone)
      const lock = await ctx.store.groupLock(trade.entryGroupId);
      try {
        if (!(await lock.tryAcquire())) return undefined;
        const entry = await ctx.store.groups.get(trade.entryGroupId);
        if (entry && !isTerminalGroup(entry.status)) return undefined; // planned meanwhile: the executor's now
        return (await ctx.store.trades.move(trade.id, 'EntryRejected', { exitReason: `repair: ${decision.why}` }))
          ? 'EntryRejected'
          : undefined;
      } finally {
        await lock.release();
      }
    }
    case 'reconcile_entry': {
      await refreshEntryOrders(ctx, trade);
      const positions = (await ctx.store.positions.ofTrade(trade.id)).map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        cashCents: Number(p.cashCents),
      }));
      const outcome = entryOutcome(trade.legs, positions);
      switch (outcome.event) {
        case 'Opened':
          if (outcome.units !== trade.quantity) await ctx.store.trades.setQuantity(trade.id, outcome.units);
          return (await ctx.store.trades.move(trade.id, 'Opened', { entryCreditCents: outcome.entryCreditCents }))
            ? 'Opened'
            : undefined;
        case 'EntryRejected':
          return (await ctx.store.trades.move(trade.id, 'EntryRejected', {
            exitReason: `repair: ${decision.why}, nothing filled`,
          }))
            ? 'EntryRejected'
            : undefined;
        case 'EntryRolledBack': {
          const { realizedCents } = await realizedNetOfFees(ctx, trade.id, trade.underlying);
          return (await ctx.store.trades.move(trade.id, 'EntryRolledBack', {
            realizedPnlCents: realizedCents,
            exitReason: `repair: ${decision.why}, flat`,
          }))
            ? 'EntryRolledBack'
            : undefined;
        }
        case 'Broken':
          if (!(await ctx.store.trades.move(trade.id, 'Broken', { exitReason: `repair: ${outcome.reason}` })))
            return undefined;
          await ctx.alert('broken_group', `trade ${trade.id} holds part of a structure: ${outcome.reason}`, {
            tradeId: trade.id,
          });
          return 'Broken';
      }
    }
  }
}

/** One pass over every trade that could be stuck. Errors on one trade are logged and do not stop the others. */
export async function repairTrades(ctx: ExecContext, options: Partial<RepairOptions> = {}): Promise<Repair[]> {
  const repairs: Repair[] = [];
  for (const trade of await ctx.store.trades.list({ statuses: ['pending', 'opening', 'closing'], limit: 10_000 })) {
    try {
      // Row timestamps are written from the same clock (src/store/store-clock.ts): broker time on both sides
      const decision = repairDecision(trade, await ctx.store.groups.ofTrade(trade.id), ctx.now(), options);
      if (decision.kind === 'none') continue;
      const event = await apply(ctx, trade, decision);
      const repair: Repair = {
        tradeId: trade.id,
        decision: decision.kind,
        why: decision.why,
        ...(event ? { event } : {}),
      };
      repairs.push(repair);
      await ctx.store.audit.append({
        kind: 'trade_repaired',
        tradeId: trade.id,
        data: { from: trade.status, ...repair },
      });
      ctx.log.warn({ ...repair }, `trade repaired: ${decision.why}`);
    } catch (error) {
      ctx.log.error({ err: error, tradeId: trade.id }, 'trade repair failed');
    }
  }
  return repairs;
}
