// Owns `legwork rules check [PATH...]`: validates rule files and the account file (default rules/) and prints a summary
// line per valid file (and the next fire times of an enabled cron schedule) or every problem as file:line:col; exit 0
// when all are valid, 1 when any is not, 2 on a usage error.
import { nyMinute } from '../domain/dates.js';
import { DEFAULT_MIN_PAPER_TRADES } from '../domain/promotion.js';
import type { AccountRules } from '../rules/account-schema.js';
import type { RuleSet } from '../rules/schema.js';
import { nextCronTimes } from '../rules/schedule.js';
import { readArgs } from '../util/cli-args.js';
import { formatLocated } from '../util/yaml-zod.js';

export const RULES_USAGE = `usage: legwork rules check [PATH...]

  PATH   a rule file, the account file (account.yaml), or a directory of *.yaml / *.yml files (default: rules/)

Prints one summary line per valid file, or every problem as file:line:col: message. Exit 0 when every file is valid.
A directory's account.yaml holds the account limits: it is checked as such, never as a rule set.
An enabled rule set with a cron schedule also gets its next three fire times, New York time, after now on this
machine's clock (which is broker time with Tastytrade; under the local venue's replayed clock the pattern fires at
the venue's New York times instead). An \`every\` schedule counts from when its scheduler started, so it gets none.`;

/** The next fire times of an enabled cron rule set, indented under its summary; null for \`every\` or disabled. */
export function nextFires(r: RuleSet, nowMs: number): string | null {
  if (!r.enabled || r.schedule.cron === null) return null;
  const closed = r.schedule.marketHoursOnly ? ' (scans skip a closed market)' : '';
  return `  next: ${nextCronTimes(r.schedule.cron, nowMs).map(nyMinute).join(', ')}${closed}`;
}

/** One line: file, name, strategy, universe, filters, schedule, enabled, short hash. */
export function summarise(r: RuleSet): string {
  const universe = r.universe.symbols ? r.universe.symbols.join(',') : `watchlist ${r.universe.watchlist}`;
  const count = (c: unknown): number =>
    c === null || typeof c !== 'object'
      ? 0
      : 'fact' in c
        ? 1
        : Object.values(c).reduce(
            (n: number, v) => n + (Array.isArray(v) ? v.reduce((m: number, x) => m + count(x), 0) : count(v)),
            0,
          );
  const leaves = count(r.conditions);
  const schedule = r.schedule.cron !== null ? `cron '${r.schedule.cron}'` : `every ${r.schedule.every}`;
  const state = r.enabled ? 'enabled' : 'disabled';
  return `${r.file}: ok ${r.name} (${r.strategy}, ${universe}, ${leaves} conditions, ${schedule}, ${state}) sha256:${r.hash.slice(0, 12)}`;
}

/** One line for a valid account file: how many limits and failsafes are set, the promotion rule, short hash. */
export function summariseAccount(file: string, a: AccountRules, hash: string): string {
  const set = (o: object) => Object.values(o).filter((v) => v !== null).length;
  const limits = set(a.allocation) + set(a.greeks) + set(a.trades);
  const failsafes = set(a.failsafes);
  const promotion =
    a.promotion.minPaperTrades === null
      ? `${DEFAULT_MIN_PAPER_TRADES} paper trades needed (the default)`
      : `${a.promotion.minPaperTrades} paper trades needed`;
  return `${file}: ok account limits (${limits} limits, ${failsafes} failsafes, ${promotion}) sha256:${hash.slice(0, 12)}`;
}

export async function runRules(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(RULES_USAGE);
    return 0;
  }
  if (sub !== 'check') {
    console.error(RULES_USAGE);
    return 2;
  }
  const parsed = readArgs(rest, { help: { type: 'boolean', short: 'h' } }, { positionals: true });
  if (typeof parsed === 'string') {
    console.error(`legwork rules check: ${parsed}\n\n${RULES_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(RULES_USAGE);
    return 0;
  }
  const paths = parsed.positionals;
  const { listRuleFiles, loadRules } = await import('../rules/loader.js');
  const { findAccountFiles, loadAccountRules } = await import('../rules/account-loader.js');
  const targets = paths.length > 0 ? paths : ['rules'];
  let result: Awaited<ReturnType<typeof loadRules>>;
  let accounts: Awaited<ReturnType<typeof findAccountFiles>>;
  const accountResults: [string, Awaited<ReturnType<typeof loadAccountRules>>][] = [];
  try {
    accounts = await findAccountFiles(targets);
    const ruleFiles = await listRuleFiles(targets);
    if (ruleFiles.length === 0 && accounts.files.length === 0 && accounts.problems.length === 0) {
      console.error(`legwork rules check: no *.yaml or *.yml files in ${targets.join(' ')}`);
      return 1;
    }
    result = ruleFiles.length > 0 ? await loadRules(ruleFiles) : { files: [], ruleSets: [], problems: [] };
    for (const file of accounts.files) accountResults.push([file, await loadAccountRules(file)]);
  } catch (e) {
    console.error(`legwork rules check: ${(e as Error).message}`);
    return 1;
  }
  const now = Date.now();
  for (const f of result.files) {
    if (f.ok) {
      console.log(summarise(f.ruleSet));
      const next = nextFires(f.ruleSet, now);
      if (next !== null) console.log(next);
    } else for (const p of f.problems) console.error(formatLocated(p));
  }
  let accountProblems = accounts.problems.length;
  for (const [file, r] of accountResults) {
    if (r.ok) console.log(summariseAccount(file, r.rules, r.hash));
    else {
      for (const p of r.problems) console.error(formatLocated(p));
      accountProblems += r.problems.length;
    }
  }
  for (const p of accounts.problems) console.error(formatLocated(p));
  const bad = result.files.filter((f) => !f.ok).length;
  if (bad > 0)
    console.error(`${bad} of ${result.files.length} rule files invalid (${result.problems.length} problems)`);
  if (accountProblems > 0) console.error(`account file invalid (${accountProblems} problems)`);
  return bad > 0 || accountProblems > 0 ? 1 : 0;
}
