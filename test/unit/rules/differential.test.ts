// The compiled fast path decides exactly as json-rules-engine 7 (allowUndefinedFacts: true, Legwork's operators
// registered) on 100,000+ random (rule, candidate) pairs: nested all/any/not, every operator and decorator, fact
// comparisons, paths, params, priorities, missing/null/edge/non-numeric/unconvertible facts. A throw must match a
// rejected run. The only disagreements allowed are on rules the loader refuses for that very reason (filters.ts): a
// priority that is not a safe integer, or a value with a key every object has; the generator makes both on purpose.
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileConditions, type CompiledRule, type TopLevelCondition } from '../../../src/rules/compile.js';
import { registerLegworkOperators } from '../../../src/rules/operators.js';
import { traceCandidate } from '../../../src/rules/trace.js';
import { readFileSync, readdirSync } from 'node:fs';
import { FACTS } from '../../../src/rules/facts.js';
import { checkFilters } from '../../../src/rules/filters.js';
import { isRuleFileName, parseRuleSet } from '../../../src/rules/loader.js';
import { factsForRule, randomFacts, randomRule, rng } from './random-rules.js';

type Outcome = boolean | 'throws';

const RULES_PER_ENGINE = 25;
const ENGINES = 8;
const CANDIDATES_PER_ENGINE = 520; // 8 × 25 × 520 = 104,000 evaluations

/** A deep copy keeping own keys such as `__proto__` (Object.fromEntries defines them, as YAML and JSON.parse do). */
const copy = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(copy)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
      : v;

function engineFor(rules: TopLevelCondition[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  registerLegworkOperators(engine);
  // A copy each: json-rules-engine's Condition rewrites a leaf's priority in place (parseInt) in what it is given
  rules.forEach((conditions, i) => {
    engine.addRule({ name: `r${i}`, conditions: copy(conditions) as TopLevelCondition, event: { type: `r${i}` } });
  });
  return engine;
}

/** Why the loader refuses a rule because json-rules-engine would decide it differently; null when it does not. */
const REFUSED_FOR_DISAGREEING = /priority must be an integer from 1|is refused: every JavaScript object has it/;
function refusalFor(rule: TopLevelCondition): string | null {
  const messages: string[] = [];
  checkFilters(rule, [], (_path, message) => messages.push(message));
  return messages.find((m) => REFUSED_FOR_DISAGREEING.test(m)) ?? null;
}

/** Every rule's outcome on one candidate: one run of the batch engine, or (if it rejected) one engine per rule. */
let rejectedRuns = 0;
async function engineOutcomes(
  batch: Engine,
  singles: () => Engine[],
  facts: Record<string, unknown>,
  n: number,
): Promise<Outcome[]> {
  try {
    const { results, failureResults } = await batch.run(facts);
    const out: Outcome[] = new Array<Outcome>(n);
    for (const r of results) out[Number(r.name.slice(1))] = true;
    for (const r of failureResults) out[Number(r.name.slice(1))] = false;
    return out;
  } catch {
    rejectedRuns++;
    return Promise.all(
      singles().map((e) =>
        e.run(facts).then(
          (r) => r.results.length === 1,
          (): Outcome => 'throws',
        ),
      ),
    );
  }
}

const outcome = (compiled: CompiledRule, facts: Record<string, unknown>): Outcome => {
  try {
    return compiled.test(facts);
  } catch {
    return 'throws';
  }
};

describe('compiled rules vs json-rules-engine', () => {
  it('decide identically on 104,000 random (rule, candidate) pairs', async () => {
    const r = rng(20_261_122);
    const tally = {
      total: 0,
      true: 0,
      false: 0,
      throws: 0,
      mismatches: [] as string[],
      refusedRules: 0,
      refusedDisagreements: 0,
    };
    for (let e = 0; e < ENGINES; e++) {
      const rules = Array.from({ length: RULES_PER_ENGINE }, () => randomRule(r));
      const refusals = rules.map(refusalFor);
      tally.refusedRules += refusals.filter(Boolean).length;
      const codegen = rules.map((c) => compileConditions(c));
      const closures = rules.map((c) => compileConditions(c, { mode: 'closures' }));
      const batch = engineFor(rules);
      let singleEngines: Engine[] | undefined;
      const singles = () => (singleEngines ??= rules.map((c) => engineFor([c])));
      for (let k = 0; k < CANDIDATES_PER_ENGINE; k++) {
        const facts = randomFacts(r);
        const expected = await engineOutcomes(batch, singles, facts, rules.length);
        rules.forEach((rule, i) => {
          const want = expected[i];
          const got = outcome(codegen[i]!, facts);
          const alt = outcome(closures[i]!, facts);
          tally.total++;
          tally[String(want) as 'true' | 'false' | 'throws']++;
          if ((got !== want || alt !== want) && refusals[i]) {
            tally.refusedDisagreements++; // the loader refuses this rule: it never reaches a scan
          } else if (got !== want || alt !== want) {
            if (tally.mismatches.length < 5) {
              tally.mismatches.push(JSON.stringify({ rule, facts, engine: want, codegen: got, closures: alt }));
            }
          } else if (want !== 'throws' && k % 50 === 0) {
            expect(traceCandidate(codegen[i]!, facts).result).toBe(want);
          }
        });
      }
    }
    expect(tally.mismatches).toEqual([]);
    expect(tally.total).toBeGreaterThanOrEqual(100_000);
    // The generator must exercise both outcomes (and some rejected runs), or the test proves little
    expect(tally.true).toBeGreaterThan(tally.total * 0.2);
    expect(tally.false).toBeGreaterThan(tally.total * 0.2);
    expect(tally.throws).toBeGreaterThan(0);
    // ... and the shapes the loader refuses, some of which json-rules-engine does decide differently
    expect(tally.refusedDisagreements).toBeGreaterThan(0);
    console.log(
      `differential: ${tally.total} evaluations, ${tally.true} true, ${tally.false} false, ${tally.throws} throws (${rejectedRuns} of ${ENGINES * CANDIDATES_PER_ENGINE} batch runs rejected); ` +
        `${tally.refusedRules} of ${ENGINES * RULES_PER_ENGINE} rules refused for deciding differently, ${tally.refusedDisagreements} evaluations of them disagreed`,
    );
  }, 120_000);

  it('decide identically on the shipped rule files, over facts sitting on their thresholds', async () => {
    const r = rng(5);
    let passed = 0;
    for (const file of readdirSync('rules').filter(isRuleFileName)) {
      const parsed = parseRuleSet(readFileSync(`rules/${file}`, 'utf8'), file);
      if (!parsed.ok) throw new Error(`${file} is invalid`);
      const { conditions } = parsed.ruleSet;
      // The whole rule, and each of its top-level conditions on its own (so every condition is seen passing and failing)
      const rules: TopLevelCondition[] = [
        conditions,
        ...('all' in conditions ? conditions.all.map((c) => ({ all: [c] })) : []),
      ];
      const compiled = rules.map((c) => compileConditions(c));
      const batch = engineFor(rules);
      for (let k = 0; k < 1000; k++) {
        const facts = factsForRule(r, conditions, FACTS);
        const want = await engineOutcomes(batch, () => rules.map((c) => engineFor([c])), facts, rules.length);
        compiled.forEach((c, i) => {
          expect(outcome(c, facts), `${file} #${i}: ${JSON.stringify(facts)}`).toBe(want[i]);
        });
        passed += Number(want[0] === true);
      }
    }
    expect(passed).toBeGreaterThan(250); // whole rules pass too, not only single conditions
  }, 60_000);
});
