// Owns the cross-field checks of a rule file (phase 2, after the schema): fact names and types, bounds that exclude
// everything, weights, undefined risk, exits that fire at once or never, risk limits that contradict. Pure.
import { STRATEGIES } from '../strategies/index.js';
import type { StrategyName } from '../strategies/types.js';
import { didYouMean } from '../util/did-you-mean.js';
import { FACT_NAMES, factInfo, type FactInfo } from './facts.js';
import { expandShorthand, isFactRef, type PathSeg } from './filters.js';
import { NUMERIC_OPERATORS, resolveOperator } from './operators.js';
import type { RuleFile } from './schema.js';

export type Report = (path: PathSeg[], message: string, atKey?: boolean) => void;

/** The sections that passed the schema (others are absent), plus the strategy's params when they passed too. */
export type CheckInput = Partial<RuleFile> & { parsedParams?: unknown };

export const STRATEGY_LEGS: Record<StrategyName, number> = {
  'iron-condor': 4,
  'put-credit-spread': 2,
  'call-credit-spread': 2,
  'iron-butterfly': 4,
  'short-strangle': 2,
};

/** Facts that are always null for an undefined-risk structure. */
// The strangle's expected value is defined (a lognormal model), only its risk measures are not
const NULL_WHEN_UNDEFINED_RISK = new Set(['width', 'credit_to_width', 'max_loss', 'return_on_risk']);

export function unknownFactMessage(name: string): string {
  return `unknown fact "${name}"${didYouMean(name, FACT_NAMES)} (facts are listed in docs/rules.md)`;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** A leaf's fact, operator and value against the fact catalogue. Returns the fact's info when known. */
function checkLeaf(
  fact: string,
  operator: string,
  value: unknown,
  path: PathSeg[],
  factPath: PathSeg[],
  valuePath: PathSeg[],
  report: Report,
  factAtKey: boolean,
): FactInfo | undefined {
  const info = factInfo(fact);
  if (!info) {
    report(factPath, unknownFactMessage(fact), factAtKey);
    return undefined;
  }
  const op = resolveOperator(operator);
  if (!op) return info; // reported by the schema
  const base = op.base.name;
  const plain = op.decorators.every((d) => d.name === 'not' || d.name === 'abs');
  if (plain && (NUMERIC_OPERATORS.has(base) || op.decorators.some((d) => d.name === 'abs')) && info.type !== 'number') {
    report(path, `${fact} is a ${info.type}; ${operator} compares numbers`);
  }
  if (isFactRef(value)) {
    const other = factInfo(value.fact);
    if (!other) report([...valuePath, 'fact'], unknownFactMessage(value.fact));
    else if (plain && other.type !== info.type)
      report(path, `${fact} is a ${info.type} but ${value.fact} is a ${other.type}`);
    return info;
  }
  if (value === undefined) return info; // a missing value is reported by the schema
  if (plain && (base === 'equal' || base === 'notEqual' || base === 'in' || base === 'notIn')) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === null ? !info.nullable : typeof v !== info.type) {
        report(
          path,
          `${fact} is a ${info.nullable ? `${info.type} or null` : info.type}; ${JSON.stringify(v)} is a ${typeOf(v)}`,
        );
      }
    }
  }
  return info;
}

function walkCondition(c: unknown, path: PathSeg[], report: Report): void {
  if (c === null || typeof c !== 'object') return;
  const o = c as Record<string, unknown>;
  if (Array.isArray(o.all)) {
    o.all.forEach((x, i) => {
      walkCondition(x, [...path, 'all', i], report);
    });
  } else if (Array.isArray(o.any)) {
    o.any.forEach((x, i) => {
      walkCondition(x, [...path, 'any', i], report);
    });
  } else if (o.not !== undefined) walkCondition(o.not, [...path, 'not'], report);
  else if (typeof o.fact === 'string' && typeof o.operator === 'string') {
    checkLeaf(o.fact, o.operator, o.value, path, [...path, 'fact'], [...path, 'value'], report, false);
  }
}

/** Bounds of a numeric fact from a shorthand entry: [lower, lowerStrict, upper, upperStrict]. */
function bounds(spec: Record<string, unknown>): { lo: number; loStrict: boolean; hi: number; hiStrict: boolean } {
  const b = { lo: -Infinity, loStrict: false, hi: Infinity, hiStrict: false };
  const lower = (v: unknown, strict: boolean) => {
    if (typeof v === 'number' && (v > b.lo || (v === b.lo && strict))) Object.assign(b, { lo: v, loStrict: strict });
  };
  const upper = (v: unknown, strict: boolean) => {
    if (typeof v === 'number' && (v < b.hi || (v === b.hi && strict))) Object.assign(b, { hi: v, hiStrict: strict });
  };
  for (const leaf of expandShorthand('x', spec)) {
    if (leaf.operator === 'greaterThanInclusive') lower(leaf.value, false);
    if (leaf.operator === 'greaterThan') lower(leaf.value, true);
    if (leaf.operator === 'lessThanInclusive') upper(leaf.value, false);
    if (leaf.operator === 'lessThan') upper(leaf.value, true);
    if (leaf.operator === 'between' && Array.isArray(leaf.value)) {
      lower(leaf.value[0], false);
      upper(leaf.value[1], false);
    }
  }
  return b;
}

function checkFilters(input: CheckInput, report: Report, undefinedRisk: boolean): void {
  const filters = input.filters ?? {};
  for (const [key, spec] of Object.entries(filters)) {
    if ((key === 'all' || key === 'any') && Array.isArray(spec)) {
      spec.forEach((c, i) => {
        walkCondition(c, ['filters', key, i], report);
      });
    }
    if (key === 'not') walkCondition(spec, ['filters', 'not'], report);
    if (key === 'all' || key === 'any' || key === 'not') continue;
    const leaves = expandShorthand(key, spec);
    const info = factInfo(key);
    if (!info) {
      report(['filters', key], unknownFactMessage(key), true);
      continue;
    }
    const opKeys = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? Object.keys(spec) : [];
    leaves.forEach((l, i) => {
      const at = opKeys[i] !== undefined ? ['filters', key, opKeys[i]!] : ['filters', key];
      checkLeaf(key, l.operator, l.value, at, ['filters', key], at, report, true);
    });
    if (undefinedRisk && NULL_WHEN_UNDEFINED_RISK.has(key)) {
      report(
        ['filters', key],
        `${key} is always null for an undefined-risk strategy; this filter can never pass`,
        true,
      );
    }
    if (opKeys.length > 1 && info.type === 'number') {
      const b = bounds(spec as Record<string, unknown>);
      if (b.lo > b.hi || (b.lo === b.hi && (b.loStrict || b.hiStrict))) {
        report(
          ['filters', key],
          `the lower bound ${b.lo} is above the upper bound ${b.hi}; no candidate can pass`,
          true,
        );
      }
    }
  }
}

/** Lower and upper DTE at entry, from the strategy's params.dte and a `dte` shorthand filter. */
function entryDte(input: CheckInput): { lo: number; hi: number } {
  const p = input.parsedParams as { dte?: { min?: number; max?: number } } | undefined;
  const spec = input.filters?.dte;
  const f =
    spec && typeof spec === 'object' && !Array.isArray(spec)
      ? bounds(spec as Record<string, unknown>)
      : { lo: -Infinity, hi: Infinity };
  return { lo: Math.max(p?.dte?.min ?? 0, f.lo), hi: Math.min(p?.dte?.max ?? Infinity, f.hi) };
}

/** The largest |delta| a short leg can have at entry, from params (target + tolerance) and a short_delta filter. */
function entryShortDelta(input: CheckInput): number {
  type Band = { target: number; tolerance: number };
  const p = input.parsedParams as { shortDelta?: Band; putDelta?: Band; callDelta?: Band } | undefined;
  const bands = [p?.shortDelta, p?.putDelta, p?.callDelta].filter((b): b is Band => b !== undefined);
  const fromParams = bands.length > 0 ? Math.max(...bands.map((b) => b.target + b.tolerance)) : 1;
  const spec = input.filters?.short_delta;
  const fromFilter =
    spec && typeof spec === 'object' && !Array.isArray(spec) ? bounds(spec as Record<string, unknown>).hi : 1;
  return Math.min(fromParams, fromFilter);
}

/** Every cross-field problem, each at the offending node. */
export function checkConsistency(input: CheckInput, report: Report): void {
  const strategy = input.strategy ? STRATEGIES[input.strategy] : undefined;
  const undefinedRisk = strategy !== undefined && !strategy.definedRisk;
  if (undefinedRisk && input.allowUndefinedRisk === false) {
    report(['strategy'], `${input.strategy} has undefined risk; it is only traded with allowUndefinedRisk: true`);
  }
  if (input.filters) checkFilters(input, report, undefinedRisk);

  if (input.score) {
    // Every weight must be > 0, so the sum is 0 only without metrics
    if (input.score.metrics.length === 0)
      report(['score', 'weights'], 'score.weights needs at least one metric (the weights would sum to 0)');
    for (const m of input.score.metrics) {
      const info = factInfo(m.fact);
      if (!info) report(['score', 'weights', m.fact], unknownFactMessage(m.fact), true);
      else if (info.type !== 'number')
        report(['score', 'weights', m.fact], `${m.fact} is a ${info.type}; only numeric facts can score`, true);
      else if (undefinedRisk && NULL_WHEN_UNDEFINED_RISK.has(m.fact))
        report(['score', 'weights', m.fact], `${m.fact} is always null for an undefined-risk strategy`, true);
      if (!(m.weight > 0)) report(['score', 'weights', m.fact, 'weight'], `weight must be > 0 (got ${m.weight})`);
    }
    const seen = new Set<string>();
    input.score.tieBreakers.forEach((t, i) => {
      const info = factInfo(t.fact);
      if (!info) report(['score', 'tieBreakers', i], unknownFactMessage(t.fact));
      else if (info.type === 'boolean')
        report(['score', 'tieBreakers', i], `${t.fact} is a boolean; tie-breakers are numbers or strings`);
      if (seen.has(t.fact)) report(['score', 'tieBreakers', i], `${t.fact} is listed twice`);
      seen.add(t.fact);
    });
  }

  if (undefinedRisk && input.sizing) {
    if (input.sizing.maxRiskPerTrade !== undefined)
      report(
        ['sizing', 'maxRiskPerTrade'],
        'the loss of an undefined-risk strategy has no maximum; use maxBuyingPowerPerTrade',
      );
    if (input.sizing.maxBuyingPowerPerTrade === undefined)
      report(['sizing'], 'an undefined-risk strategy needs sizing.maxBuyingPowerPerTrade');
  }
  if (undefinedRisk && input.exits && input.exits.stopLossMultiple === null) {
    report(['exits', 'stopLossMultiple'], 'an undefined-risk strategy needs a stop loss');
  }

  const e = input.entry;
  if (e) {
    if (e.price === 'natural' && e.maxSteps > 0)
      report(
        ['entry', 'maxSteps'],
        'price: natural already crosses the spread; price steps need price: mid (or maxSteps: 0)',
      );
    if (e.stepTicks === 0 && e.maxSteps > 0)
      report(['entry', 'stepTicks'], 'steps of 0 ticks never move the price; set stepTicks >= 1 or maxSteps: 0');
    const lastStep = e.stepEverySeconds * e.maxSteps;
    if (e.fillTimeoutSeconds < lastStep) {
      report(
        ['entry', 'fillTimeoutSeconds'],
        `the order times out after ${e.fillTimeoutSeconds} s, before its last price step at ${lastStep} s`,
      );
    }
  }

  const x = input.exits;
  if (x) {
    const enabled =
      [x.takeProfitPct, x.stopLossMultiple, x.closeAtDte, x.shortDeltaBreach, x.timeStopDays].some((v) => v !== null) ||
      x.underlyingThroughShortStrike;
    if (!enabled) report(['exits'], 'no exit is enabled: trades would run to expiration');
    const dte = entryDte(input);
    if (x.closeAtDte !== null && Number.isFinite(dte.hi) && x.closeAtDte >= dte.hi) {
      report(
        ['exits', 'closeAtDte'],
        `closeAtDte ${x.closeAtDte} >= the longest DTE at entry (${dte.hi}): every trade would close at once`,
      );
    }
    const horizon = dte.hi - (x.closeAtDte ?? 0);
    if (x.timeStopDays !== null && Number.isFinite(horizon) && x.timeStopDays >= horizon) {
      report(
        ['exits', 'timeStopDays'],
        `timeStopDays ${x.timeStopDays} can never trigger: trades close within ${horizon} days (DTE ${dte.hi}, closeAtDte ${x.closeAtDte ?? 0})`,
      );
    }
    const maxDelta = entryShortDelta(input);
    if (x.shortDeltaBreach !== null && x.shortDeltaBreach <= maxDelta) {
      report(
        ['exits', 'shortDeltaBreach'],
        `shortDeltaBreach ${x.shortDeltaBreach} <= the short delta allowed at entry (${Number(maxDelta.toFixed(4))}): trades could close at once`,
      );
    }
  }

  const r = input.risk;
  if (r) {
    if (r.maxRiskPerUnderlying > r.maxTotalRisk)
      report(
        ['risk', 'maxRiskPerUnderlying'],
        `maxRiskPerUnderlying ${r.maxRiskPerUnderlying} exceeds maxTotalRisk ${r.maxTotalRisk}`,
      );
    if (input.strategy && r.maxLegsPerGroup < STRATEGY_LEGS[input.strategy]) {
      report(
        ['risk', 'maxLegsPerGroup'],
        `${input.strategy} has ${STRATEGY_LEGS[input.strategy]} legs; maxLegsPerGroup ${r.maxLegsPerGroup} would refuse every trade`,
      );
    }
    const perTrade = input.sizing?.maxRiskPerTrade;
    if (perTrade !== undefined && perTrade > r.maxRiskPerUnderlying) {
      report(
        ['sizing', 'maxRiskPerTrade'],
        `maxRiskPerTrade ${perTrade} exceeds risk.maxRiskPerUnderlying ${r.maxRiskPerUnderlying}`,
      );
    }
  }
}
