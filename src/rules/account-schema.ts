// Owns the schema of the account limits file `rules/account.yaml` (`version: 1`): zod, strict, every limit optional
// and null (no limit) when absent; the AccountRules type and NO_ACCOUNT_LIMITS. Pure. docs/rules.md documents every key.
import { z } from 'zod';
import type { PathSeg } from '../util/yaml-zod.js';

/** The daily loss failsafe: a dollar amount (kept in cents) or a percentage of the start-of-day net liquidating value. */
export type DailyLossLimit =
  | { kind: 'dollars'; cents: number; flatten: boolean }
  | { kind: 'pct'; pct: number; flatten: boolean };

/** The account limits in force; every limit is null when the file leaves it out (no limit). */
export interface AccountRules {
  version: 1;
  /** Percentages of the account's net liquidating value; risk is max loss (buying-power effect for undefined risk). */
  allocation: {
    /** Risk of all open trades together. */
    maxTotalRiskPct: number | null;
    /** Risk of the open trades on one underlying. */
    maxUnderlyingRiskPct: number | null;
    /** Risk of one rule set's open trades. */
    maxRuleSetRiskPct: number | null;
  };
  /** Portfolio greeks, the whole account's positions. */
  greeks: {
    /** |beta-weighted delta|, in shares of the benchmark (SPY). */
    maxAbsBetaDelta: number | null;
    /** |vega|, dollars per volatility point. */
    maxAbsVega: number | null;
    /** Theta at least this, dollars per calendar day (may be negative). */
    minTheta: number | null;
  };
  trades: {
    /** Open trades across all rule sets. */
    maxOpen: number | null;
    /** Trades opened per New York trading day across all rule sets. */
    maxNewPerDay: number | null;
  };
  /** Conditions that halt new trading until `legwork resume`. */
  failsafes: {
    dailyLoss: DailyLossLimit | null;
    /** Percentage below the account's equity peak. */
    drawdownPct: number | null;
    /** `count` broker rejections or errors within `minutes`. */
    brokerErrors: { count: number; minutes: number } | null;
  };
  promotion: {
    /**
     * Paper trades (sim or sandbox, to a terminal state, with the rule set's current hash) a rule set needs before it
     * may be promoted to production; null: the default, 5 (src/domain/promotion.ts).
     */
    minPaperTrades: number | null;
  };
}

const shown = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : typeof v === 'string'
          ? JSON.stringify(v)
          : String(v);
/** zod's error option: what the value must be, and what it was (or that it is missing). */
const must = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `required: ${what}` : `${what}; got ${shown(issue.input)}`,
});

/** A number within bounds, with one message for every way to miss them. */
const num = (text: string, b: { gt?: number; min?: number; max: number; int?: boolean }) => {
  const e = must(text);
  let n = z.number(e);
  if (b.int) n = n.int(e);
  if (b.gt !== undefined) n = n.gt(b.gt, e);
  if (b.min !== undefined) n = n.min(b.min, e);
  return n.max(b.max, e);
};
/** A limit: null, or left out, is no limit. */
const limit = (n: z.ZodNumber) => n.nullable().default(null);

const NO_LIMIT = ', or null (no limit)';
const PCT = 'a percentage above 0 and at most 100';
const pct = (text: string) => num(text, { gt: 0, max: 100 });
const limitPct = () => limit(pct(PCT + NO_LIMIT));
const count = (what: string, max: number, tail = '') =>
  num(`a whole number of ${what} from 1 to ${max}${tail}`, { int: true, min: 1, max });
const limitCount = (what: string, max: number) => limit(count(what, max, NO_LIMIT));
const DOLLARS = 'dollars above 0 and at most 100000000, in whole cents';
const dollarsValue = num(DOLLARS, { gt: 0, max: 100_000_000 }).refine(
  (d) => Math.abs(d * 100 - Math.round(d * 100)) < 1e-6,
  must(DOLLARS),
);

/** A section: a strict mapping whose every key has a default; absent or null means all its defaults. */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? {}, schema);
const mapping = (keys: string, none = 'no limits') => must(`a mapping of ${keys}, or null (${none})`);

const allocationObject = z
  .object(
    { maxTotalRiskPct: limitPct(), maxUnderlyingRiskPct: limitPct(), maxRuleSetRiskPct: limitPct() },
    mapping('maxTotalRiskPct, maxUnderlyingRiskPct, maxRuleSetRiskPct'),
  )
  .strict();
const allocationSchema = section(
  allocationObject.superRefine((a, ctx) => {
    for (const key of ['maxUnderlyingRiskPct', 'maxRuleSetRiskPct'] as const) {
      const part = a[key];
      if (part !== null && a.maxTotalRiskPct !== null && part > a.maxTotalRiskPct)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} ${part} exceeds maxTotalRiskPct ${a.maxTotalRiskPct}; it would never bind`,
        });
    }
  }),
);

const greeksObject = z
  .object(
    {
      maxAbsBetaDelta: limit(
        num(`shares of the benchmark above 0 and at most 1000000${NO_LIMIT}`, { gt: 0, max: 1_000_000 }),
      ),
      maxAbsVega: limit(
        num(`dollars per volatility point above 0 and at most 10000000${NO_LIMIT}`, { gt: 0, max: 10_000_000 }),
      ),
      minTheta: limit(
        num(`dollars per day from -10000000 to 10000000${NO_LIMIT}`, { min: -10_000_000, max: 10_000_000 }),
      ),
    },
    mapping('maxAbsBetaDelta, maxAbsVega, minTheta'),
  )
  .strict();

const tradesObject = z
  .object(
    {
      maxOpen: limitCount('trades', 10_000),
      maxNewPerDay: limitCount('trades', 10_000),
    },
    mapping('maxOpen, maxNewPerDay'),
  )
  .strict();

const dailyLossObject = z
  .object(
    {
      dollars: dollarsValue.optional(),
      pct: pct(`${PCT} of the start-of-day net liquidating value`).optional(),
      flatten: z.boolean(must('true or false')).default(false),
    },
    mapping('dollars or pct, and flatten', 'no daily loss failsafe'),
  )
  .strict();
const dailyLossSchema = dailyLossObject
  .superRefine((d, ctx) => {
    if ((d.dollars === undefined) === (d.pct === undefined))
      ctx.addIssue({
        code: 'custom',
        message:
          d.dollars === undefined
            ? 'give exactly one of dollars or pct; neither is given'
            : 'give exactly one of dollars or pct, not both',
      });
  })
  .transform(
    (d): DailyLossLimit =>
      d.dollars !== undefined
        ? { kind: 'dollars', cents: Math.round(d.dollars * 100), flatten: d.flatten }
        : { kind: 'pct', pct: d.pct!, flatten: d.flatten },
  )
  .nullable()
  .default(null);

const brokerErrorsObject = z
  .object(
    { count: count('errors', 10_000), minutes: count('minutes', 1440) },
    mapping('count and minutes', 'no broker error failsafe'),
  )
  .strict();

const failsafesObject = z
  .object(
    {
      dailyLoss: dailyLossSchema,
      drawdownPct: limitPct(),
      brokerErrors: brokerErrorsObject.nullable().default(null),
    },
    mapping('dailyLoss, drawdownPct, brokerErrors', 'no failsafes'),
  )
  .strict();

/** Not a limit: null or absent means the default number of paper trades (DEFAULT_MIN_PAPER_TRADES, 5), never none. */
const DEFAULT_PAPER = ', or null (the default, 5)';
const promotionObject = z
  .object(
    { minPaperTrades: limit(count('paper trades', 10_000, DEFAULT_PAPER)) },
    mapping('minPaperTrades', 'the default, 5 paper trades'),
  )
  .strict();

/** The schema of the account file. Only `version` is required. */
export const accountFileSchema = z
  .object({
    version: z.literal(1, { error: 'version: 1 is the only version' }),
    allocation: allocationSchema,
    greeks: section(greeksObject),
    trades: section(tradesObject),
    failsafes: section(failsafesObject),
    promotion: section(promotionObject),
  })
  .strict();

/** The keys each mapping of the account file takes, by its dotted path ('' for the top level), for did-you-mean. */
export const ACCOUNT_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(accountFileSchema.shape),
  allocation: Object.keys(allocationObject.shape),
  greeks: Object.keys(greeksObject.shape),
  trades: Object.keys(tradesObject.shape),
  failsafes: Object.keys(failsafesObject.shape),
  'failsafes.dailyLoss': Object.keys(dailyLossObject.shape),
  'failsafes.brokerErrors': Object.keys(brokerErrorsObject.shape),
  promotion: Object.keys(promotionObject.shape),
};

export const accountKeysAt = (path: readonly PathSeg[]): readonly string[] | undefined => ACCOUNT_KEYS[path.join('.')];

// The schema's output is exactly AccountRules: a compile error here means the two drifted apart
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameType: Same<z.output<typeof accountFileSchema>, AccountRules> = true;
void _sameType;

const deepFreeze = <T>(o: T): T => {
  for (const v of Object.values(o as object)) if (v !== null && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};

/** No account limits: what a missing `rules/account.yaml` means (and what `version: 1` alone gives). */
export const NO_ACCOUNT_LIMITS: AccountRules = deepFreeze({
  version: 1,
  allocation: { maxTotalRiskPct: null, maxUnderlyingRiskPct: null, maxRuleSetRiskPct: null },
  greeks: { maxAbsBetaDelta: null, maxAbsVega: null, minTheta: null },
  trades: { maxOpen: null, maxNewPerDay: null },
  failsafes: { dailyLoss: null, drawdownPct: null, brokerErrors: null },
  promotion: { minPaperTrades: null },
});
