// Owns the production start-up gate (issue 15): before a process that trades (start, worker scan / execute) connects to
// the broker with TT_ENV=production, it reads the rule files and the promotions in PostgreSQL and refuses to start
// while an enabled rule set is not promoted at its current hash, or while trades of another environment are still
// active in this database (production would adopt them). Needs PostgreSQL only.
import type { AppConfig } from '../config/env.js';
import { type Environment, promoteCommand, shortHash, unpromotedRuleSets } from '../domain/promotion.js';
import type { Logger } from '../log.js';
import { loadRules } from '../rules/loader.js';
import { createDb, waitForDatabase } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { activeTradesByEnvironment, listPromotions } from '../store/promotions.repo.js';

/** Null when the process may start; otherwise the lines that say why not and what to do. */
export async function productionGate(config: Readonly<AppConfig>, log: Logger): Promise<string[] | null> {
  if (config.broker.env !== 'production') return null;
  const sql = createDb(config.databaseUrl, { max: 2, applicationName: 'legwork production gate' });
  try {
    await waitForDatabase(sql, 60_000, (error) =>
      log.warn({ err: error }, 'PostgreSQL is not reachable yet; waiting up to 60 s to check promotions'),
    );
    await migrate(sql);
    const { ruleSets } = await loadRules([config.rulesDir]);
    const [promotions, active] = await Promise.all([listPromotions(sql), activeTradesByEnvironment(sql)]);
    const lines: string[] = [];
    const unpromoted = unpromotedRuleSets(ruleSets, promotions);
    if (unpromoted.length > 0) {
      lines.push(
        `TT_ENV=production trades real money, and ${unpromoted.length === 1 ? 'this enabled rule set is' : `these ${unpromoted.length} enabled rule sets are`} not promoted at the current hash of ${unpromoted.length === 1 ? 'its file' : 'their files'}:`,
      );
      for (const r of unpromoted) {
        const earlier = promotions.filter((p) => p.ruleSet === r.name).at(-1);
        const note = earlier
          ? `promoted at sha256:${shortHash(earlier.rulesHash)} only; the file changed since`
          : 'never promoted';
        lines.push(`  ${r.name} (${r.file}, sha256:${shortHash(r.hash)}): ${note}; run ${promoteCommand(r.name)}`);
      }
      lines.push(
        'A promotion needs enough paper trades (TT_ENV=sim or sandbox) with that very hash: legwork promote --status shows where each stands. Or set enabled: false in the file.',
      );
    }
    const others = [...active].filter(([env, n]) => env !== 'production' && n > 0) as [Environment, number][];
    if (others.length > 0)
      lines.push(
        `this database still holds active paper trades (${others.map(([env, n]) => `${n} from TT_ENV=${env}`).join(', ')}): production would manage them as its own. Let them settle (or close them) in paper mode first, or give production its own DATABASE_URL.`,
      );
    return lines.length > 0 ? lines : null;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
