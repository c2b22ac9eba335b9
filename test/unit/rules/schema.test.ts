// Rule files: defaults resolved, the shipped examples valid, and every schema and consistency problem reported at
// its file:line:col, all in one pass.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRuleFileName, parseRuleSet } from '../../../src/rules/loader.js';
import { formatLocated } from '../../../src/util/yaml-zod.js';

const MINIMAL = 'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\n';

function problems(text: string, file = 'rules/t.yaml'): string[] {
  const r = parseRuleSet(text, file);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map(formatLocated);
}

function valid(text: string, file = 'rules/t.yaml') {
  const r = parseRuleSet(text, file);
  if (!r.ok) throw new Error(r.problems.map(formatLocated).join('\n'));
  return r.ruleSet;
}

describe('rule file schema', () => {
  it('resolves every default at the boundary', () => {
    const r = valid(MINIMAL, 'rules/spy-condor.yml');
    expect(r.name).toBe('spy-condor');
    expect(r.enabled).toBe(true);
    expect(r.allowUndefinedRisk).toBe(false);
    expect(r.schedule).toEqual({ every: '5m', everySeconds: 300, cron: null, marketHoursOnly: true });
    expect(r.params).toMatchObject({ dte: { min: 30, max: 60 }, wings: { points: 5 } });
    expect(r.conditions).toEqual({ all: [] });
    expect(r.score).toEqual({
      normalise: 'minmax',
      metrics: [{ fact: 'pop', weight: 1, prefer: 'high' }],
      tieBreakers: [],
    });
    expect(r.maxPerUnderlying).toBe(1);
    expect(r.sizing).toEqual({ quantity: 1 });
    expect(r.entry).toEqual({ price: 'mid', stepTicks: 1, stepEverySeconds: 30, maxSteps: 5, fillTimeoutSeconds: 300 });
    expect(r.execution).toEqual({ mode: 'combo', partialFill: 'keep', approval: 'auto', approvalTimeoutSeconds: 300 });
    expect(r.exits).toEqual({
      takeProfitPct: 50,
      stopLossMultiple: 2,
      closeAtDte: 21,
      shortDeltaBreach: null,
      underlyingThroughShortStrike: false,
      timeStopDays: null,
      holdThroughExpiration: false,
    });
    expect(r.assignment).toBe('close');
    expect(r.risk).toEqual({
      maxOpenTrades: 5,
      maxTotalRisk: 5000,
      maxRiskPerUnderlying: 2000,
      maxLegsPerGroup: 6,
      maxWorkingGroups: 2,
      maxNewTradesPerScan: 5,
    });
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.file).toBe('rules/spy-condor.yml');
  });

  it("scores with each fact's default direction unless prefer says otherwise", () => {
    const r = valid(
      `${MINIMAL}score:\n  weights: { pop: 2, max_loss: 1, package_spread_pct: { weight: 1, prefer: high } }\n  tieBreakers: [dte, { fact: credit_mid, prefer: low }]\n`,
    );
    expect(r.score.metrics).toEqual([
      { fact: 'pop', weight: 2, prefer: 'high' },
      { fact: 'max_loss', weight: 1, prefer: 'low' },
      { fact: 'package_spread_pct', weight: 1, prefer: 'high' },
    ]);
    expect(r.score.tieBreakers).toEqual([
      { fact: 'dte', prefer: 'low' },
      { fact: 'credit_mid', prefer: 'low' },
    ]);
  });

  it('accepts every shipped example (rules/account.yaml is the account file, not a rule set)', () => {
    const files = readdirSync('rules').filter(isRuleFileName);
    expect(files.sort()).toEqual([
      'call-credit-spread.yaml',
      'iron-butterfly.yaml',
      'iron-condor.yaml',
      'put-credit-spread.yaml',
      'short-strangle.yaml',
    ]);
    for (const f of files) {
      const r = valid(readFileSync(`rules/${f}`, 'utf8'), `rules/${f}`);
      expect(r.strategy).toBe(f.replace('.yaml', ''));
    }
    const strangle = valid(readFileSync('rules/short-strangle.yaml', 'utf8'), 'rules/short-strangle.yaml');
    expect(strangle.enabled).toBe(false);
    expect(strangle.allowUndefinedRisk).toBe(true);
  });

  it('reports schema, params and consistency problems together, each at its node', () => {
    const text = [
      'version: 1', //                                                   1
      'strategy: short-strangle', //                                     2
      'universe:', //                                                    3
      '  symbols: [SPY, spy]', //                                        4
      '  colour: red', //                                                5
      'params:', //                                                      6
      '  dte: { min: 50, max: 30 }', //                                  7
      'filters:', //                                                     8
      '  iv_rnak: { min: 30 }', //                                       9
      '  dte: { min: 45, max: 30 }', //                                  10
      '  all:', //                                                       11
      '    - { fact: pop, operator: greaterThen, value: 1 }', //         12
      'score:', //                                                       13
      '  weights: { pop: 0 }', //                                        14
      'exits: { takeProfitPct: 150 }', //                                15
      'risk: { maxTotalRisk: 1000, maxRiskPerUnderlying: 2000 }', //     16
    ].join('\n');
    const lines = problems(text, 'rules/bad.yaml');
    expect(lines).toEqual([
      'rules/bad.yaml:1:1: sizing: an undefined-risk strategy needs sizing.maxBuyingPowerPerTrade', // absent: the document
      'rules/bad.yaml:2:11: strategy: short-strangle has undefined risk; it is only traded with allowUndefinedRisk: true',
      'rules/bad.yaml:4:18: universe.symbols.1: a symbol in capitals, e.g. SPY',
      'rules/bad.yaml:5:3: universe.colour: unknown key "colour"',
      'rules/bad.yaml:7:8: params.dte: min (50) must not exceed max (30)',
      'rules/bad.yaml:9:3: filters.iv_rnak: unknown fact "iv_rnak"; did you mean iv_rank? (facts are listed in docs/rules.md)',
      'rules/bad.yaml:10:3: filters.dte: the lower bound 45 is above the upper bound 30; no candidate can pass',
      'rules/bad.yaml:12:30: filters.all.0.operator: unknown operator "greaterThen"',
      'rules/bad.yaml:14:19: score.weights.pop.weight: weight must be > 0 (got 0)',
      'rules/bad.yaml:15:25: exits.takeProfitPct: Too big: expected number to be <100',
      'rules/bad.yaml:16:51: risk.maxRiskPerUnderlying: maxRiskPerUnderlying 2000 exceeds maxTotalRisk 1000',
    ]);
  });

  it('rejects unknown keys at the key itself, anywhere', () => {
    expect(problems(`${MINIMAL}entry:\n  price: mid\n  limit: 3\n`)).toEqual([
      'rules/t.yaml:6:3: entry.limit: unknown key "limit"',
    ]);
    expect(problems(`${MINIMAL}colour: red\n`)).toEqual(['rules/t.yaml:4:1: colour: unknown key "colour"']);
    expect(problems(`${MINIMAL}filters:\n  all:\n    - { fact: pop, operator: equal, value: 1, extra: 2 }\n`)).toEqual([
      'rules/t.yaml:6:47: filters.all.0.extra: unknown key "extra" in a condition',
    ]);
  });

  it('checks types, ranges and required keys', () => {
    expect(problems('version: 2\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\n')).toEqual([
      'rules/t.yaml:1:10: version: version: 1 is the only version',
    ]);
    expect(problems('version: 1\nstrategy: iron-condorr\nuniverse: { symbols: [SPY] }\n')[0]).toMatch(
      /^rules\/t\.yaml:2:11: strategy: unknown strategy; one of iron-condor, /,
    );
    expect(problems('version: 1\nstrategy: iron-condor\n')).toEqual([
      'rules/t.yaml:1:1: universe: Invalid input: expected object, received undefined',
    ]);
    expect(problems(`${MINIMAL}enabled: yes\n`)).toEqual([
      'rules/t.yaml:4:10: enabled: Invalid input: expected boolean, received string',
    ]);
    expect(problems(`${MINIMAL}sizing: { quantity: 1.5 }\n`)).toEqual([
      'rules/t.yaml:4:21: sizing.quantity: Invalid input: expected int, received number',
    ]);
    expect(problems(`${MINIMAL}schedule: { every: 5m, cron: '* * * * *' }\n`)).toEqual([
      'rules/t.yaml:4:11: schedule: give one of every or cron, not both',
    ]);
    expect(problems(`${MINIMAL}schedule: { cron: '61 * * * *' }\n`)).toEqual([
      'rules/t.yaml:4:19: schedule.cron: cron "61 * * * *" is not valid: Constraint error, got value 61 expected range 0-59',
    ]);
    expect(problems('version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY], watchlist: main }\n')).toEqual([
      'rules/t.yaml:3:11: universe: give exactly one of symbols or watchlist',
    ]);
  });

  it('checks execution.approval and approvalTimeoutSeconds at their file:line:col', () => {
    expect(valid(`${MINIMAL}execution: { approval: manual }\n`).execution).toMatchObject({
      approval: 'manual',
      approvalTimeoutSeconds: 300,
    });
    expect(valid(`${MINIMAL}execution: { approval: manual, approvalTimeoutSeconds: 30 }\n`).execution).toMatchObject({
      approvalTimeoutSeconds: 30,
    });
    expect(problems(`${MINIMAL}execution:\n  approval: ask\n  approvalTimeoutSeconds: 10\n`)).toEqual([
      'rules/t.yaml:5:13: execution.approval: auto (trades go to the executor at once) or manual (each waits for approval)',
      'rules/t.yaml:6:27: execution.approvalTimeoutSeconds: at least 30 s (the approval sweep runs with the exit cycle)',
    ]);
    expect(problems(`${MINIMAL}execution: { approvalTimeoutSeconds: 86401 }\n`)).toEqual([
      'rules/t.yaml:4:38: execution.approvalTimeoutSeconds: at most 86400 s (one day)',
    ]);
    expect(problems(`${MINIMAL}execution: { approvalTimeoutSeconds: 5m }\n`)).toEqual([
      'rules/t.yaml:4:38: execution.approvalTimeoutSeconds: whole seconds',
    ]);
    expect(problems(`${MINIMAL}execution: { approvalTimeoutSeconds: 90.5 }\n`)).toEqual([
      'rules/t.yaml:4:38: execution.approvalTimeoutSeconds: whole seconds',
    ]);
  });

  it('checks the expiration and assignment keys with errors that name them', () => {
    expect(valid(`${MINIMAL}exits: { holdThroughExpiration: true }\n`).exits.holdThroughExpiration).toBe(true);
    expect(valid(`${MINIMAL}assignment: close\n`).assignment).toBe('close');
    expect(problems(`${MINIMAL}exits: { holdThroughExpiration: maybe }\n`)).toEqual([
      'rules/t.yaml:4:33: exits.holdThroughExpiration: Invalid input: expected boolean, received string',
    ]);
    expect(problems(`${MINIMAL}assignment: keep\n`)).toEqual([
      'rules/t.yaml:4:13: assignment: only `close` is supported: shares delivered by an assignment or exercise are closed at the next open',
    ]);
  });

  it('reports YAML syntax errors, duplicate keys and empty files with positions', () => {
    expect(problems(`${MINIMAL}filters: { pop: { min: 60 }\n`)[0]).toMatch(/^rules\/t\.yaml:\d+:\d+: /);
    expect(problems(`${MINIMAL}strategy: iron-condor\n`)[0]).toMatch(/^rules\/t\.yaml:4:1: Map keys must be unique/);
    expect(problems('')).toEqual(['rules/t.yaml:1:1: a rule file is a mapping that starts with version: 1']);
  });

  it('requires a valid name when the file name is not one', () => {
    expect(problems(MINIMAL, 'rules/My Condor.yaml')).toEqual([
      'rules/My Condor.yaml:1:1: the file name "My Condor" is not a valid rule-set name; add name: (lower-case letters, digits, - and _)',
    ]);
    expect(valid(`name: my-condor\n${MINIMAL}`, 'rules/My Condor.yaml').name).toBe('my-condor');
  });
});
