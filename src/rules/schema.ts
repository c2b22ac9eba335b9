// Owns the rule-file schema (`version: 1`): zod, strict, defaults resolved at the boundary; the RuleSet type. Pure.
// Cross-field checks live in consistency.ts, the `filters:` grammar in filters.ts; docs/rules.md documents every key.
import { z } from 'zod';
import { STRATEGY_NAMES, type StrategyName } from '../strategies/types.js';
import type { TopLevelCondition } from './compile.js';
import { FACTS, isFactName } from './facts.js';
import { checkFilters } from './filters.js';
import { cronProblem } from './schedule.js';

const int = (min: number, max = 1_000_000) => z.number().int().min(min).max(max);
const dollars = z.number().positive().max(100_000_000);

const DURATION = /^(\d+)(s|m|h)$/;
const SECONDS = { s: 1, m: 60, h: 3600 } as const;
/** Seconds of a duration such as `90s`, `5m`, `1h`; null when malformed. */
export function durationSeconds(text: string): number | null {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * SECONDS[m[2] as keyof typeof SECONDS] : null;
}

const symbolSchema = z.string().regex(/^[A-Z][A-Z0-9./]{0,9}$/, 'a symbol in capitals, e.g. SPY');

const universeSchema = z
  .object({ symbols: z.array(symbolSchema).min(1).optional(), watchlist: z.string().min(1).optional() })
  .strict()
  .superRefine((u, ctx) => {
    if ((u.symbols === undefined) === (u.watchlist === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of symbols or watchlist' });
    u.symbols?.forEach((s, i) => {
      if (u.symbols!.indexOf(s) !== i)
        ctx.addIssue({ code: 'custom', path: ['symbols', i], message: `${s} is listed twice` });
    });
  });

const scheduleSchema = z
  .object({
    every: z
      .string()
      .refine(
        (s) => (durationSeconds(s) ?? 0) >= 10 && (durationSeconds(s) ?? 0) <= 86_400,
        'a duration from 10s to 24h, e.g. 90s, 5m, 1h',
      )
      .optional(),
    cron: z
      .string()
      .superRefine((s, ctx) => {
        const p = cronProblem(s);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .optional(),
    marketHoursOnly: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.every !== undefined && s.cron !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give one of every or cron, not both' });
  })
  .transform((s) => {
    const every = s.cron === undefined ? (s.every ?? '5m') : null;
    return {
      every,
      everySeconds: every === null ? null : durationSeconds(every)!,
      cron: s.cron ?? null,
      marketHoursOnly: s.marketHoursOnly,
    };
  });

const prefer = z.enum(['high', 'low']);
const metricSchema = z
  .object(
    { weight: z.number(), prefer: prefer.optional() },
    { error: 'a weight (number) or {weight, prefer: high|low}' },
  )
  .strict();
const defaultPrefer = (fact: string) =>
  (isFactName(fact) ? (FACTS[fact] as { better?: 'high' | 'low' }).better : undefined) ?? 'high';

const scoreSchema = z
  .object({
    normalise: z.enum(['minmax', 'none']).default('minmax'),
    weights: z
      .record(
        z.string(),
        z.preprocess((v) => (typeof v === 'number' ? { weight: v } : v), metricSchema),
      )
      .default({ pop: { weight: 1 } }),
    tieBreakers: z
      .array(
        z.preprocess(
          (v) => (typeof v === 'string' ? { fact: v } : v),
          z
            .object(
              { fact: z.string(), prefer: prefer.optional() },
              { error: 'a fact name or {fact, prefer: high|low}' },
            )
            .strict(),
        ),
      )
      .default([]),
  })
  .strict()
  .transform((s) => ({
    normalise: s.normalise,
    metrics: Object.entries(s.weights).map(([fact, m]) => ({
      fact,
      weight: m.weight,
      prefer: m.prefer ?? defaultPrefer(fact),
    })),
    tieBreakers: s.tieBreakers.map((t) => ({ fact: t.fact, prefer: t.prefer ?? defaultPrefer(t.fact) })),
  }));

const sizingSchema = z
  .object({
    /** Structures per trade (the most; maxRiskPerTrade may lower it). */
    quantity: int(1, 1000).default(1),
    /** Dollars of max loss per trade (defined risk). */
    maxRiskPerTrade: dollars.optional(),
    /** Dollars of buying-power effect per trade (the cap for undefined-risk structures). */
    maxBuyingPowerPerTrade: dollars.optional(),
  })
  .strict();

const entrySchema = z
  .object({
    price: z.enum(['mid', 'natural']).default('mid'),
    stepTicks: int(0, 100).default(1),
    stepEverySeconds: int(1, 3600).default(30),
    maxSteps: int(0, 100).default(5),
    /** Never sell for less (per share, dollars). */
    minCredit: z.number().positive().max(10_000).optional(),
    fillTimeoutSeconds: int(1, 86_400).default(300),
  })
  .strict();

/** Bounds of `execution.approvalTimeoutSeconds`: at least a few exit cycles (the sweep's cadence), at most a day. */
export const APPROVAL_TIMEOUT_SECONDS = { min: 30, max: 86_400 } as const;

const executionSchema = z
  .object({
    mode: z.enum(['combo', 'legged']).default('combo'),
    partialFill: z.enum(['keep', 'close']).default('keep'),
    /** `manual`: a selected trade waits for a human's approval (awaiting_approval) before it is planned and sent. */
    approval: z
      .enum(['auto', 'manual'], {
        error: 'auto (trades go to the executor at once) or manual (each waits for approval)',
      })
      .default('auto'),
    /** How long a proposed trade waits for approval before it expires (broker time). */
    approvalTimeoutSeconds: z
      .number({ error: 'whole seconds' })
      .int({ error: 'whole seconds' })
      .min(APPROVAL_TIMEOUT_SECONDS.min, {
        error: `at least ${APPROVAL_TIMEOUT_SECONDS.min} s (the approval sweep runs with the exit cycle)`,
      })
      .max(APPROVAL_TIMEOUT_SECONDS.max, { error: `at most ${APPROVAL_TIMEOUT_SECONDS.max} s (one day)` })
      .default(300),
  })
  .strict();

const exitsSchema = z
  .object({
    takeProfitPct: z.number().gt(0).lt(100).nullable().default(50),
    stopLossMultiple: z.number().gt(0).max(100).nullable().default(2),
    closeAtDte: int(0, 1000).nullable().default(21),
    shortDeltaBreach: z.number().gt(0).lt(1).nullable().default(null),
    underlyingThroughShortStrike: z.boolean().default(false),
    timeStopDays: int(1, 1000).nullable().default(null),
    /** Hold short options into their expiration day's last hour (pin risk); by default they are closed before it. */
    holdThroughExpiration: z.boolean().default(false),
  })
  .strict();

/**
 * What happens to shares an assignment or exercise delivers into a trade. `close` (the only policy): they and any
 * remaining legs are closed at the next open, reduce-only. Holding them needs exit rules for shares, which do not exist.
 */
export const ASSIGNMENT_POLICIES = ['close'] as const;
const assignmentSchema = z.enum(ASSIGNMENT_POLICIES, {
  error: 'only `close` is supported: shares delivered by an assignment or exercise are closed at the next open',
});

const riskSchema = z
  .object({
    maxOpenTrades: int(1, 1000).default(5),
    maxTotalRisk: dollars.default(5000),
    maxRiskPerUnderlying: dollars.default(2000),
    maxLegsPerGroup: int(1, 100).default(6),
    maxWorkingGroups: int(1, 100).default(2),
    // The pipeline hands at most five validated trades per scan to the executor; a rule set may ask for fewer
    maxNewTradesPerScan: int(1, 5).default(5),
  })
  .strict();

const filtersSchema = z
  .record(z.string(), z.unknown())
  .default({})
  .superRefine((f, ctx) =>
    checkFilters(f, [], (path, message, atKey) => ctx.addIssue({ code: 'custom', path, message, params: { atKey } })),
  );

/** The schema of one rule file. Every section is optional except version, strategy and universe. */
export const ruleFileSchema = z
  .object({
    version: z.literal(1, { error: 'version: 1 is the only version' }),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _ (at most 64)')
      .optional(),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().default(true),
    strategy: z.enum(STRATEGY_NAMES, { error: `unknown strategy; one of ${STRATEGY_NAMES.join(', ')}` }),
    allowUndefinedRisk: z.boolean().default(false),
    universe: universeSchema,
    schedule: scheduleSchema.prefault({}),
    params: z.record(z.string(), z.unknown()).default({}),
    filters: filtersSchema,
    score: scoreSchema.prefault({}),
    maxPerUnderlying: int(1, 100).default(1),
    sizing: sizingSchema.prefault({}),
    entry: entrySchema.prefault({}),
    execution: executionSchema.prefault({}),
    exits: exitsSchema.prefault({}),
    assignment: assignmentSchema.default('close'),
    risk: riskSchema.prefault({}),
  })
  .strict();

export type RuleFile = z.output<typeof ruleFileSchema>;
export type ScoreMetric = RuleFile['score']['metrics'][number];
export type TieBreaker = RuleFile['score']['tieBreakers'][number];

/** A valid rule set, as the pipeline uses it. */
export interface RuleSet extends Omit<RuleFile, 'name' | 'strategy' | 'params'> {
  name: string;
  strategy: StrategyName;
  /** The strategy's params, validated and defaulted by its `paramsSchema`. */
  params: unknown;
  /** `filters:` expanded into json-rules-engine conditions (shorthand → leaves); what compile.ts compiles. */
  conditions: TopLevelCondition;
  file: string;
  /** sha256 (hex) of the file's content: recorded with every scan, candidate and trade. */
  hash: string;
  content: string;
}
