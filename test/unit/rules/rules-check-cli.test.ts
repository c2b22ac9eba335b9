// `legwork rules check` as a trader runs it: exit codes, one summary line per valid file, file:line:col per problem.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { legworkLines as legwork } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-rules-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('legwork rules check', () => {
  it('checks rules/ by default: exit 0, one summary line per file and the next fire times of an enabled cron', async () => {
    const r = await legwork(['rules', 'check']);
    expect(r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(7);
    expect(r.stdout[2]).toMatch(
      /^rules\/iron-condor\.yaml: ok iron-condor \(iron-condor, SPY,QQQ,IWM, \d+ conditions, every 5m, enabled\) sha256:[0-9a-f]{12}$/,
    );
    expect(r.stdout[3]).toMatch(
      /^rules\/put-credit-spread\.yaml: ok put-credit-spread \(.*cron '\*\/10 9-15 \* \* MON-FRI', enabled\)/,
    );
    // an enabled cron schedule: its next three fire times, New York time, on weekdays between 09:00 and 15:50
    const time = String.raw`(Mon|Tue|Wed|Thu|Fri) \d{4}-\d{2}-\d{2} (09|1[0-5]):[0-5]0 E[SD]T`;
    expect(r.stdout[4]).toMatch(new RegExp(`^  next: ${time}, ${time}, ${time} \\(scans skip a closed market\\)$`));
    expect(r.stdout[5]).toMatch(/^rules\/short-strangle\.yaml: ok short-strangle \(short-strangle, SPY, .*disabled\)/);
    // the account limits file comes last, checked as such (test/unit/rules/account-rules-check-cli.test.ts)
    expect(r.stdout[6]).toMatch(/^rules\/account\.yaml: ok account limits \(/);
  }, 30_000);

  it('exits 1 with file:line:col for every problem, and still summarises the good files', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\nfilters:\n  iv_rnak: { min: 30 }\n  dte: { min: 45, max: 30 }\n',
    );
    const r = await legwork(['rules', 'check', bad, 'rules/iron-condor.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toEqual([expect.stringMatching(/^rules\/iron-condor\.yaml: ok /)]);
    expect(r.stderr).toEqual([
      `${bad}:5:3: filters.iv_rnak: unknown fact "iv_rnak"; did you mean iv_rank? (facts are listed in docs/rules.md)`,
      `${bad}:6:3: filters.dte: the lower bound 45 is above the upper bound 30; no candidate can pass`,
      '1 of 2 rule files invalid (2 problems)',
    ]);
  }, 30_000);

  it('refuses a cron that BullMQ would not run as written, at the line and column of the pattern', async () => {
    const bad = join(dir, 'bad-cron.yaml');
    writeFileSync(
      bad,
      "version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\nschedule: { cron: '0 9 * * 8' }\n",
    );
    const r = await legwork(['rules', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([
      `${bad}:4:19: schedule.cron: cron "0 9 * * 8" is not valid: Constraint error, got value 8 expected range 0-7`,
      '1 of 1 rule files invalid (1 problems)',
    ]);
  }, 30_000);

  it('exits non-zero on a missing path or a usage error', async () => {
    const missing = await legwork(['rules', 'check', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toMatch(/^legwork rules check: ENOENT/);
    const usage = await legwork(['rules', 'lint']);
    expect(usage.code).toBe(2);
    expect(usage.stderr[0]).toBe('usage: legwork rules check [PATH...]');
    const unknown = await legwork(['rules', 'check', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.slice(0, 2)).toEqual([
      'legwork rules check: unknown option --bogus',
      'usage: legwork rules check [PATH...]',
    ]);
    const help = await legwork(['rules', 'check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toBe('usage: legwork rules check [PATH...]');
  }, 30_000);
});
