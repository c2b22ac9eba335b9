// Owns turning rule files into RuleSets: parse + schema + strategy params + consistency with every problem at its
// file:line:col (pure), reading files and directories (with account-loader.ts, the I/O of src/rules), and the
// hot-reload registry of rule sets.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { STRATEGIES } from '../strategies/index.js';
import { readYaml, type Located } from '../util/yaml-zod.js';
import { ACCOUNT_FILE } from './account-loader.js';
import { CompileError, compileConditions } from './compile.js';
import { checkConsistency, type CheckInput } from './consistency.js';
import { expandFilters } from './filters.js';
import { contentHash } from './hash.js';
import { LastGood, type Refusal, type Validated } from './last-good.js';
import { ruleFileSchema, type RuleSet } from './schema.js';

export type ParseResult = { ok: true; ruleSet: RuleSet } | { ok: false; problems: Located[] };

export { contentHash };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const byPosition = (a: Located, b: Located) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);

/** Parses and validates one rule file's text. Pure: `file` is only used in messages, the default name and `RuleSet.file`. */
export function parseRuleSet(text: string, file: string): ParseResult {
  const src = readYaml(text, file);
  if (src.syntaxProblems.length > 0) return { ok: false, problems: src.syntaxProblems };
  const raw = src.value;
  if (!isObj(raw))
    return { ok: false, problems: [src.problem([], 'a rule file is a mapping that starts with version: 1')] };
  const problems: Located[] = [];
  const parsed = ruleFileSchema.safeParse(raw);
  if (!parsed.success) problems.push(...src.fromIssues(parsed.error.issues));

  // Sections that pass on their own feed the cross-field checks, so one run reports every problem
  const input: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(ruleFileSchema.shape)) {
    const r = (schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(raw[key]);
    if (r.success) input[key] = r.data;
  }
  // The filter checks are written for unvalidated input: run them even when the filters section has schema errors
  if (input.filters === undefined && isObj(raw.filters)) input.filters = raw.filters;
  const strategy = parsed.success ? parsed.data.strategy : (input.strategy as RuleSet['strategy'] | undefined);
  let params: unknown;
  if (strategy && (raw.params === undefined || isObj(raw.params))) {
    const r = STRATEGIES[strategy].paramsSchema.safeParse(raw.params ?? {});
    if (r.success) params = input.parsedParams = r.data;
    else problems.push(...src.fromIssues(r.error.issues, ['params']));
  }
  checkConsistency(input as CheckInput, (path, message, atKey) => problems.push(src.problem(path, message, atKey)));

  const name = parsed.success ? (parsed.data.name ?? basename(file).replace(/\.ya?ml$/i, '')) : '';
  if (parsed.success && parsed.data.name === undefined && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
    problems.push(
      src.problem(
        [],
        `the file name "${name}" is not a valid rule-set name; add name: (lower-case letters, digits, - and _)`,
      ),
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: dedupe(problems) };
  const conditions = expandFilters(parsed.data.filters);
  try {
    compileConditions(conditions); // the schema should make this unreachable; never let a bad tree reach a scan
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, problems: [src.problem(['filters'], e.message)] };
    throw e;
  }
  const ruleSet: RuleSet = { ...parsed.data, name, params, conditions, file, hash: contentHash(text), content: text };
  return { ok: true, ruleSet };
}

function dedupe(problems: Located[]): Located[] {
  const seen = new Set<string>();
  return problems.sort(byPosition).filter((p) => {
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Refuses a rule set whose name another (earlier) file already uses. */
function nameClash(ruleSet: RuleSet, others: Iterable<RuleSet>): Located | null {
  for (const o of others) {
    if (o.name === ruleSet.name && o.file !== ruleSet.file) {
      const src = readYaml(ruleSet.content, ruleSet.file);
      return src.problem(
        ruleSet.content.match(/^name:/m) ? ['name'] : [],
        `rule-set name "${ruleSet.name}" is already used by ${o.file}`,
      );
    }
  }
  return null;
}

export type FileResult =
  | { file: string; ok: true; ruleSet: RuleSet }
  | { file: string; ok: false; problems: Located[] };

export interface LoadResult {
  files: FileResult[];
  ruleSets: RuleSet[];
  problems: Located[];
}

/** Parses many files' texts (path → content); names must be unique across them. Pure. */
export function parseRuleFiles(texts: ReadonlyMap<string, string>): LoadResult {
  const files: FileResult[] = [];
  const good: RuleSet[] = [];
  for (const [file, text] of [...texts].sort(([a], [b]) => a.localeCompare(b))) {
    const r = parseRuleSet(text, file);
    const clash = r.ok ? nameClash(r.ruleSet, good) : null;
    if (r.ok && !clash) {
      good.push(r.ruleSet);
      files.push({ file, ok: true, ruleSet: r.ruleSet });
    } else files.push({ file, ok: false, problems: r.ok ? [clash!] : r.problems });
  }
  return { files, ruleSets: good, problems: files.flatMap((f) => (f.ok ? [] : f.problems)) };
}

const RULE_FILE = /\.ya?ml$/i;

/** Whether a file name is a rule file's: `*.yaml` / `*.yml`, not hidden, not the account file. */
export const isRuleFileName = (name: string): boolean =>
  RULE_FILE.test(name) && !name.startsWith('.') && !ACCOUNT_FILE.test(name);

/**
 * The rule files of each path: a file as is, a directory's `*.yaml` / `*.yml` (not recursive), sorted. The account
 * file (`account.yaml` / `account.yml`) is left out, even when named explicitly: it is not a rule set.
 */
export async function listRuleFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      const names = (await readdir(p)).filter(isRuleFileName).sort();
      out.push(...names.map((n) => join(p, n)));
    } else if (!ACCOUNT_FILE.test(basename(p))) out.push(p);
  }
  return [...new Set(out)];
}

export async function readRuleFiles(paths: readonly string[]): Promise<Map<string, string>> {
  const files = await listRuleFiles(paths);
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(f, 'utf8')] as const)));
}

/** Reads files and directories (default `rules/`) and validates every rule file; a missing path throws. */
export async function loadRules(paths: readonly string[] = ['rules']): Promise<LoadResult> {
  return parseRuleFiles(await readRuleFiles(paths));
}

/** A rule file whose current content is refused, while its last good version (if any) stays active. */
export type RuleFileError = Refusal;

export interface ReloadReport {
  added: string[];
  changed: string[];
  removed: string[];
  refused: string[];
  unchanged: number;
}

/**
 * The rule sets in force, hot-reloaded: `reload()` re-reads the directory; a changed valid file replaces its
 * predecessor, an invalid edit is refused (its problems kept for `errors()`) while the last good version stays active,
 * a deleted file is dropped. `apply()` is the pure core (path → content), for tests and other sources.
 */
export class RuleRegistry {
  private readonly slots = new Map<string, LastGood<RuleSet>>();

  constructor(
    private readonly dir = 'rules',
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Re-reads the directory. A missing or unreadable directory throws and changes nothing (the last state stays). */
  async reload(): Promise<ReloadReport> {
    return this.apply(await readRuleFiles([this.dir]));
  }

  apply(texts: ReadonlyMap<string, string>): ReloadReport {
    const report: ReloadReport = { added: [], changed: [], removed: [], refused: [], unchanged: 0 };
    for (const file of [...this.slots.keys()]) {
      if (texts.has(file)) continue;
      this.slots.delete(file);
      report.removed.push(file);
    }
    for (const [file, text] of [...texts].sort(([a], [b]) => a.localeCompare(b))) {
      const slot = this.slots.get(file) ?? new LastGood<RuleSet>(file);
      this.slots.set(file, slot);
      const outcome = slot.offer(text, (t) => this.validate(t, file), this.now);
      if (outcome === 'unchanged') report.unchanged++;
      else report[outcome].push(file);
    }
    return report;
  }

  /** A valid rule set whose name no other file's active rule set uses. */
  private validate(text: string, file: string): Validated<RuleSet> {
    const r = parseRuleSet(text, file);
    if (!r.ok) return r;
    const others = this.activeOf((f) => f !== file);
    const clash = nameClash(r.ruleSet, others);
    return clash ? { ok: false, problems: [clash] } : { ok: true, value: r.ruleSet };
  }

  private activeOf(keep: (file: string) => boolean): RuleSet[] {
    return [...this.slots.values()].flatMap((s) => (keep(s.file) && s.active() ? [s.active()!] : []));
  }

  /** Every valid rule set in force (enabled or not), by name. */
  active(): RuleSet[] {
    return this.activeOf(() => true).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): RuleSet | undefined {
    return this.active().find((r) => r.name === name);
  }

  /** Files whose current content is refused, with their problems (for the API). */
  errors(): RuleFileError[] {
    return [...this.slots.values()].flatMap((s) => s.refused() ?? []).sort((a, b) => a.file.localeCompare(b.file));
  }
}
