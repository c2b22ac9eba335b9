// Rule files that json-rules-engine would decide differently from the compiled fast path are refused, each problem
// at its file:line:col: a priority that is not a safe integer, and a key every JavaScript object has inside a
// condition's value or params. Each shape is first shown to decide differently, then to be refused by the loader.
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileConditions, type TopLevelCondition } from '../../../src/rules/compile.js';
import { expandFilters } from '../../../src/rules/filters.js';
import { parseRuleSet } from '../../../src/rules/loader.js';
import { registerLegworkOperators } from '../../../src/rules/operators.js';
import { formatLocated, readYaml } from '../../../src/util/yaml-zod.js';

const HEAD = 'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\nfilters:\n';

function problems(filters: string): string[] {
  const r = parseRuleSet(HEAD + filters, 'rules/t.yaml');
  if (r.ok) throw new Error('expected the file to be refused');
  return r.problems.map(formatLocated);
}

/** The conditions the file would have had: its filters as the loader reads them, expanded, unvalidated. */
function conditionsOf(filters: string): TopLevelCondition {
  const raw = readYaml(HEAD + filters, 'rules/t.yaml').value as { filters: Record<string, unknown> };
  return expandFilters(raw.filters);
}

type Outcome = boolean | 'throws';
async function engine(conditions: TopLevelCondition, facts: Record<string, unknown>): Promise<Outcome> {
  const e = new Engine([{ conditions, event: { type: 'pass' } }], { allowUndefinedFacts: true });
  registerLegworkOperators(e);
  return e.run(facts).then(
    (r) => r.events.length === 1,
    (): Outcome => 'throws',
  );
}
function compiled(conditions: TopLevelCondition, facts: Record<string, unknown>): Outcome {
  try {
    return compileConditions(conditions).test(facts);
  } catch {
    return 'throws';
  }
}

/** json-rules-engine's Condition constructor rewrites a leaf's priority in place: give each side its own tree. */
const decide = async (filters: string, facts: Record<string, unknown>) => ({
  engine: await engine(conditionsOf(filters), facts),
  compiled: compiled(conditionsOf(filters), facts),
});

describe('priorities json-rules-engine orders differently', () => {
  const PRIORITY_1E21 = `  all:
    - { fact: dte, operator: equal, value: 1, priority: 1e21 }
    - { fact: dte, operator: in, value: { fact: iv_rank }, priority: 2 }
`;

  it('a leaf priority of 1e21 ran first in json-rules-engine but last compiled (parseInt reads "1e+21" as 1)', async () => {
    // json-rules-engine: the 1e21 set fails first and the run stops; compiled: the priority-2 set runs first and throws
    expect(await decide(PRIORITY_1E21, { dte: 2, iv_rank: 30 })).toEqual({ engine: false, compiled: 'throws' });
  });

  it('is refused at the priority, as is any priority that is not a safe integer, on a leaf or a group', () => {
    expect(problems(PRIORITY_1E21)).toEqual([
      'rules/t.yaml:6:57: filters.all.0.priority: priority must be an integer from 1 to 9007199254740991',
    ]);
    expect(
      problems(`  all:
    - fact: dte
      operator: lessThan
      value: 45
      priority: 9007199254740993
    - any:
        - { fact: pop, operator: greaterThan, value: 60 }
      priority: 1.0e+300
    - { fact: pop, operator: lessThan, value: 90, priority: 9007199254740991 }
`),
    ).toEqual([
      'rules/t.yaml:9:17: filters.all.0.priority: priority must be an integer from 1 to 9007199254740991',
      'rules/t.yaml:12:17: filters.all.1.priority: priority must be an integer from 1 to 9007199254740991',
    ]);
  });
});

describe('values carrying keys every JavaScript object has', () => {
  const PROTO = `  all:
    - fact: dte
      operator: someValue:equal
      value: { __proto__: [30] }
`;
  const TO_STRING = `  all:
    - fact: dte
      operator: swap:lessThan
      value:
        toString: 1
`;

  it('json-rules-engine evaluated a clone without them, so the written rule decided differently', async () => {
    // The clone makes [30] the value's prototype, so json-rules-engine finds .some; the written value has no .some
    expect(await decide(PROTO, { dte: 30 })).toEqual({ engine: true, compiled: 'throws' });
    // The clone drops toString, so "[object Object]" is simply not numeric; the written value cannot become a number
    expect(await decide(TO_STRING, { dte: 30 })).toEqual({ engine: false, compiled: 'throws' });
  });

  it('are refused at the key, at any depth, under every decorator, in shorthand and in params', () => {
    expect(problems(PROTO)).toEqual([
      'rules/t.yaml:8:16: filters.all.0.value.__proto__: key "__proto__" is refused: every JavaScript object has it, and json-rules-engine evaluates a copy of the conditions without it, so the rule would not decide as written',
    ]);
    expect(problems(TO_STRING)).toEqual([
      'rules/t.yaml:9:9: filters.all.0.value.toString: key "toString" is refused: every JavaScript object has it, and json-rules-engine evaluates a copy of the conditions without it, so the rule would not decide as written',
    ]);
    const why =
      'is refused: every JavaScript object has it, and json-rules-engine evaluates a copy of the conditions without it, so the rule would not decide as written';
    expect(
      problems(`  dte: { "everyFact:equal": { valueOf: 1 } }
  all:
    - fact: dte
      operator: someValue:equal
      value: [1, { ok: { constructor: 2 } }]
    - fact: dte
      operator: equal
      value: 30
      params: { hasOwnProperty: 1 }
    - fact: dte
      operator: swap:lessThan
      value: { fact: iv_rank, params: { isPrototypeOf: 1 } }
`),
    ).toEqual([
      `rules/t.yaml:5:31: filters.dte.everyFact:equal.valueOf: key "valueOf" ${why}`,
      `rules/t.yaml:9:26: filters.all.0.value.1.ok.constructor: key "constructor" ${why}`,
      `rules/t.yaml:13:17: filters.all.1.params.hasOwnProperty: key "hasOwnProperty" ${why}`,
      `rules/t.yaml:16:41: filters.all.2.value.params.isPrototypeOf: key "isPrototypeOf" ${why}`,
    ]);
  });

  it('keys that merely resemble them are accepted', () => {
    const r = parseRuleSet(
      `${HEAD}  all:\n    - { fact: dte, operator: someValue:equal, value: [{ to_string: 1, proto: 2 }] }\n`,
      'rules/t.yaml',
    );
    expect(r.ok ? r.ruleSet.conditions : r.problems.map(formatLocated)).toEqual({
      all: [{ fact: 'dte', operator: 'someValue:equal', value: [{ to_string: 1, proto: 2 }] }],
    });
  });
});
