// Owns turning ordered legs into a Candidate: sanity checks, package prices on the chain's ticks, the deterministic id
// and every CandidateFacts value (formulas in docs/strategies.md). Pure.
import { daysBetween } from '../domain/dates.js';
import type { MarketMetrics, TickSize } from '../domain/market.js';
import type { Cents } from '../domain/money.js';
import { expectedValuePerShare, probabilityOfProfit, shortSides, yearsFromDte } from './probability.js';
import type { ExpirationLegs } from './select.js';
import type { Candidate, CandidateFacts, CandidateLeg, StrategyInput, StrategyName } from './types.js';

/** Tick (cents) that applies at a price: an entry with a threshold applies strictly below it; no threshold = fallback. */
export function tickCentsAt(price: number, ticks: TickSize[]): number {
  let best: TickSize | undefined;
  let fallback: TickSize | undefined;
  for (const t of ticks) {
    if (t.threshold === null) fallback = t;
    else if (price < t.threshold && (!best || t.threshold < best.threshold!)) best = t;
  }
  return (best ?? fallback)?.valueCents ?? 1;
}

/** Package tick: the smallest tick that applies to any leg at its mid (so 0.01 as soon as one leg trades below $3). */
export function packageTickCents(legs: CandidateLeg[], ticks: TickSize[]): number {
  let tick = Infinity;
  for (const l of legs) tick = Math.min(tick, tickCentsAt(l.mid, ticks));
  return Number.isFinite(tick) && tick > 0 ? tick : 1;
}

/** Nearest multiple of the tick; an exact half rounds toward the smaller credit (the more marketable price). */
export function roundToTick(cents: number, tick: number): Cents {
  const q = cents / tick;
  const f = Math.floor(q + 1e-9);
  return (q - f > 0.5 + 1e-9 ? f + 1 : f) * tick;
}

const strikeText = (strike: number): string => String(Math.round(strike * 1000) / 1000);
const pct = (fraction: number | null | undefined): number | null =>
  typeof fraction === 'number' && Number.isFinite(fraction) ? Math.round(fraction * 10_000) / 100 : null;
const isShort = (l: CandidateLeg): boolean => l.action === 'Sell to Open';
/** Drops binary floating-point noise (0.1 + 0.2) so rule thresholds compare as written; 10 decimals kept. */
const clean = (x: number): number => Math.round(x * 1e10) / 1e10;
const cleanOrNull = (x: number | null): number | null => (x === null ? null : clean(x));

export function candidateId(
  strategy: StrategyName,
  underlying: string,
  expiration: string,
  legs: CandidateLeg[],
): string {
  return `${strategy}:${underlying}:${expiration}:${legs.map((l) => strikeText(l.strike)).join('/')}`;
}

/** Legs ascending by strike (puts before calls at one strike), no right+strike twice, one expiration. */
function wellOrdered(legs: CandidateLeg[]): boolean {
  for (let i = 1; i < legs.length; i++) {
    const a = legs[i - 1]!;
    const b = legs[i]!;
    if (a.expiration !== b.expiration) return false;
    if (b.strike < a.strike || (b.strike === a.strike && !(a.right === 'P' && b.right === 'C'))) return false;
  }
  return true;
}

/** Widest distance between the short and the long of one right (points); null when no right has exactly one of each. */
function coveredWidth(legs: CandidateLeg[]): number | null {
  let width: number | null = null;
  for (const right of ['P', 'C'] as const) {
    let short: CandidateLeg | undefined;
    let long: CandidateLeg | undefined;
    let count = 0;
    for (const l of legs) {
      if (l.right !== right) continue;
      count++;
      if (isShort(l)) short = l;
      else long = l;
    }
    if (count === 2 && short && long) width = Math.max(width ?? 0, clean(Math.abs(short.strike - long.strike)));
  }
  return width;
}

function earnings(metrics: MarketMetrics | null, today: string, expiration: string) {
  const date = metrics?.earningsDate ?? null;
  if (!date || date < today) return { days: null, before: false };
  return { days: daysBetween(today, date), before: date <= expiration };
}

/**
 * The candidate for these legs, or null when the structure is not a valid credit trade: legs out of order or
 * duplicated, a defined-risk structure without a positive width, a mid credit ≤ 0 after tick rounding, or
 * (defined risk) a credit that is not smaller than the width.
 */
export function makeCandidate(
  input: StrategyInput,
  ex: ExpirationLegs,
  strategy: StrategyName,
  definedRisk: boolean,
  legs: CandidateLeg[],
): Candidate | null {
  if (legs.length === 0 || !wellOrdered(legs)) return null;
  const shares = input.chain.sharesPerContract || 100;
  let rawMid = 0;
  let natural = 0;
  let maxLegSpread = 0;
  let netDelta = 0;
  let netTheta = 0;
  let netVega = 0;
  let shortDelta = 0;
  for (const l of legs) {
    const sign = isShort(l) ? -1 : 1; // position sign: short legs count negative
    rawMid -= sign * l.ratio * l.mid;
    natural += isShort(l) ? l.ratio * l.bid : -l.ratio * l.ask;
    maxLegSpread = Math.max(maxLegSpread, l.ask - l.bid);
    netDelta += sign * l.ratio * (l.delta ?? 0);
    netTheta += sign * l.ratio * (l.theta ?? 0);
    netVega += sign * l.ratio * (l.vega ?? 0);
    if (isShort(l)) shortDelta = Math.max(shortDelta, Math.abs(l.delta ?? 0));
  }
  const width = definedRisk ? coveredWidth(legs) : null;
  if (definedRisk && !(width !== null && width > 0)) return null;

  const creditMidCents = roundToTick(rawMid * 100, packageTickCents(legs, input.chain.tickSizes));
  if (creditMidCents <= 0) return null;
  const widthCents = width === null ? null : Math.round(width * 100);
  if (widthCents !== null && creditMidCents >= widthCents) return null;
  const creditNaturalCents = Math.round(natural * 100 + (natural >= 0 ? 1e-9 : -1e-9));

  const credit = creditMidCents / 100;
  const creditNatural = creditNaturalCents / 100;
  const expiration = ex.expiration.expiration;
  const years = yearsFromDte(ex.dte);
  const sides = shortSides(legs);
  const spot = input.underlyingPrice;
  const pop = probabilityOfProfit(spot, credit, sides, years);
  const evPerShare = expectedValuePerShare(spot, credit, legs, sides, years);
  const maxLoss = widthCents === null ? null : ((widthCents - creditMidCents) * shares) / 100;
  const packageSpread = rawMid - natural;
  const m = input.metrics;
  const e = earnings(m, input.today, expiration);

  const facts: CandidateFacts = {
    strategy,
    underlying: input.underlying,
    underlying_price: spot,
    dte: ex.dte,
    expiration_type: ex.expiration.expirationType,
    credit_mid: credit,
    credit_natural: creditNatural,
    width,
    credit_to_width: width === null ? null : clean(credit / width),
    max_loss: cleanOrNull(maxLoss),
    return_on_risk: maxLoss === null ? null : clean((credit * shares) / maxLoss),
    pop: clean(pop * 100),
    expected_value: cleanOrNull(evPerShare === null ? null : evPerShare * shares),
    net_delta: clean(netDelta),
    net_theta: clean(netTheta),
    net_vega: clean(netVega),
    short_delta: shortDelta,
    iv_rank: pct(m?.ivRank),
    iv_percentile: pct(m?.ivPercentile),
    iv_index: pct(m?.ivIndex),
    liquidity_rating: m?.liquidityRating ?? null,
    max_leg_spread: clean(maxLegSpread),
    package_spread: clean(packageSpread),
    package_spread_pct: clean(packageSpread / credit),
    days_to_earnings: e.days,
    earnings_before_expiration: e.before,
    defined_risk: definedRisk,
  };
  return {
    id: candidateId(strategy, input.underlying, expiration, legs),
    strategy,
    underlying: input.underlying,
    expiration,
    dte: ex.dte,
    legs,
    creditMidCents,
    creditNaturalCents,
    facts,
  };
}
