// The account limits file (rules/account.yaml): defaults (absent = no limit), the shipped file, and every bad value,
// unknown key and dailyLoss shape refused at its exact file:line:col, all problems in one pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAccountRules } from '../../../src/rules/account-loader.js';
import { type AccountRules, NO_ACCOUNT_LIMITS } from '../../../src/rules/account-schema.js';
import { contentHash } from '../../../src/rules/hash.js';
import { formatLocated } from '../../../src/util/yaml-zod.js';

const FILE = 'rules/account.yaml';

function problems(text: string): string[] {
  const r = parseAccountRules(text, FILE);
  if (r.ok) throw new Error('expected the account file to be refused');
  return r.problems.map(formatLocated);
}

function valid(text: string): AccountRules {
  const r = parseAccountRules(text, FILE);
  if (!r.ok) throw new Error(r.problems.map(formatLocated).join('\n'));
  expect(r.hash).toBe(contentHash(text));
  return r.rules;
}

describe('account file schema', () => {
  it('fills every absent limit with null: version alone, empty and null sections are no limits at all', () => {
    expect(valid('version: 1\n')).toEqual(NO_ACCOUNT_LIMITS);
    expect(valid('version: 1\nallocation:\ngreeks: null\ntrades: {}\nfailsafes: {}\npromotion:\n')).toEqual(
      NO_ACCOUNT_LIMITS,
    );
    expect(Object.isFrozen(NO_ACCOUNT_LIMITS.failsafes)).toBe(true);
  });

  it('reads every key, dollars into cents, and a partial file keeps the other limits null', () => {
    expect(
      valid(`version: 1
allocation: { maxTotalRiskPct: 30, maxUnderlyingRiskPct: 10, maxRuleSetRiskPct: 20 }
greeks: { maxAbsBetaDelta: 300, maxAbsVega: 500, minTheta: -25.5 }
trades: { maxOpen: 20, maxNewPerDay: 10 }
failsafes:
  dailyLoss: { dollars: 1500.25, flatten: true }
  drawdownPct: 10
  brokerErrors: { count: 10, minutes: 15 }
promotion: { minPaperTrades: 5 }
`),
    ).toEqual({
      version: 1,
      allocation: { maxTotalRiskPct: 30, maxUnderlyingRiskPct: 10, maxRuleSetRiskPct: 20 },
      greeks: { maxAbsBetaDelta: 300, maxAbsVega: 500, minTheta: -25.5 },
      trades: { maxOpen: 20, maxNewPerDay: 10 },
      failsafes: {
        dailyLoss: { kind: 'dollars', cents: 150_025, flatten: true },
        drawdownPct: 10,
        brokerErrors: { count: 10, minutes: 15 },
      },
      promotion: { minPaperTrades: 5 },
    });
    const partial = valid('version: 1\nallocation: { maxTotalRiskPct: 100 }\nfailsafes: { dailyLoss: { pct: 0.5 } }\n');
    expect(partial.allocation).toEqual({ maxTotalRiskPct: 100, maxUnderlyingRiskPct: null, maxRuleSetRiskPct: null });
    expect(partial.failsafes).toEqual({
      dailyLoss: { kind: 'pct', pct: 0.5, flatten: false },
      drawdownPct: null,
      brokerErrors: null,
    });
    expect(partial.trades).toEqual({ maxOpen: null, maxNewPerDay: null });
  });

  it('accepts the shipped rules/account.yaml with its conservative limits', () => {
    const text = readFileSync('rules/account.yaml', 'utf8');
    expect(valid(text)).toEqual({
      version: 1,
      allocation: { maxTotalRiskPct: 25, maxUnderlyingRiskPct: 10, maxRuleSetRiskPct: 15 },
      greeks: { maxAbsBetaDelta: 200, maxAbsVega: 300, minTheta: null },
      trades: { maxOpen: 15, maxNewPerDay: 5 },
      failsafes: {
        dailyLoss: { kind: 'pct', pct: 2, flatten: false },
        drawdownPct: 10,
        brokerErrors: { count: 5, minutes: 15 },
      },
      promotion: { minPaperTrades: 5 },
    });
    // every key of the shipped file is explained in a comment on its line or just above it
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^\s*[a-zA-Z]+:/.test(line) && !line.includes('#'))
        expect(lines[i - 1], `line ${i + 1} (${line.trim()}) has no comment`).toMatch(/^\s*#/);
    });
  });

  it('reports a bad value of every key at the value itself, all at once', () => {
    const text = `version: 1
allocation:
  maxTotalRiskPct: 0
  maxUnderlyingRiskPct: 100.5
  maxRuleSetRiskPct: "20"
greeks:
  maxAbsBetaDelta: -1
  maxAbsVega: 0
  minTheta: lots
trades:
  maxOpen: 2.5
  maxNewPerDay: 0
failsafes:
  dailyLoss:
    dollars: 1500.555
    flatten: yes
  drawdownPct: 101
  brokerErrors:
    count: 0
    minutes: 1441
promotion:
  minPaperTrades: -5
`;
    expect(problems(text)).toEqual([
      `${FILE}:3:20: allocation.maxTotalRiskPct: a percentage above 0 and at most 100, or null (no limit); got 0`,
      `${FILE}:4:25: allocation.maxUnderlyingRiskPct: a percentage above 0 and at most 100, or null (no limit); got 100.5`,
      `${FILE}:5:22: allocation.maxRuleSetRiskPct: a percentage above 0 and at most 100, or null (no limit); got "20"`,
      `${FILE}:7:20: greeks.maxAbsBetaDelta: shares of the benchmark above 0 and at most 1000000, or null (no limit); got -1`,
      `${FILE}:8:15: greeks.maxAbsVega: dollars per volatility point above 0 and at most 10000000, or null (no limit); got 0`,
      `${FILE}:9:13: greeks.minTheta: dollars per day from -10000000 to 10000000, or null (no limit); got "lots"`,
      `${FILE}:11:12: trades.maxOpen: a whole number of trades from 1 to 10000, or null (no limit); got 2.5`,
      `${FILE}:12:17: trades.maxNewPerDay: a whole number of trades from 1 to 10000, or null (no limit); got 0`,
      `${FILE}:15:14: failsafes.dailyLoss.dollars: dollars above 0 and at most 100000000, in whole cents; got 1500.555`,
      `${FILE}:16:14: failsafes.dailyLoss.flatten: true or false; got "yes"`,
      `${FILE}:17:16: failsafes.drawdownPct: a percentage above 0 and at most 100, or null (no limit); got 101`,
      `${FILE}:19:12: failsafes.brokerErrors.count: a whole number of errors from 1 to 10000; got 0`,
      `${FILE}:20:14: failsafes.brokerErrors.minutes: a whole number of minutes from 1 to 1440; got 1441`,
      `${FILE}:22:19: promotion.minPaperTrades: a whole number of paper trades from 1 to 10000, or null (the default, 5); got -5`,
    ]);
  });

  it('reports the dailyLoss percentage, a missing broker-errors window and non-mappings where they are', () => {
    expect(
      problems(`version: 1
failsafes:
  dailyLoss: { pct: 0, flatten: false }
  brokerErrors: { count: 3 }
greeks: 5
trades: [1]
promotion: true
`),
    ).toEqual([
      `${FILE}:3:21: failsafes.dailyLoss.pct: a percentage above 0 and at most 100 of the start-of-day net liquidating value; got 0`,
      `${FILE}:4:17: failsafes.brokerErrors.minutes: required: a whole number of minutes from 1 to 1440`,
      `${FILE}:5:9: greeks: a mapping of maxAbsBetaDelta, maxAbsVega, minTheta, or null (no limits); got 5`,
      `${FILE}:6:9: trades: a mapping of maxOpen, maxNewPerDay, or null (no limits); got a list`,
      `${FILE}:7:12: promotion: a mapping of minPaperTrades, or null (the default, 5 paper trades); got true`,
    ]);
  });

  it('refuses dailyLoss with both dollars and pct, or neither, at the dailyLoss mapping', () => {
    expect(problems('version: 1\nfailsafes:\n  dailyLoss: { dollars: 1500, pct: 2 }\n')).toEqual([
      `${FILE}:3:14: failsafes.dailyLoss: give exactly one of dollars or pct, not both`,
    ]);
    expect(problems('version: 1\nfailsafes:\n  dailyLoss:\n    flatten: true\n')).toEqual([
      `${FILE}:4:5: failsafes.dailyLoss: give exactly one of dollars or pct; neither is given`,
    ]);
    expect(problems('version: 1\nfailsafes:\n  dailyLoss: { dollars: null }\n')).toEqual([
      `${FILE}:3:25: failsafes.dailyLoss.dollars: dollars above 0 and at most 100000000, in whole cents; got null`,
    ]);
  });

  it('refuses an unknown key at the key itself, with a did-you-mean when a known key is close', () => {
    expect(
      problems(`version: 1
alocation: { maxTotalRiskPct: 30 }
allocation: { maxTotalRisk: 30 }
greeks: { maxAbsDelta: 100, gamma: 3 }
failsafes:
  dailyloss: { pct: 2 }
  drawdown: 10
  brokerErrors: { count: 3, minute: 5 }
promotion: { minPaperTrade: 2 }
`),
    ).toEqual([
      `${FILE}:2:1: alocation: unknown key "alocation"; did you mean allocation?`,
      `${FILE}:3:15: allocation.maxTotalRisk: unknown key "maxTotalRisk"; did you mean maxTotalRiskPct?`,
      `${FILE}:4:11: greeks.maxAbsDelta: unknown key "maxAbsDelta"; did you mean maxAbsVega?`,
      `${FILE}:4:29: greeks.gamma: unknown key "gamma"`,
      `${FILE}:6:3: failsafes.dailyloss: unknown key "dailyloss"; did you mean dailyLoss?`,
      `${FILE}:7:3: failsafes.drawdown: unknown key "drawdown"; did you mean drawdownPct?`,
      `${FILE}:8:17: failsafes.brokerErrors.minutes: required: a whole number of minutes from 1 to 1440`,
      `${FILE}:8:29: failsafes.brokerErrors.minute: unknown key "minute"; did you mean minutes?`,
      `${FILE}:9:14: promotion.minPaperTrade: unknown key "minPaperTrade"; did you mean minPaperTrades?`,
    ]);
  });

  it('refuses a per-underlying or per-rule-set share above the total, which would never bind', () => {
    expect(
      problems('version: 1\nallocation: { maxTotalRiskPct: 10, maxUnderlyingRiskPct: 12, maxRuleSetRiskPct: 15 }\n'),
    ).toEqual([
      `${FILE}:2:58: allocation.maxUnderlyingRiskPct: maxUnderlyingRiskPct 12 exceeds maxTotalRiskPct 10; it would never bind`,
      `${FILE}:2:81: allocation.maxRuleSetRiskPct: maxRuleSetRiskPct 15 exceeds maxTotalRiskPct 10; it would never bind`,
    ]);
    // without a total there is nothing to exceed
    expect(valid('version: 1\nallocation: { maxUnderlyingRiskPct: 50 }\n').allocation.maxUnderlyingRiskPct).toBe(50);
  });

  it('needs version: 1, a mapping, and well-formed YAML', () => {
    expect(problems('version: 2\n')).toEqual([`${FILE}:1:10: version: version: 1 is the only version`]);
    expect(problems('trades: { maxOpen: 3 }\n')).toEqual([`${FILE}:1:1: version: version: 1 is the only version`]);
    expect(problems('')).toEqual([`${FILE}:1:1: an account file is a mapping that starts with version: 1`]);
    expect(problems('- version: 1\n')).toEqual([
      `${FILE}:1:1: an account file is a mapping that starts with version: 1`,
    ]);
    expect(problems('version: 1\nversion: 1\n')).toEqual([`${FILE}:2:1: Map keys must be unique`]);
    expect(problems('version: 1\ntrades: { maxOpen: 3\n')).toEqual([
      `${FILE}:3:1: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
  });

  it('is documented in docs/rules.md with the shipped file verbatim', () => {
    const reference = readFileSync('docs/rules.md', 'utf8');
    const file = readFileSync('rules/account.yaml', 'utf8').trimEnd();
    expect(reference).toContain(`<summary><code>rules/account.yaml</code></summary>\n\n\`\`\`yaml\n${file}\n\`\`\``);
  });
});
