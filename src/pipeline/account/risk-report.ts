// Owns the account risk report (`legwork risk`, GET /api/risk): what the broker holds now, valued by Black-Scholes at
// the broker's implied vols (src/domain/risk), with value at risk (historical and delta-gamma), the what-if grid,
// correlation of the underlyings, the maximum drawdown of the snapshots, account-limit use and the failsafes' states.
import type { LimitUse } from '../../domain/account-limits.js';
import { limitUsage } from '../../domain/account-limits.js';
import { nyInstant } from '../../domain/dates.js';
import type { FailsafeCheck } from '../../domain/failsafes.js';
import { isOccSymbol, occToStreamer, parseOcc } from '../../domain/instrument.js';
import { attributePositions, type Environment } from '../../domain/portfolio.js';
import { BENCHMARK } from '../../domain/position-greeks.js';
import { portfolioGreeks } from '../../domain/risk/greeks.js';
import { scenarioGrid } from '../../domain/risk/scenarios.js';
import type { MarketState, RiskPosition } from '../../domain/risk/types.js';
import { correlation, historicalVar, logReturns, maxDrawdown, parametricVar } from '../../domain/risk/var.js';
import { accountExposure } from '../account-gate.js';
import type { ExecContext } from '../execution-context.js';
import { failsafeStates } from '../failsafe-check.js';

/** The flat risk-free rate of the models (annual, continuously compounded); docs/risk.md. */
export const RISK_FREE_RATE = 0.04;
/** Trading days of daily closes behind historical VaR and correlation. */
export const DEFAULT_HISTORY_DAYS = 250;

type Greeks5 = { delta: number; betaDelta: number; gamma: number; theta: number; vega: number };

export interface RiskReport {
  /** Broker time of the report, epoch ms. */
  at: number;
  netLiq: number;
  greeks: Greeks5;
  var: { hist95: number; hist99: number; param95: number; param99: number; days: number };
  limits: LimitUse[];
  failsafes: { name: string; state: FailsafeCheck['state']; reason: string }[];
  scenarios: {
    spot: number[];
    vol: number[];
    days: number[];
    /** Total P&L today (the first horizon), dollars, [vol][spot]. */
    pnl: number[][];
    pnlByDay: number[][][];
    /** The same as `pnl` per Legwork trade, and for the foreign positions. */
    byTrade: Record<string, number[][]>;
    foreign: number[][];
  };
  positions: {
    symbol: string;
    underlying: string;
    owner: string;
    tradeId: string | null;
    quantity: number;
    greeks: Greeks5 | null;
  }[];
  correlation: { symbols: string[]; matrix: number[][] };
  drawdown: { maxDrawdown: number; maxDrawdownPct: number } | null;
  accountRulesHash: string | null;
  /** What the figures leave out or assume (no IV, no closes, beta taken as 1, unvalued positions). */
  notes: string[];
}

const mid = (q: { bid: number | null; ask: number | null } | undefined): number | null =>
  q && q.bid !== null && q.ask !== null && q.ask > 0 ? (q.bid + q.ask) / 2 : null;
const r2 = (n: number) => Math.round(n * 100) / 100;
const greeks5 = (g: { delta: number; betaDelta: number | null; gamma: number; theta: number; vega: number }) => ({
  delta: r2(g.delta),
  betaDelta: r2(g.betaDelta ?? 0),
  gamma: r2(g.gamma * 10_000) / 10_000,
  theta: r2(g.theta),
  vega: r2(g.vega),
});

/** Closes of every symbol on the dates all of them have, oldest first (series of one length, as VaR needs). */
function alignedCloses(series: Map<string, { date: string; close: number }[]>, symbols: string[]) {
  const have = symbols.filter((s) => (series.get(s)?.length ?? 0) > 1);
  if (have.length === 0) return { closes: {} as Record<string, number[]>, days: 0, missing: symbols };
  let dates = new Set(series.get(have[0]!)!.map((c) => c.date));
  for (const s of have.slice(1)) {
    const own = new Set(series.get(s)!.map((c) => c.date));
    dates = new Set([...dates].filter((d) => own.has(d)));
  }
  const closes: Record<string, number[]> = {};
  for (const s of have)
    closes[s] = series
      .get(s)!
      .filter((c) => dates.has(c.date))
      .map((c) => c.close);
  return { closes, days: Math.max(0, dates.size - 1), missing: symbols.filter((s) => !have.includes(s)) };
}

export async function riskReport(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'marketData' | 'now' | 'account' | 'log'>,
  environment: Environment,
  options: { historyDays?: number } = {},
): Promise<RiskReport> {
  const now = ctx.now();
  const notes: string[] = [];
  const [brokerPositions, balances, held] = await Promise.all([
    ctx.broker.positions(),
    ctx.broker.balances(),
    ctx.store.positions.held(),
  ]);
  const attributed = attributePositions(brokerPositions, held);
  const underlyings = [...new Set(attributed.map((p) => p.underlying))].sort();
  const streamerOf = (symbol: string) => (isOccSymbol(symbol) ? occToStreamer(symbol) : symbol);
  const streamers = [...new Set([...attributed.map((p) => streamerOf(p.symbol)), ...underlyings, BENCHMARK])];
  const [snap, metrics, history] = await Promise.all([
    ctx.marketData.snapshot(streamers, { greeks: true, timeoutMs: 5000 }),
    ctx.marketData.metrics([...new Set([...underlyings, BENCHMARK])]),
    ctx.marketData.dailyCloses(
      [...new Set([...underlyings, BENCHMARK])],
      (options.historyDays ?? DEFAULT_HISTORY_DAYS) + 1,
    ),
  ]);

  const market: MarketState = { spot: {}, beta: {}, rate: RISK_FREE_RATE, nowMs: now, betaSymbol: BENCHMARK };
  for (const u of [...underlyings, BENCHMARK]) {
    const spot = mid(snap.quotes.get(u));
    if (spot !== null) market.spot[u] = spot;
    market.beta[u] = u === BENCHMARK ? 1 : (metrics.get(u)?.beta ?? null);
  }
  const positions: RiskPosition[] = attributed.map((p) => {
    if (!isOccSymbol(p.symbol))
      return {
        symbol: p.symbol,
        underlying: p.underlying,
        kind: 'equity',
        quantity: p.quantity,
        multiplier: p.multiplier,
        tradeId: p.tradeId,
      };
    const c = parseOcc(p.symbol);
    const iv = snap.greeks.get(streamerOf(p.symbol))?.iv ?? null;
    return {
      symbol: p.symbol,
      underlying: p.underlying,
      kind: 'option',
      right: c.right,
      strike: c.strike,
      expiresAt: p.expiresAt ?? nyInstant(c.expiration, '16:00'),
      quantity: p.quantity,
      multiplier: p.multiplier,
      ...(iv !== null && iv > 0 ? { iv } : {}),
      tradeId: p.tradeId,
    };
  });

  const pg = portfolioGreeks(positions, market);
  const { closes, days, missing } = alignedCloses(history, underlyings);
  if (missing.length > 0) notes.push(`no daily closes for ${missing.join(', ')}: taken as unmoved in VaR`);
  const hist = days > 0 ? historicalVar(positions, market, closes) : null;
  const param = days > 1 ? parametricVar(positions, market, closes) : null;
  const grid = scenarioGrid(positions, market);
  if (pg.betaAssumed.length > 0) notes.push(`beta unknown for ${pg.betaAssumed.join(', ')}: taken as 1`);
  if (pg.noIv.length > 0) notes.push(`no implied vol for ${pg.noIv.join(', ')}: valued at zero vol`);
  for (const u of pg.unvalued) notes.push(`${u.symbol} left out: ${u.reason}`);
  const corrSymbols = Object.keys(closes).sort();
  const corr =
    corrSymbols.length > 1 && days > 1
      ? correlation(Object.fromEntries(corrSymbols.map((s) => [s, logReturns(closes[s]!)])))
      : { symbols: corrSymbols, matrix: corrSymbols.map(() => [1]) };

  const account = ctx.account;
  const rules = account ? await account.rules() : null;
  const limits = account && rules ? limitUsage(rules.limits, await accountExposure(ctx, account.environment)) : [];
  const failsafes = account
    ? (await failsafeStates(ctx, account)).map((c) => ({ name: c.name, state: c.state, reason: c.reason }))
    : [];
  const portfolio = await ctx.store.portfolio.get(environment, ctx.broker.accountNumber);
  const equity = portfolio
    ? (await ctx.store.portfolio.snapshotsSince(portfolio.id, 0)).map((s) => ({ at: s.at, value: s.netLiqCents / 100 }))
    : [];
  const dd = equity.length > 1 ? maxDrawdown(equity) : null;

  return {
    at: now,
    netLiq: balances.netLiquidatingValueCents / 100,
    greeks: greeks5(pg.total),
    var: {
      hist95: r2(hist?.var95 ?? 0),
      hist99: r2(hist?.var99 ?? 0),
      param95: r2(param?.var95 ?? 0),
      param99: r2(param?.var99 ?? 0),
      days,
    },
    limits,
    failsafes,
    scenarios: {
      spot: grid.spot,
      vol: grid.vol,
      days: grid.days,
      pnl: grid.pnl[0]!.map((row) => row.map(r2)),
      pnlByDay: grid.pnl.map((d) => d.map((row) => row.map(r2))),
      byTrade: Object.fromEntries(
        Object.entries(grid.byTrade).map(([id, cube]) => [id, cube[0]!.map((row) => row.map(r2))]),
      ),
      foreign: grid.foreign[0]!.map((row) => row.map(r2)),
    },
    positions: pg.positions.map((p) => {
      const a = attributed.find((x) => x.symbol === p.symbol && x.tradeId === p.tradeId);
      return {
        symbol: p.symbol,
        underlying: p.underlying,
        owner: a?.owner ?? p.tradeId ?? 'foreign',
        tradeId: p.tradeId,
        quantity: a?.quantity ?? 0,
        greeks: greeks5(p),
      };
    }),
    correlation: {
      symbols: corr.symbols,
      matrix: corr.matrix.map((row) => row.map((v) => Math.round(v * 1000) / 1000)),
    },
    drawdown: dd ? { maxDrawdown: r2(dd.maxDrawdown), maxDrawdownPct: r2(dd.maxDrawdownPct ?? 0) } : null,
    accountRulesHash: rules?.hash ?? null,
    notes,
  };
}
