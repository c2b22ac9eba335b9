// Owns checking an entry against the account limits (rules/account.yaml) as the account would be with it added:
// Legwork's active and broken trades, foreign positions (from the last portfolio sync), the portfolio's greeks plus
// the candidate's own (the broker's greeks of its legs now). Entries only: exits never come here.
import {
  type AccountExposure,
  type AccountLimits,
  type CandidateExposure,
  checkCandidate,
  type LimitVerdict,
} from '../domain/account-limits.js';
import { nyDate } from '../domain/dates.js';
import { isOccSymbol, occToStreamer, parseOcc } from '../domain/instrument.js';
import {
  addGreeks,
  type Environment,
  FOREIGN,
  type Greeks,
  type PortfolioPosition,
  ZERO_GREEKS,
} from '../domain/portfolio.js';
import { BENCHMARK, positionGreeks } from '../domain/position-greeks.js';
import type { TradeRow } from '../domain/records.js';
import { ACTIVE_TRADE_STATUSES } from '../domain/trade-transitions.js';
import type { ExecContext } from './execution-context.js';

const hasLimits = (l: AccountLimits) =>
  [...Object.values(l.allocation), ...Object.values(l.greeks), ...Object.values(l.trades)].some((v) => v !== null);

/**
 * What a foreign position risks, in cents: what a long paid (its value now), a short option the strike's notional
 * (a short call's risk has no cap: the strike stands for it), shares their value.
 */
export function foreignRiskCents(p: PortfolioPosition): number {
  const units = Math.abs(p.quantity) * p.multiplier;
  if (p.quantity < 0 && isOccSymbol(p.symbol)) return Math.round(parseOcc(p.symbol).strike * 100 * units);
  return Math.round((p.markCents ?? p.averageOpenPriceCents) * units);
}

const mid = (q: { bid: number | null; ask: number | null } | undefined) =>
  q && q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null;

/** The trade's greeks now, per the whole position, from the broker's greeks of its legs. Null when any is unknown. */
async function candidateGreeks(ctx: ExecContext, trade: TradeRow): Promise<Greeks | null> {
  const legs = trade.legs.map((l) => l.streamerSymbol || occToStreamer(l.symbol));
  const snap = await ctx.marketData.snapshot([...legs, trade.underlying, BENCHMARK], {
    greeks: true,
    timeoutMs: 3000,
  });
  const metrics = await ctx.marketData.metrics([trade.underlying]);
  const spot = mid(snap.quotes.get(trade.underlying));
  const benchmarkSpot = mid(snap.quotes.get(BENCHMARK));
  const beta = metrics.get(trade.underlying)?.beta ?? null;
  let total = ZERO_GREEKS;
  for (const [i, leg] of trade.legs.entries()) {
    const sign = leg.action.startsWith('Buy') ? 1 : -1;
    const { greeks: g } = positionGreeks(
      {
        symbol: leg.symbol,
        instrumentType: 'Equity Option',
        quantity: sign * leg.quantity * trade.quantity,
        multiplier: 100,
      },
      { option: snap.greeks.get(legs[i]!), spot, benchmarkSpot, beta },
    );
    if (!g) return null;
    total = addGreeks(total, g);
  }
  return total;
}

/** The account as it stands now, for the limits: every trade but `exceptTradeId` (the candidate itself). */
export async function accountExposure(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'now'>,
  environment: Environment,
  exceptTradeId?: string,
): Promise<AccountExposure> {
  const today = nyDate(ctx.now());
  const balances = await ctx.broker.balances();
  const portfolio = await ctx.store.portfolio.ensure(environment, ctx.broker.accountNumber);
  const positions = await ctx.store.portfolio.positions(portfolio.id);
  const foreign = new Map<string, number>();
  for (const p of positions.filter((x) => x.owner === FOREIGN))
    foreign.set(p.underlying, (foreign.get(p.underlying) ?? 0) + foreignRiskCents(p));
  const all = await ctx.store.trades.list({ limit: 10_000 });
  const others = all.filter((t) => t.id !== exceptTradeId);
  const held = others.filter((t) => ACTIVE_TRADE_STATUSES.includes(t.status));
  return {
    netLiqCents: balances.netLiquidatingValueCents,
    trades: held.map((t) => ({ ruleSet: t.ruleSet, underlying: t.underlying, riskCents: t.riskCents })),
    foreignRiskCents: foreign,
    greeks: portfolio.greeks ?? ZERO_GREEKS,
    newToday: others.filter(
      (t) => nyDate(t.createdAt.getTime()) === today && t.status !== 'rejected' && t.status !== 'rolled_back',
    ).length,
  };
}

/** A verdict and the hash of the `account.yaml` version it was reached with (null: no valid version). */
export type AccountCheck = LimitVerdict & { accountRulesHash: string | null };

/**
 * The entry against the account limits, read once: the verdict carries the hash of the very version it used (a
 * second read for the audit could see a newer file). Null when there is no account context or no limit is set.
 */
export async function checkAccountLimits(ctx: ExecContext, trade: TradeRow): Promise<AccountCheck | null> {
  const account = ctx.account;
  if (!account) return null;
  const { limits, hash, refused } = await account.rules();
  // A file that was never valid is not "no limits": the trader meant some, so entries wait until it is fixed
  if (hash === null && refused !== null)
    return {
      ok: false,
      limit: 'account.yaml',
      reason: `account limits unknown: ${refused}`,
      usage: [],
      accountRulesHash: null,
    };
  if (!hasLimits(limits)) return null;
  const exposure = await accountExposure(ctx, account.environment, trade.id);
  const needsGreeks = Object.values(limits.greeks).some((v) => v !== null);
  const greeks = needsGreeks ? await candidateGreeks(ctx, trade) : ZERO_GREEKS;
  if (!greeks)
    return {
      ok: false,
      limit: 'greeks',
      reason: 'account greeks limits: no greeks for every leg of this trade',
      usage: [],
      accountRulesHash: hash,
    };
  const candidate: CandidateExposure = {
    ruleSet: trade.ruleSet,
    underlying: trade.underlying,
    riskCents: trade.riskCents,
    greeks,
  };
  return { ...checkCandidate(limits, exposure, candidate), accountRulesHash: hash };
}
