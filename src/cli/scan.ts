// Owns `legwork scan --once [--rules FILE] [--json]`: one scan of every enabled rule set (or of one file, enabled or not)
// against the configured broker, printed as a ranked table or one JSON object. Trades nothing; no Redis, no Postgres.
// The SDK, pino and the config reader load only after the arguments and rule files are known to be good.
import { cliConfig, exitQuietlyOnClosedStdout } from './cli-config.js';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/env.js';
import { isBrokerError } from '../domain/broker-error.js';
import { nyDate } from '../domain/dates.js';
import type { RankedCandidate, ScanOutcome } from '../pipeline/scan/scan-stage.js';
import type { RuleSet } from '../rules/schema.js';
import { readArgs } from '../util/cli-args.js';

export const SCAN_USAGE = `usage: legwork scan --once [--rules FILE] [--json]

  --once         run one scan now and exit (required: the scheduled scanner runs with \`legwork start\`)
  --rules FILE   scan only this rule file, enabled or not (default: every enabled rule set in rules/)
  --json         one JSON object on stdout (logs go to stderr):
                 {rulesHash, underlyings, candidatesEvaluated, accepted, top: [{rank, ruleSet, strategy, underlying,
                  expiration, dte, legs: [{symbol, action, quantity, strike, right, delta}], credit, width, maxLoss,
                  pop, score}]}

Each rule set is scanned over its universe and ranked by its own score (at most maxPerUnderlying per underlying).
With several rule sets, \`top\` (the best five) merges their rankings by score (ties: rule-set name, then rank), and
\`rulesHash\` is the sha256 of the lines "<name> <file sha256>\\n" of every scanned rule set sorted by name (with one
rule set it is that file's sha256). \`underlyings\` counts distinct symbols; credit is the mid credit per share,
maxLoss dollars per structure, pop percent, quantity the leg's ratio in one structure. Nothing is traded.
The broker comes from the environment (TT_ENV, default sim: the local venue at LEGWORK_VENUE_URL).`;

export interface ScanArgs {
  once: boolean;
  rules: string | undefined;
  json: boolean;
}

/** Parses the arguments after `scan`; a string is the problem to report with the usage. */
export function parseScanArgs(argv: string[]): ScanArgs | string {
  const parsed = readArgs(argv, {
    once: { type: 'boolean' },
    json: { type: 'boolean' },
    rules: { type: 'string', multiple: true },
  });
  if (typeof parsed === 'string') return parsed;
  const { once = false, json = false, rules = [] } = parsed.values;
  if (rules.length > 1) return 'one --rules FILE only';
  if (rules[0] === '') return '--rules needs a FILE';
  return { once, rules: rules[0], json };
}

/** One rule set: its file hash; several: sha256 of "<name> <hash>\n" lines sorted by name. */
export function combinedRulesHash(ruleSets: readonly Pick<RuleSet, 'name' | 'hash'>[]): string {
  if (ruleSets.length === 1) return ruleSets[0]!.hash;
  const lines = [...ruleSets].sort((a, b) => a.name.localeCompare(b.name)).map((r) => `${r.name} ${r.hash}\n`);
  return createHash('sha256').update(lines.join(''), 'utf8').digest('hex');
}

/** Every rule set's ranking merged by score (ties: rule-set name, then its own rank). */
export function mergeRanked(outcomes: readonly ScanOutcome[]): RankedCandidate[] {
  return outcomes
    .flatMap((o) => o.ranked)
    .sort((a, b) => b.score - a.score || a.ruleSet.localeCompare(b.ruleSet) || a.rank - b.rank);
}

const round = (x: number | null, places: number) => (x === null ? null : Math.round(x * 10 ** places) / 10 ** places);

export function topEntry(r: RankedCandidate, rank: number) {
  const c = r.candidate;
  return {
    rank,
    ruleSet: r.ruleSet,
    strategy: c.strategy,
    underlying: c.underlying,
    expiration: c.expiration,
    dte: c.dte,
    legs: c.legs.map((l) => ({
      symbol: l.symbol,
      action: l.action,
      quantity: l.ratio,
      strike: l.strike,
      right: l.right,
      delta: l.delta,
    })),
    credit: c.facts.credit_mid,
    width: c.facts.width,
    maxLoss: c.facts.max_loss,
    pop: round(c.facts.pop, 4),
    score: round(r.score, 6)!,
  };
}

export function scanJson(ruleSets: readonly RuleSet[], outcomes: readonly ScanOutcome[], top = 5) {
  return {
    rulesHash: combinedRulesHash(ruleSets),
    underlyings: new Set(outcomes.flatMap((o) => o.perUnderlying.map((u) => u.underlying))).size,
    candidatesEvaluated: outcomes.reduce((n, o) => n + o.candidatesEvaluated, 0),
    accepted: outcomes.reduce((n, o) => n + o.accepted, 0),
    top: mergeRanked(outcomes)
      .slice(0, top)
      .map((r, i) => topEntry(r, i + 1)),
  };
}

const COLUMNS: [string, number][] = [
  ['rank', 4],
  ['rule set', 18],
  ['strategy', 18],
  ['underlying', 10],
  ['expiration', 10],
  ['dte', 4],
  ['strikes', 23],
  ['credit', 7],
  ['width', 6],
  ['max loss', 9],
  ['POP', 6],
  ['score', 7],
];
const fmt = (v: number | null, places: number) => (v === null ? '—' : v.toFixed(places));

/** The merged ranking as a text table, then one summary line. */
export function scanTable(ruleSets: readonly RuleSet[], outcomes: readonly ScanOutcome[]): string {
  const cell = (text: string, i: number) =>
    [1, 2, 3, 4, 6].includes(i) ? text.padEnd(COLUMNS[i]![1]) : text.padStart(COLUMNS[i]![1]);
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  const rows = mergeRanked(outcomes).map((r, i) => {
    const c = r.candidate;
    const f = c.facts;
    return line([
      String(i + 1),
      r.ruleSet,
      c.strategy,
      c.underlying,
      c.expiration,
      String(c.dte),
      c.legs.map((l) => l.strike).join('/'),
      fmt(f.credit_mid, 2),
      fmt(f.width, 1),
      fmt(f.max_loss, 0),
      fmt(f.pop, 1),
      r.score.toFixed(3),
    ]);
  });
  const j = scanJson(ruleSets, outcomes);
  const summary = `${ruleSets.length} rule set${ruleSets.length === 1 ? '' : 's'}, ${j.underlyings} underlyings: ${j.candidatesEvaluated} candidates evaluated, ${j.accepted} accepted (rules sha256:${j.rulesHash.slice(0, 12)})`;
  if (rows.length === 0) return `no candidate passed the filters\n${summary}\n`;
  return `${[line(COLUMNS.map(([h]) => h)), ...rows].join('\n')}\n${summary}\n`;
}

/** Explains a failure in one line. */
function describeFailure(error: unknown, config: AppConfig): string {
  const where = config.broker.baseUrl;
  if (isBrokerError(error)) {
    if (error.httpStatus === undefined && (error.kind === 'retryable' || error.kind === 'unknown')) {
      const hint =
        config.broker.env === 'sim'
          ? '; is the local venue running? Start it with `npm run venue` (or set LEGWORK_VENUE_URL)'
          : '';
      return `cannot reach the broker at ${where} (${error.code ?? error.message})${hint}`;
    }
    return `broker error (${error.kind}) from ${where}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** New York's date on the wall clock. */
const nyToday = () => nyDate(Date.now());

export async function runScan(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  const args = parseScanArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`legwork scan: ${args}\n\n${SCAN_USAGE}\n`);
    return 2;
  }
  if (!args.once) {
    process.stderr.write(
      'legwork scan: the scheduled scanner runs with `legwork start`; use `legwork scan --once` for one scan now\n',
    );
    return 2;
  }
  const [{ loadRules }, { formatLocated }] = await Promise.all([
    import('../rules/loader.js'),
    import('../util/yaml-zod.js'),
  ]);
  let ruleSets: RuleSet[];
  try {
    const loaded = await loadRules(args.rules ? [args.rules] : ['rules']);
    for (const p of loaded.problems) process.stderr.write(`${formatLocated(p)}\n`);
    if (loaded.problems.length > 0) return 1;
    ruleSets = args.rules ? loaded.ruleSets : loaded.ruleSets.filter((r) => r.enabled);
  } catch (error) {
    process.stderr.write(`legwork scan: ${(error as Error).message}\n`);
    return 1;
  }
  if (ruleSets.length === 0) {
    process.stderr.write(
      `legwork scan: no ${args.rules ? 'rule set' : 'enabled rule set'} in ${args.rules ?? 'rules/'}\n`,
    );
    return 1;
  }

  const config = await cliConfig('scan');
  if (!config) return 2;
  exitQuietlyOnClosedStdout();
  const [
    { pino },
    { createLogger },
    { createTastytradeClient },
    { createTastytradeMarketData },
    { scanRuleSet },
    { todayFromChain },
  ] = await Promise.all([
    import('pino'),
    import('../log.js'),
    import('../broker/tastytrade/client.js'),
    import('../broker/tastytrade/market-data.js'),
    import('../pipeline/scan/scan-stage.js'),
    import('../pipeline/scan/scan-stage.js'),
  ]);
  const log = createLogger({
    level: config.logLevel,
    pretty: false,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const md = createTastytradeMarketData({ client: createTastytradeClient(config.broker, log), log });
  try {
    // Days to expiration count from the broker's today (the local venue may run on a replayed clock): read it off a chain
    let today: string | null = null;
    for (const symbol of [...new Set(ruleSets.flatMap((r) => r.universe.symbols ?? []))].slice(0, 3)) {
      try {
        today = todayFromChain(await md.chain(symbol));
        if (today) break;
      } catch (error) {
        if (!isBrokerError(error) || error.code !== 'unknown_symbol') throw error;
      }
    }
    today ??= nyToday();
    const outcomes: ScanOutcome[] = [];
    let failed = 0;
    for (const ruleSet of ruleSets) {
      try {
        const outcome = await scanRuleSet({ marketData: md, today }, ruleSet);
        for (const s of outcome.skipped)
          process.stderr.write(`legwork scan: ${ruleSet.name}: ${s.underlying} skipped: ${s.reason}\n`);
        outcomes.push(outcome);
      } catch (error) {
        if (isBrokerError(error)) throw error;
        failed++;
        process.stderr.write(`legwork scan: ${ruleSet.name}: ${describeFailure(error, config)}\n`);
      }
    }
    const scanned = ruleSets.filter((r) => outcomes.some((o) => o.ruleSet === r.name));
    if (args.json) process.stdout.write(`${JSON.stringify(scanJson(scanned, outcomes))}\n`);
    else process.stdout.write(scanTable(scanned, outcomes));
    return failed > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`legwork scan: ${describeFailure(error, config)}\n`);
    return 1;
  } finally {
    await md.close();
  }
}
