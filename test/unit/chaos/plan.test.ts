// A campaign plan is a function of its seed (reproduce by seed), covers every fault kind over 18 campaigns, and its
// rule files are valid Legwork rule files.
import { describe, expect, it } from 'vitest';
import { chaosRuleFile } from '../../../chaos/rules.js';
import { FAULT_KINDS, planCampaign } from '../../../chaos/plan.js';
import { parseRuleSet } from '../../../src/rules/loader.js';

describe('chaos plan', () => {
  it('the same seed gives the same plan; another seed another one', () => {
    expect(planCampaign(42, 3)).toEqual(planCampaign(42, 3));
    expect(JSON.stringify(planCampaign(43, 3))).not.toBe(JSON.stringify(planCampaign(42, 3)));
  });

  it('any 18 consecutive campaigns inject every fault kind; events stay inside the trading window, in time order', () => {
    const kinds = new Set<string>();
    for (let i = 0; i < FAULT_KINDS.length; i++) {
      const plan = planCampaign(1000 + i, 7 + i, 10_000);
      for (const e of plan.events) {
        kinds.add(e.kind);
        expect(e.atMs).toBeGreaterThan(0);
        expect(e.atMs).toBeLessThan(10_000);
      }
      expect(plan.events.map((e) => e.atMs)).toEqual([...plan.events.map((e) => e.atMs)].sort((a, b) => a - b));
      expect(plan.events.filter((e) => e.kind === 'redisRestart').length).toBeLessThanOrEqual(1);
      expect(plan.events.filter((e) => e.kind === 'marketClose').length).toBeLessThanOrEqual(1);
    }
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('the 14 campaigns of npm test (seed 20261122) include every fault kind, closed-market periods and halts', () => {
    const plans = Array.from({ length: 14 }, (_, i) => planCampaign(20261122 + i, i, 9000));
    expect(new Set(plans.flatMap((p) => p.events.map((e) => e.kind))).size).toBe(FAULT_KINDS.length);
    const count = (k: string) => plans.filter((p) => p.events.some((e) => e.kind === k)).length;
    expect(count('marketClose')).toBeGreaterThanOrEqual(3);
    expect(count('halt') + count('haltFlatten')).toBeGreaterThanOrEqual(3);
    expect(count('haltFlatten')).toBeGreaterThanOrEqual(1);
  });

  it('rule sets: four strategies covering all underlyings, each traded by one or two rule sets (contested), at least one legged and one combo, each a valid rule file', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { rules } = planCampaign(seed);
      expect(new Set(rules.flatMap((r) => r.symbols)).size).toBe(8);
      const sets = (u: string) => rules.filter((r) => r.symbols.includes(u)).length;
      expect(Math.max(...rules.flatMap((r) => r.symbols).map(sets))).toBe(2);
      expect(rules.map((r) => r.mode)).toEqual(expect.arrayContaining(['legged', 'combo']));
      for (const r of rules) {
        const parsed = parseRuleSet(chaosRuleFile(r), r.file);
        expect(parsed.ok ? [parsed.ruleSet.strategy, parsed.ruleSet.execution.mode] : parsed.problems).toEqual([
          r.strategy,
          r.mode,
        ]);
      }
    }
  });
});
