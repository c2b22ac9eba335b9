// Owns ranking the candidates that passed a rule set's filters: weighted normalised score, tie-breakers, at most N
// per underlying. Stable and deterministic (last resort: candidate id). Pure.
import type { RuleSet, ScoreMetric, TieBreaker } from './schema.js';

export interface Rankable {
  id: string;
  underlying: string;
  facts: object;
}

export interface ScoreTerm {
  fact: string;
  /** The fact's value; null when missing or not a finite number (then it scores as the worst value seen). */
  value: number | null;
  /** 0–1 with `minmax` (1 = best of this scan), the signed raw value with `none`. */
  normalised: number;
  weight: number;
  prefer: 'high' | 'low';
  contribution: number;
}

export interface Ranked<T extends Rankable> {
  /** 1 = best. */
  rank: number;
  candidate: T;
  score: number;
  breakdown: ScoreTerm[];
}

export interface RankOptions {
  metrics: readonly ScoreMetric[];
  normalise: 'minmax' | 'none';
  tieBreakers: readonly TieBreaker[];
  maxPerUnderlying: number;
  /** Keep at most this many (after the per-underlying cap). */
  limit?: number;
}

export interface RankResult<T extends Rankable> {
  ranked: Ranked<T>[];
  /** Scored but cut by maxPerUnderlying or limit, in score order. */
  dropped: { candidate: T; score: number; reason: 'maxPerUnderlying' | 'limit' }[];
}

const factOf = (c: Rankable, fact: string): unknown => (c.facts as Record<string, unknown>)[fact];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Orders two tie-breaker values; missing values (null, NaN, wrong type) always sort last. */
function compareBy(a: unknown, b: unknown, prefer: 'high' | 'low'): number {
  const okA = finite(a) || typeof a === 'string';
  const okB = finite(b) || typeof b === 'string';
  if (!okA || !okB) return okA === okB ? 0 : okA ? -1 : 1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  const asc =
    (a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0;
  return prefer === 'low' ? asc : -asc;
}

export function rankCandidates<T extends Rankable>(candidates: readonly T[], options: RankOptions): RankResult<T> {
  const { metrics, normalise } = options;
  // Range of each metric across this scan's candidates
  const ranges = metrics.map((m) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of candidates) {
      const v = factOf(c, m.fact);
      if (finite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    return { lo, hi, seen: lo <= hi };
  });
  const scored = candidates.map((candidate) => {
    let score = 0;
    const breakdown = metrics.map((m, i): ScoreTerm => {
      const { lo, hi, seen } = ranges[i]!;
      const raw = factOf(candidate, m.fact);
      const value = finite(raw) ? raw : null;
      let normalised: number;
      if (normalise === 'minmax') {
        // Missing: the worst (0); every value equal: 1 for all, whichever the direction
        const n = value === null ? 0 : hi > lo ? (value - lo) / (hi - lo) : 1;
        normalised = value === null || hi === lo || m.prefer === 'high' ? n : 1 - n;
      } else {
        const worst = !seen ? 0 : m.prefer === 'high' ? lo : hi;
        const v = value ?? worst;
        normalised = m.prefer === 'high' ? v : -v;
      }
      const contribution = m.weight * normalised;
      score += contribution;
      return { fact: m.fact, value, normalised, weight: m.weight, prefer: m.prefer, contribution };
    });
    return { candidate, score, breakdown };
  });

  scored.sort((a, b) => {
    if (a.score !== b.score) return b.score - a.score;
    for (const t of options.tieBreakers) {
      const d = compareBy(factOf(a.candidate, t.fact), factOf(b.candidate, t.fact), t.prefer);
      if (d !== 0) return d;
    }
    return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0;
  });

  const perUnderlying = new Map<string, number>();
  const ranked: Ranked<T>[] = [];
  const dropped: RankResult<T>['dropped'] = [];
  for (const s of scored) {
    const n = perUnderlying.get(s.candidate.underlying) ?? 0;
    if (n >= options.maxPerUnderlying) {
      dropped.push({ candidate: s.candidate, score: s.score, reason: 'maxPerUnderlying' });
      continue;
    }
    if (options.limit !== undefined && ranked.length >= options.limit) {
      dropped.push({ candidate: s.candidate, score: s.score, reason: 'limit' });
      continue;
    }
    perUnderlying.set(s.candidate.underlying, n + 1);
    ranked.push({ rank: ranked.length + 1, ...s });
  }
  return { ranked, dropped };
}

/** Ranks with a rule set's `score` and `maxPerUnderlying`. */
export function rankForRuleSet<T extends Rankable>(
  ruleSet: Pick<RuleSet, 'score' | 'maxPerUnderlying'>,
  candidates: readonly T[],
  limit?: number,
): RankResult<T> {
  const { metrics, normalise, tieBreakers } = ruleSet.score;
  return rankCandidates(candidates, {
    metrics,
    normalise,
    tieBreakers,
    maxPerUnderlying: ruleSet.maxPerUnderlying,
    ...(limit === undefined ? {} : { limit }),
  });
}
