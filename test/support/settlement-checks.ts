// Owns what expiration and assignment tests check against the venue and Postgres: moving the frozen venue clock to an
// instant, what the venue holds on an underlying (options and shares), its own net per trade, the settlements recorded
// for a trade, and "closed with its P&L, nothing left".
import { expect } from 'vitest';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import type { TestApp } from './app.js';
import { venueSignedPositions } from './iron-condor.js';

export interface SettlementChecks {
  advanceTo(at: number): void;
  venueHolds(underlying: string): (readonly [string, number])[];
  /** The venue's newest transaction id (what a test's trade comes after). */
  lastTransactionId(): number;
  settlementsOf(tradeId: string): Promise<{ kind: string; symbol: string; action: string; quantity: number }[]>;
  /** The trade is closed for `exitReason`, its realised P&L is its cash net of fees and the venue's own net, nothing is left. */
  expectClosedWithPnl(trade: TradeRow, exitReason: string, afterTransaction: number): Promise<number>;
}

export function settlementChecks(app: TestApp): SettlementChecks {
  const account = app.sim.venue.accountNumbers()[0]!;
  const venueHolds = (underlying: string) => [
    ...venueSignedPositions(app.sim, account, underlying),
    ...app.sim.venue
      .positionsWire(account)
      .filter((p) => p['symbol'] === underlying && Number(p['quantity']) !== 0)
      .map((p) => [String(p['symbol']), Number(p['quantity'])] as const),
  ];
  /** The venue's own account of the underlying since `afterId`: the signed net value (after fees) of each transaction, in cents. */
  const venueNetCents = (underlying: string, afterId: number): number =>
    app.sim.venue
      .transactions(account, { underlyingSymbol: underlying, perPage: 1000 })
      .items.filter((t) => Number(t['id']) > afterId)
      .reduce((sum, t) => {
        const cents = Math.round(Number(t['net-value']) * 100);
        return sum + (t['net-value-effect'] === 'Debit' ? -cents : t['net-value-effect'] === 'Credit' ? cents : 0);
      }, 0);
  return {
    advanceTo(at) {
      const now = app.sim.clock.now();
      expect(at).toBeGreaterThanOrEqual(now);
      app.sim.control.advanceClock(at - now);
    },
    venueHolds,
    lastTransactionId: () =>
      Math.max(0, ...app.sim.venue.transactions(account, { perPage: 1000 }).items.map((t) => Number(t['id']))),
    settlementsOf: (tradeId) => app.ctx.sql<{ kind: string; symbol: string; action: string; quantity: number }[]>`
      select kind, symbol, action, quantity from settlements where trade_id = ${tradeId} order by broker_transaction_id`,
    async expectClosedWithPnl(trade, exitReason, afterTransaction) {
      const closed = (await getTrade(app.ctx.sql, trade.id))!;
      expect(closed.status).toBe('closed');
      expect(closed.exitReason).toBe(exitReason);
      const [books] = await app.ctx.sql<{ cash: string; fees: string }[]>`select
        (select coalesce(sum(cash_cents), 0)::text from trade_positions where trade_id = ${trade.id}) as cash,
        (select coalesce(sum(fee_cents), 0)::text from trade_fees where trade_id = ${trade.id}) as fees`;
      expect(Number(closed.realizedPnlCents)).toBe(Number(books!.cash) - Number(books!.fees));
      expect(Number(closed.realizedPnlCents)).toBe(venueNetCents(trade.underlying, afterTransaction));
      expect(venueHolds(trade.underlying)).toEqual([]);
      return Number(closed.realizedPnlCents);
    },
  };
}
