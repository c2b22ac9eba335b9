// The compiled predicate's semantics, case by case against json-rules-engine (allowUndefinedFacts: true), and the
// readable trace of a finalist.
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import {
  CompileError,
  compileConditions,
  filterByRule,
  parsePath,
  type TopLevelCondition,
} from '../../../src/rules/compile.js';
import { registerLegworkOperators } from '../../../src/rules/operators.js';
import { traceCandidate } from '../../../src/rules/trace.js';

async function engine(conditions: TopLevelCondition, facts: Record<string, unknown>): Promise<boolean | 'throws'> {
  const e = new Engine([{ conditions, event: { type: 'pass' } }], { allowUndefinedFacts: true });
  registerLegworkOperators(e);
  return e.run(facts).then(
    (r) => r.events.length === 1,
    () => 'throws' as const,
  );
}

function fast(
  conditions: TopLevelCondition,
  facts: Record<string, unknown>,
  mode?: 'codegen' | 'closures',
): boolean | 'throws' {
  try {
    return compileConditions(conditions, mode ? { mode } : {}).test(facts);
  } catch {
    return 'throws';
  }
}

const leaf = (fact: string, operator: string, value: unknown, extra: Record<string, unknown> = {}): TopLevelCondition =>
  ({ all: [{ fact, operator, value, ...extra }] }) as TopLevelCondition;

/** A JSON object that cannot become a primitive: its own toString and valueOf are not functions (JSON.parse makes them own). */
const UNCONVERTIBLE = (): unknown => JSON.parse('{"toString": 1, "valueOf": 2}');

/** [conditions, facts, expected]: each case is also run through json-rules-engine. */
const CASES: [string, TopLevelCondition, Record<string, unknown>, boolean | 'throws'][] = [
  ['a missing fact fails a numeric test', leaf('iv_rank', 'greaterThanInclusive', 30), {}, false],
  ['a missing fact passes notEqual', leaf('iv_rank', 'notEqual', 30), {}, true],
  ['null fails a numeric test', leaf('iv_rank', 'greaterThanInclusive', 30), { iv_rank: null }, false],
  ['null passes lessThan? no: not numeric', leaf('iv_rank', 'lessThan', 30), { iv_rank: null }, false],
  ['null equals null', leaf('iv_rank', 'equal', null), { iv_rank: null }, true],
  ['a threshold is inclusive', leaf('dte', 'lessThanInclusive', 45), { dte: 45 }, true],
  [
    'a numeric string is coerced, as json-rules-engine does',
    leaf('dte', 'greaterThanInclusive', 30),
    { dte: '30' },
    true,
  ],
  ['"12abc" passes the validator but compares as NaN', leaf('dte', 'lessThan', 30), { dte: '12abc' }, false],
  ['NaN is not numeric', leaf('dte', 'lessThan', 30), { dte: Number.NaN }, false],
  ['equal is strict', leaf('dte', 'equal', 30), { dte: '30' }, false],
  [
    'fact vs fact',
    leaf('credit_mid', 'greaterThan', { fact: 'package_spread' }),
    { credit_mid: 1, package_spread: 0.5 },
    true,
  ],
  ['fact vs a missing fact', leaf('credit_mid', 'greaterThan', { fact: 'package_spread' }), { credit_mid: 1 }, false],
  [
    'a path into an object fact',
    leaf('quote', 'equal', 3, { path: "$.a['b c'][1]" }),
    { quote: { a: { 'b c': [0, 3] } } },
    true,
  ],
  ['a path on a scalar fact returns the fact', leaf('dte', 'equal', 30, { path: '$.x' }), { dte: 30 }, true],
  ['params are ignored by constant facts', leaf('dte', 'equal', 30, { params: { any: 1 } }), { dte: 30 }, true],
  ['an inherited name is no fact', leaf('constructor', 'equal', Object), {}, false],
  ['between is inclusive', leaf('pop', 'between', [60, 80]), { pop: 80 }, true],
  ['between fails a non-number', leaf('pop', 'between', [60, 80]), { pop: null }, false],
  ['withinPct', leaf('credit_mid', 'withinPct', [2, 10]), { credit_mid: 2.2 }, true],
  ['abs decorator', leaf('net_delta', 'abs:lessThanInclusive', 0.05), { net_delta: -0.04 }, true],
  ['abs of null is not 0', leaf('net_delta', 'abs:lessThanInclusive', 0.05), { net_delta: null }, false],
  ['not decorator', leaf('underlying', 'not:in', ['TSLA']), { underlying: 'SPY' }, true],
  ['contains needs a list fact', leaf('underlying', 'contains', 'S'), { underlying: 'SPY' }, false],
  ['in against a string is a substring test', leaf('underlying', 'in', 'SPY QQQ'), { underlying: 'QQ' }, true],
  ['an empty any is true (json-rules-engine)', { any: [] }, {}, true],
  ['not', { not: { fact: 'dte', operator: 'lessThan', value: 30 } }, { dte: 30 }, true],
  [
    'in against a missing fact throws in both',
    leaf('underlying', 'in', { fact: 'nope' }),
    { underlying: 'SPY' },
    'throws',
  ],
  [
    'a member of the same priority set is evaluated even after a failure (and throws)',
    {
      all: [
        { fact: 'dte', operator: 'equal', value: 1 },
        { fact: 'x', operator: 'in', value: { fact: 'nope' } },
      ],
    },
    { dte: 2 },
    'throws',
  ],
  [
    'a lower priority set is skipped after a failure (no throw)',
    {
      all: [
        { fact: 'dte', operator: 'equal', value: 1, priority: 2 },
        { fact: 'x', operator: 'in', value: { fact: 'nope' } },
      ],
    },
    { dte: 2 },
    false,
  ],
  // A fact the numeric validator cannot stringify throws even after a failing member of its priority set: the set is
  // evaluated whole (Promise.all), so json-rules-engine rejects the run
  [
    'an unconvertible object fact throws after a failing member (all)',
    {
      all: [
        { fact: 'dte', operator: 'equal', value: 1 },
        { fact: 'quote', operator: 'lessThan', value: 5 },
      ],
    },
    { dte: 2, quote: UNCONVERTIBLE() },
    'throws',
  ],
  [
    'an unconvertible value under a path throws after a passing member (any)',
    {
      any: [
        { fact: 'dte', operator: 'equal', value: 2 },
        { fact: 'quote', path: '$.bid', operator: 'greaterThan', value: 5 },
      ],
    },
    { dte: 2, quote: { bid: UNCONVERTIBLE() } },
    'throws',
  ],
  [
    'an unconvertible fact throws under abs: and in a string too',
    {
      any: [
        { fact: 'dte', operator: 'equal', value: 2 },
        { fact: 'quote', operator: 'abs:lessThan', value: 5 },
        { fact: 'quote', operator: 'in', value: 'SPY' },
      ],
    },
    { dte: 2, quote: UNCONVERTIBLE() },
    'throws',
  ],
  [
    'a bigint fact throws under abs: after a passing member',
    {
      any: [
        { fact: 'dte', operator: 'equal', value: 2 },
        { fact: 'net_delta', operator: 'abs:lessThan', value: 5 },
      ],
    },
    { dte: 2, net_delta: 3n },
    'throws',
  ],
  [
    'a plain object fact converts without throwing ("[object Object]" is not numeric)',
    {
      all: [
        { fact: 'dte', operator: 'equal', value: 2 },
        { fact: 'quote', operator: 'lessThan', value: 5 },
      ],
    },
    { dte: 2, quote: { bid: 1 } },
    false,
  ],
  [
    'an unconvertible fact in a lower priority set is never reached',
    {
      all: [
        { fact: 'dte', operator: 'equal', value: 1, priority: 2 },
        { fact: 'quote', operator: 'lessThan', value: 5 },
      ],
    },
    { dte: 2, quote: UNCONVERTIBLE() },
    false,
  ],
];

describe('compiled conditions', () => {
  it.each(CASES)('%s', async (_name, conditions, facts, expected) => {
    expect(await engine(conditions, facts)).toBe(expected);
    expect(fast(conditions, facts)).toBe(expected);
    expect(fast(conditions, facts, 'closures')).toBe(expected);
  });

  it('refuses malformed trees at compile time', () => {
    expect(() => compileConditions({ all: [{ fact: 'a', operator: 'nope', value: 1 }] })).toThrow(CompileError);
    expect(() => compileConditions({ all: [{ fact: 'a', operator: 'equal' }] } as never)).toThrow(
      /"value" is required/,
    );
    expect(() => compileConditions({ all: [{ fact: 'a', operator: 'equal', value: 1, path: '$..a' }] })).toThrow(
      /unsupported path/,
    );
    expect(() => compileConditions({ fact: 'a' } as never)).toThrow(/root must be all, any or not/);
    expect(() => compileConditions({ not: [] } as never)).toThrow(/cannot be an array/);
  });

  it('parses the supported JSON-path subset', () => {
    expect(parsePath('$')).toEqual([]);
    expect(parsePath("$.a[0]['b c'].d")).toEqual(['a', '0', 'b c', 'd']);
    expect(parsePath('$.a.*')).toBeNull();
    expect(parsePath('a.b')).toBeNull();
  });

  it('filters in bulk', () => {
    const rule = compileConditions({ all: [{ fact: 'pop', operator: 'greaterThanInclusive', value: 60 }] });
    const cands = [55, 60, 75].map((pop, i) => ({ id: `c${i}`, facts: { pop } }));
    expect(filterByRule(rule, cands).map((c) => c.id)).toEqual(['c1', 'c2']);
  });

  it('traces every condition of a finalist with its values', () => {
    const rule = compileConditions({
      all: [
        { fact: 'dte', operator: 'between', value: [30, 45] },
        { fact: 'iv_rank', operator: 'greaterThanInclusive', value: 30, name: 'rich IV' },
        {
          any: [
            { fact: 'credit_mid', operator: 'greaterThan', value: { fact: 'package_spread' } },
            { fact: 'underlying', operator: 'in', value: ['SPY'] },
          ],
        },
        { not: { fact: 'earnings_before_expiration', operator: 'equal', value: true } },
      ],
    });
    const facts = {
      dte: 38,
      iv_rank: 42.5,
      credit_mid: 1.2,
      package_spread: 0.3,
      underlying: 'QQQ',
      earnings_before_expiration: false,
    };
    const trace = traceCandidate(rule, facts);
    expect(trace.result).toBe(true);
    expect(trace.text).toEqual([
      'PASS all',
      '  PASS dte = 38 between [30,45]',
      '  PASS iv_rank = 42.5 greaterThanInclusive 30 [rich IV]',
      '  PASS any',
      '    PASS credit_mid = 1.2 greaterThan {"fact":"package_spread"} (= 0.3)',
      '    FAIL underlying = "QQQ" in ["SPY"]',
      '  PASS not',
      '    FAIL earnings_before_expiration = false equal true',
    ]);
    expect(trace.entries[2]).toMatchObject({
      at: 'conditions.all[1]',
      fact: 'iv_rank',
      factValue: 42.5,
      result: true,
      name: 'rich IV',
    });
    const failing = traceCandidate(rule, { ...facts, iv_rank: null });
    expect(failing.result).toBe(false);
    expect(failing.text[2]).toBe('  FAIL iv_rank = null greaterThanInclusive 30 [rich IV]');
    expect(rule.test({ ...facts, iv_rank: null })).toBe(false);
  });

  it('traces facts JSON cannot show and operators that throw, without throwing itself', () => {
    const rule = compileConditions({
      all: [
        { fact: 'net_delta', operator: 'abs:lessThan', value: 5 },
        { fact: 'quote', operator: 'lessThan', value: 5 },
      ],
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const trace = traceCandidate(rule, { net_delta: 3n, quote: cyclic });
    expect(trace.result).toBe(false);
    expect(trace.text).toEqual([
      'FAIL all',
      '  FAIL net_delta = 3n abs:lessThan 5 (error: Cannot convert a BigInt value to a number)',
      '  FAIL quote = [object Object] lessThan 5',
    ]);
  });
});
