// Owns `legwork rules check [PATH...]`: validates rule files (default rules/) and prints a summary line per valid file
// (and the next fire times of an enabled cron schedule) or every problem as file:line:col; exit 0 when all are valid,
// 1 when any is not, 2 on a usage error.
import { nyMinute } from '../domain/dates.js';
import type { RuleSet } from '../rules/schema.js';
import { nextCronTimes } from '../rules/schedule.js';
import { readArgs } from '../util/cli-args.js';
import { formatLocated } from '../util/yaml-zod.js';

export const RULES_USAGE = `usage: legwork rules check [PATH...]

  PATH   a rule file or a directory of *.yaml / *.yml files (default: rules/)

Prints one summary line per valid file, or every problem as file:line:col: message. Exit 0 when every file is valid.
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
  const targets = paths.length > 0 ? paths : ['rules'];
  let result: Awaited<ReturnType<typeof loadRules>>;
  try {
    if ((await listRuleFiles(targets)).length === 0) {
      console.error(`legwork rules check: no *.yaml or *.yml files in ${targets.join(' ')}`);
      return 1;
    }
    result = await loadRules(targets);
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
  const bad = result.files.filter((f) => !f.ok).length;
  if (bad > 0)
    console.error(`${bad} of ${result.files.length} rule files invalid (${result.problems.length} problems)`);
  return bad > 0 ? 1 : 0;
}
