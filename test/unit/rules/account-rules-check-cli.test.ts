// `legwork rules check` on the account limits file: found in a checked directory or named explicitly, summarised when
// valid, every problem at file:line:col and exit 1 when not; never read as a rule set.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../../src/rules/hash.js';
import { legworkLines as legwork } from '../../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'lw-account-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RULE = 'version: 1\nname: spy\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\n';
const BAD_ACCOUNT = `version: 1
allocation: { maxTotalRiskPct: 130 }
failsafes:
  dailyLoss: { dollars: 1500, pct: 2 }
  brokerErors: { count: 3, minutes: 5 }
`;

function dirWith(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('legwork rules check with an account file', () => {
  it('summarises the shipped rules/account.yaml when checking rules/ and when named explicitly', async () => {
    const hash = contentHash(readFileSync('rules/account.yaml', 'utf8')).slice(0, 12);
    const line = `rules/account.yaml: ok account limits (7 limits, 3 failsafes, 5 paper trades needed) sha256:${hash}`;
    const all = await legwork(['rules', 'check']);
    expect(all.code).toBe(0);
    expect(all.stdout.at(-1)).toBe(line);
    expect(all.stdout.filter((l) => l.startsWith('rules/account.yaml'))).toEqual([line]);
    const one = await legwork(['rules', 'check', 'rules/account.yaml']);
    expect(one).toEqual({ code: 0, stdout: [line], stderr: [] });
  }, 30_000);

  it('exits 1 with every problem of a directory account file at file:line:col, and still checks the rule files', async () => {
    const dir = dirWith('bad', { 'spy.yaml': RULE, 'account.yaml': BAD_ACCOUNT });
    const r = await legwork(['rules', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'spy.yaml')}: ok spy `))]);
    const file = join(dir, 'account.yaml');
    expect(r.stderr).toEqual([
      `${file}:2:32: allocation.maxTotalRiskPct: a percentage above 0 and at most 100, or null (no limit); got 130`,
      `${file}:4:14: failsafes.dailyLoss: give exactly one of dollars or pct, not both`,
      `${file}:5:3: failsafes.brokerErors: unknown key "brokerErors"; did you mean brokerErrors?`,
      'account file invalid (3 problems)',
    ]);
  }, 30_000);

  it('checks an account file named explicitly alone, and exits 0 for a directory without one', async () => {
    const dir = dirWith('explicit', { 'account.yaml': 'version: 1\ntrades: { maxOpen: 0 }\n' });
    const bad = await legwork(['rules', 'check', join(dir, 'account.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toEqual([
      `${join(dir, 'account.yaml')}:2:20: trades.maxOpen: a whole number of trades from 1 to 10000, or null (no limit); got 0`,
      'account file invalid (1 problems)',
    ]);
    const noAccount = dirWith('no-account', { 'spy.yaml': RULE });
    const ok = await legwork(['rules', 'check', noAccount]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toHaveLength(1);
  }, 30_000);

  it('refuses a directory account.yml, which Legwork would never read', async () => {
    const dir = dirWith('yml', { 'spy.yaml': RULE, 'account.yml': 'version: 1\n' });
    const r = await legwork(['rules', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([
      `${join(dir, 'account.yml')}:1:1: Legwork reads the account limits from ${join(dir, 'account.yaml')} only; rename this file (or merge it into that one)`,
      'account file invalid (1 problems)',
    ]);
  }, 30_000);
});
