// Owns the account-level limits (rules/account.yaml's allocation, greeks and trades sections) as pure arithmetic: how
// much of each limit the account uses, and whether an entry fits with the candidate added. Exits never come here.
import { addGreeks, type Greeks } from './portfolio.js';

/** null = no limit. Percentages of net liquidating value. */
export interface AccountLimits {
  allocation: { maxTotalRiskPct: number | null; maxUnderlyingRiskPct: number | null; maxRuleSetRiskPct: number | null };
  greeks: { maxAbsBetaDelta: number | null; maxAbsVega: number | null; minTheta: number | null };
  trades: { maxOpen: number | null; maxNewPerDay: number | null };
}

/** The account as it stands: Legwork's active trades (broken ones included) and what foreign positions risk. */
export interface AccountExposure {
  netLiqCents: number;
  trades: readonly { ruleSet: string; underlying: string; riskCents: number }[];
  /** Foreign positions' risk per underlying (counted in account risk, never traded). */
  foreignRiskCents: ReadonlyMap<string, number>;
  greeks: Greeks;
  /** Trades Legwork opened (created) today, New York date. */
  newToday: number;
}

export interface CandidateExposure {
  ruleSet: string;
  underlying: string;
  riskCents: number;
  greeks: Greeks;
}

export interface LimitUse {
  /** e.g. `allocation.maxTotalRiskPct`, `allocation.maxUnderlyingRiskPct[SPY]`, `greeks.maxAbsVega`. */
  name: string;
  /** In the limit's unit: percent of net liq, greeks, trades. */
  used: number;
  limit: number;
  /** used / limit × 100 (for a minimum, how far above it: limit / used × 100 when both are negative). */
  pct: number;
}

const pct = (cents: number, netLiq: number) => (netLiq > 0 ? (cents / netLiq) * 100 : Number.POSITIVE_INFINITY);
const sumBy = (rows: readonly { key: string; cents: number }[]) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0) + r.cents);
  return m;
};
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Every limit's use. Per underlying and per rule set list each underlying / rule set held (sorted by use, highest
 * first); with a candidate, its underlying and rule set are the ones that matter, so `focus` narrows those to it.
 */
export function limitUsage(
  limits: AccountLimits,
  x: AccountExposure,
  focus?: { underlying: string; ruleSet: string },
): LimitUse[] {
  const out: LimitUse[] = [];
  const use = (name: string, used: number, limit: number | null) => {
    if (limit === null) return;
    out.push({
      name,
      used: round(used),
      limit,
      pct: round(limit === 0 ? Number.POSITIVE_INFINITY : (used / limit) * 100),
    });
  };
  const foreign = [...x.foreignRiskCents].map(([key, cents]) => ({ key, cents }));
  const total = x.trades.reduce((s, t) => s + t.riskCents, 0) + foreign.reduce((s, f) => s + f.cents, 0);
  use('allocation.maxTotalRiskPct', pct(total, x.netLiqCents), limits.allocation.maxTotalRiskPct);
  const byUnderlying = sumBy([...x.trades.map((t) => ({ key: t.underlying, cents: t.riskCents })), ...foreign]);
  for (const [u, cents] of [...byUnderlying].sort((a, b) => b[1] - a[1]))
    if (!focus || focus.underlying === u)
      use(`allocation.maxUnderlyingRiskPct[${u}]`, pct(cents, x.netLiqCents), limits.allocation.maxUnderlyingRiskPct);
  const byRuleSet = sumBy(x.trades.map((t) => ({ key: t.ruleSet, cents: t.riskCents })));
  for (const [r, cents] of [...byRuleSet].sort((a, b) => b[1] - a[1]))
    if (!focus || focus.ruleSet === r)
      use(`allocation.maxRuleSetRiskPct[${r}]`, pct(cents, x.netLiqCents), limits.allocation.maxRuleSetRiskPct);
  use('greeks.maxAbsBetaDelta', Math.abs(x.greeks.betaDelta), limits.greeks.maxAbsBetaDelta);
  use('greeks.maxAbsVega', Math.abs(x.greeks.vega), limits.greeks.maxAbsVega);
  if (limits.greeks.minTheta !== null)
    out.push({
      name: 'greeks.minTheta',
      used: round(x.greeks.theta),
      limit: limits.greeks.minTheta,
      pct:
        x.greeks.theta >= limits.greeks.minTheta ? 0 : 100 + round(Math.abs(x.greeks.theta - limits.greeks.minTheta)),
    });
  use('trades.maxOpen', x.trades.length, limits.trades.maxOpen);
  use('trades.maxNewPerDay', x.newToday, limits.trades.maxNewPerDay);
  return out;
}

/** The account as it would be with the candidate added. */
export function withCandidate(x: AccountExposure, c: CandidateExposure): AccountExposure {
  return {
    ...x,
    trades: [...x.trades, { ruleSet: c.ruleSet, underlying: c.underlying, riskCents: c.riskCents }],
    greeks: addGreeks(x.greeks, c.greeks),
    newToday: x.newToday + 1,
  };
}

export type LimitVerdict =
  | { ok: true; usage: LimitUse[] }
  | { ok: false; limit: string; reason: string; usage: LimitUse[] };

/**
 * Whether an entry fits the account limits with it added. A limit already exceeded without the candidate refuses only
 * candidates that make it worse (a greeks bound: a trade that moves the greek back toward the bound is allowed).
 */
export function checkCandidate(limits: AccountLimits, x: AccountExposure, c: CandidateExposure): LimitVerdict {
  const focus = { underlying: c.underlying, ruleSet: c.ruleSet };
  const after = limitUsage(limits, withCandidate(x, c), focus);
  const before = new Map(limitUsage(limits, x, focus).map((u) => [u.name, u]));
  for (const u of after) {
    const over = u.name === 'greeks.minTheta' ? u.used < u.limit : u.used > u.limit;
    if (!over) continue;
    const was = before.get(u.name);
    const improves =
      was !== undefined &&
      u.name.startsWith('greeks.') &&
      (u.name === 'greeks.minTheta' ? u.used >= was.used : u.used <= was.used);
    if (improves) continue;
    const unit = u.name.startsWith('allocation.') ? ' % of net liq' : '';
    const reason =
      u.name === 'greeks.minTheta'
        ? `account limit ${u.name}: theta would be ${u.used} (minimum ${u.limit})`
        : `account limit ${u.name}: ${u.used}${unit} with this trade (limit ${u.limit}${unit})`;
    return { ok: false, limit: u.name, reason, usage: after };
  }
  return { ok: true, usage: after };
}
