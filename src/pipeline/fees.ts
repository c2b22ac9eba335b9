// Owns reading a trade's fees from the broker (its Trade transactions) into Postgres, and realised P&L net of them.
import type { ExecContext } from './execution-context.js';

/** Pages of 250 transactions read at most per sync (newest first: a trade's fills are recent when it settles). */
const MAX_PAGES = 4;

/**
 * Reads the broker's transactions of the trade's underlying until every filled contract of the trade has its fee row
 * (or the pages run out), and records them. A broker that does not answer leaves the fees for the next sync: the
 * result says how much of the trade is covered.
 */
export async function syncTradeFees(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'log'>,
  tradeId: string,
  underlying: string,
): Promise<{ feeCents: number; complete: boolean }> {
  const owners = await ctx.store.fees.fillOwners(tradeId);
  let coverage = await ctx.store.fees.coverage(tradeId);
  for (let page = 0; owners.size > 0 && coverage.covered < coverage.filled && page < MAX_PAGES; page++) {
    try {
      const transactions = await ctx.broker.transactions({
        underlyingSymbol: underlying,
        perPage: 250,
        pageOffset: page,
      });
      await ctx.store.fees.record(owners, transactions);
      if (transactions.length < 250) break;
    } catch (error) {
      ctx.log.warn({ err: error, tradeId }, 'reading fees from the broker failed; they are recorded at the next sync');
      break;
    }
    coverage = await ctx.store.fees.coverage(tradeId);
  }
  coverage = await ctx.store.fees.coverage(tradeId); // the loop may have left after recording a last page
  const feeCents = (await ctx.store.fees.ofTrades([tradeId])).get(tradeId) ?? 0;
  return { feeCents, complete: coverage.covered >= coverage.filled };
}

/**
 * Realised P&L of a flat trade: the signed cash of its fills (credits − debits, which includes the spread a rollback
 * paid) minus every fee and commission the broker charged for them.
 */
export async function realizedNetOfFees(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'log'>,
  tradeId: string,
  underlying: string,
): Promise<{ realizedCents: number; cashCents: number; feeCents: number; feesComplete: boolean }> {
  const { feeCents, complete } = await syncTradeFees(ctx, tradeId, underlying);
  const cashCents = (await ctx.store.positions.ofTrade(tradeId)).reduce((sum, p) => sum + Number(p.cashCents), 0);
  return { realizedCents: cashCents - feeCents, cashCents, feeCents, feesComplete: complete };
}

/**
 * Fees the broker had not reported (or could not be read) when a trade settled: read again for trades settled in the
 * last week, and their realised P&L corrected once every fill is covered. Run by each reconciliation. Returns how
 * many trades were corrected.
 */
export async function catchUpFees(ctx: Pick<ExecContext, 'store' | 'broker' | 'log'>): Promise<number> {
  let corrected = 0;
  for (const t of await ctx.store.fees.tradesMissing()) {
    const r = await realizedNetOfFees(ctx, t.id, t.underlying);
    if (r.feesComplete && (await ctx.store.trades.correctRealizedPnl(t.id, r.realizedCents))) {
      corrected += 1;
      ctx.log.info(
        { tradeId: t.id, feeCents: r.feeCents, realizedCents: r.realizedCents },
        'late fees recorded: realised P&L corrected',
      );
    }
  }
  return corrected;
}
