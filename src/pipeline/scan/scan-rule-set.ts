// Owns scanning one rule set over its universe: metrics in ONE batched call, the rule compiled once, underlyings
// scanned with bounded concurrency (each failure skipped with its reason), every finalist ranked by the rule set's score.
import type { MarketMetrics } from '../../domain/market.js';
import { compileConditions, type CompiledRule } from '../../rules/compile.js';
import type { Trace } from '../../rules/trace.js';
import { rankForRuleSet, type Ranked } from '../../rules/rank.js';
import type { RuleSet } from '../../rules/schema.js';
import { getStrategy } from '../../strategies/index.js';
import type { Candidate } from '../../strategies/types.js';
import type { MarketData } from '../ports.js';
import { scanUnderlying, type UnderlyingScan } from './scan-underlying.js';

export interface ScanRuleSetDeps {
  marketData: MarketData;
  /** Today in New York (YYYY-MM-DD), as the broker counts days to expiration. */
  today: string;
  /** Underlyings scanned at once (default 4). */
  concurrency?: number;
  /** Deadline of each underlying's option snapshot (default 5000 ms). */
  snapshotTimeoutMs?: number;
}

/** A ranked finalist with the rule set that chose it and the trace of its filters. */
export type RankedCandidate = Ranked<Candidate> & { ruleSet: string; trace: Trace };

export interface ScanOutcome {
  ruleSet: string;
  rulesHash: string;
  /** Underlyings in the universe (scanned or skipped). */
  underlyings: number;
  candidatesEvaluated: number;
  accepted: number;
  /** In universe order. */
  perUnderlying: UnderlyingScan[];
  /** Every finalist after the score and `maxPerUnderlying`, best first (rank 1). */
  ranked: RankedCandidate[];
  skipped: { underlying: string; reason: string }[];
  durationMs: number;
}

export class ScanConfigError extends Error {
  override name = 'ScanConfigError';
}

/** The symbols a rule set scans: `options.underlyings` when given, else its `universe.symbols`. */
export function universeOf(ruleSet: RuleSet, override?: readonly string[]): string[] {
  if (override) return [...new Set(override.map((s) => s.trim().toUpperCase()).filter(Boolean))];
  if (ruleSet.universe.symbols) return [...ruleSet.universe.symbols];
  throw new ScanConfigError(
    `rule set ${ruleSet.name}: universe watchlist "${ruleSet.universe.watchlist}": watchlists are not supported by this broker yet; list the symbols instead (universe: {symbols: [...]})`,
  );
}

/** Refuses a rule set the pipeline cannot scan (unknown strategy; undefined risk without allowUndefinedRisk). */
export function checkScannable(ruleSet: RuleSet): void {
  const strategy = getStrategy(ruleSet.strategy);
  if (!strategy) throw new ScanConfigError(`rule set ${ruleSet.name}: unknown strategy ${ruleSet.strategy}`);
  if (!strategy.definedRisk && !ruleSet.allowUndefinedRisk) {
    throw new ScanConfigError(
      `rule set ${ruleSet.name}: ${ruleSet.strategy} has undefined risk and needs allowUndefinedRisk: true`,
    );
  }
}

/** Totals, skips and the ranking of per-underlying results (pure; shared with the compute benchmark). */
export function summariseScan(ruleSet: RuleSet, perUnderlying: UnderlyingScan[], durationMs = 0): ScanOutcome {
  const passed = perUnderlying.flatMap((u) => u.passed);
  const traces = new Map(passed.map((p) => [p.candidate.id, p.trace]));
  const ranked = rankForRuleSet(
    ruleSet,
    passed.map((p) => p.candidate),
  ).ranked.map((r): RankedCandidate => ({ ...r, ruleSet: ruleSet.name, trace: traces.get(r.candidate.id)! }));
  return {
    ruleSet: ruleSet.name,
    rulesHash: ruleSet.hash,
    underlyings: perUnderlying.length,
    candidatesEvaluated: perUnderlying.reduce((n, u) => n + u.evaluated, 0),
    accepted: passed.length,
    perUnderlying,
    ranked,
    skipped: perUnderlying.flatMap((u) =>
      u.skipped === undefined ? [] : [{ underlying: u.underlying, reason: u.skipped }],
    ),
    durationMs,
  };
}

/** Runs `task` over `items` with at most `limit` at once; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Scans the rule set's universe (or `options.underlyings`). Throws only for what concerns the whole scan: a rule set
 * that cannot be scanned (ScanConfigError: watchlist, undefined risk), the metrics call failing (broker unreachable)
 * or a fatal broker error; anything about one underlying is in `skipped`.
 */
export async function scanRuleSet(
  deps: ScanRuleSetDeps,
  ruleSet: RuleSet,
  options: { underlyings?: string[]; compiled?: CompiledRule } = {},
): Promise<ScanOutcome> {
  const started = performance.now();
  checkScannable(ruleSet);
  const symbols = universeOf(ruleSet, options.underlyings);
  const compiled = options.compiled ?? compileConditions(ruleSet.conditions);
  const metrics: Map<string, MarketMetrics> = symbols.length > 0 ? await deps.marketData.metrics(symbols) : new Map();
  const underlyingDeps = {
    marketData: deps.marketData,
    today: deps.today,
    ...(deps.snapshotTimeoutMs !== undefined ? { snapshotTimeoutMs: deps.snapshotTimeoutMs } : {}),
  };
  const perUnderlying = await pool(symbols, deps.concurrency ?? 4, (u) =>
    scanUnderlying(underlyingDeps, ruleSet, compiled, u, metrics.get(u) ?? null),
  );
  return summariseScan(ruleSet, perUnderlying, Math.round(performance.now() - started));
}
