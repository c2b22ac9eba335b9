// Owns `legwork history [--days N] [--intraday] [--json]`: the account's close snapshots (net liq, day change, cash,
// buying power, realised and unrealised P&L, greeks) and optionally its intraday points, from Postgres alone. The
// account is TT_ACCOUNT, or the one portfolio of TT_ENV.
import { cliConfig } from './cli-config.js';
import { nyMinute } from '../domain/dates.js';
import type { Environment } from '../domain/portfolio.js';
import type { AccountHistory, HistoryRow } from '../pipeline/account/account-stage.js';
import type { Sql } from '../store/db.js';
import { readArgs } from '../util/cli-args.js';

export const HISTORY_USAGE = `usage: legwork history [--days N] [--intraday] [--json]

  Snapshots of the account, taken by the running workers in broker time: one after each session close, and intraday
  points every LEGWORK_SNAPSHOT_EVERY_SECONDS while the market is open. The account is TT_ACCOUNT, or the only one
  recorded for TT_ENV.

  --days N     the last N days up to the newest snapshot (default 30)
  --intraday   also the intraday points
  --json       one JSON object on stdout: {portfolio: {environment, accountNumber} | null, snapshots: [{kind, date, at,
               netLiq, dayChange, cash, buyingPower, realizedPnl, unrealizedPnl, delta, betaDelta, gamma, theta, vega,
               positions: [{symbol, owner, quantity, mark, greeks}]}], intraday: [...] (with --intraday)}
               Money in dollars; realised P&L is Legwork's settled trades (all time), unrealised the open positions at
               their marks, both net of fees; delta and β-delta (SPY) in shares, theta $/day, vega $ per vol point.`;

export interface HistoryArgs {
  days: number;
  intraday: boolean;
  json: boolean;
}

export function parseHistoryArgs(argv: string[]): HistoryArgs | string {
  const parsed = readArgs(argv, {
    days: { type: 'string' },
    intraday: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'string') return parsed;
  const text = parsed.values.days;
  const days = text === undefined ? 30 : Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 3660) return '--days needs a whole number of days, 1-3660';
  return { days, intraday: parsed.values.intraday ?? false, json: parsed.values.json ?? false };
}

const money = (dollars: number | null) =>
  dollars === null
    ? '—'
    : `${dollars < 0 ? '-' : ''}$${Math.abs(dollars).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const change = (dollars: number | null) => (dollars === null ? '—' : `${dollars > 0 ? '+' : ''}${money(dollars)}`);
/** Fixed decimals, without a "-0.0". */
const fixed = (n: number, digits: number) => {
  const text = n.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
};

export function historyTable(rows: readonly HistoryRow[], first: 'date' | 'time'): string {
  const header = [
    first,
    'net liq',
    'day change',
    'cash',
    'BP',
    'realised',
    'unrealised',
    'delta',
    'β-delta',
    'gamma',
    'theta',
    'vega',
  ];
  const cells = rows.map((r) => [
    first === 'date' ? r.date : nyMinute(Date.parse(r.at)),
    money(r.netLiq),
    change(r.dayChange),
    money(r.cash),
    money(r.buyingPower),
    money(r.realizedPnl),
    money(r.unrealizedPnl),
    fixed(r.delta, 1),
    fixed(r.betaDelta, 1),
    fixed(r.gamma, 2),
    fixed(r.theta, 2),
    fixed(r.vega, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  // Text left, numbers right
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** The history of the configured account: TT_ACCOUNT's portfolio, or the only one of the environment. */
export async function collectHistory(
  sql: Sql,
  account: { environment: Environment; accountNumber: string | undefined },
  days: number,
): Promise<AccountHistory | string> {
  const [{ getPortfolio, listPortfolios }, { createPostgresStore }, { loadHistory }] = await Promise.all([
    import('../store/portfolio.repo.js'),
    import('../store/postgres-store.js'),
    import('../pipeline/account/account-stage.js'),
  ]);
  let portfolio = account.accountNumber
    ? await getPortfolio(sql, account.environment, account.accountNumber)
    : undefined;
  if (!account.accountNumber) {
    const all = await listPortfolios(sql, account.environment);
    if (all.length > 1)
      return `${all.length} accounts have snapshots under TT_ENV=${account.environment} (${all.map((p) => p.accountNumber).join(', ')}): set TT_ACCOUNT to one of them`;
    portfolio = all[0];
  }
  return loadHistory(createPostgresStore(sql, account.environment), portfolio, days);
}

export async function runHistory(
  argv: string[],
  deps: {
    sql?: Sql;
    account?: { environment: Environment; accountNumber: string | undefined };
    out?: (s: string) => void;
    err?: (s: string) => void;
  } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${HISTORY_USAGE}\n`);
    return 0;
  }
  const args = parseHistoryArgs(argv);
  if (typeof args === 'string') {
    err(`legwork history: ${args}\n\n${HISTORY_USAGE}\n`);
    return 2;
  }
  let sql = deps.sql;
  let account = deps.account;
  const closers: (() => Promise<void>)[] = [];
  try {
    if (!sql || !account) {
      const config = await cliConfig('history', err);
      if (!config) return 2;
      account ??= { environment: config.broker.env, accountNumber: config.broker.accountNumber };
      if (!sql) {
        const [{ createDb }, { migrate }] = await Promise.all([
          import('../store/db.js'),
          import('../store/migrate.js'),
        ]);
        const db = createDb(config.databaseUrl);
        sql = db;
        closers.push(() => db.end({ timeout: 5 }));
        await migrate(db);
      }
    }
    const history = await collectHistory(sql, account, args.days);
    if (typeof history === 'string') {
      err(`legwork history: ${history}\n`);
      return 2;
    }
    if (args.json) {
      const rows = args.intraday ? history : { portfolio: history.portfolio, snapshots: history.snapshots };
      out(`${JSON.stringify(rows)}\n`);
      return 0;
    }
    if (!history.portfolio) {
      out(`no snapshots yet for TT_ENV=${account.environment}: the workers take them (legwork start)\n`);
      return 0;
    }
    out(
      history.snapshots.length > 0
        ? historyTable(history.snapshots, 'date')
        : `no session close recorded in the last ${args.days} days yet\n`,
    );
    if (args.intraday) {
      out('\nintraday\n');
      out(history.intraday.length > 0 ? historyTable(history.intraday, 'time') : 'no intraday points\n');
    }
    return 0;
  } catch (error) {
    err(`legwork history: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    for (const c of closers) await c().catch(() => {});
  }
}
