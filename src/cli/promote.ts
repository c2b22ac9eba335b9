// Owns `legwork promote RULE_SET --reason TEXT [--evidence-db URL]` and `legwork promote --status [--json]`: where each
// rule set of the rules folder stands on its way to production (paper trades to a terminal state with its current hash,
// broken groups, promoted or not), and the promotion itself, refused until ready, recorded with who, when, the hash and
// the evidence in DATABASE_URL (the database production start-up reads). PostgreSQL only: no broker, no Redis.
import { cliConfig } from './cli-config.js';
import { existsSync } from 'node:fs';
import type { AppConfig } from '../config/env.js';
import {
  neededPaperTrades,
  notReadyReasons,
  type PromotionStatus,
  promotionStatus,
  type Promotion,
  shortHash,
} from '../domain/promotion.js';
import type { AccountRules } from '../rules/account-schema.js';
import type { RuleSet } from '../rules/schema.js';
import type { Queryable, Sql } from '../store/db.js';
import { readArgs } from '../util/cli-args.js';

export const PROMOTE_USAGE = `usage: legwork promote RULE_SET --reason TEXT [--evidence-db URL]
       legwork promote --status [--json] [--evidence-db URL]

  RULE_SET           a rule set of the rules folder (LEGWORK_RULES_DIR, default rules/), promoted at the hash of its
                     file as it is now; an edit to the file is a new hash and needs a new promotion
  --reason TEXT      why it may trade real money (required); recorded with who (cli:$USER), when, the hash and the
                     evidence (the paper trades counted, with their outcomes)
  --status           every rule set of the rules folder: hash, paper trades to a terminal state with that hash / needed,
                     broken groups, promoted (by whom, when)
  --json             with --status: {minPaperTrades, evidence, ruleSets: [{ruleSet, file, hash, rulesHash, enabled,
                     state, terminalPaperTrades, needed, broken, promoted, promotedBy, promotedAt}], refused: [file]}
  --evidence-db URL  read the paper trades from this PostgreSQL (the paper deployment's DATABASE_URL) instead of
                     DATABASE_URL; the promotion is always recorded in DATABASE_URL, where production start-up reads it

A rule set is ready with promotion.minPaperTrades (rules/account.yaml; default 5) of its trades with that very hash
that reached a terminal state (closed, rejected, rolled back) under TT_ENV=sim or sandbox, and no broken group among its
paper trades with that hash. With TT_ENV=production, legwork start refuses an enabled rule set that is not promoted.`;

export type PromoteArgs =
  | { mode: 'promote'; ruleSet: string; reason: string; evidenceDb: string | undefined }
  | { mode: 'status'; json: boolean; evidenceDb: string | undefined };

export function parsePromoteArgs(argv: string[]): PromoteArgs | string {
  const parsed = readArgs(
    argv,
    {
      reason: { type: 'string' },
      status: { type: 'boolean' },
      json: { type: 'boolean' },
      'evidence-db': { type: 'string' },
    },
    { positionals: true },
  );
  if (typeof parsed === 'string') return parsed;
  const { reason, status = false, json = false, 'evidence-db': evidenceDb } = parsed.values;
  if (evidenceDb !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(evidenceDb))
    return '--evidence-db needs a postgres:// URL';
  if (status) {
    if (parsed.positionals.length > 0) return `--status shows every rule set; it takes no rule set name`;
    if (reason !== undefined) return '--reason goes with a promotion, not with --status';
    return { mode: 'status', json, evidenceDb };
  }
  if (json) return '--json goes with --status';
  if (parsed.positionals.length === 0) return 'name the rule set to promote, or give --status';
  if (parsed.positionals.length > 1) return `promote one rule set at a time (got ${parsed.positionals.join(', ')})`;
  if (reason === undefined || reason.trim() === '')
    return '--reason TEXT is required: say why this rule set may trade real money';
  return { mode: 'promote', ruleSet: parsed.positionals[0]!, reason: reason.trim(), evidenceDb };
}

/** A database as the evidence names it: host, port and database, never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'an unparseable database URL';
  }
}

export interface RuleSetStanding {
  ruleSet: RuleSet;
  status: PromotionStatus;
}

export interface Standing {
  /** Paper trades needed (the account file's promotion.minPaperTrades, or the default). */
  needed: number;
  evidenceSource: string;
  ruleSets: RuleSetStanding[];
  /** Rule files the loader refuses (legwork rules check says why). */
  refused: string[];
  promotions: Promotion[];
}

/** Reads rules, the account file's N, the evidence and the promotions; a string says what is wrong. */
async function readStanding(
  config: Readonly<AppConfig>,
  sql: Sql,
  evidence: Queryable,
  evidenceSource: string,
): Promise<Standing | string> {
  const [{ loadRules }, { accountFileIn, loadAccountRules }, repo] = await Promise.all([
    import('../rules/loader.js'),
    import('../rules/account-loader.js'),
    import('../store/promotions.repo.js'),
  ]);
  let loaded: Awaited<ReturnType<typeof loadRules>>;
  try {
    loaded = await loadRules([config.rulesDir]);
  } catch (error) {
    return `cannot read the rules folder ${config.rulesDir}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const accountFile = accountFileIn(config.rulesDir);
  let account: AccountRules | null = null;
  if (existsSync(accountFile)) {
    const parsed = await loadAccountRules(accountFile);
    if (!parsed.ok)
      return `${accountFile} is not valid (legwork rules check ${accountFile} says where); its promotion.minPaperTrades is unknown`;
    account = parsed.rules;
  }
  const minPaperTrades = account?.promotion.minPaperTrades ?? null;
  let trades: Awaited<ReturnType<typeof repo.paperTrades>>;
  let broken: Awaited<ReturnType<typeof repo.brokenPaperGroups>>;
  try {
    [trades, broken] = await Promise.all([repo.paperTrades(evidence), repo.brokenPaperGroups(evidence)]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /column .*environment.* does not exist/.test(message)
      ? `the evidence database ${evidenceSource} predates trades.environment: run this version of Legwork against it once (it migrates at start)`
      : `cannot read the evidence from ${evidenceSource}: ${message}`;
  }
  const promotions = await repo.listPromotions(sql);
  return {
    needed: neededPaperTrades(minPaperTrades),
    evidenceSource,
    ruleSets: loaded.ruleSets.map((ruleSet) => ({
      ruleSet,
      status: promotionStatus(ruleSet, trades, broken, promotions, minPaperTrades),
    })),
    refused: loaded.files.flatMap((f) => (f.ok ? [] : [f.file])),
    promotions,
  };
}

const when = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const promotedCell = (s: PromotionStatus): string =>
  s.state === 'promoted' ? `yes, by ${s.by} at ${when(s.promotedAt!)}` : s.state === 'ready' ? 'no (ready)' : 'no';

/** The --status table: one line per rule set, then the refused files. */
export function standingTable(standing: Standing): string {
  const header = ['rule set', 'hash', 'enabled', 'paper trades', 'broken', 'promoted'];
  const rows = standing.ruleSets.map(({ ruleSet, status }) => [
    ruleSet.name,
    shortHash(ruleSet.hash),
    ruleSet.enabled ? 'yes' : 'no',
    `${status.terminalPaperTrades}/${status.needed}`,
    status.broken.length === 0 ? '0' : `${status.broken.length}: ${status.broken.join(', ')}`,
    promotedCell(status),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const lines = rows.length > 0 ? [line(header), ...rows.map(line)] : ['no valid rule set in the rules folder'];
  for (const file of standing.refused) lines.push(`${file}: not valid (legwork rules check ${file})`);
  lines.push(
    `paper trades: to a terminal state under TT_ENV=sim or sandbox with the current hash, read from ${standing.evidenceSource}`,
  );
  return `${lines.join('\n')}\n`;
}

export function standingJson(standing: Standing): object {
  return {
    minPaperTrades: standing.needed,
    evidence: standing.evidenceSource,
    ruleSets: standing.ruleSets.map(({ ruleSet, status }) => ({
      ruleSet: ruleSet.name,
      file: ruleSet.file,
      hash: shortHash(ruleSet.hash),
      rulesHash: ruleSet.hash,
      enabled: ruleSet.enabled,
      state: status.state,
      terminalPaperTrades: status.terminalPaperTrades,
      needed: status.needed,
      broken: status.broken,
      promoted: status.state === 'promoted',
      promotedBy: status.by ?? null,
      promotedAt: status.promotedAt?.toISOString() ?? null,
    })),
    refused: standing.refused,
  };
}

export interface PromoteDeps {
  /** The configuration (default: read from the environment). */
  config?: Readonly<AppConfig>;
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** When the promotion is made (default: this machine's clock: a person's decision, not a market event). */
  now?: () => Date;
  /** Who promotes (default: cli:$USER). */
  by?: string;
}

export async function runPromote(argv: string[], deps: PromoteDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${PROMOTE_USAGE}\n`);
    return 0;
  }
  const args = parsePromoteArgs(argv);
  if (typeof args === 'string') {
    err(`legwork promote: ${args}\n\n${PROMOTE_USAGE}\n`);
    return 2;
  }
  const config = deps.config ?? (await cliConfig('promote', err));
  if (!config) return 2;
  const [{ createDb }, { migrate }] = await Promise.all([import('../store/db.js'), import('../store/migrate.js')]);
  const sql = createDb(config.databaseUrl, { max: 2, applicationName: 'legwork promote' });
  const evidenceDb =
    args.evidenceDb && args.evidenceDb !== config.databaseUrl
      ? createDb(args.evidenceDb, { max: 2, applicationName: 'legwork promote (evidence)' })
      : undefined;
  try {
    try {
      await migrate(sql);
    } catch (error) {
      err(`legwork promote: cannot open PostgreSQL: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
    const source = describeDatabase(args.evidenceDb ?? config.databaseUrl);
    const standing = await readStanding(config, sql, evidenceDb ?? sql, source);
    if (typeof standing === 'string') {
      err(`legwork promote: ${standing}\n`);
      return 2;
    }
    if (args.mode === 'status') {
      out(args.json ? `${JSON.stringify(standingJson(standing))}\n` : standingTable(standing));
      return 0;
    }
    return await promote(args, standing, sql, { ...deps, out, err });
  } catch (error) {
    err(`legwork promote: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.allSettled([sql.end({ timeout: 5 }), evidenceDb?.end({ timeout: 5 })]);
  }
}

async function promote(
  args: Extract<PromoteArgs, { mode: 'promote' }>,
  standing: Standing,
  sql: Sql,
  deps: PromoteDeps & { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const { out, err } = deps;
  const found = standing.ruleSets.find((r) => r.ruleSet.name === args.ruleSet);
  if (!found) {
    const known = standing.ruleSets.map((r) => r.ruleSet.name);
    const refusedFile = standing.refused.find((f) => f.replace(/^.*\//, '').replace(/\.ya?ml$/i, '') === args.ruleSet);
    err(
      `legwork promote: ${
        refusedFile
          ? `${refusedFile} is not valid (legwork rules check ${refusedFile}); only a valid rule set can be promoted`
          : `no rule set named ${args.ruleSet} in the rules folder${known.length > 0 ? ` (there: ${known.join(', ')})` : ''}`
      }\n`,
    );
    return 2;
  }
  const { ruleSet, status } = found;
  const label = `${ruleSet.name} (${ruleSet.file}, sha256:${shortHash(ruleSet.hash)})`;
  if (status.state === 'promoted') {
    out(`${label} is already promoted at this hash, by ${status.by} at ${when(status.promotedAt!)}\n`);
    return 0;
  }
  if (status.state === 'not_ready') {
    err(`legwork promote: refused: ${label} is not ready: ${notReadyReasons(status).join('; ')}\n`);
    return 1;
  }
  const [{ withTx }, { recordRuleVersion }, { recordPromotion }, { appendAudit }, { operator }] = await Promise.all([
    import('../store/tx.js'),
    import('../store/scans.repo.js'),
    import('../store/promotions.repo.js'),
    import('../store/audit.repo.js'),
    import('./halt.js'),
  ]);
  const promotion: Promotion = {
    ruleSet: ruleSet.name,
    rulesHash: ruleSet.hash,
    promotedBy: deps.by ?? operator(),
    promotedAt: deps.now?.() ?? new Date(),
    reason: args.reason,
    evidence: { minPaperTrades: status.needed, trades: status.evidence, source: standing.evidenceSource },
  };
  const recorded = await withTx(sql, async (tx) => {
    // The content behind the hash stays readable in this database, whatever becomes of the file
    await recordRuleVersion(tx, {
      hash: ruleSet.hash,
      name: ruleSet.name,
      file: ruleSet.file,
      content: ruleSet.content,
    });
    const result = await recordPromotion(tx, promotion);
    if (result.created)
      await appendAudit(tx, {
        kind: 'promotion',
        dedupeKey: `promotion:${ruleSet.name}:${ruleSet.hash}`,
        data: {
          ruleSet: ruleSet.name,
          rulesHash: ruleSet.hash,
          by: promotion.promotedBy,
          reason: promotion.reason,
          trades: status.evidence.map((t) => t.tradeId),
          source: standing.evidenceSource,
        },
      });
    return result;
  });
  if (!recorded.created) {
    out(`${label} was promoted meanwhile, by ${recorded.promotion.promotedBy}\n`);
    return 0;
  }
  const outcomes = new Map<string, number>();
  for (const t of status.evidence) outcomes.set(t.status, (outcomes.get(t.status) ?? 0) + 1);
  out(
    `promoted ${label} by ${promotion.promotedBy}: ${promotion.reason}\n` +
      `  evidence: ${status.terminalPaperTrades} paper trades (${[...outcomes].map(([s, n]) => `${n} ${s}`).join(', ')}; ${status.needed} needed) from ${standing.evidenceSource}\n`,
  );
  return 0;
}
