// Owns one portfolio sync: the account's balances and positions read from the broker, each position attributed to the
// trade that holds it or foreign, its greeks (DXLink per share × quantity × multiplier, beta-weighted into SPY shares),
// all stored under the one portfolio of (environment, account); then the snapshots that are due (an intraday point per
// cadence while the market is open, one close per session). A failed read is logged and left for the next sync: the
// sync never throws into its caller and never holds trading up.
import type { Balances, MarketSessionInfo, Position } from '../../domain/account.js';
import { isOccSymbol, occToStreamer } from '../../domain/instrument.js';
import type { MarketMetrics, MarketSnapshot } from '../../domain/market.js';
import {
  attributePositions,
  type Environment,
  FOREIGN,
  type PortfolioPosition,
  type SnapshotInput,
} from '../../domain/portfolio.js';
import { BENCHMARK, positionGreeks, roundGreeks, sumGreeks } from '../../domain/position-greeks.js';
import { closeDue, DEFAULT_INTRADAY_EVERY_MS, intradayDue } from '../../domain/snapshot-schedule.js';
import type { Logger } from '../../log.js';
import type { Broker, MarketData } from '../ports.js';
import type { Store } from '../store-port.js';
import { realizedOfSettled, unrealizedOf } from './account-pnl.js';

export interface PortfolioSyncContext {
  store: Store;
  broker: Pick<Broker, 'accountNumber' | 'positions' | 'balances' | 'marketSession'>;
  marketData: Pick<MarketData, 'snapshot' | 'metrics'>;
  log: Logger;
  /** Broker time. */
  now(): number;
}

export interface PortfolioSyncOptions {
  /** Broker time between intraday points (LEGWORK_SNAPSHOT_EVERY_SECONDS); default 5 minutes. */
  intradayEveryMs?: number;
  /** How long to wait for quotes and greeks (wall time); default 5 s. */
  quoteTimeoutMs?: number;
}

export interface PortfolioSyncReport {
  status: 'synced' | 'failed';
  portfolioId: number | null;
  /** Rows stored: one per (symbol, owner). */
  positions: number;
  foreign: number;
  /** Symbols whose position counted with null greeks (and why). */
  missingGreeks: { symbol: string; reason: string }[];
  snapshots: { kind: 'close' | 'intraday'; sessionDate: string; late?: boolean }[];
  error?: string;
}

const mid = (q: { bid: number | null; ask: number | null } | undefined): number | null =>
  q && q.bid !== null && q.ask !== null && Number.isFinite(q.bid) && Number.isFinite(q.ask)
    ? (q.bid + q.ask) / 2
    : null;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Streamer symbol of what a position holds: options by their OCC symbol, shares by their ticker; null if unreadable. */
function streamerOf(symbol: string, instrumentType: string): string | null {
  if (instrumentType === 'Equity') return symbol;
  try {
    return occToStreamer(symbol);
  } catch {
    return null;
  }
}

interface MarketInputs {
  snapshot: MarketSnapshot;
  metrics: Map<string, MarketMetrics>;
}

/** One DXLink snapshot (quotes and greeks) and one metrics call; a failure leaves them empty, said in the log. */
async function readMarket(
  ctx: PortfolioSyncContext,
  streamers: readonly string[],
  underlyings: readonly string[],
  timeoutMs: number,
): Promise<MarketInputs> {
  const empty: MarketSnapshot = { quotes: new Map(), greeks: new Map(), missing: [] };
  if (streamers.length === 0) return { snapshot: empty, metrics: new Map() };
  const [snapshot, metrics] = await Promise.all([
    ctx.marketData.snapshot([...streamers], { greeks: true, timeoutMs }).catch((error: unknown) => {
      ctx.log.warn({ err: error }, `portfolio sync: no quotes or greeks (${message(error)}); greeks counted as null`);
      return empty;
    }),
    ctx.marketData.metrics([...underlyings]).catch((error: unknown) => {
      ctx.log.warn({ err: error }, `portfolio sync: no market metrics (${message(error)}); every beta counted as 1`);
      return new Map<string, MarketMetrics>();
    }),
  ]);
  return { snapshot, metrics };
}

/**
 * Syncs the account's portfolio once and records the snapshots that are due. Resolves to what it did; a broker or
 * database failure resolves to status 'failed' (logged), for the next sync to try again.
 */
export async function syncPortfolio(
  ctx: PortfolioSyncContext,
  environment: Environment,
  options: PortfolioSyncOptions = {},
): Promise<PortfolioSyncReport> {
  const report: PortfolioSyncReport = {
    status: 'failed',
    portfolioId: null,
    positions: 0,
    foreign: 0,
    missingGreeks: [],
    snapshots: [],
  };
  let broker: { positions: Position[]; balances: Balances };
  let held: { tradeId: string; symbol: string; quantity: number }[];
  try {
    const [positions, balances, ours] = await Promise.all([
      ctx.broker.positions(),
      ctx.broker.balances(),
      ctx.store.positions.held(),
    ]);
    broker = { positions, balances };
    held = ours;
  } catch (error) {
    ctx.log.warn({ err: error }, `portfolio sync failed: ${message(error)}; the next sync tries again`);
    return { ...report, error: message(error) };
  }
  const syncedAt = ctx.now();
  const attributed = attributePositions(broker.positions, held);

  // Quotes and greeks: every option held (ours or the broker's), every underlying, and the benchmark
  const streamerToSymbol = new Map<string, string>();
  for (const p of broker.positions) {
    const s = streamerOf(p.symbol, p.instrumentType);
    if (s) streamerToSymbol.set(s, p.symbol);
  }
  for (const h of held) {
    const s = streamerOf(h.symbol, isOccSymbol(h.symbol) ? 'Equity Option' : 'Equity');
    if (s) streamerToSymbol.set(s, h.symbol);
  }
  const underlyings = [...new Set([...broker.positions.map((p) => p.underlyingSymbol), BENCHMARK])].sort();
  const streamers = [...new Set([...streamerToSymbol.keys(), ...underlyings])];
  const market = await readMarket(
    ctx,
    attributed.length > 0 || held.length > 0 ? streamers : [],
    underlyings,
    options.quoteTimeoutMs ?? 5000,
  );
  const spot = (symbol: string) => mid(market.snapshot.quotes.get(symbol));
  /** Dollars per share by symbol (OCC or ticker): the quote mid. */
  const marks = new Map<string, number>();
  for (const [streamer, symbol] of streamerToSymbol) {
    const m = mid(market.snapshot.quotes.get(streamer));
    if (m !== null) marks.set(symbol, m);
  }

  const positions: PortfolioPosition[] = attributed.map((p) => {
    const streamer = streamerOf(p.symbol, p.instrumentType);
    const result = positionGreeks(p, {
      option: streamer ? market.snapshot.greeks.get(streamer) : undefined,
      spot: spot(p.underlying),
      benchmarkSpot: spot(BENCHMARK),
      beta: market.metrics.get(p.underlying)?.beta,
    });
    if (result.greeks === null && !report.missingGreeks.some((m) => m.symbol === p.symbol))
      report.missingGreeks.push({ symbol: p.symbol, reason: result.missing });
    const quoted = marks.get(p.symbol);
    return {
      ...p,
      // The quote mid when there is one (current), else the broker's mark (or its close price)
      markCents: quoted !== undefined ? Math.round(quoted * 100) : p.markCents,
      greeks: result.greeks ? roundGreeks(result.greeks) : null,
    };
  });
  if (report.missingGreeks.length > 0)
    ctx.log.warn(
      { missing: report.missingGreeks },
      `portfolio sync: no greeks for ${report.missingGreeks.map((m) => m.symbol).join(', ')}; counted as null`,
    );
  const greeks = roundGreeks(sumGreeks(positions.map((p) => p.greeks)));
  const b = broker.balances;

  try {
    const portfolio = await ctx.store.portfolio.ensure(environment, ctx.broker.accountNumber);
    report.portfolioId = portfolio.id;
    await ctx.store.portfolio.sync(
      portfolio.id,
      {
        syncedAt,
        netLiqCents: b.netLiquidatingValueCents,
        cashCents: b.cashCents,
        buyingPowerCents: b.derivativeBuyingPowerCents,
        maintenanceCents: b.maintenanceRequirementCents,
        greeks,
      },
      positions,
    );
    report.status = 'synced';
    report.positions = positions.length;
    report.foreign = positions.filter((p) => p.owner === FOREIGN).length;

    const due = await snapshotsDue(ctx, portfolio.id, syncedAt, options.intradayEveryMs ?? DEFAULT_INTRADAY_EVERY_MS);
    if (due.length > 0) {
      const [realized, unrealized] = await Promise.all([
        realizedOfSettled(ctx.store),
        unrealizedOf(ctx.store, held, positions, marks),
      ]);
      if (unrealized.unmarked.length > 0)
        ctx.log.warn(
          { unmarked: unrealized.unmarked },
          `portfolio snapshot: no mark for ${unrealized.unmarked.join(', ')}; their open P&L counted as 0`,
        );
      for (const d of due) {
        if (d.fromLastPoint) {
          // The session's last intraday point stands for its close (nothing looked between the close and the open)
          const last = (await ctx.store.portfolio.snapshotsSince(portfolio.id, syncedAt - 7 * 86_400_000, 'intraday'))
            .filter((p) => p.sessionDate === d.sessionDate)
            .at(-1);
          if (last && (await ctx.store.portfolio.recordSnapshot(portfolio.id, { ...last, kind: 'close' }))) {
            report.snapshots.push({ kind: 'close', sessionDate: d.sessionDate, late: true });
            ctx.log.info(
              { sessionDate: d.sessionDate, netLiqCents: last.netLiqCents, from: new Date(last.at).toISOString() },
              `close snapshot of the ${d.sessionDate} session recorded from its last intraday point (nothing looked between the close and the open)`,
            );
          }
          continue;
        }
        const snapshot: SnapshotInput = {
          kind: d.kind,
          at: syncedAt,
          sessionDate: d.sessionDate,
          netLiqCents: b.netLiquidatingValueCents,
          cashCents: b.cashCents,
          buyingPowerCents: b.derivativeBuyingPowerCents,
          realizedPnlCents: realized,
          unrealizedPnlCents: unrealized.cents,
          greeks,
          positions: positions.map((p) => ({
            symbol: p.symbol,
            owner: p.owner,
            quantity: p.quantity,
            markCents: p.markCents,
            greeks: p.greeks,
          })),
        };
        if (await ctx.store.portfolio.recordSnapshot(portfolio.id, snapshot)) {
          report.snapshots.push({ kind: d.kind, sessionDate: d.sessionDate, ...(d.late ? { late: true } : {}) });
          if (d.kind === 'close')
            ctx.log.info(
              { sessionDate: d.sessionDate, netLiqCents: snapshot.netLiqCents, late: d.late },
              `close snapshot of the ${d.sessionDate} session recorded${d.late ? ' (late: taken before the next open)' : ''}`,
            );
        }
      }
    }
  } catch (error) {
    ctx.log.warn({ err: error }, `portfolio sync failed: ${message(error)}; the next sync tries again`);
    return { ...report, status: 'failed', error: message(error) };
  }
  return report;
}

/** Which snapshots are due now, by the broker's market session and what is recorded; none when the session is unknown. */
async function snapshotsDue(
  ctx: PortfolioSyncContext,
  portfolioId: number,
  now: number,
  intradayEveryMs: number,
): Promise<{ kind: 'close' | 'intraday'; sessionDate: string; late: boolean; fromLastPoint?: true }[]> {
  let session: MarketSessionInfo;
  try {
    session = await ctx.broker.marketSession();
  } catch (error) {
    ctx.log.warn({ err: error }, `portfolio sync: market session unknown (${message(error)}); no snapshot this time`);
    return [];
  }
  const [lastClose, lastPoint] = await Promise.all([
    ctx.store.portfolio.latestSnapshot(portfolioId, 'close'),
    ctx.store.portfolio.latestSnapshot(portfolioId, 'intraday'),
  ]);
  const out: { kind: 'close' | 'intraday'; sessionDate: string; late: boolean; fromLastPoint?: true }[] = [];
  const close = closeDue(session, now, {
    lastCloseDate: lastClose?.sessionDate,
    lastPointDate: lastPoint?.sessionDate,
  });
  if (close) out.push({ kind: 'close', ...close });
  const point = intradayDue(session, now, lastPoint?.at, intradayEveryMs);
  if (point) out.push({ kind: 'intraday', sessionDate: point, late: false });
  return out;
}
