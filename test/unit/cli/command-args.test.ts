// Every command's flags through node:util parseArgs: each flag name and default still works (both value forms), and
// an unknown option is refused by name.
import { describe, expect, it } from 'vitest';
import { parseApproveArgs } from '../../../src/cli/approve.js';
import { parseChainArgs } from '../../../src/cli/chain.js';
import { parseHaltArgs } from '../../../src/cli/halt.js';
import { parseHistoryArgs } from '../../../src/cli/history.js';
import { parsePromoteArgs } from '../../../src/cli/promote.js';
import { parseScanArgs } from '../../../src/cli/scan.js';
import { parseTradeArgs } from '../../../src/cli/trade.js';

describe('legwork chain', () => {
  it('reads SYMBOL, --dte and --json', () => {
    expect(parseChainArgs(['spy'])).toEqual({ symbol: 'SPY', dte: undefined, json: false });
    expect(parseChainArgs(['SPY', '--dte', '20-50', '--json'])).toEqual({
      symbol: 'SPY',
      dte: { min: 20, max: 50 },
      json: true,
    });
    expect(parseChainArgs(['--dte=0-7', 'QQQ'])).toEqual({ symbol: 'QQQ', dte: { min: 0, max: 7 }, json: false });
  });
  it.each([
    [[], 'SYMBOL is missing'],
    [['SPY', 'QQQ'], 'one SYMBOL only (got SPY and QQQ)'],
    [['SPY', '--dte'], '--dte needs a value'],
    [['SPY', '--dte', '50-20'], '--dte 50-20: MIN must not exceed MAX'],
    [['SPY', '--dte', 'soon'], '--dte needs MIN-MAX in days, e.g. --dte 20-50 (got "soon")'],
    [['SPY', '--wide'], 'unknown option --wide'],
    [['$PY'], '"$PY" is not a ticker symbol'],
  ])('refuses %j: %s', (argv, problem) => expect(parseChainArgs(argv)).toBe(problem));
});

describe('legwork approve / reject', () => {
  const ID = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';
  it('reads the trade id (a uuid or its first characters) and --reason', () => {
    expect(parseApproveArgs([ID])).toEqual({ id: ID, reason: undefined });
    expect(parseApproveArgs([ID.toUpperCase(), '--reason', 'looks fine'])).toEqual({ id: ID, reason: 'looks fine' });
    expect(parseApproveArgs(['--reason=earnings next week', '3f2b8c1e'])).toEqual({
      id: '3f2b8c1e',
      reason: 'earnings next week',
    });
  });
  it.each([
    [[], 'the trade id is missing'],
    [[ID, ID], `unexpected argument "${ID}"`],
    [['SPY'], '"SPY" is not a trade id (a uuid or its first characters)'],
    [['3f2'], '"3f2" is not a trade id (a uuid or its first characters)'],
    [[ID, '--reason'], '--reason needs a value'],
    [[ID, '--reason', ' '], '--reason needs TEXT'],
    [[ID, '--force'], 'unknown option --force'],
  ])('refuses %j: %s', (argv, problem) => expect(parseApproveArgs(argv)).toBe(problem));
});

describe('legwork halt / resume', () => {
  it('reads --flatten (halt), --force (resume) and --reason', () => {
    expect(parseHaltArgs([], 'halt')).toEqual({ flatten: false, force: false, reason: undefined });
    expect(parseHaltArgs(['--flatten', '--reason', 'vol spike'], 'halt')).toEqual({
      flatten: true,
      force: false,
      reason: 'vol spike',
    });
    expect(parseHaltArgs(['--force', '--reason=closed by hand'], 'resume')).toEqual({
      flatten: false,
      force: true,
      reason: 'closed by hand',
    });
  });
  it.each([
    [['--force'], 'halt', 'unknown option --force'],
    [['--flatten'], 'resume', 'unknown option --flatten'],
    [['--reason'], 'halt', '--reason needs a value'],
    [['--reason='], 'halt', '--reason needs TEXT'],
    [['now'], 'halt', 'unexpected argument "now"'],
  ] as const)('refuses %j for %s: %s', (argv, command, problem) =>
    expect(parseHaltArgs([...argv], command)).toBe(problem),
  );
});

describe('legwork promote', () => {
  it('reads RULE_SET --reason, --status [--json] and --evidence-db', () => {
    expect(parsePromoteArgs(['ic', '--reason', ' five clean weeks '])).toEqual({
      mode: 'promote',
      ruleSet: 'ic',
      reason: 'five clean weeks',
      evidenceDb: undefined,
    });
    expect(parsePromoteArgs(['--reason=ok', 'ic', '--evidence-db', 'postgres://paper/legwork'])).toEqual({
      mode: 'promote',
      ruleSet: 'ic',
      reason: 'ok',
      evidenceDb: 'postgres://paper/legwork',
    });
    expect(parsePromoteArgs(['--status'])).toEqual({ mode: 'status', json: false, evidenceDb: undefined });
    expect(parsePromoteArgs(['--status', '--json'])).toEqual({ mode: 'status', json: true, evidenceDb: undefined });
  });
  it.each([
    [['ic'], '--reason TEXT is required: say why this rule set may trade real money'],
    [['ic', '--reason', '  '], '--reason TEXT is required: say why this rule set may trade real money'],
    [['--reason', 'why'], 'name the rule set to promote, or give --status'],
    [['ic', 'pcs', '--reason', 'why'], 'promote one rule set at a time (got ic, pcs)'],
    [['--status', 'ic'], '--status shows every rule set; it takes no rule set name'],
    [['--status', '--reason', 'why'], '--reason goes with a promotion, not with --status'],
    [['ic', '--reason', 'why', '--json'], '--json goes with --status'],
    [['--status', '--evidence-db', 'mysql://x'], '--evidence-db needs a postgres:// URL'],
    [['ic', '--force'], 'unknown option --force'],
  ])('refuses %j: %s', (argv, problem) => expect(parsePromoteArgs(argv)).toBe(problem));
});

describe('legwork history', () => {
  it('reads --days, --intraday and --json', () => {
    expect(parseHistoryArgs([])).toEqual({ days: 30, intraday: false, json: false });
    expect(parseHistoryArgs(['--days', '7', '--intraday', '--json'])).toEqual({ days: 7, intraday: true, json: true });
    expect(parseHistoryArgs(['--days=90'])).toEqual({ days: 90, intraday: false, json: false });
  });
  it.each([
    [['--days'], '--days needs a value'],
    [['--days', '0'], '--days needs a whole number of days, 1-3660'],
    [['--days', '2.5'], '--days needs a whole number of days, 1-3660'],
    [['--week'], 'unknown option --week'],
    [['30'], 'unexpected argument "30"'],
  ])('refuses %j: %s', (argv, problem) => expect(parseHistoryArgs(argv)).toBe(problem));
});

describe('legwork scan', () => {
  it('reads --once, --rules and --json', () => {
    expect(parseScanArgs([])).toEqual({ once: false, rules: undefined, json: false });
    expect(parseScanArgs(['--once', '--rules', 'rules/a.yaml', '--json'])).toEqual({
      once: true,
      rules: 'rules/a.yaml',
      json: true,
    });
    expect(parseScanArgs(['--once', '--rules=rules/a.yaml'])).toEqual({
      once: true,
      rules: 'rules/a.yaml',
      json: false,
    });
  });
  it.each([
    [['--once', '--wide'], 'unknown option --wide'],
    [['--once', '--rules'], '--rules needs a value'],
    [['--rules', 'a.yaml', '--rules', 'b.yaml'], 'one --rules FILE only'],
    [['--once', 'SPY'], 'unexpected argument "SPY"'],
  ])('refuses %j: %s', (argv, problem) => expect(parseScanArgs(argv)).toBe(problem));
});

describe('legwork trade', () => {
  it('reads every flag in both forms', () => {
    expect(parseTradeArgs(['--underlying', 'spy', '--strategy', 'iron-condor'])).toEqual({
      underlying: 'SPY',
      strategy: 'iron-condor',
      rules: undefined,
      mode: undefined,
      quantity: undefined,
      json: false,
    });
    expect(
      parseTradeArgs([
        '--underlying=IWM',
        '--strategy=put-credit-spread',
        '--rules',
        'r.yaml',
        '--mode',
        'legged',
        '--quantity',
        '2',
        '--json',
      ]),
    ).toEqual({
      underlying: 'IWM',
      strategy: 'put-credit-spread',
      rules: 'r.yaml',
      mode: 'legged',
      quantity: 2,
      json: true,
    });
  });
  it.each([
    [['--strategy', 'iron-condor'], '--underlying is missing'],
    [['--underlying', 'SPY'], '--strategy is missing'],
    [
      ['--underlying', 'SPY', '--strategy', 'nope'],
      expect.stringMatching(/^unknown strategy nope; one of iron-condor, /),
    ],
    [['--underlying', 'SPY', '--strategy', 'iron-condor', '--mode', 'fast'], '--mode is combo or legged (got fast)'],
    [
      ['--underlying', 'SPY', '--strategy', 'iron-condor', '--quantity', '0'],
      '--quantity is a whole number 1-1000 (got 0)',
    ],
    [['--underlying=', '--strategy', 'iron-condor'], '--underlying needs a value'],
    [['--underlying', 'SPY', '--strategy', 'iron-condor', '--size', '2'], 'unknown option --size'],
  ])('refuses %j: %s', (argv, problem) => expect(parseTradeArgs(argv)).toEqual(problem));
});
