// Owns turning the account limits file (`rules/account.yaml`) into AccountRules: parse + schema with every problem at
// its file:line:col (pure), and the hot-reload registry that reads the file, keeps its last good version when an edit
// is refused, and falls back to no account limits when the file is missing.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readYaml, type Located } from '../util/yaml-zod.js';
import { type AccountRules, accountFileSchema, accountKeysAt, NO_ACCOUNT_LIMITS } from './account-schema.js';
import { contentHash } from './hash.js';
import { LastGood, type Refusal } from './last-good.js';

export type AccountParseResult = { ok: true; rules: AccountRules; hash: string } | { ok: false; problems: Located[] };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const byPosition = (a: Located, b: Located) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);

/** Parses and validates the account file's text. Pure: `file` is only used in messages. */
export function parseAccountRules(text: string, file: string): AccountParseResult {
  const src = readYaml(text, file);
  if (src.syntaxProblems.length > 0) return { ok: false, problems: src.syntaxProblems };
  if (!isObj(src.value))
    return { ok: false, problems: [src.problem([], 'an account file is a mapping that starts with version: 1')] };
  const parsed = accountFileSchema.safeParse(src.value);
  if (!parsed.success)
    return { ok: false, problems: src.fromIssues(parsed.error.issues, [], accountKeysAt).sort(byPosition) };
  return { ok: true, rules: parsed.data, hash: contentHash(text) };
}

/** The account file Legwork reads in a rules directory. */
export const accountFileIn = (rulesDir: string): string => join(rulesDir, 'account.yaml');

/** The names of the account file: `account.yaml` (the one read) and `account.yml`, never a rule set. Case matters. */
export const ACCOUNT_FILE = /^account\.ya?ml$/;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
  );

/**
 * The account files among `paths` (for `rules check`): one named explicitly (`account.yaml` / `account.yml`), and a
 * directory's `account.yaml`. A directory's `account.yml` is a problem, not a file to check: Legwork reads
 * `account.yaml` only, and would silently run without those limits. A missing path throws.
 */
export async function findAccountFiles(paths: readonly string[]): Promise<{ files: string[]; problems: Located[] }> {
  const files: string[] = [];
  const problems: Located[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      const file = accountFileIn(p);
      if (await exists(file)) files.push(file);
      const yml = join(p, 'account.yml');
      if (await exists(yml))
        problems.push({
          file: yml,
          line: 1,
          col: 1,
          message: `Legwork reads the account limits from ${file} only; rename this file (or merge it into that one)`,
        });
    } else if (ACCOUNT_FILE.test(basename(p))) files.push(p);
  }
  return { files: [...new Set(files)], problems };
}

/** Reads and validates an account file; a missing or unreadable file throws. */
export async function loadAccountRules(file: string): Promise<AccountParseResult> {
  return parseAccountRules(await readFile(file, 'utf8'), file);
}

/** The account limits in force. */
export interface AccountRulesState {
  rules: AccountRules;
  /** sha256 of the version in force; null when there is none (no file, or a file that never was valid): no limits. */
  hash: string | null;
  /** That version's text (to store with the hash), null with it. */
  content: string | null;
  file: string;
}

export interface AccountReloadReport {
  file: string;
  /**
   * added: a first valid version; changed: a new valid version; unchanged: the version in force; refused: the file's
   * content is invalid (the last good version, if any, stays); removed: the file went away (no limits now); missing:
   * there still is no file.
   */
  outcome: 'added' | 'changed' | 'unchanged' | 'refused' | 'removed' | 'missing';
  /** Hash of the version in force after this reload, null for none. */
  hash: string | null;
  /** The refused content's problems; empty unless the outcome is refused. */
  problems: Located[];
}

/** Where the registry reports what it did (a pino logger fits). */
export interface AccountLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface Version {
  hash: string;
  rules: AccountRules;
  content: string;
}

/**
 * The account limits in force, hot-reloaded like the rule sets: `reload()` re-reads the file; a valid edit applies, an
 * invalid edit is refused (its problems kept in `refused()`) while the last good version stays in force, a missing or
 * deleted file means no account limits. `apply()` is the pure core (the file's text, or null when there is no file).
 */
export class AccountRulesRegistry {
  private slot: LastGood<Version>;

  constructor(
    readonly file = 'rules/account.yaml',
    private readonly options: { now?: () => Date; log?: AccountLog } = {},
  ) {
    this.slot = new LastGood<Version>(file);
  }

  /** Re-reads the file. A missing file means no limits; any other read error throws and changes nothing. */
  async reload(): Promise<AccountReloadReport> {
    let text: string | null;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      text = null;
    }
    return this.apply(text);
  }

  apply(text: string | null): AccountReloadReport {
    const log = this.options.log;
    const before = this.slot.active()?.hash ?? null;
    const report = (outcome: AccountReloadReport['outcome'], problems: Located[] = []): AccountReloadReport => ({
      file: this.file,
      outcome,
      hash: this.slot.active()?.hash ?? null,
      problems,
    });
    if (text === null) {
      const had = this.slot.active() !== undefined || this.slot.refused() !== undefined;
      this.slot = new LastGood<Version>(this.file);
      if (!had) return report('missing');
      log?.warn({ file: this.file, previousHash: before }, `account file ${this.file} removed: no account limits`);
      return report('removed');
    }
    const refusedBefore = this.slot.refused()?.hash;
    const outcome = this.slot.offer(
      text,
      (t) => {
        const r = parseAccountRules(t, this.file);
        return r.ok ? { ok: true, value: { hash: r.hash, rules: r.rules, content: t } } : r;
      },
      this.options.now ?? (() => new Date()),
    );
    if (outcome === 'refused') {
      const refusal = this.slot.refused()!;
      if (refusal.hash !== refusedBefore)
        log?.error(
          { file: this.file, hash: refusal.hash, activeHash: refusal.activeHash, problems: refusal.problems },
          refusal.activeHash === null
            ? `account file ${this.file} refused; no account limits are in force`
            : `account file ${this.file} refused; the last good version stays in force`,
        );
      return report('refused', refusal.problems);
    }
    if (outcome !== 'unchanged')
      log?.info({ file: this.file, hash: this.slot.active()!.hash, previousHash: before }, `account file ${outcome}`);
    return report(outcome);
  }

  /** The limits in force: the last good version, or no limits when there is none. */
  current(): AccountRulesState {
    const v = this.slot.active();
    return v
      ? { rules: v.rules, hash: v.hash, content: v.content, file: this.file }
      : { rules: NO_ACCOUNT_LIMITS, hash: null, content: null, file: this.file };
  }

  /** The refusal of the file's current content (problems, refused hash, since, the hash in force), or null. */
  refused(): Refusal | null {
    return this.slot.refused() ?? null;
  }
}
