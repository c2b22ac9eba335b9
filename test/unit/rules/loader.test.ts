// Loading rule files and hot reload: a changed valid file applies, an invalid edit is refused with its problems while
// the last good version stays active, deleted files go, and the content hash follows the content.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash, listRuleFiles, loadRules, parseRuleFiles, RuleRegistry } from '../../../src/rules/loader.js';
import { formatLocated } from '../../../src/util/yaml-zod.js';

const rule = (name: string, ivRank = 30) =>
  `version: 1\nname: ${name}\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\nfilters:\n  iv_rank: { min: ${ivRank} }\n`;

describe('loadRules', () => {
  it('reads a directory of .yaml/.yml files (the shipped rules) and hashes each', async () => {
    const result = await loadRules(['rules']);
    expect(result.problems).toEqual([]);
    expect(result.ruleSets.map((r) => r.name)).toEqual([
      'call-credit-spread',
      'iron-butterfly',
      'iron-condor',
      'put-credit-spread',
      'short-strangle',
    ]);
    for (const r of result.ruleSets) expect(r.hash).toBe(contentHash(readFileSync(r.file, 'utf8')));
  });

  it('refuses a second file with a name already in use', () => {
    const r = parseRuleFiles(
      new Map([
        ['b.yaml', rule('same')],
        ['a.yaml', rule('same')],
      ]),
    );
    expect(r.ruleSets.map((x) => x.file)).toEqual(['a.yaml']);
    expect(r.problems.map(formatLocated)).toEqual(['b.yaml:2:7: name: rule-set name "same" is already used by a.yaml']);
  });

  it('never reads the account file as a rule set: account.yaml / account.yml are left out of a directory and a path list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-rules-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), rule('a'));
      writeFileSync(join(dir, 'account.yaml'), 'version: 1\ntrades: { maxOpen: 3 }\n');
      writeFileSync(join(dir, 'account.yml'), 'version: 1\n');
      writeFileSync(join(dir, 'accounts.yaml'), rule('accounts'));
      expect(await listRuleFiles([dir, join(dir, 'account.yaml')])).toEqual([
        join(dir, 'a.yaml'),
        join(dir, 'accounts.yaml'),
      ]);
      const result = await loadRules([dir]);
      expect(result.problems).toEqual([]);
      expect(result.ruleSets.map((r) => r.name)).toEqual(['a', 'accounts']);
      const reg = new RuleRegistry(dir);
      expect((await reg.reload()).added).toEqual([join(dir, 'a.yaml'), join(dir, 'accounts.yaml')]);
      expect(reg.errors()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws for a path that does not exist', async () => {
    await expect(loadRules(['no/such/dir'])).rejects.toThrow(/ENOENT/);
  });
});

describe('RuleRegistry', () => {
  const clock = () => {
    let t = Date.parse('2026-11-20T14:30:00Z');
    return () => {
      t += 1000;
      return new Date(t);
    };
  };

  it('applies changes, keeps the last good version of an invalid edit and reports its problems', () => {
    const reg = new RuleRegistry('rules', clock());
    expect(
      reg.apply(
        new Map([
          ['r/a.yaml', rule('a')],
          ['r/b.yaml', rule('b')],
        ]),
      ),
    ).toEqual({ added: ['r/a.yaml', 'r/b.yaml'], changed: [], removed: [], refused: [], unchanged: 0 });
    const goodHash = reg.get('a')!.hash;

    // An edit that is valid applies at once, with a new hash
    let report = reg.apply(
      new Map([
        ['r/a.yaml', rule('a', 40)],
        ['r/b.yaml', rule('b')],
      ]),
    );
    expect(report).toMatchObject({ changed: ['r/a.yaml'], unchanged: 1 });
    const a2 = reg.get('a')!;
    expect(a2.hash).not.toBe(goodHash);
    expect(a2.conditions).toEqual({ all: [{ fact: 'iv_rank', operator: 'greaterThanInclusive', value: 40 }] });

    // An invalid edit is refused: a2 stays active, the problems are kept with a timestamp
    const broken = rule('a', 40).replace('iv_rank: { min: 40 }', 'iv_rank: { min: high }');
    report = reg.apply(
      new Map([
        ['r/a.yaml', broken],
        ['r/b.yaml', rule('b')],
      ]),
    );
    expect(report).toMatchObject({ refused: ['r/a.yaml'], changed: [] });
    expect(reg.get('a')!.hash).toBe(a2.hash);
    expect(reg.errors()).toEqual([
      {
        file: 'r/a.yaml',
        hash: contentHash(broken),
        activeHash: a2.hash,
        since: '2026-11-20T14:30:01.000Z',
        problems: [
          {
            file: 'r/a.yaml',
            line: 6,
            col: 19,
            message: 'filters.iv_rank.min: greaterThanInclusive needs a number (or {fact: name})',
          },
        ],
      },
    ]);

    // Re-reading the same broken content keeps the first refusal time; fixing it clears the error
    reg.apply(
      new Map([
        ['r/a.yaml', broken],
        ['r/b.yaml', rule('b')],
      ]),
    );
    expect(reg.errors()[0]!.since).toBe('2026-11-20T14:30:01.000Z');
    report = reg.apply(
      new Map([
        ['r/a.yaml', rule('a', 50)],
        ['r/b.yaml', rule('b')],
      ]),
    );
    expect(report.changed).toEqual(['r/a.yaml']);
    expect(reg.errors()).toEqual([]);

    // A deleted file disappears
    report = reg.apply(new Map([['r/a.yaml', rule('a', 50)]]));
    expect(report.removed).toEqual(['r/b.yaml']);
    expect(reg.active().map((r) => r.name)).toEqual(['a']);
  });

  it('records a never-valid file with no active version, and refuses a name clash between files', () => {
    const reg = new RuleRegistry('rules', clock());
    reg.apply(
      new Map([
        ['a.yaml', rule('x')],
        ['b.yaml', 'version: 1\n'],
      ]),
    );
    expect(reg.errors().map((e) => [e.file, e.activeHash])).toEqual([['b.yaml', null]]);
    reg.apply(
      new Map([
        ['a.yaml', rule('x')],
        ['b.yaml', rule('x')],
      ]),
    );
    expect(reg.active().map((r) => r.file)).toEqual(['a.yaml']);
    expect(reg.errors()[0]!.problems[0]!.message).toBe('name: rule-set name "x" is already used by a.yaml');
  });

  it('reloads from disk: an edit applies at the next reload without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-rules-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), rule('a'));
      writeFileSync(join(dir, 'notes.txt'), 'not a rule file');
      const reg = new RuleRegistry(dir);
      expect((await reg.reload()).added).toEqual([join(dir, 'a.yaml')]);
      const first = reg.get('a')!.hash;
      writeFileSync(join(dir, 'a.yaml'), rule('a', 45));
      expect((await reg.reload()).changed).toEqual([join(dir, 'a.yaml')]);
      expect(reg.get('a')!.hash).not.toBe(first);
      writeFileSync(join(dir, 'a.yaml'), 'version: 1\nstrategy: iron-condor\nuniverse: [SPY]\n');
      expect((await reg.reload()).refused).toEqual([join(dir, 'a.yaml')]);
      expect(reg.get('a')!.conditions).toEqual({
        all: [{ fact: 'iv_rank', operator: 'greaterThanInclusive', value: 45 }],
      });
      expect(reg.errors()[0]!.problems.map(formatLocated)).toEqual([
        `${join(dir, 'a.yaml')}:3:11: universe: Invalid input: expected object, received array`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
