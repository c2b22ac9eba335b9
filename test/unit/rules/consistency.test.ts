// Cross-field checks: each reported at the offending node's line:col, with a message a trader can act on.
import { describe, expect, it } from 'vitest';
import { parseRuleSet } from '../../../src/rules/loader.js';
import { formatLocated } from '../../../src/util/yaml-zod.js';

const HEAD = 'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\n'; // 3 lines

function problems(text: string): string[] {
  const r = parseRuleSet(text, 't.yaml');
  return r.ok ? [] : r.problems.map(formatLocated);
}

describe('consistency checks', () => {
  it('checks fact names and types in shorthand and long-form filters', () => {
    expect(
      problems(`${HEAD}filters:
  strategy: { min: 3 }
  pop: high
  all:
    - { fact: underlying, operator: lessThan, value: 3 }
    - { fact: pop, operator: greaterThan, value: { fact: underlying } }
    - { fact: pop, operator: greaterThan, value: { fact: credit_middle } }
    - { fact: credit, operator: equal, value: 1 }
    - { fact: iv_rank, operator: in, value: [null, 30] }
    - { fact: dte, operator: in, value: [null] }
`),
    ).toEqual([
      't.yaml:5:20: filters.strategy.min: strategy is a string; greaterThanInclusive compares numbers',
      't.yaml:6:8: filters.pop: pop is a number; "high" is a string',
      't.yaml:8:7: filters.all.0: underlying is a string; lessThan compares numbers',
      't.yaml:9:7: filters.all.1: pop is a number but underlying is a string',
      't.yaml:10:58: filters.all.2.value.fact: unknown fact "credit_middle"; did you mean credit_mid? (facts are listed in docs/rules.md)',
      't.yaml:11:15: filters.all.3.fact: unknown fact "credit" (facts are listed in docs/rules.md)',
      't.yaml:13:7: filters.all.5: dte is a number; null is a null',
    ]);
  });

  it('finds bounds that exclude every candidate', () => {
    expect(
      problems(
        `${HEAD}filters:\n  dte: { gt: 30, lt: 30 }\n  pop: { min: 50, max: 50 }\n  iv_rank: { between: [10, 90], max: 5 }\n`,
      ),
    ).toEqual([
      't.yaml:5:3: filters.dte: the lower bound 30 is above the upper bound 30; no candidate can pass',
      't.yaml:7:3: filters.iv_rank: the lower bound 10 is above the upper bound 5; no candidate can pass',
    ]);
  });

  it('checks score weights and tie-breakers', () => {
    expect(problems(`${HEAD}score:\n  weights: {}\n`)).toEqual([
      't.yaml:5:12: score.weights: score.weights needs at least one metric (the weights would sum to 0)',
    ]);
    expect(
      problems(
        `${HEAD}score:\n  weights: { pop: -1, underlying: 1, popp: 1, credit_mid: { weight: 0 } }\n  tieBreakers: [defined_risk, dte, dte]\n`,
      ),
    ).toEqual([
      't.yaml:5:19: score.weights.pop.weight: weight must be > 0 (got -1)',
      't.yaml:5:23: score.weights.underlying: underlying is a string; only numeric facts can score',
      't.yaml:5:38: score.weights.popp: unknown fact "popp"; did you mean pop? (facts are listed in docs/rules.md)',
      't.yaml:5:69: score.weights.credit_mid.weight: weight must be > 0 (got 0)',
      't.yaml:6:17: score.tieBreakers.0: defined_risk is a boolean; tie-breakers are numbers or strings',
      't.yaml:6:36: score.tieBreakers.2: dte is listed twice',
    ]);
  });

  it('allows undefined risk only when the rule set says so, and then demands a stop and a buying-power cap', () => {
    const strangle = 'version: 1\nstrategy: short-strangle\nuniverse: { symbols: [SPY] }\n';
    expect(problems(`${strangle}allowUndefinedRisk: true\nsizing: { maxBuyingPowerPerTrade: 5000 }\n`)).toEqual([]);
    expect(problems(`${strangle}sizing: { maxBuyingPowerPerTrade: 5000 }\n`)).toEqual([
      't.yaml:2:11: strategy: short-strangle has undefined risk; it is only traded with allowUndefinedRisk: true',
    ]);
    expect(
      problems(
        `${strangle}allowUndefinedRisk: true\nsizing: { maxRiskPerTrade: 500 }\nexits: { stopLossMultiple: null }\nfilters: { max_loss: { max: 500 } }\nscore: { weights: { return_on_risk: 1 } }\n`,
      ),
    ).toEqual([
      't.yaml:5:9: sizing: an undefined-risk strategy needs sizing.maxBuyingPowerPerTrade',
      't.yaml:5:28: sizing.maxRiskPerTrade: the loss of an undefined-risk strategy has no maximum; use maxBuyingPowerPerTrade',
      't.yaml:6:28: exits.stopLossMultiple: an undefined-risk strategy needs a stop loss',
      't.yaml:7:12: filters.max_loss: max_loss is always null for an undefined-risk strategy; this filter can never pass',
      't.yaml:8:21: score.weights.return_on_risk: return_on_risk is always null for an undefined-risk strategy',
    ]);
  });

  it('checks the entry price ladder', () => {
    expect(problems(`${HEAD}entry: { price: natural, maxSteps: 3 }\n`)).toEqual([
      't.yaml:4:36: entry.maxSteps: price: natural already crosses the spread; price steps need price: mid (or maxSteps: 0)',
    ]);
    expect(problems(`${HEAD}entry: { stepTicks: 0 }\n`)).toEqual([
      't.yaml:4:21: entry.stepTicks: steps of 0 ticks never move the price; set stepTicks >= 1 or maxSteps: 0',
    ]);
    expect(problems(`${HEAD}entry: { stepEverySeconds: 60, maxSteps: 5, fillTimeoutSeconds: 120 }\n`)).toEqual([
      't.yaml:4:65: entry.fillTimeoutSeconds: the order times out after 120 s, before its last price step at 300 s',
    ]);
  });

  it('finds exits that fire at once or never', () => {
    expect(problems(`${HEAD}exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null }\n`)).toEqual([
      't.yaml:4:8: exits: no exit is enabled: trades would run to expiration',
    ]);
    expect(problems(`${HEAD}params: { dte: { min: 20, max: 30 } }\nexits: { closeAtDte: 30 }\n`)).toEqual([
      't.yaml:5:22: exits.closeAtDte: closeAtDte 30 >= the longest DTE at entry (30): every trade would close at once',
    ]);
    expect(problems(`${HEAD}filters: { dte: { max: 25 } }\nexits: { closeAtDte: 21, timeStopDays: 4 }\n`)).toEqual([
      't.yaml:5:40: exits.timeStopDays: timeStopDays 4 can never trigger: trades close within 4 days (DTE 25, closeAtDte 21)',
    ]);
    expect(
      problems(`${HEAD}params: { shortDelta: { target: 0.3, tolerance: 0.05 } }\nexits: { shortDeltaBreach: 0.3 }\n`),
    ).toEqual([
      't.yaml:5:28: exits.shortDeltaBreach: shortDeltaBreach 0.3 <= the short delta allowed at entry (0.35): trades could close at once',
    ]);
    expect(
      problems(
        `${HEAD}params: { shortDelta: { target: 0.3, tolerance: 0.05 } }\nfilters: { short_delta: { max: 0.25 } }\nexits: { shortDeltaBreach: 0.3 }\n`,
      ),
    ).toEqual([]);
  });

  it('finds risk limits that contradict each other or the strategy', () => {
    expect(
      problems(
        `${HEAD}sizing: { maxRiskPerTrade: 3000 }\nrisk: { maxOpenTrades: 2, maxNewTradesPerScan: 3, maxLegsPerGroup: 2, maxRiskPerUnderlying: 2500, maxTotalRisk: 2000 }\n`,
      ),
    ).toEqual([
      't.yaml:4:28: sizing.maxRiskPerTrade: maxRiskPerTrade 3000 exceeds risk.maxRiskPerUnderlying 2500',
      't.yaml:5:68: risk.maxLegsPerGroup: iron-condor has 4 legs; maxLegsPerGroup 2 would refuse every trade',
      't.yaml:5:93: risk.maxRiskPerUnderlying: maxRiskPerUnderlying 2500 exceeds maxTotalRisk 2000',
    ]);
  });
});
