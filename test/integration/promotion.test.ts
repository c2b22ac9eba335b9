// Sandbox before production (issue 15) against PostgreSQL and the real command line: trades record their environment,
// `legwork promote` counts paper trades with the current hash (refused when too few or a group broke, recorded with who,
// when, the hash and the evidence when ready, from another database with --evidence-db), `--status` shows each rule
// set, and `legwork start` with TT_ENV=production refuses unpromoted rule sets before any broker connection, then gets
// past the gate once they are promoted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { runPromote } from '../../src/cli/promote.js';
import { runTrade } from '../../src/cli/trade.js';
import { loadConfig } from '../../src/config/env.js';
import type { Environment } from '../../src/domain/portfolio.js';
import type { NewTrade } from '../../src/domain/records.js';
import { contentHash } from '../../src/rules/hash.js';
import { RuleRegistry } from '../../src/rules/loader.js';
import type { Sql } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { insertPendingTrade, moveTrade } from '../../src/store/trades.repo.js';
import { REDIS_URL } from '../support/app.js';
import { ROOT } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';

const IC = condorRule({ name: 'ic' });
const WIDE = condorRule({ name: 'wide', symbols: ['QQQ'] });
const OFF = condorRule({ name: 'off', symbols: ['IWM'] }).replace('strategy:', 'enabled: false\nstrategy:');
const H_IC = contentHash(IC);
const H_WIDE = contentHash(WIDE);
const ACCOUNT = 'version: 1\npromotion: { minPaperTrades: 3 }\n';

let db: TestDatabase;
let paper: TestDatabase;
let rulesDir: string;
/** A paper trade still open in the production database: the gate refuses until it settles. */
let openIcTrade: string;

const newTrade = (ruleSet: string, rulesHash: string): NewTrade => {
  const id = crypto.randomUUID();
  return {
    id,
    ruleSet,
    rulesHash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: '2026-04-17',
    quantity: 1,
    legs: [],
    entryGroupId: crypto.randomUUID(),
    riskCents: 40_000,
    expectedCreditCents: 100,
    facts: {},
  };
};

type Outcome = 'closed' | 'rejected' | 'rolled_back' | 'open';
/** A trade row walked through the trade state machine to `outcome`, as the executor would leave it. */
async function trade(sql: Sql, ruleSet: string, hash: string, environment: Environment, outcome: Outcome) {
  const { trade: t } = await insertPendingTrade(sql, newTrade(ruleSet, hash), environment);
  if (outcome === 'rejected') await moveTrade(sql, t.id, 'EntryRejected');
  if (outcome === 'rolled_back') await moveTrade(sql, t.id, 'EntryRolledBack', { realizedPnlCents: -310 });
  if (outcome === 'open' || outcome === 'closed') await moveTrade(sql, t.id, 'Opened', { entryCreditCents: 100 });
  if (outcome === 'closed') await moveTrade(sql, t.id, 'Closed', { realizedPnlCents: 5_000 });
  return t.id;
}

/** An entry group left broken (legs the rollback could not flatten). */
async function brokenGroup(sql: Sql, tradeId: string): Promise<string> {
  const id = crypto.randomUUID();
  await sql`insert into order_groups (id, trade_id, kind, mode, status, intent, reason)
            values (${id}, ${tradeId}, 'entry', 'legged', 'broken', '{}', 'compensation deadline passed')`;
  return id;
}

const config = (over: Record<string, string> = {}) =>
  loadConfig({ DATABASE_URL: db.url, LEGWORK_RULES_DIR: rulesDir, LOG_LEVEL: 'warn', ...over });

async function promote(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runPromote(argv, {
    config: config(),
    out: (s) => (out += s),
    err: (s) => (err += s),
    by: 'cli:tester',
    now: () => new Date('2026-03-04T15:30:00Z'),
  });
  return { code, out, err };
}

const promotions = () =>
  db.sql<{ ruleSet: string; rulesHash: string; promotedBy: string; promotedAt: Date; reason: string; evidence: any }[]>`
    select rule_set as "ruleSet", rules_hash as "rulesHash", promoted_by as "promotedBy", promoted_at as "promotedAt",
           reason, evidence from promotions order by id`;

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  connections: string[];
}

/**
 * Runs bin/legwork.mjs with the network recorder loaded first and the environment of a production deployment (fake
 * credentials). `until` ends a process that keeps running (SIGKILL) once it holds; otherwise it must exit by itself.
 */
function legwork(args: string[], env: Record<string, string>, until?: (s: Spawned) => boolean): Promise<Spawned> {
  const connectionsFile = join(mkdtempSync(join(tmpdir(), 'lw-net-')), 'connections');
  writeFileSync(connectionsFile, '');
  const child = spawn(
    process.execPath,
    ['--import', resolve(ROOT, 'test/support/record-connections.mjs'), resolve(ROOT, 'bin/legwork.mjs'), ...args],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        USER: 'ana',
        TT_ENV: 'production',
        LEGWORK_LIVE_TRADING: 'yes',
        TT_CLIENT_SECRET: 'fake-client-secret',
        TT_REFRESH_TOKEN: 'fake-refresh-token',
        DATABASE_URL: db.url,
        REDIS_URL,
        LEGWORK_RULES_DIR: rulesDir,
        LEGWORK_QUEUE_PREFIX: `lwt${randomBytes(4).toString('hex')}`,
        PORT: '0',
        LOG_LEVEL: 'info',
        LEGWORK_TEST_CONNECTIONS: connectionsFile,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run: Spawned = { code: null, stdout: '', stderr: '', connections: [] };
  const read = () => {
    run.connections = readFileSync(connectionsFile, 'utf8').split('\n').filter(Boolean);
    return run;
  };
  child.stdout.on('data', (c: Buffer) => (run.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
  const exited = new Promise<Spawned>((done) =>
    child.on('exit', (code) => {
      run.code = code;
      done(read());
    }),
  );
  // A run that does not end as expected is killed: no process outlives its test
  const bound = waitUntil(() => child.exitCode !== null || (until?.(read()) ?? false), {
    timeoutMs: 45_000,
    intervalMs: 100,
    what: `legwork ${args.join(' ')} to ${until ? 'get there' : 'exit'}`,
  });
  return bound.then(
    () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      return exited;
    },
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}

const TASTYTRADE = /^api\.tastyworks\.com:/;
const LOCAL = /^(127\.0\.0\.1|localhost|::1|unix):/;

beforeAll(async () => {
  db = await createTestDatabase();
  paper = await createTestDatabase();
  await Promise.all([migrate(db.sql), migrate(paper.sql)]);
  rulesDir = mkdtempSync(join(tmpdir(), 'lw-promotion-'));
  writeFileSync(join(rulesDir, 'ic.yaml'), IC);
  writeFileSync(join(rulesDir, 'wide.yaml'), WIDE);
  writeFileSync(join(rulesDir, 'off.yaml'), OFF);
  writeFileSync(join(rulesDir, 'account.yaml'), ACCOUNT);
}, 60_000);
afterAll(async () => {
  await db?.drop();
  await paper?.drop();
});

describe('trades record their environment', () => {
  it('the Store stamps each new trade with its TT_ENV; a Store opened without one refuses to insert', async () => {
    const t = newTrade('other', 'c'.repeat(64));
    const inserted = await createPostgresStore(db.sql, 'sandbox').trades.insertPendingWithinLimit(t);
    expect('trade' in inserted && inserted.created).toBe(true);
    const [row] = await db.sql<{ environment: string }[]>`select environment from trades where id = ${t.id}`;
    expect(row?.environment).toBe('sandbox');
    await expect(
      createPostgresStore(db.sql).trades.insertPendingWithinLimit(newTrade('other', 'c'.repeat(64))),
    ).rejects.toThrow(/without an environment/);
    // No default any more: an insert that does not say where the trade runs fails
    await expect(
      db.sql`insert into trades (id, rule_set, rules_hash, strategy, underlying, expiration, quantity, legs, status,
                                 entry_group_id, risk_cents, expected_credit_cents)
             values (${crypto.randomUUID()}, 'other', 'x', 'iron-condor', 'IWM', '2026-04-17', 1, '[]', 'pending',
                     ${crypto.randomUUID()}, 1, 1)`,
    ).rejects.toThrow(/environment/);
    expect(Number((await db.sql`select count(*) from trades`)[0]!['count'])).toBe(1);
  });

  it('migration 009: earlier trades are paper (sim), or the one environment of every portfolio the database holds', async () => {
    const before = mkdtempSync(join(tmpdir(), 'lw-migrations-'));
    const dir = resolve(ROOT, 'src/store/migrations');
    for (const f of readdirSync(dir).filter((f) => f < '008')) copyFileSync(join(dir, f), join(before, f));
    const outcome = async (portfolios: Environment[]) => {
      const old = await createTestDatabase();
      try {
        await migrate(old.sql, before);
        for (const env of portfolios)
          await old.sql`insert into portfolios (environment, account_number) values (${env}, ${`5WT${env}`})`;
        await old.sql`insert into trades (id, rule_set, rules_hash, strategy, underlying, expiration, quantity, legs,
                                          status, entry_group_id, risk_cents, expected_credit_cents)
                      values (${crypto.randomUUID()}, 'ic', 'x', 'iron-condor', 'SPY', '2026-04-17', 1, '[]', 'closed',
                              ${crypto.randomUUID()}, 1, 1)`;
        await migrate(old.sql);
        return (await old.sql<{ environment: string }[]>`select environment from trades`).map((r) => r.environment);
      } finally {
        await old.drop();
      }
    };
    expect(await outcome([])).toEqual(['sim']);
    expect(await outcome(['production'])).toEqual(['production']);
    expect(await outcome(['sandbox', 'production'])).toEqual(['sim']);
  }, 60_000);
});

describe('legwork trade in production', () => {
  it('refuses a rule set that is not promoted at its current hash, before looking at the market', async () => {
    const rules = new RuleRegistry(rulesDir);
    await rules.reload();
    // What runTrade reads before its refusal; a broker or market data call would throw on these
    const app = {
      config: loadConfig({
        TT_ENV: 'production',
        LEGWORK_LIVE_TRADING: 'yes',
        TT_CLIENT_SECRET: 'fake',
        TT_REFRESH_TOKEN: 'fake',
        DATABASE_URL: db.url,
      }),
      rules,
      store: createPostgresStore(db.sql, 'production'),
      sql: db.sql,
    } as unknown as AppContext;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runTrade(
        ['--underlying', 'SPY', '--strategy', 'iron-condor', '--rules', join(rulesDir, 'ic.yaml')],
        {
          app,
          out: () => {},
        },
      );
      expect(code).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(
        `refused: rule set ic (${join(rulesDir, 'ic.yaml')}, sha256:${H_IC.slice(0, 12)}) is not promoted at this hash, and TT_ENV=production trades real money; run legwork promote ic --reason …`,
      );
    } finally {
      stderr.mockRestore();
    }
    expect(await db.sql`select 1 from trades where rule_set = 'ic'`).toHaveLength(0);
  });
});

describe('production start-up gate: refused', () => {
  it('legwork start refuses unpromoted enabled rule sets (and active paper trades) before any broker connection', async () => {
    const run = await legwork(['start'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('legwork start: refused to start.');
    expect(run.stderr).toContain(
      `  ic (${join(rulesDir, 'ic.yaml')}, sha256:${H_IC.slice(0, 12)}): never promoted; run legwork promote ic --reason …`,
    );
    expect(run.stderr).toContain(
      `  wide (${join(rulesDir, 'wide.yaml')}, sha256:${H_WIDE.slice(0, 12)}): never promoted; run legwork promote wide --reason …`,
    );
    expect(run.stderr).not.toContain('  off (');
    // the sandbox trade of the first test is still pending in this database
    expect(run.stderr).toContain('this database still holds active paper trades (1 from TT_ENV=sandbox)');
    // It read PostgreSQL (the recorder works) and contacted nothing else over TCP: no broker, not even Redis (tsx's
    // own IPC pipe is a local socket file)
    const tcp = run.connections.filter((c) => !c.startsWith('unix:'));
    expect(tcp.length).toBeGreaterThan(0);
    expect(new Set(tcp)).toEqual(new Set([new URL(db.url).host]));
    await db.sql`update trades set status = 'rejected' where rule_set = 'other'`;
  }, 60_000);

  it('legwork worker execute is refused too; legwork worker exit is not gated (it only manages what is held)', async () => {
    const execute = await legwork(['worker', 'execute'], {});
    expect(execute.code).toBe(2);
    expect(execute.stderr).toContain('legwork worker: refused to start.');
    expect(execute.connections.some((c) => TASTYTRADE.test(c))).toBe(false);
    const exit = await legwork(['worker', 'exit'], {}, (s) => s.connections.some((c) => TASTYTRADE.test(c)));
    expect(exit.stderr).not.toContain('refused to start');
    expect(exit.connections.some((c) => TASTYTRADE.test(c))).toBe(true);
  }, 90_000);
});

describe('legwork promote', () => {
  it('refuses without --reason, and records nothing', async () => {
    const r = await promote(['wide']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('legwork promote: --reason TEXT is required: say why this rule set may trade real money');
    expect(await promotions()).toEqual([]);
  });

  it('refuses a rule set with too few paper trades with its current hash to a terminal state, saying how many of how many', async () => {
    await trade(db.sql, 'ic', H_IC, 'sim', 'closed');
    await trade(db.sql, 'ic', H_IC, 'sim', 'rejected');
    openIcTrade = await trade(db.sql, 'ic', H_IC, 'sim', 'open'); // not terminal
    await trade(db.sql, 'ic', 'd'.repeat(64), 'sim', 'closed'); // an earlier version of the file
    await trade(db.sql, 'ic', H_IC, 'production', 'closed'); // real money is not paper evidence
    const r = await promote(['ic', '--reason', 'looks fine']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `legwork promote: refused: ic (${join(rulesDir, 'ic.yaml')}, sha256:${H_IC.slice(0, 12)}) is not ready: 2 of 3 paper trades with this hash reached a terminal state\n`,
    );
    expect(await promotions()).toEqual([]);
  });

  it('refuses a rule set with a broken group among its paper trades, naming the group', async () => {
    const rolledBack = await trade(db.sql, 'ic', H_IC, 'sandbox', 'rolled_back'); // the third terminal one
    const group = await brokenGroup(db.sql, rolledBack);
    const r = await promote(['ic', '--reason', 'looks fine']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`is not ready: 1 broken group: ${group}`);
    expect(r.err).not.toContain('of 3 paper trades');
    expect(await promotions()).toEqual([]);
  });

  it('promotes a ready rule set: who, when, the hash, the reason and the evidence (trade ids and outcomes)', async () => {
    const ids = [
      await trade(db.sql, 'wide', H_WIDE, 'sim', 'closed'),
      await trade(db.sql, 'wide', H_WIDE, 'sandbox', 'closed'),
      await trade(db.sql, 'wide', H_WIDE, 'sim', 'rolled_back'),
    ];
    const r = await promote(['wide', '--reason', 'three clean paper weeks']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `promoted wide (${join(rulesDir, 'wide.yaml')}, sha256:${H_WIDE.slice(0, 12)}) by cli:tester: three clean paper weeks`,
    );
    expect(r.out).toContain('evidence: 3 paper trades (2 closed, 1 rolled_back; 3 needed)');
    const source = `postgres://${new URL(db.url).host}${new URL(db.url).pathname}`;
    expect(await promotions()).toEqual([
      {
        ruleSet: 'wide',
        rulesHash: H_WIDE,
        promotedBy: 'cli:tester',
        promotedAt: new Date('2026-03-04T15:30:00Z'),
        reason: 'three clean paper weeks',
        evidence: {
          minPaperTrades: 3,
          source,
          trades: [
            {
              tradeId: ids[0],
              environment: 'sim',
              status: 'closed',
              realizedPnlCents: 5000,
              closedAt: expect.any(String),
            },
            {
              tradeId: ids[1],
              environment: 'sandbox',
              status: 'closed',
              realizedPnlCents: 5000,
              closedAt: expect.any(String),
            },
            {
              tradeId: ids[2],
              environment: 'sim',
              status: 'rolled_back',
              realizedPnlCents: -310,
              closedAt: expect.any(String),
            },
          ],
        },
      },
    ]);
    const [version] = await db.sql<{ content: string }[]>`select content from rule_set_versions where hash = ${H_WIDE}`;
    expect(version?.content).toBe(WIDE);
    const audit = await db.sql<
      { data: Record<string, unknown> }[]
    >`select data from audit_events where kind = 'promotion'`;
    expect(audit.map((a) => a.data)).toEqual([
      { ruleSet: 'wide', rulesHash: H_WIDE, by: 'cli:tester', reason: 'three clean paper weeks', trades: ids, source },
    ]);
    // Promoting the same hash again changes nothing
    const again = await promote(['wide', '--reason', 'again']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('is already promoted at this hash, by cli:tester at 2026-03-04T15:30:00Z');
    expect(await promotions()).toHaveLength(1);
  });

  it('--status shows every rule set: hash, paper trades / needed, broken groups, promoted by whom and when', async () => {
    const r = await promote(['--status']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^rule set\s+hash\s+enabled\s+paper trades\s+broken\s+promoted$/);
    expect(lines.find((l) => l.startsWith('ic '))).toMatch(
      new RegExp(`^ic\\s+${H_IC.slice(0, 12)}\\s+yes\\s+3/3\\s+1: [0-9a-f-]{36}\\s+no$`),
    );
    expect(lines.find((l) => l.startsWith('wide '))).toMatch(
      new RegExp(`^wide\\s+${H_WIDE.slice(0, 12)}\\s+yes\\s+3/3\\s+0\\s+yes, by cli:tester at 2026-03-04T15:30:00Z$`),
    );
    expect(lines.find((l) => l.startsWith('off '))).toMatch(/^off\s+[0-9a-f]{12}\s+no\s+0\/3\s+0\s+no$/);

    const json = await promote(['--status', '--json']);
    const parsed = JSON.parse(json.out) as { minPaperTrades: number; ruleSets: Record<string, unknown>[] };
    expect(parsed.minPaperTrades).toBe(3);
    expect(parsed.ruleSets.map((r) => [r['ruleSet'], r['state'], r['terminalPaperTrades'], r['promoted']])).toEqual([
      ['ic', 'not_ready', 3, false],
      ['off', 'not_ready', 0, false],
      ['wide', 'promoted', 3, true],
    ]);
    expect(parsed.ruleSets.find((r) => r['ruleSet'] === 'wide')).toMatchObject({
      hash: H_WIDE.slice(0, 12),
      rulesHash: H_WIDE,
      promotedBy: 'cli:tester',
      promotedAt: '2026-03-04T15:30:00.000Z',
      broken: [],
    });
  });

  it('an edit to the file is a new hash: not promoted, and its paper trades start from zero', async () => {
    const edited = WIDE.replace('maxWorkingGroups: 5', 'maxWorkingGroups: 4');
    writeFileSync(join(rulesDir, 'wide.yaml'), edited);
    try {
      const json = JSON.parse((await promote(['--status', '--json'])).out) as { ruleSets: Record<string, unknown>[] };
      expect(json.ruleSets.find((r) => r['ruleSet'] === 'wide')).toMatchObject({
        rulesHash: contentHash(edited),
        state: 'not_ready',
        terminalPaperTrades: 0,
        promoted: false,
      });
      expect((await promote(['wide', '--reason', 'small tweak'])).code).toBe(1);
    } finally {
      writeFileSync(join(rulesDir, 'wide.yaml'), WIDE);
    }
  });

  it('--evidence-db reads the paper trades from the paper deployment and records the promotion here (bin, cli:$USER)', async () => {
    for (const outcome of ['closed', 'closed', 'rejected'] as const) await trade(paper.sql, 'ic', H_IC, 'sim', outcome);
    const run = await legwork(
      ['promote', 'ic', '--reason', 'clean in the paper deployment', '--evidence-db', paper.url],
      {},
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ic = (await promotions()).find((p) => p.ruleSet === 'ic');
    expect(ic).toMatchObject({
      rulesHash: H_IC,
      promotedBy: 'cli:ana',
      reason: 'clean in the paper deployment',
      evidence: { minPaperTrades: 3, source: `postgres://${new URL(paper.url).host}${new URL(paper.url).pathname}` },
    });
    expect(ic?.evidence.trades.map((t: { status: string }) => t.status)).toEqual(['closed', 'closed', 'rejected']);
    // Nothing of it was written into the paper database
    expect(await paper.sql`select 1 from promotions`).toHaveLength(0);
  }, 60_000);
});

describe('production start-up gate: promoted', () => {
  it('legwork start still refuses while a paper trade is active in its database', async () => {
    const run = await legwork(['start'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('this database still holds active paper trades (1 from TT_ENV=sim)');
    expect(run.stderr).not.toContain('not promoted');
    expect(run.connections.some((c) => TASTYTRADE.test(c))).toBe(false);
  }, 60_000);

  it('legwork start gets past the gate once every enabled rule set is promoted, and only then calls the broker', async () => {
    expect(await moveTrade(db.sql, openIcTrade, 'Closed', { realizedPnlCents: 800 })).toBe(true);
    const run = await legwork(['start'], {}, (s) => s.connections.some((c) => TASTYTRADE.test(c)));
    expect(run.stderr).not.toContain('refused');
    expect(`${run.stdout}${run.stderr}`).toContain('every enabled rule set is promoted at its current hash');
    const first = run.connections.findIndex((c) => TASTYTRADE.test(c));
    expect(first).toBeGreaterThan(0);
    // Everything before the broker call stayed on this machine (PostgreSQL, Redis)
    expect(run.connections.slice(0, first).every((c) => LOCAL.test(c))).toBe(true);
  }, 60_000);
});
