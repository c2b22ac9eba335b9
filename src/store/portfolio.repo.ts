// Owns the portfolio tables: one portfolio per (environment, account) upserted by the sync, its positions replaced per
// sync, account snapshots (session closes and intraday points) and failsafe trips (one active per failsafe).
import type {
  BalancesSync,
  Environment,
  FailsafeName,
  FailsafeTrip,
  Greeks,
  PortfolioPosition,
  PortfolioRow,
  SnapshotInput,
  SnapshotRow,
} from '../domain/portfolio.js';
import { json, type Queryable } from './db.js';
import { storeNow } from './store-clock.js';

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

interface PortfolioDb {
  id: string;
  environment: Environment;
  accountNumber: string;
  syncedAt: Date | null;
  netLiqCents: string | null;
  cashCents: string | null;
  buyingPowerCents: string | null;
  maintenanceCents: string | null;
  greeks: Greeks | null;
}
const toPortfolio = (r: PortfolioDb): PortfolioRow => ({
  id: Number(r.id),
  environment: r.environment,
  accountNumber: r.accountNumber,
  syncedAt: r.syncedAt,
  netLiqCents: num(r.netLiqCents),
  cashCents: num(r.cashCents),
  buyingPowerCents: num(r.buyingPowerCents),
  maintenanceCents: num(r.maintenanceCents),
  greeks: r.greeks,
});
const PORTFOLIO_COLUMNS = (sql: Queryable) =>
  sql`id::text, environment, account_number as "accountNumber", synced_at as "syncedAt",
    net_liq_cents::text as "netLiqCents", cash_cents::text as "cashCents", buying_power_cents::text as "buyingPowerCents",
    maintenance_cents::text as "maintenanceCents", greeks`;

/** The portfolio of an account, created on first use; the unique key makes concurrent first uses share one. */
export async function ensurePortfolio(
  sql: Queryable,
  environment: Environment,
  accountNumber: string,
): Promise<PortfolioRow> {
  const [row] = await sql<PortfolioDb[]>`insert into portfolios (environment, account_number, created_at)
    values (${environment}, ${accountNumber}, ${storeNow()})
    on conflict (environment, account_number) do update set environment = excluded.environment
    returning ${PORTFOLIO_COLUMNS(sql)}`;
  return toPortfolio(row!);
}

export async function getPortfolio(
  sql: Queryable,
  environment: Environment,
  accountNumber: string,
): Promise<PortfolioRow | undefined> {
  const [row] = await sql<PortfolioDb[]>`select ${PORTFOLIO_COLUMNS(sql)} from portfolios
    where environment = ${environment} and account_number = ${accountNumber}`;
  return row ? toPortfolio(row) : undefined;
}

/** Every portfolio of an environment (one per account), oldest first: how a reader finds the account without a broker. */
export async function listPortfolios(sql: Queryable, environment: Environment): Promise<PortfolioRow[]> {
  const rows = await sql<PortfolioDb[]>`select ${PORTFOLIO_COLUMNS(sql)} from portfolios
    where environment = ${environment} order by id`;
  return rows.map(toPortfolio);
}

/** Replaces what the portfolio holds and its balances in one statement batch (call inside a transaction). */
export async function syncPortfolio(
  sql: Queryable,
  portfolioId: number,
  balances: BalancesSync,
  positions: readonly PortfolioPosition[],
): Promise<void> {
  const at = new Date(balances.syncedAt);
  await sql`update portfolios set synced_at = ${at}, net_liq_cents = ${balances.netLiqCents},
    cash_cents = ${balances.cashCents}, buying_power_cents = ${balances.buyingPowerCents},
    maintenance_cents = ${balances.maintenanceCents}, greeks = ${balances.greeks ? json(sql, balances.greeks) : null}
    where id = ${portfolioId}`;
  await sql`delete from portfolio_positions where portfolio_id = ${portfolioId}`;
  for (const p of positions) {
    await sql`insert into portfolio_positions (portfolio_id, symbol, owner, trade_id, underlying, instrument_type,
        quantity, multiplier, mark_cents, average_open_price_cents, expires_at, greeks, synced_at)
      values (${portfolioId}, ${p.symbol}, ${p.owner}, ${p.tradeId}, ${p.underlying}, ${p.instrumentType}, ${p.quantity},
        ${p.multiplier}, ${p.markCents}, ${p.averageOpenPriceCents},
        ${p.expiresAt === null ? null : new Date(p.expiresAt)}, ${p.greeks ? json(sql, p.greeks) : null}, ${at})`;
  }
}

export async function portfolioPositions(sql: Queryable, portfolioId: number): Promise<PortfolioPosition[]> {
  const rows = await sql<
    (Omit<PortfolioPosition, 'markCents' | 'averageOpenPriceCents' | 'expiresAt'> & {
      markCents: string | null;
      averageOpenPriceCents: string;
      expiresAt: Date | null;
    })[]
  >`select symbol, owner, trade_id as "tradeId", underlying, instrument_type as "instrumentType", quantity, multiplier,
      mark_cents::text as "markCents", average_open_price_cents::text as "averageOpenPriceCents",
      expires_at as "expiresAt", greeks
    from portfolio_positions where portfolio_id = ${portfolioId} order by underlying, symbol, owner`;
  return rows.map((r) => ({
    ...r,
    markCents: num(r.markCents),
    averageOpenPriceCents: Number(r.averageOpenPriceCents),
    expiresAt: r.expiresAt ? r.expiresAt.getTime() : null,
  }));
}

/** Records a snapshot; a second close of the same session (or a second point at the same instant) is ignored. */
export async function recordSnapshot(sql: Queryable, portfolioId: number, s: SnapshotInput): Promise<boolean> {
  const rows = await sql`insert into account_snapshots (portfolio_id, kind, at, session_date, net_liq_cents, cash_cents,
      buying_power_cents, realized_pnl_cents, unrealized_pnl_cents, greeks, positions)
    values (${portfolioId}, ${s.kind}, ${new Date(s.at)}, ${s.sessionDate}, ${s.netLiqCents}, ${s.cashCents},
      ${s.buyingPowerCents}, ${s.realizedPnlCents}, ${s.unrealizedPnlCents}, ${json(sql, s.greeks)}, ${json(sql, s.positions)})
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

/** Snapshots at or after `sinceMs` (broker time), oldest first; `kind` narrows them. */
export async function snapshotsSince(
  sql: Queryable,
  portfolioId: number,
  sinceMs: number,
  kind?: 'close' | 'intraday',
): Promise<SnapshotRow[]> {
  const rows = await sql<
    (Omit<
      SnapshotRow,
      | 'id'
      | 'at'
      | 'netLiqCents'
      | 'cashCents'
      | 'buyingPowerCents'
      | 'realizedPnlCents'
      | 'unrealizedPnlCents'
      | 'sessionDate'
    > & {
      id: string;
      at: Date;
      sessionDate: string;
      netLiqCents: string;
      cashCents: string;
      buyingPowerCents: string;
      realizedPnlCents: string;
      unrealizedPnlCents: string;
    })[]
  >`select id::text, kind, at, session_date::text as "sessionDate", net_liq_cents::text as "netLiqCents",
      cash_cents::text as "cashCents", buying_power_cents::text as "buyingPowerCents",
      realized_pnl_cents::text as "realizedPnlCents", unrealized_pnl_cents::text as "unrealizedPnlCents", greeks, positions
    from account_snapshots where portfolio_id = ${portfolioId} and at >= ${new Date(sinceMs)}
      and (${kind ?? null}::text is null or kind = ${kind ?? null})
    order by at, id`;
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    at: r.at.getTime(),
    netLiqCents: Number(r.netLiqCents),
    cashCents: Number(r.cashCents),
    buyingPowerCents: Number(r.buyingPowerCents),
    realizedPnlCents: Number(r.realizedPnlCents),
    unrealizedPnlCents: Number(r.unrealizedPnlCents),
  }));
}

/** The latest snapshot of a kind, or of any kind. */
export async function latestSnapshot(
  sql: Queryable,
  portfolioId: number,
  kind?: 'close' | 'intraday',
): Promise<{ at: number; sessionDate: string; netLiqCents: number } | undefined> {
  const [row] = await sql<{ at: Date; sessionDate: string; netLiqCents: string }[]>`select at,
      session_date::text as "sessionDate", net_liq_cents::text as "netLiqCents"
    from account_snapshots where portfolio_id = ${portfolioId} and (${kind ?? null}::text is null or kind = ${kind ?? null})
    order by at desc, id desc limit 1`;
  return row ? { at: row.at.getTime(), sessionDate: row.sessionDate, netLiqCents: Number(row.netLiqCents) } : undefined;
}

/** The highest net liquidating value any snapshot recorded since `sinceMs` (the equity peak), or null. */
export async function peakNetLiq(sql: Queryable, portfolioId: number, sinceMs: number): Promise<number | null> {
  const [row] = await sql<{ peak: string | null }[]>`select max(net_liq_cents)::text as peak from account_snapshots
    where portfolio_id = ${portfolioId} and at >= ${new Date(sinceMs)}`;
  return num(row?.peak ?? null);
}

interface TripDb extends Omit<FailsafeTrip, 'id'> {
  id: string;
}
const toTrip = (r: TripDb): FailsafeTrip => ({ ...r, id: Number(r.id) });

export async function activeTrips(sql: Queryable): Promise<FailsafeTrip[]> {
  const rows = await sql<
    TripDb[]
  >`select id::text, name, tripped_at as "trippedAt", reason, data, reset_at as "resetAt",
      reset_by as "resetBy" from failsafe_trips where reset_at is null order by tripped_at, id`;
  return rows.map(toTrip);
}

/** The latest trip of each failsafe (active or reset), for the dashboard and `legwork risk`. */
export async function latestTrips(sql: Queryable): Promise<FailsafeTrip[]> {
  const rows = await sql<TripDb[]>`select distinct on (name) id::text, name, tripped_at as "trippedAt", reason, data,
      reset_at as "resetAt", reset_by as "resetBy" from failsafe_trips order by name, tripped_at desc, id desc`;
  return rows.map(toTrip);
}

/** Trips a failsafe unless it is already tripped (then false): the one active trip per failsafe is the unique index. */
export async function tripFailsafe(
  sql: Queryable,
  name: FailsafeName,
  reason: string,
  data: Record<string, unknown>,
): Promise<boolean> {
  const rows = await sql`insert into failsafe_trips (name, tripped_at, reason, data)
    values (${name}, ${storeNow()}, ${reason}, ${json(sql, data)})
    on conflict (name) where reset_at is null do nothing returning 1`;
  return rows.length > 0;
}

/** Resets every active trip (what `legwork resume` does); returns the trips it reset. */
export async function resetTrips(sql: Queryable, by: string): Promise<FailsafeTrip[]> {
  const rows = await sql<TripDb[]>`update failsafe_trips set reset_at = ${storeNow()}, reset_by = ${by}
    where reset_at is null returning id::text, name, tripped_at as "trippedAt", reason, data, reset_at as "resetAt",
      reset_by as "resetBy"`;
  return rows.map(toTrip);
}

/** When the latest reset of a failsafe happened (its measurements start there), or null. */
export async function lastReset(sql: Queryable, name: FailsafeName): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`select max(reset_at) as at from failsafe_trips where name = ${name}`;
  return row?.at ?? null;
}
