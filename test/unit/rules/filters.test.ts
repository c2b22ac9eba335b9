// Shorthand filters compile to exactly the json-rules-engine conditions of the long form.
import { describe, expect, it } from 'vitest';
import { compileConditions } from '../../../src/rules/compile.js';
import { expandFilters } from '../../../src/rules/filters.js';
import { parseRuleSet } from '../../../src/rules/loader.js';
import { randomFacts, rng } from './random-rules.js';

const HEAD = 'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\n';
const conditionsOf = (filters: string) => {
  const r = parseRuleSet(`${HEAD}filters:\n${filters}`, 't.yaml');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return r.ruleSet.conditions;
};

describe('filter shorthand', () => {
  it('compiles to the same conditions as the long form', () => {
    const short = conditionsOf(
      '  iv_rank: { min: 30 }\n  dte: { min: 30, max: 45 }\n  credit_to_width: { min: 0.3 }\n',
    );
    const long = conditionsOf(`  all:
    - { fact: iv_rank, operator: greaterThanInclusive, value: 30 }
    - { fact: dte, operator: greaterThanInclusive, value: 30 }
    - { fact: dte, operator: lessThanInclusive, value: 45 }
    - { fact: credit_to_width, operator: greaterThanInclusive, value: 0.3 }
`);
    expect(short).toEqual(long);
    expect(short).toEqual({
      all: [
        { fact: 'iv_rank', operator: 'greaterThanInclusive', value: 30 },
        { fact: 'dte', operator: 'greaterThanInclusive', value: 30 },
        { fact: 'dte', operator: 'lessThanInclusive', value: 45 },
        { fact: 'credit_to_width', operator: 'greaterThanInclusive', value: 0.3 },
      ],
    });
  });

  it('maps every shorthand form', () => {
    expect(
      expandFilters({
        pop: { gt: 60, lt: 90 },
        underlying: ['SPY', 'QQQ'],
        earnings_before_expiration: false,
        expiration_type: 'Regular',
        iv_rank: { between: [20, 80], notEqual: null },
        net_delta: { 'abs:lessThanInclusive': 0.05 },
        any: [{ fact: 'dte', operator: 'lessThan', value: 30 }],
        not: { fact: 'underlying', operator: 'equal', value: 'TSLA' },
      }),
    ).toEqual({
      all: [
        { fact: 'pop', operator: 'greaterThan', value: 60 },
        { fact: 'pop', operator: 'lessThan', value: 90 },
        { fact: 'underlying', operator: 'in', value: ['SPY', 'QQQ'] },
        { fact: 'earnings_before_expiration', operator: 'equal', value: false },
        { fact: 'expiration_type', operator: 'equal', value: 'Regular' },
        { fact: 'iv_rank', operator: 'between', value: [20, 80] },
        { fact: 'iv_rank', operator: 'notEqual', value: null },
        { fact: 'net_delta', operator: 'abs:lessThanInclusive', value: 0.05 },
        { any: [{ fact: 'dte', operator: 'lessThan', value: 30 }] },
        { not: { fact: 'underlying', operator: 'equal', value: 'TSLA' } },
      ],
    });
  });

  it('mixes shorthand and long form, and decides like the long form on random candidates', () => {
    const mixed = conditionsOf(
      '  pop: { min: 60 }\n  any:\n    - { fact: iv_rank, operator: greaterThan, value: 50 }\n    - { fact: underlying, operator: equal, value: SPY }\n',
    );
    const long = conditionsOf(`  all:
    - { fact: pop, operator: greaterThanInclusive, value: 60 }
    - any:
        - { fact: iv_rank, operator: greaterThan, value: 50 }
        - { fact: underlying, operator: equal, value: SPY }
`);
    expect(mixed).toEqual(long);
    const a = compileConditions(mixed);
    const b = compileConditions({
      all: [
        { fact: 'pop', operator: 'greaterThanInclusive', value: 60 },
        {
          any: [
            { fact: 'iv_rank', operator: 'greaterThan', value: 50 },
            { fact: 'underlying', operator: 'equal', value: 'SPY' },
          ],
        },
      ],
    });
    // Random facts include objects the numeric operators cannot convert: a throw must match a throw
    const outcome = (rule: typeof a, f: Record<string, unknown>) => {
      try {
        return rule.test(f);
      } catch {
        return 'throws';
      }
    };
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const f = randomFacts(r);
      expect(outcome(a, f)).toBe(outcome(b, f));
    }
  });

  it('reports structural mistakes where they are', () => {
    const r = parseRuleSet(
      `${HEAD}filters:
  pop: { least: 3 }
  dte: { min: soon }
  iv_rank: { between: 30 }
  underlying: { in: [] }
  any: []
  not: [{ fact: pop, operator: equal, value: 1 }]
  all:
    - { fact: pop, operator: equal }
    - { all: [], any: [] }
    - { fact: pop, operator: in, value: 3, path: 'a.b' }
    - { fact: pop, operator: lessThan, value: { fact: dte, extra: 1 } }
`,
      't.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      '5:10 filters.pop.least: unknown shorthand key "least" (min, max, gt, lt or an operator name)',
      '6:15 filters.dte.min: greaterThanInclusive needs a number (or {fact: name})',
      '7:23 filters.iv_rank.between: between needs [min, max], two numbers',
      '8:21 filters.underlying.in: in needs a non-empty list of values',
      '9:8 filters.any: an empty any is always true in json-rules-engine; remove it',
      '10:8 filters.not: not takes one condition, not a list',
      '12:7 filters.all.0: a condition needs value',
      '13:7 filters.all.1: a condition has one of all / any / not, not all and any',
      '14:41 filters.all.2.value: in needs a non-empty list of values',
      "14:50 filters.all.2.path: path must look like $.a.b, $.a[0] or $['a b']",
      '15:60 filters.all.3.value.extra: unknown key "extra" in a fact reference',
    ]);
  });
});
