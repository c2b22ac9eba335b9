// The account limits hot-reload: an edit applies at the next reload, a bad edit is refused with its problems while the
// last good version stays in force, a deleted (or never written) file means no account limits, and the hash follows
// the content.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AccountLog, AccountRulesRegistry } from '../../../src/rules/account-loader.js';
import { NO_ACCOUNT_LIMITS } from '../../../src/rules/account-schema.js';
import { contentHash } from '../../../src/rules/hash.js';
import { formatLocated } from '../../../src/util/yaml-zod.js';

const account = (maxOpen: number) => `version: 1\ntrades: { maxOpen: ${maxOpen}, maxNewPerDay: 4 }\n`;
const BROKEN = 'version: 1\ntrades: { maxOpen: 0, maxNewPerDay: 4 }\n';

function clock() {
  let t = Date.parse('2026-11-20T14:30:00Z');
  return () => {
    t += 1000;
    return new Date(t);
  };
}

function recordingLog() {
  const lines: string[] = [];
  const log: AccountLog = {
    info: (_o, msg) => lines.push(`info ${msg}`),
    warn: (_o, msg) => lines.push(`warn ${msg}`),
    error: (_o, msg) => lines.push(`error ${msg}`),
  };
  return { log, lines };
}

describe('AccountRulesRegistry', () => {
  it('applies a valid edit, keeps the last good version of a refused one, and says why it refused', () => {
    const { log, lines } = recordingLog();
    const reg = new AccountRulesRegistry('r/account.yaml', { now: clock(), log });
    expect(reg.apply(account(3))).toEqual({
      file: 'r/account.yaml',
      outcome: 'added',
      hash: contentHash(account(3)),
      problems: [],
    });
    expect(reg.current()).toMatchObject({ file: 'r/account.yaml', hash: contentHash(account(3)), content: account(3) });
    expect(reg.current().rules.trades).toEqual({ maxOpen: 3, maxNewPerDay: 4 });

    // A valid edit applies with a new hash; the same content again is unchanged
    expect(reg.apply(account(5))).toMatchObject({ outcome: 'changed', hash: contentHash(account(5)) });
    expect(reg.current().rules.trades.maxOpen).toBe(5);
    expect(reg.apply(account(5)).outcome).toBe('unchanged');

    // A bad edit is refused: maxOpen 5 stays in force, the refusal is visible with its problems and time
    const refused = reg.apply(BROKEN);
    expect(refused.outcome).toBe('refused');
    expect(refused.hash).toBe(contentHash(account(5)));
    expect(refused.problems.map(formatLocated)).toEqual([
      'r/account.yaml:2:20: trades.maxOpen: a whole number of trades from 1 to 10000, or null (no limit); got 0',
    ]);
    expect(reg.current().rules.trades.maxOpen).toBe(5);
    expect(reg.current().hash).toBe(contentHash(account(5)));
    expect(reg.refused()).toEqual({
      file: 'r/account.yaml',
      hash: contentHash(BROKEN),
      activeHash: contentHash(account(5)),
      since: '2026-11-20T14:30:01.000Z',
      problems: refused.problems,
    });

    // The same refused content keeps its first refusal time and is logged once; a fix clears the refusal
    expect(reg.apply(BROKEN).outcome).toBe('refused');
    expect(reg.refused()?.since).toBe('2026-11-20T14:30:01.000Z');
    expect(reg.apply(account(7))).toMatchObject({ outcome: 'changed', problems: [] });
    expect(reg.refused()).toBeNull();
    expect(reg.current().rules.trades.maxOpen).toBe(7);
    expect(lines).toEqual([
      'info account file added',
      'info account file changed',
      'error account file r/account.yaml refused; the last good version stays in force',
      'info account file changed',
    ]);
  });

  it('a missing file is no limits; a deleted file drops its limits and says so', () => {
    const { log, lines } = recordingLog();
    const reg = new AccountRulesRegistry('r/account.yaml', { log });
    expect(reg.current()).toEqual({ rules: NO_ACCOUNT_LIMITS, hash: null, content: null, file: 'r/account.yaml' });
    expect(reg.apply(null)).toEqual({ file: 'r/account.yaml', outcome: 'missing', hash: null, problems: [] });
    reg.apply(account(3));
    expect(reg.apply(null)).toEqual({ file: 'r/account.yaml', outcome: 'removed', hash: null, problems: [] });
    expect(reg.current()).toEqual({ rules: NO_ACCOUNT_LIMITS, hash: null, content: null, file: 'r/account.yaml' });
    expect(reg.refused()).toBeNull();
    expect(lines).toEqual(['info account file added', 'warn account file r/account.yaml removed: no account limits']);
  });

  it('a file that never was valid leaves no limits in force, and the refusal says there is no version to keep', () => {
    const { log, lines } = recordingLog();
    const reg = new AccountRulesRegistry('r/account.yaml', { now: clock(), log });
    expect(reg.apply(BROKEN)).toMatchObject({ outcome: 'refused', hash: null });
    expect(reg.current().rules).toEqual(NO_ACCOUNT_LIMITS);
    expect(reg.refused()).toMatchObject({ hash: contentHash(BROKEN), activeHash: null });
    expect(lines).toEqual(['error account file r/account.yaml refused; no account limits are in force']);
    // deleting the broken file clears its refusal
    expect(reg.apply(null).outcome).toBe('removed');
    expect(reg.refused()).toBeNull();
  });

  it('reloads from disk: an edit applies without a restart, a bad edit keeps the last good, deletion drops the limits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-account-'));
    const file = join(dir, 'account.yaml');
    try {
      const reg = new AccountRulesRegistry(file);
      expect((await reg.reload()).outcome).toBe('missing');
      writeFileSync(file, account(3));
      expect(await reg.reload()).toMatchObject({ outcome: 'added', hash: contentHash(account(3)) });
      const first = reg.current().hash;
      writeFileSync(file, account(4));
      expect((await reg.reload()).outcome).toBe('changed');
      expect(reg.current().hash).not.toBe(first);
      expect(reg.current().rules.trades.maxOpen).toBe(4);
      writeFileSync(file, 'version: 1\ntrades: { maxOpen: 4, maxNewPerDya: 2 }\n');
      const refused = await reg.reload();
      expect(refused.problems.map(formatLocated)).toEqual([
        `${file}:2:23: trades.maxNewPerDya: unknown key "maxNewPerDya"; did you mean maxNewPerDay?`,
      ]);
      expect(reg.current().rules.trades).toEqual({ maxOpen: 4, maxNewPerDay: 4 });
      unlinkSync(file);
      expect((await reg.reload()).outcome).toBe('removed');
      expect(reg.current()).toMatchObject({ rules: NO_ACCOUNT_LIMITS, hash: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unreadable path throws and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-account-'));
    try {
      const reg = new AccountRulesRegistry(dir); // a directory: EISDIR, not a missing file
      reg.apply(account(3));
      await expect(reg.reload()).rejects.toThrow(/EISDIR/);
      expect(reg.current().rules.trades.maxOpen).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
